"""End-of-period spend forecast: weekday factors × a robust level with a damped trend.

Why this model: daily cloud spend is a slowly moving level (new resources, growth) with a weekly
shape (batch jobs and dev environments idle at weekends) and the odd spike. A run-rate (spend so
far ÷ days × period length) ignores all three. The model, fitted on the complete days up to the
forecast origin (`fit_end`):

1. Weekday factors, from the last 8 weeks: each day's cost ÷ the centred 7-day mean around it
   (ratio to moving average, so a trend does not leak into the factors); the factor of a weekday
   is the median of its 8 ratios, then the 7 factors are scaled to average 1. Needs 14 days,
   else every factor is 1.
2. Level and trend, from the last 4 weeks: the days divided by their weekday factor, cut into
   4 blocks of 7 days; the block medians (a spike moves a median by nothing) give the trend as
   the median slope over every pair of blocks (Theil–Sen) and the level at `fit_end` as the
   median of each block's median carried forward along that slope.
3. Day `fit_end + h`: (level + slope × (φ + φ² + … + φʰ)) × factor of its weekday, never below
   0, with φ = 0.97 per day: the trend counts fully tomorrow and fades (32 days' worth at most),
   so a month's growth is not extrapolated over a year.

Median-based on purpose: a lumpy charge that lands on a few days (a monthly fee on the 1st, an
upfront purchase) is in the actual to date and is not repeated for every remaining day.

Interval (80%): from back-test residuals. The model is re-fitted at up to 8 earlier origins,
each exactly as many days before the end of the history as are left to forecast now (one week
apart); each gives the ratio actual ÷ forecast over that many days. The 10th and 90th percentiles
of the ratios scale the forecast of the rest of the period. With fewer than 3 such origins (a
short history, or a quarter or year still far from its end) the half-width is 1.28 × the robust
spread of the daily in-sample residuals (1.4826 × MAD) × √(days left), and `interval` says so.

A partial current day (the clock's today, still being billed) is not fitted; it counts as the
larger of what is billed so far and the model's value for it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

MODEL_NAME = "weekday × damped trend"
DAMPING = 0.97
FACTOR_WEEKS = 8
LEVEL_BLOCKS = 4
BACKTEST_ORIGINS = 8
MIN_BACKTEST_ORIGINS = 3
Z80 = 1.2816  # the normal quantile of an 80% two-sided interval


def damped_sum(h: int, phi: float = DAMPING) -> float:
    """φ + φ² + … + φʰ: how many days of trend day `fit_end + h` carries."""
    return phi * (1 - phi**h) / (1 - phi) if h > 0 else 0.0


@dataclass(frozen=True)
class Fit:
    """What the model learnt from the complete days up to `last_day`."""

    last_day: date
    level: float
    slope: float  # per day
    factors: tuple[float, ...]  # Monday first, averaging 1
    days: int  # days of history used

    def predict(self, day: date) -> float:
        h = (day - self.last_day).days
        return max(0.0, (self.level + self.slope * damped_sum(h)) * self.factors[day.weekday()])

    def fitted(self, day: date) -> float:
        """The model's value for a past day (no damping backwards): for in-sample residuals."""
        back = (self.last_day - day).days
        return max(0.0, (self.level - self.slope * back) * self.factors[day.weekday()])


def weekday_factors(values: Sequence[float], last_day: date) -> tuple[float, ...]:
    """Median ratio to the centred 7-day mean, per weekday, over the last 8 weeks; scaled to average 1."""
    n = len(values)
    if n < 14:
        return (1.0,) * 7
    ratios: list[list[float]] = [[] for _ in range(7)]
    last = last_day.weekday()
    first = max(3, n - 3 - 7 * FACTOR_WEEKS)
    window = sum(values[first - 3 : first + 4])  # a running 7-day sum: one add and one drop per day
    for i in range(first, n - 3):
        if i > first:
            window += values[i + 3] - values[i - 4]
        if window > 1e-9:  # a running sum of zeros may drift to ±1e-13, never to a real cost
            ratios[(last - (n - 1 - i)) % 7].append(values[i] * 7 / window)
    raw = [median(r) if r else 1.0 for r in ratios]
    mean = sum(raw) / 7
    return tuple(f / mean for f in raw) if mean > 0 else (1.0,) * 7


