"""Writing the non-cost datasets (resources, budgets, anomalies, optimizations) with provenance.

Each write replaces one dataset (for example `resources:aws:123456789012`) in one table, from an
Arrow table whose columns are a subset of that table's columns.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

_TABLES = {"resources", "budgets", "budget_history", "anomalies", "optimizations", "cost_forecasts"}


def replace_dataset(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    dataset_id: str,
    rows: pa.Table,
    *,
    source_kind: str,
    source: str,
    provider: str | None = None,
    account_id: str | None = None,
    data_through: datetime | None = None,
) -> int:
    """Replace dataset `dataset_id` in table `kind` with `rows`; returns the row count written."""
    if kind not in _TABLES:
        raise ValueError(f"unknown dataset kind {kind!r}")
    table_columns = [r[0] for r in con.execute(f"DESCRIBE {kind}").fetchall()]
    unknown = set(rows.column_names) - set(table_columns)
    if unknown:
        raise ValueError(f"{kind}: columns {sorted(unknown)} are not in the cache schema")
    con.register("incoming_rows", rows)
    try:
        select = ", ".join(
            f'incoming_rows."{c}"' if c in rows.column_names else ("?" if c == "x_dataset_id" else "NULL")
            for c in table_columns
        )
        con.execute(f"DELETE FROM {kind} WHERE x_dataset_id = ?", [dataset_id])
        con.execute(f"INSERT INTO {kind} SELECT {select} FROM incoming_rows", [dataset_id])
    finally:
        con.unregister("incoming_rows")
    con.execute("DELETE FROM datasets WHERE dataset_id = ?", [dataset_id])
    con.execute(
        "INSERT INTO datasets (dataset_id, kind, source_kind, source, provider, account_id, row_count, "
        "loaded_at, data_through) VALUES (?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?)",
        [dataset_id, kind, source_kind, source, provider, account_id, rows.num_rows, data_through],
    )
    return rows.num_rows


def fill_current_costs(con: duckdb.DuckDBPyConnection) -> None:
    """Each resource's cost this month (EffectiveCost, latest month with data) from the cost rollup."""
    con.execute(
        """
        UPDATE resources SET current_cost = m.cost, currency = m.currency
        FROM (SELECT ResourceId, any_value(BillingCurrency) AS currency, sum(EffectiveCost) AS cost
              FROM cost_resource_monthly
              WHERE ChargeMonth = (SELECT max(ChargeMonth) FROM cost_resource_monthly)
              GROUP BY ResourceId) m
        WHERE resources.resource_id = m.ResourceId
        """
    )
