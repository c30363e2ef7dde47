"""A drill's `CostFilter`s as SQL over `costs` (or `cost_daily` when every filtered column is in it).

Filters carry raw column values, so a filter built from a KPI row, a budget or an anomaly matches
exactly the rows the figure was computed from. Values always travel as parameters.
"""

from __future__ import annotations

from collections.abc import Sequence

from finops_tui.contract.details import CostFilter, DrillDimension

# The FOCUS column (or expression) each drill dimension filters on, in `costs`.
COLUMNS: dict[DrillDimension, str] = {
    "service": "ServiceName",
    "account": "SubAccountId",
    "region": "RegionId",
    "provider": "ProviderName",
    "resource": "ResourceId",
    "usage_type": "coalesce(ChargeDescription, SkuId)",
    "service_category": "ServiceCategory",
    "charge_category": "ChargeCategory",
}
# Dimensions the daily rollup keeps: filtering on these alone needs no scan of `costs`.
IN_ROLLUP: frozenset[DrillDimension] = frozenset(
    {"service", "account", "region", "provider", "service_category", "charge_category"}
)


def rollup_serves(filters: Sequence[CostFilter]) -> bool:
    return all(f.dimension in IN_ROLLUP for f in filters)


def filters_sql(filters: Sequence[CostFilter]) -> tuple[str, list[str]]:
    """`(a IN (…) OR a IS NULL) AND (b IN (…))`, or TRUE; and its parameters."""
    clauses: list[str] = []
    params: list[str] = []
    for f in filters:
        column = COLUMNS[f.dimension]
        given = [v for v in f.values if v is not None]
        parts = []
        if given:
            parts.append(f"{column} IN ({', '.join('?' for _ in given)})")
            params.extend(given)
        if None in f.values:
            parts.append(f"{column} IS NULL")
        clauses.append("(" + (" OR ".join(parts) or "FALSE") + ")")
    return (" AND ".join(clauses) or "TRUE"), params
