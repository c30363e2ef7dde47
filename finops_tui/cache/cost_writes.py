"""Writing cost rows into the cache: replace whole datasets, refresh rollups, record provenance.

A cost dataset is one (provider, billing account, billing period) slice. Loading a slice again,
from the same file or a newer export, replaces it, so re-ingesting never double counts. Runs
inside a `write_session`, so readers see the old slice or the new one, never both.

A load appends straight into `costs` (no staging copy: at 10M rows the extra copy cost more than
the parse) inside one transaction. `begin_cost_load` remembers the table's last row id and
defines the temp view `staged_costs` as the rows after it; `replace_cost_datasets` then deletes
the older rows of every slice the load touched. Rows appended in the transaction always have
higher row ids, and no checkpoint can renumber rows until it commits.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from finops_tui.cache.migrations import ROLLUP_DAILY_SELECT, ROLLUP_RESOURCE_SELECT


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


_SLICES = "SELECT DISTINCT x_DatasetId FROM staged_costs"
API_PREFIX = "costs-ce:"  # cost datasets from Cost Explorer; billing exports win where both cover a day


def begin_cost_load(con: duckdb.DuckDBPyConnection) -> None:
    """Start a load: a transaction, and `staged_costs` = the rows this load appends to `costs`."""
    con.execute("BEGIN TRANSACTION")
    mark = con.execute("SELECT coalesce(max(rowid), -1) FROM costs").fetchall()[0][0]
    con.execute(f"CREATE OR REPLACE TEMP VIEW staged_costs AS SELECT * FROM costs WHERE rowid > {int(mark)}")
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW older_costs AS SELECT rowid AS r, x_DatasetId FROM costs "
        f"WHERE rowid <= {int(mark)}"
    )


def apply_export_precedence(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the Cost Explorer part of the daily rollup, leaving out every (account, day) that a
    billing export (or the DEMO) covers: the export is line-item true and must win, and the two
    must never be added together. CE rows are few (service x region x day), so this is cheap."""
    con.execute(f"DELETE FROM cost_daily WHERE x_DatasetId LIKE '{API_PREFIX}%'")
    covered = (
        f"NOT EXISTS (SELECT 1 FROM cost_daily e WHERE e.x_DatasetId NOT LIKE '{API_PREFIX}%' "
        "AND e.SubAccountId IS NOT DISTINCT FROM costs.SubAccountId "
        "AND e.ChargeDate = CAST(costs.ChargePeriodStart AS DATE))"
    )
    con.execute(
        "INSERT INTO cost_daily "
        + ROLLUP_DAILY_SELECT.format(where=f"WHERE x_DatasetId LIKE '{API_PREFIX}%' AND {covered}")
    )


def insert_api_costs(con: duckdb.DuckDBPyConnection, rows: pa.Table, source: str) -> LoadSummary:
    """Replace the API cost datasets present in `rows` (columns: a subset of `costs`) in one step."""
    begin_cost_load(con)
    con.register("incoming_costs", rows)
    try:
        con.execute("INSERT INTO costs BY NAME SELECT * FROM incoming_costs")
        return replace_cost_datasets(con, [], "API", source)
    except BaseException:
        abandon_cost_load(con)
        raise
    finally:
        con.unregister("incoming_costs")


def abandon_cost_load(con: duckdb.DuckDBPyConnection) -> None:
    """Roll a failed load back (DuckDB refuses every statement in a transaction after an error)."""
    with contextlib.suppress(duckdb.TransactionException):  # already rolled back
        con.execute("ROLLBACK")


