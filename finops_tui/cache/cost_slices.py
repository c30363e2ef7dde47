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

from finops_tui.cache.dataset_ids import API_COSTS_LIKE
from finops_tui.cache.migrations import ROLLUP_DAILY_SELECT, ROLLUP_RESOURCE_SELECT

STAGED = "staged_costs"  # temp view: the rows the open load appended
OLDER = "older_costs"  # temp view: (rowid r, x_DatasetId) of every row that was there before the load
_SLICES = f"SELECT DISTINCT x_DatasetId FROM {STAGED}"


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
    summary = summarize_staged(con)
    con.execute(f"DELETE FROM costs WHERE rowid IN (SELECT r FROM {OLDER} WHERE x_DatasetId IN ({_SLICES}))")
    for table in ("cost_daily", "cost_resource_monthly"):
        con.execute(f"DELETE FROM {table} WHERE x_DatasetId IN ({_SLICES})")
    in_slices = f"x_DatasetId IN ({_SLICES}) AND x_DatasetId NOT LIKE '{API_COSTS_LIKE}'"
    con.execute("INSERT INTO cost_daily " + ROLLUP_DAILY_SELECT.format(where=f"WHERE {in_slices}"))
    con.execute("INSERT INTO cost_resource_monthly " + ROLLUP_RESOURCE_SELECT.format(and_where=f"AND {in_slices}"))
    apply_export_precedence(con)
    _record_cost_datasets(con, files, source_kind, source)
    return summary


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
               CAST(any_value(BillingPeriodStart) AS DATE), count(*),
               (SELECT to_json(map_from_entries(list({{'key': coalesce(cur, '(none)'),
                        'value': {{'BilledCost': billed, 'EffectiveCost': eff}}}})))
                FROM (SELECT BillingCurrency AS cur, sum(BilledCost)::DOUBLE AS billed,
                             sum(EffectiveCost)::DOUBLE AS eff
                      FROM {STAGED} s2 WHERE s2.x_DatasetId = s.x_DatasetId GROUP BY 1)),
               now()::TIMESTAMP, min(ChargePeriodStart), max(coalesce(ChargePeriodEnd, ChargePeriodStart)),
               NULL
        FROM {STAGED} s GROUP BY x_DatasetId
        """,
        [source_kind, source, files_json, fmt, "/".join(versions)],
    )


def summarize_staged(con: duckdb.DuckDBPyConnection) -> LoadSummary:
    """Rows, slices, periods, providers, accounts and per-currency totals of the open load."""

    def column(sql: str) -> list[str]:
        return [str(r[0]) for r in con.execute(sql).fetchall()]

    totals = [
        CostTotals(r[0], float(r[1] or 0), float(r[2] or 0))
        for r in con.execute(
            f"SELECT BillingCurrency, sum(BilledCost), sum(EffectiveCost) FROM {STAGED} "
            "GROUP BY 1 ORDER BY 2 DESC NULLS LAST"
        ).fetchall()
    ]
    return LoadSummary(
        rows=int(con.execute(f"SELECT count(*) FROM {STAGED}").fetchall()[0][0]),
        datasets=column(_SLICES + " ORDER BY 1"),
        billing_periods=column(f"SELECT DISTINCT strftime(BillingPeriodStart, '%Y-%m') FROM {STAGED} ORDER BY 1"),
        providers=column(f"SELECT DISTINCT coalesce(ProviderName, '(none)') FROM {STAGED} ORDER BY 1"),
        accounts=column(f"SELECT DISTINCT coalesce(BillingAccountId, '(none)') FROM {STAGED} ORDER BY 1"),
        totals=totals,
    )
