"""Cost slices: what finishing a load writes, namely older rows replaced, rollups rebuilt, provenance recorded.

A cost dataset is one (provider, billing account, billing period) slice (ids: `dataset_ids`).
Loading a slice again, from the same file or a newer export, replaces it, so re-ingesting never
double counts. These steps only run inside a `CostLoad` (cost_load.py), which defines the views
they read: `staged_costs`, the rows the load appended, and `older_costs`, every row before it.
Nothing here begins, commits or rolls back; the load owns the transaction.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from finops_tui.cache import cost_layouts
from finops_tui.cache.dataset_ids import API_COSTS_LIKE
from finops_tui.cache.migrations import ROLLUP_DAILY_SELECT, ROLLUP_RESOURCE_SELECT, ROLLUP_TAG_SELECT

STAGED = "staged_costs"  # temp view: the rows the open load appended
OLDER = "older_costs"  # temp view: (layout table t, rowid r, x_DatasetId) of every row there before the load
# Temp table, made once per finishing load: the appended rows grouped by slice, currency, provider, account
# and billing month (a few hundred rows at most). The summary, the slice list and the datasets rows all
# come from it, so finishing scans the appended rows once instead of once per figure.
GROUPS = "load_groups"
_SLICES = f"SELECT DISTINCT x_DatasetId FROM {GROUPS}"


@dataclass(frozen=True)
class FileProvenance:
    path: str
    sha256: str
    size: int
    format: str  # e.g. "focus", "aws-cur"
    format_version: str  # e.g. "1.2", "legacy"
    rows: int


@dataclass(frozen=True)
class CostTotals:
    currency: str | None
    billed: float
    effective: float


@dataclass(frozen=True)
class LoadSummary:
    rows: int
    datasets: list[str]
    billing_periods: list[str]
    providers: list[str]
    accounts: list[str]
    totals: list[CostTotals]


def replace_older_slices(
    con: duckdb.DuckDBPyConnection, files: Sequence[FileProvenance], source_kind: str, source: str | None
) -> LoadSummary:
    """Older rows of every slice the load touched go; rollups and provenance follow. Returns what was loaded."""
    _group_staged(con)
    summary = _summary(con)
    # The slices as a list of literals, not a subquery: DuckDB pushes the filter into each scan (and skips
    # row groups of other slices by their min/max), where a subquery would be a join over every row.
    slices = [str(r[0]) for r in con.execute(f"{_SLICES} WHERE x_DatasetId IS NOT NULL ORDER BY 1").fetchall()]
    if slices:
        in_slices = "x_DatasetId IN (" + ", ".join(_text(s) for s in slices) + ")"
        # `costs` is a view: the older rows go from each layout table that holds some (cost_layouts.py).
        for table in cost_layouts.registered(con):
            con.execute(
                f"DELETE FROM {cost_layouts.quote(table)} WHERE rowid IN "
                f"(SELECT r FROM {OLDER} WHERE t = {_text(table)} AND {in_slices})"
            )
        for table in ("cost_daily", "cost_resource_monthly", "cost_tag_daily"):
            con.execute(f"DELETE FROM {table} WHERE {in_slices}")
        exported = f"{in_slices} AND x_DatasetId NOT LIKE '{API_COSTS_LIKE}'"
        con.execute("INSERT INTO cost_daily " + ROLLUP_DAILY_SELECT.format(where=f"WHERE {exported}"))
        con.execute("INSERT INTO cost_resource_monthly " + ROLLUP_RESOURCE_SELECT.format(and_where=f"AND {exported}"))
        con.execute("INSERT INTO cost_tag_daily " + ROLLUP_TAG_SELECT.format(and_where=f"AND {exported}"))
    cost_layouts.drop_empty(con)  # e.g. a month loaded from a full file, now reloaded from a narrow one
    apply_export_precedence(con)
    _record_cost_datasets(con, files, source_kind, source)
    con.execute(f"DROP TABLE {GROUPS}")
    return summary


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def apply_export_precedence(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the Cost Explorer part of the daily rollup, leaving out every (account, day) that a
    billing export (or the DEMO) covers: the export is line-item true and must win, and the two
    must never be added together. CE rows are few (service x region x day), so this is cheap."""
    con.execute(f"DELETE FROM cost_daily WHERE x_DatasetId LIKE '{API_COSTS_LIKE}'")
    covered = (
        f"NOT EXISTS (SELECT 1 FROM cost_daily e WHERE e.x_DatasetId NOT LIKE '{API_COSTS_LIKE}' "
        "AND e.SubAccountId IS NOT DISTINCT FROM costs.SubAccountId "
        "AND e.ChargeDate = CAST(costs.ChargePeriodStart AS DATE))"
    )
    con.execute(
        "INSERT INTO cost_daily "
        + ROLLUP_DAILY_SELECT.format(where=f"WHERE x_DatasetId LIKE '{API_COSTS_LIKE}' AND {covered}")
    )


