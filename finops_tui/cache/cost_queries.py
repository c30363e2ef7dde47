"""The SQL behind the KPIs, trend, movers, resources and budgets, over the rollup tables.

Every function takes a cursor and one currency (costs are never summed across currencies)
and reads `cost_daily` / `cost_resource_monthly`, so a tab query touches thousands of rows
even when `costs` holds tens of millions.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import duckdb
import pyarrow as pa

from finops_tui.cache.schema import COST_METRICS
from finops_tui.reader import DailyPoint, Dimension, KpiSummary, Metric

DIMENSIONS: dict[str, tuple[str, str]] = {
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


def scope_params(currency: str | None, provider: str | None) -> list[str | None]:
    return [currency, provider, provider]


def metric_column(metric: str) -> str:
    if metric not in COST_METRICS:
        raise ValueError(f"unknown cost metric {metric!r}; use one of {', '.join(COST_METRICS)}")
    return f'"{metric}"'


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month_start(day: date) -> date:
    return (month_start(day) - timedelta(days=1)).replace(day=1)


def as_of_date(
    cur: duckdb.DuckDBPyConnection, currency: str | None, today: date, provider: str | None = None
) -> date | None:
    """The last day with cost data, never later than today: 'month to date' is measured from it."""
    row = cur.execute(
        f"SELECT max(ChargeDate) FROM cost_daily WHERE {scope_match()} AND ChargeDate <= ?",
        [*scope_params(currency, provider), today],
    ).fetchall()[0]
    return row[0] if row else None


def currencies(cur: duckdb.DuckDBPyConnection) -> list[str | None]:
    rows = cur.execute(
        "SELECT BillingCurrency FROM cost_daily GROUP BY 1 ORDER BY sum(abs(BilledCost)) DESC NULLS LAST, 1"
    ).fetchall()
    return [r[0] for r in rows]


def providers(cur: duckdb.DuckDBPyConnection) -> list[str]:
    # By name: ordering by spend would add up amounts in different currencies.
    rows = cur.execute(
        "SELECT DISTINCT ProviderName FROM cost_daily WHERE ProviderName IS NOT NULL ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows]


def kpis(
    cur: duckdb.DuckDBPyConnection, currency: str | None, metric: Metric, today: date, provider: str | None = None
) -> KpiSummary | None:
    as_of = as_of_date(cur, currency, today, provider)
    if as_of is None:
        return None
    m = metric_column(metric)
    start, prev = month_start(as_of), previous_month_start(as_of)
    prev_same_end = min(prev + timedelta(days=as_of.day), start)
    row = cur.execute(
        f"""
        SELECT coalesce(sum({m}) FILTER (WHERE ChargeDate >= ? AND ChargeDate <= ?), 0),
               coalesce(sum({m}) FILTER (WHERE ChargeDate >= ? AND ChargeDate < ?), 0),
               coalesce(sum({m}) FILTER (WHERE ChargeDate >= ? AND ChargeDate < ?), 0)
        FROM cost_daily WHERE {scope_match()} AND ChargeDate >= ? AND ChargeDate <= ?
        """,
        [start, as_of, prev, prev_same_end, prev, start, *scope_params(currency, provider), prev, as_of],
    ).fetchall()[0]
    mtd, prev_same, last_full = (float(v) for v in row)
    days_in_month = calendar.monthrange(as_of.year, as_of.month)[1]
    rest, label = provider_forecast(cur, currency, provider, as_of)
    return KpiSummary(
        provider_forecast_rest=rest,
        provider_forecast_label=label,
        currency=currency,
        metric=metric,
        as_of=as_of,
        month_to_date=mtd,
        previous_month_same_days=prev_same,
        last_full_month=last_full,
        last_full_month_start=prev,
        forecast=mtd / as_of.day * days_in_month,
        forecast_method=f"run-rate: month-to-date ÷ {as_of.day} days × {days_in_month}",
        days_elapsed=as_of.day,
        days_in_month=days_in_month,
    )


def provider_forecast(
    cur: duckdb.DuckDBPyConnection, currency: str | None, provider: str | None, as_of: date
) -> tuple[float | None, str | None]:
    """AWS Cost Explorer's forecast for the rest of `as_of`'s month (summed over accounts), if fetched."""
    if provider not in (None, "AWS"):
        return None, None
    rows = cur.execute(
        "SELECT sum(mean)::DOUBLE, sum(lower_bound)::DOUBLE, sum(upper_bound)::DOUBLE, count(*) FROM cost_forecasts "
        "WHERE currency IS NOT DISTINCT FROM ? AND period_start > ? AND period_end = ?",
        [currency, month_start(as_of), (month_start(as_of) + timedelta(days=32)).replace(day=1)],
    ).fetchall()
    mean, low, high, accounts = rows[0]
    if not accounts:
        return None, None
    return mean, (f"AWS Cost Explorer, {accounts} account(s): rest of month {low:,.0f}–{high:,.0f} (80% interval)")


def daily_costs(
    cur: duckdb.DuckDBPyConnection,
    currency: str | None,
    metric: Metric,
    days: int,
    today: date,
    provider: str | None = None,
) -> list[DailyPoint]:
    as_of = as_of_date(cur, currency, today, provider)
    if as_of is None:
        return []
    first = as_of - timedelta(days=days - 1)
    rows = cur.execute(
        f"""
        SELECT d.day::DATE, coalesce(sum(c.{metric_column(metric)}), 0)
        FROM range(?::DATE, ?::DATE + INTERVAL 1 DAY, INTERVAL 1 DAY) d(day)
        LEFT JOIN cost_daily c ON c.ChargeDate = d.day::DATE AND {scope_match("c.")}
        GROUP BY 1 ORDER BY 1
        """,
        [first, as_of, *scope_params(currency, provider)],
    ).fetchall()
    return [DailyPoint(r[0], float(r[1])) for r in rows]


def top_movers(
    cur: duckdb.DuckDBPyConnection,
    dimension: Dimension,
    currency: str | None,
    metric: Metric,
    limit: int | None,
    today: date,
    provider: str | None = None,
) -> pa.Table:
    column, label = DIMENSIONS[dimension]
    as_of = as_of_date(cur, currency, today, provider) or today
    m = metric_column(metric)
    start, prev = month_start(as_of), previous_month_start(as_of)
    prev_same_end = min(prev + timedelta(days=as_of.day), start)
    limit_sql = f"LIMIT {int(limit)}" if limit else ""
    return cur.sql(
        f"""
        SELECT {label} AS name,
               coalesce(sum({m}) FILTER (WHERE ChargeDate >= ?), 0)::DOUBLE AS month_to_date,
               coalesce(sum({m}) FILTER (WHERE ChargeDate < ?), 0)::DOUBLE AS previous_same_days,
               (month_to_date - previous_same_days) AS delta,
               CASE WHEN previous_same_days = 0 THEN NULL
                    ELSE delta / abs(previous_same_days) * 100 END AS delta_pct
        FROM cost_daily
        WHERE {scope_match()} AND ((ChargeDate >= ? AND ChargeDate <= ?) OR (ChargeDate >= ? AND ChargeDate < ?))
        GROUP BY "{column}" ORDER BY month_to_date DESC, name {limit_sql}
        """,
        params=[start, start, *scope_params(currency, provider), start, as_of, prev, prev_same_end],
    ).to_arrow_table()


def resources(
    cur: duckdb.DuckDBPyConnection, currency: str | None, metric: Metric, today: date, provider: str | None = None
) -> pa.Table:
    as_of = as_of_date(cur, currency, today, provider) or today
    m = metric_column(metric)
    return cur.sql(
        f"""
        WITH billed AS (
            SELECT ResourceId, any_value(ResourceType) AS ResourceType, any_value(ServiceName) AS ServiceName,
                   any_value(RegionId) AS RegionId, any_value(SubAccountId) AS SubAccountId,
                   any_value(SubAccountName) AS SubAccountName,
                   sum({m}) FILTER (WHERE ChargeMonth = ?)::DOUBLE AS this_month,
                   sum({m}) FILTER (WHERE ChargeMonth = ?)::DOUBLE AS last_month
            FROM cost_resource_monthly WHERE {scope_match()} AND ChargeMonth IN (?, ?)
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
        params=[
            month_start(as_of),
            previous_month_start(as_of),
            *scope_params(currency, provider),
            month_start(as_of),
            previous_month_start(as_of),
            *scope_params(currency, provider),
        ],
    ).to_arrow_table()


