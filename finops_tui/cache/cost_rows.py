"""The cost line items behind a drilled figure, one page at a time, sorted and filtered in SQL.

The rows are this period's (month of the view's "as of" day, up to that day) in the scope's
currency and provider, matching every `CostFilter`. Read from `costs` itself, so a page at 10M
rows costs one filtered scan; the total is counted only when the caller asks (the first page).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import duckdb
import pyarrow as pa

from finops_tui import periods
from finops_tui.cache import page_sql
from finops_tui.cache.cost_queries import metric_column, scope_match, scope_params
from finops_tui.cache.drill_filters import filters_sql
from finops_tui.contract.details import CostFilter, CostRowsTable
from finops_tui.contract.paging import PageRequest
from finops_tui.contract.scope import ViewScope

DEFAULT_ORDER = '"cost" DESC NULLS LAST, "day", "resource_id"'


def _select(scope: ViewScope) -> str:
    return f"""
        SELECT CAST(ChargePeriodStart AS DATE) AS day, {metric_column(scope.metric)}::DOUBLE AS cost,
               ServiceName AS service, ResourceId AS resource_id,
               coalesce(ChargeDescription, SkuId) AS usage_type, RegionId AS region, SubAccountId AS account,
               ChargeCategory AS charge_category, ConsumedQuantity::DOUBLE AS quantity, ConsumedUnit AS unit,
               ProviderName AS provider, BilledCost::DOUBLE AS billed_cost,
               EffectiveCost::DOUBLE AS effective_cost, SkuId AS sku_id, x_DatasetId AS dataset
        FROM costs
        WHERE {scope_match()} AND ChargePeriodStart >= ? AND ChargePeriodStart < ?
    """


def cost_rows(
    cur: duckdb.DuckDBPyConnection,
    scope: ViewScope,
    filters: Sequence[CostFilter],
    as_of: date,
    page: PageRequest,
) -> tuple[pa.Table, int | None]:
    start, end = periods.month_start(as_of), as_of + timedelta(days=1)
    where_filters, filter_params = filters_sql(filters)
    base = f"{_select(scope)} AND {where_filters}"
    params = [*scope_params(scope), start, end, *filter_params]
    columns = CostRowsTable.SCHEMA.names
    where, needle = page_sql.needle_sql(columns, page.needle)
    order = page_sql.order_sql(page, columns, DEFAULT_ORDER)
    table = cur.sql(
        f"SELECT * FROM ({base}) c WHERE {where} ORDER BY {order} {page_sql.limit_sql(page)}",
        params=[*params, *needle],
    ).to_arrow_table()
    total = None
    if page.count_total:
        total = int(cur.execute(f"SELECT count(*) FROM ({base}) c WHERE {where}", [*params, *needle]).fetchall()[0][0])
    return table, total