def _record_cost_datasets(
    con: duckdb.DuckDBPyConnection, files: Sequence[FileProvenance], source_kind: str, source: str | None
) -> None:
    files_json = json.dumps([f.__dict__ for f in files])
    fmt = "/".join(sorted({f.format for f in files})) or source_kind.lower()
    versions = sorted({f.format_version for f in files})
    if source is None:
        source = ", ".join(f.path for f in files) if len(files) <= 3 else f"{files[0].path} and {len(files) - 1} more"
    con.execute(f"DELETE FROM datasets WHERE dataset_id IN ({_SLICES})")
    con.execute(
        f"""
        INSERT INTO datasets
        SELECT x_DatasetId, 'costs', ?, ?, ?::JSON, ?, ?, any_value(ProviderName), any_value(BillingAccountId),
               CAST(any_value(period_start) AS DATE), sum(line_items)::BIGINT,
               (SELECT to_json(map_from_entries(list({{'key': coalesce(cur, '(none)'),
                        'value': {{'BilledCost': billed, 'EffectiveCost': eff}}}})))
                FROM (SELECT cur, sum(billed)::DOUBLE AS billed, sum(eff)::DOUBLE AS eff
                      FROM {GROUPS} g2 WHERE g2.x_DatasetId = g.x_DatasetId GROUP BY 1)),
               now()::TIMESTAMP, min(data_from), max(data_through), NULL
        FROM {GROUPS} g GROUP BY x_DatasetId
        """,
        [source_kind, source, files_json, fmt, "/".join(versions)],
    )


def _group_staged(con: duckdb.DuckDBPyConnection) -> None:
    """One pass over the appended rows: the GROUPS table everything else of the finish is computed from."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {GROUPS} AS
        SELECT x_DatasetId, BillingCurrency AS cur, ProviderName, BillingAccountId,
               date_trunc('month', BillingPeriodStart) AS period, any_value(BillingPeriodStart) AS period_start,
               sum(BilledCost) AS billed, sum(EffectiveCost) AS eff, count(*) AS line_items,
               min(ChargePeriodStart) AS data_from, max(coalesce(ChargePeriodEnd, ChargePeriodStart)) AS data_through
        FROM {STAGED} GROUP BY ALL
        """
    )


def summarize_staged(con: duckdb.DuckDBPyConnection) -> LoadSummary:
    """Rows, slices, periods, providers, accounts and per-currency totals of the open load."""
    _group_staged(con)
    try:
        return _summary(con)
    finally:
        con.execute(f"DROP TABLE {GROUPS}")


def _summary(con: duckdb.DuckDBPyConnection) -> LoadSummary:
    def column(sql: str) -> list[str]:
        return [str(r[0]) for r in con.execute(sql).fetchall()]

    totals = [
        CostTotals(r[0], float(r[1] or 0), float(r[2] or 0))
        for r in con.execute(
            f"SELECT cur, sum(billed), sum(eff) FROM {GROUPS} GROUP BY 1 ORDER BY 2 DESC NULLS LAST"
        ).fetchall()
    ]
    return LoadSummary(
        rows=int(con.execute(f"SELECT coalesce(sum(line_items), 0) FROM {GROUPS}").fetchall()[0][0]),
        datasets=column(_SLICES + " ORDER BY 1"),
        billing_periods=column(f"SELECT DISTINCT strftime(period, '%Y-%m') FROM {GROUPS} ORDER BY 1"),
        providers=column(f"SELECT DISTINCT coalesce(ProviderName, '(none)') FROM {GROUPS} ORDER BY 1"),
        accounts=column(f"SELECT DISTINCT coalesce(BillingAccountId, '(none)') FROM {GROUPS} ORDER BY 1"),
        totals=totals,
    )
