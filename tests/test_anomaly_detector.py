"""The detector on generated series: injected spikes and level shifts are found, quiet and drifting series are not."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from finops_tui.analysis.anomaly_detector import Series, Thresholds, detect, severity
from finops_tui.analysis.anomaly_drivers import DriverCost, drivers, root_cause

START = date(2025, 1, 6)  # a Monday
DAYS = 300


def normal(seed: int, level: float = 500.0, weekend: float = 0.7, noise: float = 0.08) -> list[float]:
    """A weekday/weekend pattern with noise, like most cloud spend."""
    rng = random.Random(seed)
    return [
        level * (weekend if (START + timedelta(days=i)).weekday() >= 5 else 1.0) * (1 + rng.uniform(-noise, noise))
        for i in range(DAYS)
    ]


def spike(costs: list[float], first: int, days: int, extra: float) -> list[float]:
    return [c + extra if first <= i < first + days else c for i, c in enumerate(costs)]


def shift(costs: list[float], first: int, extra: float) -> list[float]:
    return [c + extra if i >= first else c for i, c in enumerate(costs)]


def drift(costs: list[float], monthly: float) -> list[float]:
    return [c * (1 + monthly) ** (i / 30) for i, c in enumerate(costs)]


def on(day: int) -> date:
    return START + timedelta(days=day)


# (name, costs, injected events as (first day, kind)) — the injected truth every score is measured on
CASES = [
    ("one-day spike", spike(normal(1), 120, 1, 600), [(120, "spike")]),
    ("one-day spike on a weekend", spike(normal(2), 124, 1, 400), [(124, "spike")]),
    ("multi-day spike", spike(normal(3), 150, 4, 350), [(150, "spike")]),
    ("level shift", shift(normal(4), 200, 300), [(200, "level shift")]),
    ("spike then level shift", shift(spike(normal(5), 90, 2, 500), 230, 250), [(90, "spike"), (230, "level shift")]),
    ("small series, big relative spike", spike(normal(6, level=40), 180, 2, 120), [(180, "spike")]),
    ("quiet", normal(7), []),
    ("quiet and noisy", normal(8, noise=0.15), []),
    ("quiet, flat weekends", normal(9, weekend=0.2), []),
    ("slow drift: +4% a month", drift(normal(10), 0.04), []),
    ("slow drift: +10% a month", drift(normal(11), 0.10), []),
    ("tiny series: +300% but cents", spike(normal(12, level=2), 100, 1, 6), []),
]


def test_injected_events_are_found_and_quiet_series_stay_silent():
    found = true = wanted = hit = 0
    for name, costs, events in CASES:
        anomalies = detect(Series(name, START, costs))
        found += len(anomalies)
        wanted += len(events)
        for first, kind in events:
            match = [a for a in anomalies if a.start_date <= on(first) + timedelta(days=1) and a.end_date >= on(first)]
            hit += bool(match)
            assert match and match[0].anomaly_type == kind, f"{name}: {kind} on day {first} not found: {anomalies}"
        true += sum(any(a.start_date <= on(f) + timedelta(days=1) and a.end_date >= on(f) for f, _ in events)
                    for a in anomalies)  # fmt: skip
        if not events:
            assert anomalies == [], f"{name} should be quiet: {anomalies}"
    assert hit / wanted == 1.0  # recall
    assert true / found >= 0.9  # precision


def test_a_level_shift_is_reported_once_not_every_day_after():
    anomalies = detect(Series("s", START, shift(normal(4), 150, 300)))
    assert [(a.anomaly_type, a.start_date) for a in anomalies] == [("level shift", on(150))]
    assert anomalies[0].impact == pytest.approx(300 * anomalies[0].days, rel=0.1)


def test_a_multi_day_spike_is_one_anomaly_with_its_start_end_and_impact():
    (a,) = detect(Series("s", START, spike(normal(3), 150, 4, 350)))
    assert (a.start_date, a.end_date, a.days) == (on(150), on(153), 4)
    assert a.impact == pytest.approx(4 * 350, rel=0.1)
    assert a.actual == pytest.approx(a.expected + a.impact)


def test_ids_are_stable_across_runs_and_more_data():
    costs = spike(normal(1), 120, 1, 600)
    first = detect(Series("s", START, costs[:200]))
    again = detect(Series("s", START, costs))
    assert [a.anomaly_id for a in first] == [a.anomaly_id for a in again[: len(first)]]
    assert first[0].anomaly_id != detect(Series("other", START, costs))[0].anomaly_id


def test_nothing_is_judged_before_the_minimum_history():
    costs = spike(normal(1), 20, 1, 2000)  # day 20: only 20 days of history
    assert detect(Series("s", START, costs)) == []
    assert detect(Series("s", START, costs), Thresholds(min_history_days=14))  # judged with a shorter minimum


def test_a_new_series_is_judged_from_its_first_cost_not_from_the_start_of_the_data():
    costs = [0.0] * 100 + normal(1)[:200]
    costs = spike(costs, 130, 1, 800)  # 30 days after the series began
    (a,) = detect(Series("s", START, costs))
    assert a.start_date == on(130)


def test_thresholds_in_money_and_percent_are_both_required():
    costs = spike(normal(1), 120, 1, 100)  # +20% and +$100
    assert detect(Series("s", START, costs), Thresholds(min_impact=150))  == []  # fmt: skip
    assert detect(Series("s", START, costs), Thresholds(min_percent=25)) == []
    assert detect(Series("s", START, costs), Thresholds(min_percent=15, min_impact=50))


def test_a_monthly_fee_on_the_first_is_not_an_anomaly():
    costs = normal(1)
    for i in range(DAYS):
        if on(i).day == 1:
            costs[i] += 900
    assert detect(Series("s", START, costs)) == []


def test_sporadic_spend_has_no_daily_normal_to_break():
    costs = [300.0 if i % 9 == 0 else 0.0 for i in range(DAYS)]
    assert detect(Series("s", START, costs)) == []


def test_severity_grows_with_the_share_over_expected():
    assert [severity(a, 100) for a in (140, 160, 250)] == ["low", "medium", "high"]


def test_drivers_name_the_resource_that_moved_with_its_share():
    costs = [
        DriverCost("resource", "i-big", during=1000, before=28 * 100),  # +900 over one day
        DriverCost("resource", "i-small", during=150, before=28 * 50),  # +100
        DriverCost("resource", "i-down", during=0, before=28 * 20),  # -20: never named
        DriverCost("region", "us-east-1", during=1150, before=28 * 170),
        DriverCost("usage type", "BoxUsage:m5.large", during=1150, before=28 * 170),
    ]
    named = drivers(costs, days=1)
    top = named[0]
    assert (top.dimension, top.value) == ("resource", "i-big")
    assert top.delta == pytest.approx(900) and top.share == pytest.approx(900 / 980)
    assert "i-down" not in {d.value for d in named}
    text = root_cause(named, "USD")
    assert text.startswith("resource: i-big +$900.00 (92%)") and "region: us-east-1" in text


def test_root_cause_text_names_an_arn_by_its_own_id_and_drivers_keep_the_arn():
    arn = "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc"
    named = drivers([DriverCost("resource", arn, during=500, before=0)], days=1)
    assert named[0].value == arn
    assert root_cause(named, "EUR").startswith("resource: i-0abc +€500.00 (100%)")


def test_a_series_that_comes_back_after_months_is_not_judged_against_zeros():
    costs = [0.0] * DAYS
    for i in list(range(0, 40)) + list(range(200, 215)):  # busy, silent for months, busy again
        costs[i] = 100.0
    assert detect(Series("s", START, costs)) == []
