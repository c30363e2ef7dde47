"""Where each budget stands in its current period: actual, forecast at period end, burn, breach, status.

Budgets from AWS Budgets and from the budgets file take one shape here (`BudgetSpec`), so they
are judged the same way. Periods are calendar ones (a quarter starts in January, April, July or
October; the year in January), from `finops_tui.periods`.

Status: BREACHED once the actual is over the amount; AT RISK when the forecast at period end is
(the point forecast, not the interval's top); OK otherwise; NO DATA when the cache holds no cost
in the budget's currency (never converted, never mixed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from finops_tui import periods
from finops_tui.analysis.forecast import PeriodForecast, forecast_period

# Cost columns a budget may filter on (cost_daily has them all); tags are apart, in `tags`.
FilterColumn = Literal["ProviderName", "SubAccountId", "ServiceName", "RegionId", "ServiceCategory", "ChargeCategory"]
Status = Literal["OK", "AT RISK", "BREACHED", "NO DATA"]


@dataclass(frozen=True)
class BudgetSpec:
    budget_id: str
    name: str
    origin: str  # aws | file (DEMO prefixed on the DEMO)
    unit: periods.PeriodUnit
    amount: float
    currency: str | None
    parent: str | None = None
    columns: Mapping[FilterColumn, tuple[str, ...]] = field(default_factory=dict)
    tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def scope_label(self) -> str:
        parts = [f"{c} = {', '.join(v)}" for c, v in self.columns.items()]
        parts += [f"tag {k} = {', '.join(v)}" for k, v in self.tags.items()]
        return "; ".join(parts) or "all spend"


@dataclass(frozen=True)
class BudgetState:
    spec: BudgetSpec
    period_start: date
    period_end: date  # exclusive
    as_of: date
    status: Status
    actual: float | None = None
    forecast: PeriodForecast | None = None
    burn_rate: float | None = None  # spent per day so far this period
    target_rate: float = 0.0  # per day that would spend exactly the amount over the period
    breach_date: date | None = None
    note: str = ""


def breach_date(
    start: date,
    actual: Mapping[date, float],
    projected: Mapping[date, float],
    amount: float,
    as_of: date,
    rest_of_today: float = 0.0,
) -> date | None:
    """The first day the running total passes `amount`: on a day already spent, or on the projected path.

    `rest_of_today`: what the model still expects on a partial `as_of` beyond what is billed so far.
    """
    total = 0.0
    day = start
    while day <= as_of:
        total += actual.get(day, 0.0) + (rest_of_today if day == as_of else 0.0)
        if total > amount:
            return day
        day += timedelta(days=1)
    for day in sorted(d for d in projected if d > as_of):
        total += projected[day]
        if total > amount:
            return day
    return None


def assess(
    spec: BudgetSpec,
    series: Mapping[date, float],
    as_of: date,
    *,
    partial_day: bool = False,
    history_from: date | None = None,
) -> BudgetState:
    """The budget's current period (the one holding `as_of`), judged from its daily `series`."""
    start, end = periods.period_bounds(as_of, spec.unit)
    target = spec.amount / (end - start).days
    f = forecast_period(series, start, end, as_of, partial_day=partial_day, history_from=history_from)
    rest_of_today = f.daily.get(as_of, 0.0) - series.get(as_of, 0.0) if partial_day else 0.0
    breach = breach_date(start, series, f.daily, spec.amount, as_of, max(0.0, rest_of_today))
    elapsed = (as_of - start).days + 1
    status: Status = "BREACHED" if f.actual > spec.amount else "AT RISK" if f.value > spec.amount else "OK"
    return BudgetState(
        spec, start, end, as_of, status, actual=f.actual, forecast=f, burn_rate=f.actual / elapsed,
        target_rate=target, breach_date=breach,
    )  # fmt: skip


def without_data(spec: BudgetSpec, as_of: date, held: Iterable[str | None]) -> BudgetState:
    """A budget whose currency the cache does not hold: say so, never convert."""
    start, end = periods.period_bounds(as_of, spec.unit)
    others = ", ".join(sorted(c or "(none)" for c in held)) or "nothing"
    note = f"no {spec.currency or '(no currency)'} cost data in the cache (it holds {others}); not converted"
    return BudgetState(spec, start, end, as_of, "NO DATA", target_rate=spec.amount / (end - start).days, note=note)


def overcommitted(specs: Iterable[BudgetSpec]) -> dict[str, str]:
    """Parents whose children's amounts add up to more than their own: budget_id -> note.

    Children in another currency or period cannot be added to the parent's amount; they are named.
    """
    specs = list(specs)
    by_id = {s.budget_id: s for s in specs}
    notes: dict[str, str] = {}
    for parent in specs:
        children = [s for s in specs if s.parent == parent.budget_id and s.budget_id in by_id]
        if not children:
            continue
        alike = [c for c in children if c.currency == parent.currency and c.unit == parent.unit]
        total = sum(c.amount for c in alike)
        parts = []
        if total > parent.amount:
            parts.append(f"children add up to {total:,.2f} > {parent.amount:,.2f}")
        skipped = [c.name for c in children if c not in alike]
        if skipped:
            parts.append(f"not added (other currency or period): {', '.join(skipped)}")
        if parts:
            notes[parent.budget_id] = "; ".join(parts)
    return notes


def tree_order(specs: Iterable[BudgetSpec]) -> list[tuple[BudgetSpec, int]]:
    """Parents before their children (depth-first), siblings in the given order; with each one's depth."""
    specs = list(specs)
    ids = {s.budget_id for s in specs}
    children: dict[str | None, list[BudgetSpec]] = {}
    for s in specs:
        children.setdefault(s.parent if s.parent in ids else None, []).append(s)
    ordered: list[tuple[BudgetSpec, int]] = []
    seen: set[str] = set()

    def walk(parent: str | None, depth: int) -> None:
        for s in children.get(parent, []):
            if s.budget_id not in seen:  # an AWS hierarchy is not validated: never loop on a cycle
                seen.add(s.budget_id)
                ordered.append((s, depth))
                walk(s.budget_id, depth + 1)

    walk(None, 0)
    ordered += [(s, 0) for s in specs if s.budget_id not in seen]
    return ordered