def replace_cost_datasets(
    con: duckdb.DuckDBPyConnection, files: Sequence[FileProvenance], source_kind: str, source: str | None = None
) -> LoadSummary:
    """Finish a load: older rows of every slice it touched go, rollups and provenance follow, commit."""
    summary = summarize_staged(con)
    con.execute(f"DELETE FROM costs WHERE rowid IN (SELECT r FROM older_costs WHERE x_DatasetId IN ({_SLICES}))")
    for table in ("cost_daily", "cost_resource_monthly"):
        con.execute(f"DELETE FROM {table} WHERE x_DatasetId IN ({_SLICES})")
    in_slices = f"x_DatasetId IN ({_SLICES}) AND x_DatasetId NOT LIKE '{API_PREFIX}%'"
    con.execute("INSERT INTO cost_daily " + ROLLUP_DAILY_SELECT.format(where=f"WHERE {in_slices}"))
    con.execute("INSERT INTO cost_resource_monthly " + ROLLUP_RESOURCE_SELECT.format(and_where=f"AND {in_slices}"))
    apply_export_precedence(con)
    _record_cost_datasets(con, files, source_kind, source)
    con.execute("DROP VIEW staged_costs")
    con.execute("DROP VIEW older_costs")
    con.execute("COMMIT")
    return summary


def _record_cost_datasets(
    con: duckdb.DuckDBPyConnection, files: Sequence[FileProvenance], source_kind: str, source: str | None
) -> None:
    files_json = json.dumps([f.__dict__ for f in files])
    fmt = "/".join(sorted({f.format for f in files})) or source_kind.lower()
    versions = sorted({f.format_version for f in files})
    if source is None:
        source = ", ".join(f.path for f in files) if len(files) <= 3 else f"{files[0].path} and {len(files) - 1} more"
    con.execute("DELETE FROM datasets WHERE dataset_id IN (" + _SLICES + ")")
    con.execute(
        """
        INSERT INTO datasets
        SELECT x_DatasetId, 'costs', ?, ?, ?::JSON, ?, ?, any_value(ProviderName), any_value(BillingAccountId),
               CAST(any_value(BillingPeriodStart) AS DATE), count(*),
               (SELECT to_json(map_from_entries(list({'key': coalesce(cur, '(none)'),
                        'value': {'BilledCost': billed, 'EffectiveCost': eff}})))
                FROM (SELECT BillingCurrency AS cur, sum(BilledCost)::DOUBLE AS billed,
                             sum(EffectiveCost)::DOUBLE AS eff
                      FROM staged_costs s2 WHERE s2.x_DatasetId = s.x_DatasetId GROUP BY 1)),
               now()::TIMESTAMP, min(ChargePeriodStart), max(coalesce(ChargePeriodEnd, ChargePeriodStart)),
               NULL
        FROM staged_costs s GROUP BY x_DatasetId
        """,
        [source_kind, source, files_json, fmt, "/".join(versions)],
    )


def summarize_staged(con: duckdb.DuckDBPyConnection) -> LoadSummary:
    def column(sql: str) -> list[str]:
        return [str(r[0]) for r in con.execute(sql).fetchall()]

    totals = [
        CostTotals(r[0], float(r[1] or 0), float(r[2] or 0))
        for r in con.execute(
            "SELECT BillingCurrency, sum(BilledCost), sum(EffectiveCost) FROM staged_costs "
            "GROUP BY 1 ORDER BY 2 DESC NULLS LAST"
        ).fetchall()
    ]
    return LoadSummary(
        rows=con.execute("SELECT count(*) FROM staged_costs").fetchall()[0][0],
        datasets=column(_SLICES + " ORDER BY 1"),
        billing_periods=column("SELECT DISTINCT strftime(BillingPeriodStart, '%Y-%m') FROM staged_costs ORDER BY 1"),
        providers=column("SELECT DISTINCT coalesce(ProviderName, '(none)') FROM staged_costs ORDER BY 1"),
        accounts=column("SELECT DISTINCT coalesce(BillingAccountId, '(none)') FROM staged_costs ORDER BY 1"),
        totals=totals,
    )


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str | None) -> None:
    con.execute("DELETE FROM meta WHERE key = ?", [key])
    if value is not None:
        con.execute("INSERT INTO meta VALUES (?, ?)", [key, value])
