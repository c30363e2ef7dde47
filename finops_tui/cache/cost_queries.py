"""The SQL behind the KPI and Resources views, over the rollup tables (Budgets: budget_queries.py).

Every function takes a cursor, a `ViewScope` (one currency: costs are never summed across
currencies) and the view's one "as of" day, and reads `cost_daily` / `cost_resource_monthly`,
so a tab query touches thousands of rows even when `costs` holds tens of millions. Period
bounds come from `finops_tui.periods`; nothing here does calendar arithmetic of its own.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Literal

import duckdb
import pyarrow as pa

from finops_tui import periods
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.tables import RankedTable
from finops_tui.contract.views import DailyPoint, KpiSummary
from finops_tui.contract.vocabulary import METRICS, Dimension

DIMENSIONS: dict[Dimension, tuple[str, str]] = {
    # dimension -> (group-by column, label expression)
    "service": ("ServiceName", "coalesce(ServiceName, '(no service)')"),
    "account": (
        "SubAccountId",
        "coalesce(any_value(SubAccountName) || ' (' || SubAccountId || ')', SubAccountId, '(no account)')",
    ),
    "region": ("RegionId", "coalesce(RegionId, '(global)')"),
    "provider": ("ProviderName", "coalesce(ProviderName, '(unknown)')"),
}


def scope_match(alias: str = "") -> str:
    """One currency (never summed across) and optionally one provider; params from `scope_params`."""
    return f"{alias}BillingCurrency IS NOT DISTINCT FROM ? AND (?::VARCHAR IS NULL OR {alias}ProviderName = ?)"


def scope_params(scope: ViewScope) -> list[str | None]:
    return [scope.currency, scope.provider, scope.provider]


def metric_column(metric: str) -> str:
    if metric not in METRICS:
        raise ValueError(f"unknown cost metric {metric!r}; use one of {', '.join(METRICS)}")
    return f'"{metric}"'


def as_of_date(cur: duckdb.DuckDBPyConnection, scope: ViewScope, today: date) -> date | None:
    """The last day with cost data in the scope, never later than today: 'month to date' ends there."""
    row = cur.execute(
        f"SELECT max(ChargeDate) FROM cost_daily WHERE {scope_match()} AND ChargeDate <= ?",
        [*scope_params(scope), today],
    ).fetchall()[0]
    return row[0] if row else None


def currency_spend(cur: duckdb.DuckDBPyConnection) -> list[tuple[str | None, float, list[str]]]:
    """(currency, absolute billed spend, providers billing in it), largest spend first."""
    rows = cur.execute(
        "SELECT BillingCurrency, coalesce(sum(abs(BilledCost)), 0)::DOUBLE, "
        "list_sort(list(DISTINCT ProviderName) FILTER (WHERE ProviderName IS NOT NULL)) "
        "FROM cost_daily GROUP BY 1 ORDER BY 2 DESC, 1 NULLS LAST"
    ).fetchall()
    return [(r[0], float(r[1]), list(r[2] or [])) for r in rows]


def providers(cur: duckdb.DuckDBPyConnection) -> list[str]:
    # By name: ordering by spend would add up amounts in different currencies.
    rows = cur.execute(
        "SELECT DISTINCT ProviderName FROM cost_daily WHERE ProviderName IS NOT NULL ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def kpi_summary(cur: duckdb.DuckDBPyConnection, scope: ViewScope, as_of: date) -> KpiSummary:
    m = metric_column(scope.metric)
    start, prev = periods.month_start(as_of), periods.previous_month_start(as_of)
    prev_same_end = periods.same_days_last_month_end(as_of)
    row = cur.execute(
        f"""
        SELECT coalesce(sum({m}) FILTER (WHERE ChargeDate >= ? AND ChargeDate <= ?), 0),
               coalesce(sum({m}) FILTER (WHERE ChargeDate >= ? AND ChargeDate < ?), 0),
               coalesce(sum({m}) FILTER (WHERE ChargeDate >= ? AND ChargeDate < ?), 0)
        FROM cost_daily WHERE {scope_match()} AND ChargeDate >= ? AND ChargeDate <= ?
        """,
        [start, as_of, prev, prev_same_end, prev, start, *scope_params(scope), prev, as_of],
    ).fetchall()[0]
    mtd, prev_same, last_full = (float(v) for v in row)
    return KpiSummary(
        month_to_date=mtd,
        previous_month_same_days=prev_same,
        last_full_month=last_full,
        last_full_month_start=prev,
        forecast=None,  # the model's, added by the reader (cache/cost_series.py): it needs the daily series
        days_elapsed=as_of.day,
        days_in_month=periods.days_in_month(as_of),
    )


def provider_forecast(cur: duckdb.DuckDBPyConnection, scope: ViewScope, as_of: date) -> tuple[float | None, str | None]:
    """AWS Cost Explorer's forecast for the rest of `as_of`'s month (summed over accounts), if fetched."""
    if scope.provider not in (None, "AWS"):
        return None, None
    rows = cur.execute(
        "SELECT sum(mean)::DOUBLE, sum(lower_bound)::DOUBLE, sum(upper_bound)::DOUBLE, count(*) FROM cost_forecasts "
        "WHERE currency IS NOT DISTINCT FROM ? AND period_start > ? AND period_end = ?",
        [scope.currency, periods.month_start(as_of), periods.next_month_start(as_of)],
    ).fetchall()
    mean, low, high, accounts = rows[0]
    if not accounts:
        return None, None
    return mean, (f"AWS Cost Explorer, {accounts} account(s): rest of month {low:,.0f}–{high:,.0f} (80% interval)")


def daily_costs(cur: duckdb.DuckDBPyConnection, scope: ViewScope, as_of: date, days: int) -> list[DailyPoint]:
    first = as_of - timedelta(days=days - 1)
    rows = cur.execute(
        f"""
        SELECT d.day::DATE, coalesce(sum(c.{metric_column(scope.metric)}), 0)
        FROM range(?::DATE, ?::DATE + INTERVAL 1 DAY, INTERVAL 1 DAY) d(day)
        LEFT JOIN cost_daily c ON c.ChargeDate = d.day::DATE AND {scope_match("c.")}
        GROUP BY 1 ORDER BY 1
        """,
        [first, as_of, *scope_params(scope)],
    ).fetchall()
    return [DailyPoint(day=r[0], cost=float(r[1])) for r in rows]


Ranking = Literal["spend", "movement"]


def ranked(
    cur: duckdb.DuckDBPyConnection,
    dimension: Dimension,
    scope: ViewScope,
    as_of: date,
    limit: int | None,
    by: Ranking = "spend",
) -> pa.Table:
    """Spend per `dimension` value, month to date vs the same days last month.

    `by="spend"` ranks by this month's spend; `by="movement"` by the size of the change either
    way (a service that dropped to zero moved as much as one that appeared).
    """
    column, label = DIMENSIONS[dimension]
    m = metric_column(scope.metric)
    start, prev = periods.month_start(as_of), periods.previous_month_start(as_of)
    order = "month_to_date DESC" if by == "spend" else "abs(delta) DESC, month_to_date DESC"
    limit_sql = f"LIMIT {int(limit)}" if limit else ""
    # A handful of rows: fetched as tuples and made Arrow here, which skips the ~1 ms a relation
    # (`cur.sql`) spends binding the query once more before it runs (see benchmarks/bench_tabs.py).
    rows = cur.execute(
        f"""
        SELECT {label} AS name,
               coalesce(sum({m}) FILTER (WHERE ChargeDate >= ?), 0)::DOUBLE AS month_to_date,
               coalesce(sum({m}) FILTER (WHERE ChargeDate < ?), 0)::DOUBLE AS previous_same_days,
               (month_to_date - previous_same_days) AS delta,
               CASE WHEN previous_same_days = 0 THEN NULL
                    ELSE delta / abs(previous_same_days) * 100 END AS delta_pct
        FROM cost_daily
        WHERE {scope_match()} AND ((ChargeDate >= ? AND ChargeDate <= ?) OR (ChargeDate >= ? AND ChargeDate < ?))
        GROUP BY "{column}" ORDER BY {order}, name {limit_sql}
        """,
        [start, start, *scope_params(scope), start, as_of, prev, periods.same_days_last_month_end(as_of)],
    ).fetchall()
    return _table(rows, RankedTable.SCHEMA)


def _table(rows: list[tuple[Any, ...]], schema: pa.Schema) -> pa.Table:
    """Rows fetched as tuples, as an Arrow table of `schema` (the column order of the SELECT)."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    return pa.Table.from_arrays([pa.array(c, f.type) for c, f in zip(columns, schema, strict=True)], schema=schema)


