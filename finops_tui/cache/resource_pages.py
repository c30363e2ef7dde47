"""The Resources tab one page at a time: ORDER BY … LIMIT in SQL, the total (and IDLE count) counted once.

The first page of a sort or filter also counts the matching rows (a window over the same rows, so the
aggregation runs once); the pages after it pass `count_total=False` and skip counting.
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
_TOTAL, _IDLE = "__matching_rows", "__matching_idle"


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
    # The count rides on the page as a window over the same rows: one aggregation, not a second query.
    # (A FILTER clause on a window is ~10x slower at 25,000 resources than summing a 0/1 column.)
    counts = f", count(*) OVER () AS {_TOTAL}, sum((idle = 'IDLE')::INTEGER) OVER () AS {_IDLE}"
    table = cur.sql(
        f"SELECT *{counts if page.count_total else ''} FROM ({select}) r WHERE {where} "
        f"ORDER BY {order} {page_sql.limit_sql(page)}",
        params=[*params, *needle],
    ).to_arrow_table()
    if not page.count_total:
        return ResourcesPage(table=table, total=None, idle=None)
    if table.num_rows:
        total, idle = int(table[_TOTAL][0].as_py()), int(table[_IDLE][0].as_py())
    else:  # a page past the end carries no window: count on its own
        row = cur.execute(
            f"SELECT count(*), count(*) FILTER (WHERE idle = 'IDLE') FROM ({select}) r WHERE {where}",
            [*params, *needle],
        ).fetchall()[0]
        total, idle = int(row[0]), int(row[1])
    return ResourcesPage(table=table.drop_columns([_TOTAL, _IDLE]), total=total, idle=idle)
