"""Cost anomaly detection over one daily series: a robust same-weekday baseline, spikes and level shifts.

The baseline of a day is the median of the same weekday over the previous `baseline_weeks` weeks
(8 by default: Mondays are judged against Mondays, so a weekend dip is never "an anomaly"), and
its spread is the MAD of those same values (scaled by 1.4826 to read like a standard deviation).
Median and MAD were chosen over a mean, an EWMA or STL because one earlier spike cannot move
them: a bad Tuesday four weeks ago does not hide this Tuesday's, and needs no numpy.

A day is unusual when its cost exceeds the baseline by all three of: `min_impact` in money, the
`min_percent` share of the baseline, and `sensitivity` robust deviations. Only increases are
judged (a fall in spend costs nothing; missing data is `doctor`'s business). A series is judged
only once it has `min_history_days` of history since its first cost, so a new service is not an
anomaly on its first days. A day that repeats the same day of the month in the two previous
months (a monthly fee charged on the 1st) is not unusual either, and nor is any day of a sporadic
series (cost on fewer than half of the previous 28 days, or of the baseline's same weekdays: batch
jobs, one-off purchases, a series that just came back), which has no daily normal to depart from.

Unusual days separated by at most `merge_gap_days` form one event. An event of `level_shift_days`
or more is a level shift: spend moved to a new level and stayed. It is reported once, from the
day it moved until the baseline has caught up with the new level (about half the baseline window
later), not once per day. Shorter events are spikes. A slow drift (growth of a few percent a
month) stays inside the baseline, which follows it with a lag of a few weeks: it is a trend for
the forecast, not an anomaly.

Each anomaly's id hashes its series key, start date and type, so detecting again over the same
data (or more data) gives the same ids and never duplicates an anomaly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median
from typing import Literal

AnomalyType = Literal["spike", "level shift"]
Severity = Literal["low", "medium", "high"]
_MAD_TO_SIGMA = 1.4826


@dataclass(frozen=True)
class Thresholds:
    """What counts as unusual; the defaults are the config's (finops_tui/config.py `anomaly_*`)."""

    min_impact: float = 20.0  # money over the baseline, per day, in the series' currency
    min_percent: float = 30.0  # share of the baseline, per day
    sensitivity: float = 4.0  # robust deviations (MAD x 1.4826) over the baseline
    baseline_weeks: int = 8
    min_history_days: int = 28
    level_shift_days: int = 7
    merge_gap_days: int = 1


@dataclass(frozen=True)
class Series:
    """One daily cost series; `costs[i]` is the cost of `start + i` days (missing days are 0)."""

    key: str
    start: date
    costs: Sequence[float]


@dataclass(frozen=True)
class Anomaly:
    anomaly_id: str
    series_key: str
    anomaly_type: AnomalyType
    severity: Severity
    start_date: date
    end_date: date
    actual: float
    expected: float

    @property
    def impact(self) -> float:
        return self.actual - self.expected

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


def anomaly_id(series_key: str, start: date, anomaly_type: str) -> str:
    """Stable across runs: the same series, start and type always give the same id."""
    digest = hashlib.sha256(f"{series_key}|{start.isoformat()}|{anomaly_type}".encode()).hexdigest()
    return f"local-{digest[:16]}"


def severity(actual: float, expected: float) -> Severity:
    """By how much spend exceeded its baseline: at least double is high, +50% medium, less low."""
    if expected <= 0 or actual >= 2 * expected:
        return "high"
    return "medium" if actual >= 1.5 * expected else "low"


def baseline(costs: Sequence[float], day: int, weeks: int, first: int = 0) -> tuple[float, float] | None:
    """(median, robust sigma) of the same weekday over the `weeks` weeks before `day`, none before `first`
    (the series' first cost); None with fewer than two such days."""
    same = costs[_window_start(day, weeks, first) : day : 7]
    if len(same) < 2:
        return None
    mid = median(same)
    mad = median(abs(v - mid) for v in same)
    return mid, _MAD_TO_SIGMA * mad


