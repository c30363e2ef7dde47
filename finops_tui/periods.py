"""Calendar arithmetic for billing periods: month bounds and windows.

The one owner of "which days belong to which period". Cost queries, budgets, Cost Explorer
requests and the forecast all take their bounds from here, so a month is the same month
everywhere. Periods are half-open: `start <= day < end`.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Literal

PeriodUnit = Literal["month", "quarter", "year"]


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month_start(day: date) -> date:
    """The first day of the month after `day`'s month."""
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def previous_month_start(day: date) -> date:
    return month_start(month_start(day) - timedelta(days=1))


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` months after (or before, when negative) `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def same_days_last_month_end(as_of: date) -> date:
    """Exclusive end of "the same days last month" for a month-to-date ending on `as_of`.

    Day 31 of a 31-day month compares against the whole of a 30-day previous month, never
    spilling into the current month.
    """
    previous = previous_month_start(as_of)
    return min(previous + timedelta(days=as_of.day), month_start(as_of))


def period_bounds(day: date, unit: PeriodUnit) -> tuple[date, date]:
    """[start, end) of the month, quarter or year that holds `day`."""
    if unit == "year":
        return date(day.year, 1, 1), date(day.year + 1, 1, 1)
    if unit == "quarter":
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return start, add_months(start, 3)
    return month_start(day), next_month_start(day)


def unit_of(time_unit: str | None) -> PeriodUnit:
    """AWS Budgets' TimeUnit (MONTHLY, QUARTERLY, ANNUALLY, DAILY…) as a period unit; unknown means month."""
    return {"ANNUALLY": "year", "QUARTERLY": "quarter"}.get((time_unit or "").upper(), "month")  # type: ignore[return-value]


def month_windows(today: date, months: int) -> list[tuple[date, date]]:
    """[start, end) for each of the last `months` months, oldest first; the last ends tomorrow."""
    first = month_start(today)
    return [
        (add_months(first, -back), min(add_months(first, -back + 1), today + timedelta(days=1)))
        for back in range(months - 1, -1, -1)
    ]
