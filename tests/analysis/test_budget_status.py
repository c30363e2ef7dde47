"""Judging one budget: its period, actual, forecast, burn, breach date and status; and the hierarchy checks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from finops_tui.analysis.budget_status import BudgetSpec, assess, overcommitted, tree_order, without_data


def flat(first: date, last: date, per_day: float = 10.0) -> dict[date, float]:
    return {first + timedelta(i): per_day for i in range((last - first).days + 1)}


def spec(unit: str = "month", amount: float = 1000.0, budget_id: str = "b", parent: str | None = None,
         currency: str = "USD") -> BudgetSpec:  # fmt: skip
    return BudgetSpec(budget_id, budget_id.upper(), "file", unit, amount, currency, parent)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("unit", "start", "end", "actual", "forecast"),
    [
        # as of Tuesday 2028-02-29 (leap day), 10 a day since October 2027
        ("month", date(2028, 2, 1), date(2028, 3, 1), 290, 290),  # the month's last day: nothing left
        ("quarter", date(2028, 1, 1), date(2028, 4, 1), 600, 600 + 31 * 10),  # Jan 31 + Feb 29 days; March left
        ("year", date(2028, 1, 1), date(2029, 1, 1), 600, 600 + (366 - 60) * 10),  # the fiscal year starts in January
    ],
)
def test_each_period_type_is_the_calendar_period_holding_as_of(unit, start, end, actual, forecast):
    state = assess(spec(unit), flat(date(2027, 10, 1), date(2028, 2, 29)), date(2028, 2, 29))
    assert (state.period_start, state.period_end) == (start, end)
    assert state.actual == pytest.approx(actual) and state.forecast is not None
    assert state.forecast.value == pytest.approx(forecast)
    assert state.burn_rate == pytest.approx(10) and state.target_rate == pytest.approx(1000 / (end - start).days)


def test_breach_is_projected_on_the_day_the_running_total_passes_the_amount():
    series = flat(date(2025, 1, 1), date(2025, 4, 10))  # 10 a day; April so far: 100
    at_risk = assess(spec(amount=200), series, date(2025, 4, 10))
    assert at_risk.status == "AT RISK" and at_risk.forecast.value == pytest.approx(300)
    assert at_risk.breach_date == date(2025, 4, 21)  # 200 on the 20th is not over; 210 on the 21st is
    breached = assess(spec(amount=90), series, date(2025, 4, 10))
    assert breached.status == "BREACHED" and breached.breach_date == date(2025, 4, 10)  # 90 on the 9th, 100 now
    ok = assess(spec(amount=400), series, date(2025, 4, 10))
    assert ok.status == "OK" and ok.breach_date is None


def test_a_partial_day_breaches_today_when_its_expected_rest_passes_the_amount():
    series = {**flat(date(2025, 1, 1), date(2025, 4, 9)), date(2025, 4, 10): 5.0}  # 5 of today's 10 so far
    state = assess(spec(amount=99), series, date(2025, 4, 10), partial_day=True)
    assert state.actual == 95 and state.status == "AT RISK"
    assert state.breach_date == date(2025, 4, 10)  # 95 billed + 5 still expected today = 100 > 99


def test_a_budget_in_a_currency_the_cache_does_not_hold_has_no_data_and_says_so():
    state = without_data(spec(currency="EUR"), date(2025, 4, 10), ["USD", None])
    assert state.status == "NO DATA" and state.actual is None and state.forecast is None
    assert state.note == "no EUR cost data in the cache (it holds (none), USD); not converted"


def test_children_over_their_parent_are_flagged_and_unlike_children_named():
    specs = [
        spec(amount=100, budget_id="top"),
        spec(amount=60, budget_id="a", parent="top"),
        spec(amount=50, budget_id="b", parent="top"),
        spec("year", amount=5, budget_id="c", parent="top"),
        spec(amount=5, budget_id="d", parent="top", currency="EUR"),
        spec(amount=10, budget_id="solo"),
    ]
    notes = overcommitted(specs)
    assert notes == {"top": "children add up to 110.00 > 100.00; not added (other currency or period): C, D"}
    fits = overcommitted([spec(amount=100, budget_id="top"), spec(amount=100, budget_id="a", parent="top")])
    assert fits == {}


def test_tree_order_puts_children_under_parents_with_their_depth():
    specs = [
        spec(budget_id="leaf", parent="mid"),
        spec(budget_id="top"),
        spec(budget_id="mid", parent="top"),
        spec(budget_id="orphan", parent="gone"),  # an AWS parent not in the list: a root
        spec(budget_id="x", parent="y"),
        spec(budget_id="y", parent="x"),  # an AWS cycle is never validated: shown once each, at depth 0
    ]
    order = [(s.budget_id, depth) for s, depth in tree_order(specs)]
    assert order == [("top", 0), ("mid", 1), ("leaf", 2), ("orphan", 0), ("x", 0), ("y", 0)]
