"""Small cache writes outside a billing-file load: Cost Explorer rows from a refresh, and `meta` keys.

The refresh calls `insert_api_costs` once per account inside its write session; each call is
its own `CostLoad`, committed on return or rolled back before its error is raised.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from finops_tui.cache.cost_load import CostLoad
from finops_tui.cache.cost_slices import LoadSummary


def insert_api_costs(con: duckdb.DuckDBPyConnection, rows: pa.Table, source: str) -> LoadSummary:
    """Replace the API cost datasets present in `rows` (columns: a subset of `costs`) in one step."""
    with CostLoad(con, "API", source) as load:
        load.append_arrow(rows)
    return load.summary


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str | None) -> None:
    con.execute("DELETE FROM meta WHERE key = ?", [key])
    if value is not None:
        con.execute("INSERT INTO meta VALUES (?, ?)", [key, value])