def _window_start(day: int, weeks: int, first: int) -> int:
    """The earliest same weekday in the window that is not before `first`."""
    return day - 7 * min(weeks, (day - first) // 7)


def _sporadic(costs: Sequence[float], day: int, same_weekdays: Sequence[float]) -> bool:
    """Cost on fewer than half of the 28 days before `day`, or on fewer than half of the baseline's same
    weekdays: batch-like spend (or a series that just came back) has no daily normal to break."""
    recent = sum(1 for v in costs[max(0, day - 28) : day] if v > 0)
    return recent < 14 or 2 * sum(1 for v in same_weekdays if v > 0) < len(same_weekdays)


def _first_cost(costs: Sequence[float]) -> int | None:
    return next((i for i, v in enumerate(costs) if v > 0), None)


def _monthly_repeat(series: Series, day: int, delta: float, t: Thresholds, first: int) -> bool:
    """True when the same day of the previous month (and of the one before, if the series is that old)
    also rose at least half as much over its own baseline: a monthly fee charged on the same date."""
    today = series.start + timedelta(days=day)
    checked = 0
    for back in (1, 2):
        month = today.month - back
        year = today.year + (month - 1) // 12
        try:
            earlier = (today.replace(year=year, month=(month - 1) % 12 + 1) - series.start).days
        except ValueError:  # the 31st in a 30-day month: no such day
            return False
        if earlier < first:
            break
        base = baseline(series.costs, earlier, t.baseline_weeks, first)
        if base is None or series.costs[earlier] - base[0] < 0.5 * delta:
            return False
        checked += 1
    return checked > 0


def unusual_days(series: Series, t: Thresholds) -> list[tuple[int, float]]:
    """(day index, expected cost) of every day that exceeds its baseline by every threshold.

    Once a run of unusual days is long enough to be a level shift, the history before it no longer
    says what normal is: later days are judged only against days from the shift on.
    """
    costs = series.costs
    first = _first_cost(costs)
    if first is None:
        return []
    found: list[tuple[int, float]] = []
    floor, run_start = first, first
    for day in range(first + t.min_history_days, len(costs)):
        actual = costs[day]
        # Cheap test first: a day can only exceed its median by what it exceeds the cheapest same weekday by.
        same_weekdays = costs[_window_start(day, t.baseline_weeks, floor) : day : 7]
        lowest = min(same_weekdays or [actual])
        if actual - lowest < max(t.min_impact, lowest * t.min_percent / 100):
            continue
        base = baseline(costs, day, t.baseline_weeks, floor)
        if base is None:
            continue
        expected, sigma = base
        delta = actual - expected
        spread = max(sigma, 0.02 * expected)  # a perfectly flat history must not make cents unusual
        if (
            delta >= t.min_impact
            and delta >= expected * t.min_percent / 100
            and delta >= t.sensitivity * spread
            and not _sporadic(costs, day, same_weekdays)
            and not _monthly_repeat(series, day, delta, t, first)
        ):
            if not found or day - found[-1][0] > t.merge_gap_days + 1:
                run_start = day
            found.append((day, expected))
            if day - run_start + 1 >= t.level_shift_days:
                floor = run_start
    return found


def _events(days: list[tuple[int, float]], gap: int) -> list[list[tuple[int, float]]]:
    events: list[list[tuple[int, float]]] = []
    for day, expected in days:
        if events and day - events[-1][-1][0] <= gap + 1:
            events[-1].append((day, expected))
        else:
            events.append([(day, expected)])
    return events


def _expected(series: Series, day: int, known: dict[int, float], t: Thresholds, first: int) -> float:
    if day in known:
        return known[day]
    base = baseline(series.costs, day, t.baseline_weeks, first)
    return series.costs[day] if base is None else base[0]


def detect(series: Series, t: Thresholds = Thresholds()) -> list[Anomaly]:
    """Every spike and level shift of `series`, oldest first."""
    found = []
    first_cost = _first_cost(series.costs) or 0
    for event in _events(unusual_days(series, t), t.merge_gap_days):
        first, last = event[0][0], event[-1][0]
        kind: AnomalyType = "level shift" if last - first + 1 >= t.level_shift_days else "spike"
        expected_by_day = dict(event)
        # Gap days inside an event count too (actual and expected alike): the event is one stretch of time.
        actual = sum(series.costs[first : last + 1])
        expected = sum(_expected(series, d, expected_by_day, t, first_cost) for d in range(first, last + 1))
        start = series.start + timedelta(days=first)
        found.append(
            Anomaly(
                anomaly_id=anomaly_id(series.key, start, kind),
                series_key=series.key,
                anomaly_type=kind,
                severity=severity(actual, expected),
                start_date=start,
                end_date=series.start + timedelta(days=last),
                actual=actual,
                expected=expected,
            )
        )
    return found