def resources(cur: duckdb.DuckDBPyConnection, scope: ViewScope, as_of: date) -> pa.Table:
    # Months are first days, so last..this is the two months; a range is a filter the scan applies
    # itself (an IN list is only checked after every column of every row has been read).
    m = metric_column(scope.metric)
    this, last = periods.month_start(as_of), periods.previous_month_start(as_of)
    table: pa.Table = cur.sql(
        f"""
        WITH billed AS (
            SELECT ResourceId, any_value(ResourceType) AS ResourceType, any_value(ServiceName) AS ServiceName,
                   any_value(RegionId) AS RegionId, any_value(SubAccountId) AS SubAccountId,
                   any_value(SubAccountName) AS SubAccountName,
                   sum({m}) FILTER (WHERE ChargeMonth = ?)::DOUBLE AS this_month,
                   sum({m}) FILTER (WHERE ChargeMonth = ?)::DOUBLE AS last_month
            FROM cost_resource_monthly WHERE {scope_match()} AND ChargeMonth >= ? AND ChargeMonth <= ?
            GROUP BY ResourceId
        )
        SELECT coalesce(r.resource_name, regexp_extract(coalesce(b.ResourceId, r.resource_id), '[^/:]+$'))
                   AS resource,
               b.this_month, b.last_month,
               CASE WHEN r.is_idle THEN 'IDLE' ELSE '' END AS idle,
               coalesce(b.ServiceName, r.service_name) AS service,
               coalesce(b.SubAccountName, b.SubAccountId, r.sub_account_id) AS account,
               coalesce(b.RegionId, r.region_id) AS region,
               coalesce(b.ResourceType, r.resource_type) AS type,
               coalesce(r.idle_reason, '') AS idle_reason, r.state,
               coalesce(b.ResourceId, r.resource_id) AS resource_id
        FROM billed b FULL OUTER JOIN resources r ON r.resource_id = b.ResourceId
        WHERE b.ResourceId IS NOT NULL OR ((r.currency IS NOT DISTINCT FROM ? OR r.currency IS NULL)
                                           AND (?::VARCHAR IS NULL OR r.provider_name = ?))
        ORDER BY b.this_month DESC NULLS LAST, resource_id
        """,
        params=[this, last, *scope_params(scope), last, this, *scope_params(scope)],
    ).to_arrow_table()
    return table