def fit(values: Sequence[float], last_day: date) -> Fit:
    """Fit on `values`, one per day, oldest first, the last being `last_day` (complete days only)."""
    n = len(values)
    factors = weekday_factors(values, last_day)
    if n == 0:
        return Fit(last_day, 0.0, 0.0, factors, 0)
    blocks = min(LEVEL_BLOCKS, n // 7)
    if blocks == 0:
        return Fit(last_day, sum(values) / n, 0.0, factors, n)
    medians: list[tuple[float, float]] = []  # (days before last_day of the block's centre, median)
    for b in range(blocks):
        first = n - 7 * (blocks - b)
        weekday = [(last_day.weekday() - (n - 1 - i)) % 7 for i in range(first, first + 7)]
        adjusted = [values[i] / factors[w] for i, w in zip(range(first, first + 7), weekday, strict=True) if factors[w]]
        if adjusted:
            medians.append((n - 1 - (first + 3), median(adjusted)))
    if not medians:
        return Fit(last_day, 0.0, 0.0, factors, n)
    slopes = [(mj - mi) / (ci - cj) for i, (ci, mi) in enumerate(medians) for (cj, mj) in medians[i + 1 :] if ci != cj]
    slope = median(slopes) if slopes else 0.0
    level = median(m + slope * c for c, m in medians)
    return Fit(last_day, level, slope, factors, n)


def series_values(series: Mapping[date, float], first: date, last: date) -> list[float]:
    """One value per day first..last inclusive; a day without a row is 0 spent."""
    return [float(series.get(first + timedelta(days=i), 0.0)) for i in range((last - first).days + 1)]


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    pos = (len(sorted_values) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def backtest_ratios(values: Sequence[float], last_day: date, horizon: int) -> list[float]:
    """actual ÷ forecast over `horizon` days, from up to 8 earlier origins one week apart (28 days' history each)."""
    ratios = []
    n = len(values)
    for k in range(BACKTEST_ORIGINS):
        origin = n - 1 - horizon - 7 * k  # index of the origin's last fitted day
        if origin < 27:
            break
        past = fit(values[: origin + 1], last_day - timedelta(days=n - 1 - origin))
        predicted = sum(past.predict(past.last_day + timedelta(days=h)) for h in range(1, horizon + 1))
        actual = sum(values[origin + 1 : origin + 1 + horizon])
        if predicted > 0:
            ratios.append(actual / predicted)
    return ratios


@dataclass(frozen=True)
class PeriodForecast:
    """Spend over [start, end): what is spent to date plus the model's path for the days left."""

    value: float
    lower: float
    upper: float
    actual: float  # spent start..as_of, the partial day included
    daily: dict[date, float]  # the model's value for each day after the actual ones (the partial day too)
    model: str
    interval: str


def forecast_period(
    series: Mapping[date, float],
    start: date,
    end: date,
    as_of: date,
    *,
    partial_day: bool = False,
    history_from: date | None = None,
) -> PeriodForecast:
    """Forecast the period [start, end) from `series` (day → cost, a missing day is 0) through `as_of`.

    History starts on `history_from` (the first day the cache has data for, so that days before a
    filtered series' first cost count as the zeros they are), else on the series' first day.
    `partial_day`: `as_of` is still being billed.
    """
    first = history_from if history_from is not None else min(series) if series else as_of
    fit_end = as_of - timedelta(days=1) if partial_day else as_of
    history = series_values(series, first, fit_end) if fit_end >= first else []
    model = fit(history, fit_end)
    in_period = series_values(series, start, as_of) if as_of >= start else []
    actual = sum(in_period)
    done = sum(in_period[:-1]) if partial_day and in_period else actual
    daily = {
        fit_end + timedelta(days=h): model.predict(fit_end + timedelta(days=h))
        for h in range(1, (end - fit_end).days)
        if fit_end + timedelta(days=h) >= start
    }
    if partial_day and as_of in daily:
        daily[as_of] = max(daily[as_of], float(series.get(as_of, 0.0)))
    rest = sum(daily.values())
    horizon = len(daily)
    trend = f"{model.slope:+,.2f}/day" if model.slope else "flat"
    name = f"{MODEL_NAME} ({model.days} days of history, level {model.level:,.2f}/day, trend {trend})"
    if horizon == 0:
        return PeriodForecast(actual, actual, actual, actual, daily, name, "period over: no days left to forecast")
    ratios = sorted(backtest_ratios(history, fit_end, horizon))
    if len(ratios) >= MIN_BACKTEST_ORIGINS:
        low, high = rest * _quantile(ratios, 0.1), rest * _quantile(ratios, 0.9)
        how = f"80% interval from {len(ratios)} back-tests of {horizon} days"
    else:
        window = history[-28:]
        residuals = [v - model.fitted(fit_end - timedelta(days=len(window) - 1 - i)) for i, v in enumerate(window)]
        spread = 1.4826 * median(abs(r - median(residuals)) for r in residuals) if residuals else 0.0
        half = Z80 * spread * math.sqrt(horizon)
        low, high = rest - half, rest + half
        how = f"80% interval from in-sample daily residuals × √{horizon} (too little history to back-test)"
    low, high = max(0.0, min(low, rest)), max(high, rest)
    return PeriodForecast(done + rest, max(actual, done + low), done + high, actual, daily, name, how)


@dataclass(frozen=True)
class MonthError:
    """How the model did on one closed month, forecasting on the 15th with data through the 14th."""

    month: date
    forecast: float
    actual: float

    @property
    def error_pct(self) -> float | None:
        return (self.forecast - self.actual) / self.actual * 100 if self.actual else None


BACKTEST_DAY = 15  # the forecast as it stood mid-month


def backtest_months(
    series: Mapping[date, float], as_of: date, months: int = 3, history_from: date | None = None
) -> list[MonthError]:
    """The model's error on the last `months` closed months before `as_of`'s, oldest first.

    A month is left out when the history holds fewer than 28 days before its origin (nothing to fit).
    """
    if not series:
        return []
    first = history_from if history_from is not None else min(series)
    result = []
    month = as_of.replace(day=1)
    if (as_of + timedelta(days=1)).day == 1:  # as_of ends its month: that month is closed too
        month = as_of + timedelta(days=1)
    for _ in range(months):
        end = month
        month = (month - timedelta(days=1)).replace(day=1)
        origin = month.replace(day=BACKTEST_DAY - 1)
        if (origin - first).days < 27:
            continue
        history = {d: v for d, v in series.items() if d <= origin}
        predicted = forecast_period(history, month, end, origin, history_from=first)
        actual = sum(series_values(series, month, end - timedelta(days=1)))
        result.append(MonthError(month, predicted.value, actual))
    return sorted(result, key=lambda m: m.month)
