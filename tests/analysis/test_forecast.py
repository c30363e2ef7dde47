"""The forecast model on hand-made series; every expected figure is worked out in the comments."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from finops_tui.analysis.forecast import backtest_months, fit, forecast_period

PHI = 0.97  # the documented damping per day


def weekly_shape(first: date, last: date, weekday: float = 100.0, weekend: float = 40.0) -> dict[date, float]:
    """Weekdays cost `weekday`, Saturdays and Sundays `weekend`, every day first..last."""
    days = (last - first).days + 1
    return {first + timedelta(i): weekend if (first + timedelta(i)).weekday() >= 5 else weekday for i in range(days)}


def linear(first: date, last: date, start: float = 10.0, slope: float = 2.0) -> dict[date, float]:
    return {first + timedelta(i): start + slope * i for i in range((last - first).days + 1)}


@pytest.mark.parametrize(
    ("as_of", "start", "end", "expected"),
    [
        # March 2025: 31 days from Saturday 1st = 4 weeks + Sat, Sun, Mon: 21 weekdays, 10 weekend days
        (date(2025, 3, 15), date(2025, 3, 1), date(2025, 4, 1), 21 * 100 + 10 * 40),
        # April 2025: 30 days from Tuesday 1st = 4 weeks + Tue, Wed: 22 weekdays, 8 weekend days
        (date(2025, 4, 9), date(2025, 4, 1), date(2025, 5, 1), 22 * 100 + 8 * 40),
        # February 2027: 28 days, exactly 4 weeks: 20 weekdays, 8 weekend days
        (date(2027, 2, 10), date(2027, 2, 1), date(2027, 3, 1), 20 * 100 + 8 * 40),
        # February 2028 (leap): 29 days from Tuesday 1st = 4 weeks + Tue 29th: 21 weekdays, 8 weekend days
        (date(2028, 2, 20), date(2028, 2, 1), date(2028, 3, 1), 21 * 100 + 8 * 40),
        # February 2024 (leap): 29 days from Thursday 1st = 4 weeks + Thu 29th: 21 weekdays, 8 weekend days
        (date(2024, 2, 3), date(2024, 2, 1), date(2024, 3, 1), 21 * 100 + 8 * 40),
        # as_of on the month's last day: nothing left to forecast, the forecast is the month's actual
        (date(2028, 2, 29), date(2028, 2, 1), date(2028, 3, 1), 21 * 100 + 8 * 40),
    ],
)
def test_weekday_shape_is_forecast_exactly_over_months_of_every_length(as_of, start, end, expected):
    series = weekly_shape(start - timedelta(days=90), as_of)
    f = forecast_period(series, start, end, as_of)
    assert f.value == pytest.approx(expected)
    # every back-test of a regular series is exact, so the interval has no width
    assert f.lower == pytest.approx(expected) and f.upper == pytest.approx(expected)


def test_weekday_factors_are_each_days_share_of_the_weekly_mean():
    # weekly mean (5 × 100 + 2 × 40) / 7 = 82.857…; a weekday is 100 / 82.857 = 1.2069, a weekend day 0.4828
    model = fit(list(weekly_shape(date(2025, 1, 6), date(2025, 3, 2)).values()), date(2025, 3, 2))
    assert model.factors[0] == pytest.approx(700 / 580) and model.factors[6] == pytest.approx(280 / 580)
    assert model.level == pytest.approx(580 / 7) and model.slope == 0


def test_flat_series_forecasts_its_level_for_each_day_left():
    series = {date(2025, 1, 1) + timedelta(i): 50.0 for i in range(120)}  # through 2025-04-30
    f = forecast_period(series, date(2025, 4, 1), date(2025, 5, 1), date(2025, 4, 12))
    assert f.actual == 12 * 50 and f.value == pytest.approx(30 * 50)
    assert "trend flat" in f.model


def test_trend_is_carried_forward_damped():
    # 10 + 2i from 2025-01-01 (i = 0) to 2025-03-15 (i = 73): the level on the 15th is 156, the slope 2/day.
    series = linear(date(2025, 1, 1), date(2025, 3, 15))
    f = forecast_period(series, date(2025, 3, 1), date(2025, 4, 1), date(2025, 3, 15))
    spent = sum(10 + 2 * i for i in range(59, 74))  # March 1st is i = 59: 2130
    # day 15 + h: 156 + 2 × (φ + … + φ^h), for h = 1 … 16
    rest = sum(156 + 2 * PHI * (1 - PHI**h) / (1 - PHI) for h in range(1, 17))
    assert spent == 2130 and f.actual == 2130
    assert f.value == pytest.approx(spent + rest)
    # an undamped line would say 2130 + Σ(156 + 2h) = 4902; damping keeps the forecast below it
    assert f.value < 2130 + sum(156 + 2 * h for h in range(1, 17))
    assert "trend +2.00/day" in f.model


def test_a_partial_current_day_counts_as_the_larger_of_billed_and_expected():
    series = {date(2025, 1, 1) + timedelta(i): 100.0 for i in range(73)}  # through 2025-03-14
    today_billed = {**series, date(2025, 3, 15): 30.0}  # noon: 30 of the usual 100 billed so far
    f = forecast_period(today_billed, date(2025, 3, 1), date(2025, 4, 1), date(2025, 3, 15), partial_day=True)
    assert f.actual == 14 * 100 + 30
    assert f.value == pytest.approx(14 * 100 + 100 + 16 * 100)  # the 15th counts as the model's 100
    busy = {**series, date(2025, 3, 15): 150.0}  # already over the usual: the billed 150 counts
    f = forecast_period(busy, date(2025, 3, 1), date(2025, 4, 1), date(2025, 3, 15), partial_day=True)
    assert f.value == pytest.approx(14 * 100 + 150 + 16 * 100)
    # without the flag the 30 is a complete day and drags the level: the flag is what protects it
    dragged = forecast_period(today_billed, date(2025, 3, 1), date(2025, 4, 1), date(2025, 3, 15))
    assert dragged.value < 14 * 100 + 100 + 16 * 100


def test_a_one_day_spike_does_not_move_the_forecast():
    series = {date(2025, 1, 1) + timedelta(i): 100.0 for i in range(73)}
    series[date(2025, 3, 12)] = 5000.0  # in the last week of history
    f = forecast_period(series, date(2025, 3, 1), date(2025, 4, 1), date(2025, 3, 14))
    assert f.value == pytest.approx(13 * 100 + 5000 + 17 * 100)  # the spike is in the actual, not repeated


def test_days_before_a_filtered_series_first_cost_count_as_zero_history():
    # spend starts on March 10th; the cache has data since January: the days before are real zeros
    series = {date(2025, 3, 10) + timedelta(i): 100.0 for i in range(5)}
    alone = forecast_period(series, date(2025, 3, 1), date(2025, 4, 1), date(2025, 3, 14))
    assert alone.value == pytest.approx(500 + 17 * 100)  # 5 days of history: their mean, 100/day
    known = forecast_period(
        series, date(2025, 3, 1), date(2025, 4, 1), date(2025, 3, 14), history_from=date(2025, 1, 1)
    )
    assert known.value < alone.value


def test_interval_comes_from_back_tests_and_brackets_the_forecast():
    noisy = {date(2024, 9, 1) + timedelta(i): 100.0 + (i * 37 % 11) * 4 - 20 for i in range(200)}
    last = max(noisy)
    f = forecast_period(noisy, last.replace(day=1), date(2025, 4, 1), last)
    assert f.lower < f.value < f.upper
    assert "from 8 back-tests" in f.interval


def test_short_history_interval_uses_in_sample_residuals():
    short = {date(2025, 3, 1) + timedelta(i): 100.0 + (i % 3) * 30 for i in range(20)}  # 2025-03-01..20
    f = forecast_period(short, date(2025, 3, 1), date(2025, 4, 1), date(2025, 3, 20))
    assert "in-sample daily residuals" in f.interval and f.lower < f.value < f.upper


def test_no_history_forecasts_nothing_more():
    f = forecast_period({}, date(2025, 3, 1), date(2025, 4, 1), date(2025, 3, 14))
    assert f.value == 0 and f.lower == 0 and f.upper == 0


def test_backtest_scores_the_last_three_closed_months():
    # a regular weekly shape is forecast exactly: no error in December, January, February
    shape = weekly_shape(date(2024, 10, 1), date(2025, 3, 10))
    months = backtest_months(shape, date(2025, 3, 10))
    assert [m.month for m in months] == [date(2024, 12, 1), date(2025, 1, 1), date(2025, 2, 1)]
    assert all(m.error_pct == pytest.approx(0) for m in months)


def test_backtest_error_of_a_trend_is_the_damping_shortfall():
    # 10 + 2i from 2024-10-01: February 2025's origin is the 14th (i = 136, level 282), 14 days left.
    series = linear(date(2024, 10, 1), date(2025, 3, 10))
    feb = backtest_months(series, date(2025, 3, 10))[-1]
    actual = sum(10 + 2 * i for i in range(123, 151))  # Feb 1st is i = 123, the 28th i = 150
    shortfall = 2 * sum(h - PHI * (1 - PHI**h) / (1 - PHI) for h in range(1, 15))
    assert feb.month == date(2025, 2, 1) and feb.actual == actual
    assert feb.forecast == pytest.approx(actual - shortfall)
    assert feb.error_pct == pytest.approx(-shortfall / actual * 100)


def test_backtest_counts_a_month_that_ends_on_as_of_and_skips_months_without_history():
    series = weekly_shape(date(2025, 1, 1), date(2025, 3, 31))
    months = backtest_months(series, date(2025, 3, 31))
    # January's origin (the 14th) has 13 days of history: too little, left out
    assert [m.month for m in months] == [date(2025, 2, 1), date(2025, 3, 1)]
