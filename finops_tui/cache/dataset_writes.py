"""Writing the non-cost datasets (resources, budgets, anomalies, optimizations) with provenance.

Each write replaces one dataset (for example `resources:aws:123456789012`) in one table, from an
Arrow table whose columns are a subset of that table's declared columns (cache/schema.py), each of
its declared type or safely castable to it; anything else is refused before the cache is touched.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pyarrow as pa

from finops_tui.cache.schema import DATASET_TABLES
from finops_tui.cache.tables import DATASET_ID

# Cost datasets are written by cost_writes (they also feed the rollups); every other kind here.
_TABLES = {kind: table for kind, table in DATASET_TABLES.items() if kind != "costs"}


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
    """Replace dataset `dataset_id` in table `kind` with `rows`; returns the row count written.

    ValueError, naming the column, when `rows` has a column the table does not declare, one whose
    type does not fit, or its own x_dataset_id (the writer sets that from `dataset_id`)."""
    table = _TABLES.get(kind)
    if table is None:
        raise ValueError(f"unknown dataset kind {kind!r}; this writer takes {', '.join(_TABLES)}")
    if DATASET_ID in rows.column_names:
        raise ValueError(f"{kind}: rows must not carry {DATASET_ID}; it is set from the dataset id {dataset_id!r}")
    rows = table.conform(rows)
    con.register("incoming_rows", rows)
    try:
        select = ", ".join(
            f'incoming_rows."{c}"' if c in rows.column_names else ("?" if c == DATASET_ID else "NULL")
            for c in table.names
        )
        con.execute(f"DELETE FROM {kind} WHERE x_dataset_id = ?", [dataset_id])
        names = ", ".join(f'"{c}"' for c in table.names)
        con.execute(f"INSERT INTO {kind} ({names}) SELECT {select} FROM incoming_rows", [dataset_id])
    finally:
        con.unregister("incoming_rows")
    con.execute("DELETE FROM datasets WHERE dataset_id = ?", [dataset_id])
    con.execute(
        "INSERT INTO datasets (dataset_id, kind, source_kind, source, provider, account_id, row_count, "
        "loaded_at, data_through) VALUES (?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, ?)",
        [dataset_id, kind, source_kind, source, provider, account_id, rows.num_rows, data_through],
    )
    return int(rows.num_rows)


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
