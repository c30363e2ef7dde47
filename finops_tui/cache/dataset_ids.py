"""Dataset ids: the one place that says how a dataset is named.

A cost dataset is one (provider, billing account, billing period) slice of a billing export,
`costs:<provider>:<account>:<YYYY-MM>`, or of Cost Explorer, `costs-ce:<provider>:<account>:<YYYY-MM>`.
Other datasets are `<kind>:<provider>:<account>[:<part>…]`, e.g. `resources:aws:123:us-east-1:ec2`.
Loading a dataset with the same id replaces it, so the id decides what "the same data again" means.
"""

from __future__ import annotations

from datetime import date

from finops_tui.contract.vocabulary import DatasetKind

EXPORT_COSTS = "costs"
API_COSTS = "costs-ce"  # billing exports win where both cover an account's day
API_COSTS_LIKE = f"{API_COSTS}:%"  # SQL LIKE pattern matching every API cost dataset


def api_cost_slice(provider: str, account_id: str, month: date) -> str:
    return f"{API_COSTS}:{provider}:{account_id}:{month:%Y-%m}"


def export_cost_slice_sql(provider: str, account: str, period_start: str) -> str:
    """SQL expression naming the export slice of a row, from column expressions of that row."""
    return (
        f"'{EXPORT_COSTS}:' || coalesce({provider}, 'unknown') || ':' || coalesce({account}, 'unknown')"
        f" || ':' || strftime({period_start}, '%Y-%m')"
    )


def dataset_id(kind: DatasetKind, provider: str, account_id: str, *parts: str) -> str:
    """A non-cost dataset: `<kind>:<provider>:<account>[:<part>…]`, provider in lower case."""
    return ":".join((kind, provider.lower(), account_id, *parts))