_BUDGET_DIMENSION = """CASE b.filter_dimension WHEN 'ServiceName' THEN d.ServiceName
    WHEN 'SubAccountId' THEN d.SubAccountId WHEN 'RegionId' THEN d.RegionId
    WHEN 'ProviderName' THEN d.ProviderName WHEN 'ServiceCategory' THEN d.ServiceCategory
    WHEN 'ChargeCategory' THEN d.ChargeCategory END"""
_PERIOD = "CASE upper(b.time_unit) WHEN 'ANNUALLY' THEN 'year' WHEN 'QUARTERLY' THEN 'quarter' ELSE 'month' END"


def budgets(cur: duckdb.DuckDBPyConnection, metric: Metric, today: date) -> pa.Table:
    """Budget vs actual for the period that holds the latest cost data (spend from `cost_daily`)."""
    row = cur.execute("SELECT max(ChargeDate) FROM cost_daily WHERE ChargeDate <= ?", [today]).fetchall()[0]
    as_of = row[0] if row and row[0] else today
    m = metric_column(metric)
    return cur.sql(
        f"""
        WITH periods AS (
            SELECT b.*, date_trunc({_PERIOD}, ?::DATE)::DATE AS period_start,
                   (date_trunc({_PERIOD}, ?::DATE) + CASE {_PERIOD} WHEN 'year' THEN INTERVAL 1 YEAR
                        WHEN 'quarter' THEN INTERVAL 3 MONTH ELSE INTERVAL 1 MONTH END)::DATE AS period_end
            FROM budgets b
        ), spend AS (
            SELECT b.budget_id, coalesce(sum(d.{m}), 0)::DOUBLE AS actual
            FROM periods b LEFT JOIN cost_daily d
              ON d.BillingCurrency IS NOT DISTINCT FROM b.currency
             AND d.ChargeDate >= b.period_start AND d.ChargeDate <= ?::DATE
             AND (b.filter_dimension IS NULL OR list_contains(b.filter_values, {_BUDGET_DIMENSION}))
            GROUP BY b.budget_id
        ), previous AS (  -- the last closed period, as AWS Budgets reported it (when a refresh brought it)
            SELECT h.budget_id, arg_max(h.actual, h.period_start)::DOUBLE AS last_period
            FROM budget_history h JOIN periods b USING (budget_id)
            WHERE h.period_end <= b.period_start GROUP BY h.budget_id
        ), measured AS (
            SELECT b.*, s.actual, p.last_period,
                   s.actual / (date_diff('day', b.period_start, ?::DATE) + 1)
                       * date_diff('day', b.period_start, b.period_end) AS forecast
            FROM periods b JOIN spend s USING (budget_id) LEFT JOIN previous p USING (budget_id)
        )
        SELECT budget_name AS budget,
               CASE WHEN actual > budget_amount THEN 'OVER'
                    WHEN forecast > budget_amount THEN 'AT RISK' ELSE 'OK' END AS status,
               round(actual / nullif(budget_amount, 0) * 100, 1)::DOUBLE AS used_pct,
               actual, budget_amount::DOUBLE AS amount, forecast::DOUBLE AS forecast,
               round(forecast / nullif(budget_amount, 0) * 100, 1)::DOUBLE AS forecast_pct,
               last_period,
               coalesce(filter_dimension || ' = ' || array_to_string(filter_values, ', '), 'all spend') AS scope,
               lower(time_unit) AS period, currency, period_start, budget_id, parent_budget_id AS parent
        FROM measured
        ORDER BY used_pct DESC NULLS LAST, budget
        """,
        params=[as_of, as_of, as_of, as_of],
    ).to_arrow_table()
