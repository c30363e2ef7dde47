"""The Budgets table: AWS budgets (the `budgets` table) and file budgets, each judged over its own series.

One function, `budget_table`, serves the Budgets tab, `finops-tui budgets` and (through the
reader) the REST server. Each budget gets one bounded query (`cost_series.daily_series`): its
currency, its filters, and the days from `HISTORY_DAYS` before its period to its "as of" day
(the last day with data in its currency, never after today); everything else is
`finops_tui.analysis.budget_status`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import duckdb
import pyarrow as pa

from finops_tui import periods
from finops_tui.analysis.budget_status import (
    BudgetSpec,
    BudgetState,
    FilterColumn,
    assess,
    overcommitted,
    tree_order,
    without_data,
)
from finops_tui.cache.cost_series import daily_series, first_days
from finops_tui.contract.tables import BudgetsTable

HISTORY_DAYS = 120  # before the period's start: 8 weeks for the model, the rest for back-test origins
_FILTER_KEYS: dict[str, FilterColumn] = {
    "provider": "ProviderName",
    "account": "SubAccountId",
    "service": "ServiceName",
    "region": "RegionId",
}
_COLUMNS: tuple[FilterColumn, ...] = (
    "ProviderName", "SubAccountId", "ServiceName", "RegionId", "ServiceCategory", "ChargeCategory",
)  # fmt: skip


def _filters_json(text: str | None) -> tuple[dict[FilterColumn, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """The v5 `filters` column: {"provider": [...], "tag": {"team": "data"} or ["team=data"]}."""
    columns: dict[FilterColumn, tuple[str, ...]] = {}
    tags: dict[str, tuple[str, ...]] = {}
    if not text:
        return columns, tags
    data = json.loads(text)
    for key, values in data.items() if isinstance(data, dict) else ():
        if key in _FILTER_KEYS and values:
            columns[_FILTER_KEYS[key]] = tuple(values) if isinstance(values, list) else (str(values),)
        elif key == "tag" and isinstance(values, dict):
            tags.update({k: tuple(v) if isinstance(v, list) else (str(v),) for k, v in values.items()})
        elif key == "tag" and isinstance(values, list):
            for pair in values:
                k, _, v = str(pair).partition("=")
                tags[k] = (*tags.get(k, ()), v)
    return columns, tags


def aws_specs(cur: duckdb.DuckDBPyConnection) -> list[BudgetSpec]:
    """Budgets in the cache (AWS Budgets from a refresh; the DEMO's), labelled by origin."""
    rows = cur.execute(
        "SELECT b.budget_id, b.budget_name, coalesce(b.origin, 'aws'), b.time_unit, b.budget_amount::DOUBLE, "
        "b.currency, b.parent_budget_id, b.filter_dimension, b.filter_values, b.filters::VARCHAR, "
        "d.source_kind = 'DEMO' FROM budgets b LEFT JOIN datasets d ON d.dataset_id = b.x_dataset_id "
        "ORDER BY b.budget_id"
    ).fetchall()
    specs = []
    for budget_id, name, origin, unit, amount, currency, parent, dimension, values, filters, demo in rows:
        columns, tags = _filters_json(filters)
        if dimension in _COLUMNS and values:
            columns.setdefault(dimension, tuple(values))
        specs.append(
            BudgetSpec(
                budget_id=budget_id,
                name=name or budget_id,
                origin=f"DEMO {origin}" if demo else origin,
                unit=periods.unit_of(unit),
                amount=float(amount or 0),
                currency=currency,
                parent=parent,
                columns=columns,
                tags=tags,
            )  # fmt: skip
        )
    return specs


def last_days(cur: duckdb.DuckDBPyConnection, today: date) -> dict[str | None, date]:
    """The last day with cost data, per currency, never after today."""
    rows = cur.execute(
        "SELECT BillingCurrency, max(ChargeDate) FROM cost_daily WHERE ChargeDate <= ? GROUP BY 1", [today]
    ).fetchall()
    return {currency: day for currency, day in rows}


def last_period_actuals(cur: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[date, date, float]]]:
    """What AWS Budgets reported for past periods: budget_id -> [(start, end, actual)]."""
    history: dict[str, list[tuple[date, date, float]]] = {}
    for budget_id, start, end, actual in cur.execute(
        "SELECT budget_id, period_start, period_end, actual::DOUBLE FROM budget_history ORDER BY period_start"
    ).fetchall():
        history.setdefault(budget_id, []).append((start, end, actual))
    return history


def judge(cur: duckdb.DuckDBPyConnection, spec: BudgetSpec, metric: str, held: dict[str | None, date],
          today: date, firsts: dict[str | None, date]) -> BudgetState:  # fmt: skip
    """One budget's state in its current period: the one holding its currency's last day with data."""
    if spec.currency not in held:
        return without_data(spec, today, held)
    as_of = held[spec.currency]
    start, _ = periods.period_bounds(as_of, spec.unit)
    first = start - timedelta(days=HISTORY_DAYS)
    columns: dict[str, tuple[str, ...]] = {column: values for column, values in spec.columns.items()}
    series = daily_series(cur, metric, spec.currency, first, as_of, columns, spec.tags)
    known = max(first, firsts.get(spec.currency, first))
    return assess(spec, series, as_of, partial_day=as_of >= today, history_from=known)


def budget_table(
    cur: duckdb.DuckDBPyConnection, metric: str, today: date, extra: Iterable[BudgetSpec] = ()
) -> pa.Table:
    """Every budget (cache and `extra`, e.g. the file's) in tree order, parents before children."""
    specs = aws_specs(cur) + list(extra)
    held, firsts = last_days(cur, today), first_days(cur)
    history = last_period_actuals(cur)
    flags = overcommitted(specs)
    ranked = sorted(specs, key=lambda s: s.origin)  # siblings: AWS first, then the file's, each in its own order
    rows: list[dict[str, Any]] = []
    for spec, depth in tree_order(ranked):
        state = judge(cur, spec, metric, held, today, firsts)
        rows.append(_row(state, depth, flags.get(spec.budget_id, ""), history.get(spec.budget_id, [])))
    return pa.Table.from_pylist(rows, schema=BudgetsTable.SCHEMA)


def _row(state: BudgetState, depth: int, flag: str, history: list[tuple[date, date, float]]) -> dict[str, Any]:
    spec, f = state.spec, state.forecast
    amount = spec.amount
    previous = [actual for start, end, actual in history if end <= state.period_start]

    def pct(value: float | None) -> float | None:
        return round(value / amount * 100, 1) if value is not None and amount else None

    return {
        "budget": spec.name, "status": state.status, "used_pct": pct(state.actual), "actual": state.actual,
        "amount": amount, "forecast": f.value if f else None, "forecast_pct": pct(f.value if f else None),
        "last_period": previous[-1] if previous else None, "scope": spec.scope_label,
        "period": {"month": "monthly", "quarter": "quarterly", "year": "annually"}[spec.unit],
        "currency": spec.currency, "period_start": state.period_start, "as_of": state.as_of,
        "budget_id": spec.budget_id, "parent": spec.parent, "origin": spec.origin, "period_end": state.period_end,
        "forecast_lower": f.lower if f else None, "forecast_upper": f.upper if f else None,
        "burn_rate": state.burn_rate, "target_rate": state.target_rate, "breach_date": state.breach_date,
        "depth": depth, "note": "; ".join(n for n in (flag, state.note) if n),
    }  # fmt: skip
