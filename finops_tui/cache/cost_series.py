"""Daily cost series for the forecast model and the budgets, and the KPI forecast built on them.

A series is day -> cost for one currency (never summed across), optionally narrowed by cost
columns (from the `cost_daily` rollup: thousands of rows) or by tags (from `cost_tag_daily`, the
same sums per distinct Tags text: tag sets repeat, so it stays far smaller than the line items,
and the JSON is parsed only on the rows that hold the wanted text at all).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import duckdb

from finops_tui import periods
from finops_tui.analysis import forecast as model
from finops_tui.cache.cost_queries import metric_column, provider_forecast
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.views import BacktestMonth, Forecast

HISTORY_DAYS = 210  # three closed months back-tested, each with 8 weeks of history and the back-test origins


def _tag_path(key: str) -> str:
    """The JSON path of one key, as an SQL literal: a constant path is parsed once, a parameter once per row."""
    path = '$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "'" + path.replace("'", "''") + "'"


def _plain_text(text: str) -> bool:
    """Whether JSON writes `text` as it is (no escapes): then a row holding it contains it verbatim."""
    return text.isprintable() and '"' not in text and "\\" not in text


def daily_series(
    cur: duckdb.DuckDBPyConnection,
    metric: str,
    currency: str | None,
    first: date,
    last: date,
    columns: Mapping[str, tuple[str, ...]] | None = None,
    tags: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[date, float]:
    """Cost per day first..last (inclusive) in `currency`; `columns`: column -> any of these values."""
    m = metric_column(metric)
    where = ["BillingCurrency IS NOT DISTINCT FROM ?"]
    params: list[object] = [currency]
    for column, values in (columns or {}).items():
        if column not in ("ProviderName", "SubAccountId", "ServiceName", "RegionId", "ServiceCategory",
                          "ChargeCategory"):  # fmt: skip
            raise ValueError(f"cannot filter budgets on {column!r}")
        where.append(f'"{column}" IN ({", ".join("?" for _ in values)})')
        params += list(values)
    if tags:
        for key, values in tags.items():
            # A substring test first (fast, no parsing) lets only rows that can match reach the JSON parse;
            # it is skipped when JSON would escape the text (then the raw row need not contain it verbatim).
            if _plain_text(key) and all(_plain_text(v) for v in values):
                where.append(f"contains(Tags, ?) AND ({' OR '.join('contains(Tags, ?)' for _ in values)})")
                params += [key, *values]
            where.append(f"json_extract_string(Tags, {_tag_path(key)}) IN ({', '.join('?' for _ in values)})")
            params += list(values)
    table = "cost_tag_daily" if tags else "cost_daily"
    sql = (
        f"SELECT ChargeDate, sum({m})::DOUBLE FROM {table} WHERE {' AND '.join(where)} "
        "AND ChargeDate >= ? AND ChargeDate < ? GROUP BY 1"
    )
    params += [first, last + timedelta(days=1)]
    return {day: float(cost or 0.0) for day, cost in cur.execute(sql, params).fetchall()}


def first_days(cur: duckdb.DuckDBPyConnection) -> dict[str | None, date]:
    """The first day with cost data, per currency: before it the cache knows nothing; after it, no row is 0."""
    rows = cur.execute("SELECT BillingCurrency, min(ChargeDate) FROM cost_daily GROUP BY 1").fetchall()
    return {currency: day for currency, day in rows}


def scope_series(
    cur: duckdb.DuckDBPyConnection, scope: ViewScope, as_of: date
) -> tuple[dict[date, float], date | None]:
    """The scope's daily spend over the history the forecast and its back-test use, and where it starts."""
    columns = {"ProviderName": (scope.provider,)} if scope.provider else None
    first = as_of - timedelta(days=HISTORY_DAYS)
    series = daily_series(cur, scope.metric, scope.currency, first, as_of, columns)
    known = first_days(cur).get(scope.currency)
    return series, max(first, known) if known is not None else None


def backtest(cur: duckdb.DuckDBPyConnection, scope: ViewScope, as_of: date) -> list[BacktestMonth]:
    """The model's error on the last three closed months (for `doctor`, also when the month is closed)."""
    series, first = scope_series(cur, scope, as_of)
    return [
        BacktestMonth(month=m.month, forecast=m.forecast, actual=m.actual, error_pct=m.error_pct)
        for m in model.backtest_months(series, as_of, history_from=first)
    ]


def kpi_forecast(cur: duckdb.DuckDBPyConnection, scope: ViewScope, as_of: date, today: date) -> Forecast | None:
    """The month's forecast for the KPI card; None once the month is closed (as_of's month before today's)."""
    if periods.month_start(as_of) < periods.month_start(today):
        return None
    series, first = scope_series(cur, scope, as_of)
    start, end = periods.month_start(as_of), periods.next_month_start(as_of)
    result = model.forecast_period(series, start, end, as_of, partial_day=as_of >= today, history_from=first)
    rest, label = provider_forecast(cur, scope, as_of)
    left = (end - as_of).days - 1
    partial = " (today still being billed)" if as_of >= today else ""
    return Forecast(
        value=result.value,
        method=f"MTD {result.actual:,.2f}{partial} + model for {left} day(s) left",
        provider_rest=rest,
        provider_label=label,
        lower=result.lower,
        upper=result.upper,
        model=result.model,
        interval=result.interval,
        backtest=[
            BacktestMonth(month=m.month, forecast=m.forecast, actual=m.actual, error_pct=m.error_pct)
            for m in model.backtest_months(series, as_of, history_from=first)
        ],
    )
