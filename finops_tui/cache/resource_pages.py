"""The Resources tab one page at a time: ORDER BY … LIMIT in SQL, the total (and IDLE count) counted once.

The first page of a sort or filter also counts the matching rows; the pages after it pass
`count_total=False` and skip that second pass over the aggregation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pyarrow as pa

from finops_tui.cache import cost_queries, page_sql
from finops_tui.contract.paging import PageRequest
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.tables import ResourcesTable

DEFAULT_ORDER = '"this_month" DESC NULLS LAST, "resource_id"'


@dataclass(frozen=True)
class ResourcesPage:
    table: pa.Table
    total: int | None
    idle: int | None


def resources_page(cur: duckdb.DuckDBPyConnection, scope: ViewScope, as_of: date, page: PageRequest) -> ResourcesPage:
    select, params = cost_queries.resources_select(scope, as_of)
    columns = ResourcesTable.SCHEMA.names
    where, needle = page_sql.needle_sql(columns, page.needle)
    order = page_sql.order_sql(page, columns, DEFAULT_ORDER)
    table = cur.sql(
        f"SELECT * FROM ({select}) r WHERE {where} ORDER BY {order} {page_sql.limit_sql(page)}",
        params=[*params, *needle],
    ).to_arrow_table()
    total = idle = None
    if page.count_total:
        row = cur.execute(
            f"SELECT count(*), count(*) FILTER (WHERE idle = 'IDLE') FROM ({select}) r WHERE {where}",
            [*params, *needle],
        ).fetchall()[0]
        total, idle = int(row[0]), int(row[1])
    return ResourcesPage(table=table, total=total, idle=idle)
