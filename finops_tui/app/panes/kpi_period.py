"""What the KPI cards may claim about their period, given the view's "as of" day and today.

"Month to date", a run-rate forecast and "day 18 of 30" are only true while the month is running
and the data is current. On an old export the cards name the month and year instead, a closed
month gets no forecast, and the progress card says how old the data is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from finops_tui import periods


@dataclass(frozen=True)
class KpiPeriod:
    as_of: date
    today: date

    @property
    def current(self) -> bool:
        """The data runs to yesterday or today: 'month to date' means what it says."""
        return self.as_of >= self.today - timedelta(days=1)

    @property
    def closed(self) -> bool:
        """The as-of month ended before today: nothing is left to forecast."""
        return self.today >= periods.next_month_start(self.as_of)

    @property
    def month(self) -> str:
        return f"{self.as_of:%b %Y}"

    @property
    def last_day(self) -> str:
        return f"last day with data {self.as_of:%Y-%m-%d}"

    def heading(self) -> str:
        """The one "as of" of the view, for the KPI title line."""
        if self.current:
            return f"as of {self.as_of:%a %Y-%m-%d} (last day with data)"
        return f"{self.month}, {self.last_day}"

    def spend_title(self) -> str:
        if self.current:
            return f"Month to date ({self.as_of:%b})"
        if self.as_of.day == periods.days_in_month(self.as_of):
            return f"{self.month} total"
        return f"{self.month} (1–{self.as_of.day})"

    def previous_title(self, start: date) -> str:
        return f"Last month ({start:%b %Y})" if self.current else f"{start:%b %Y} total"

    def compared_with(self) -> str:
        """What the spend card's delta compares against."""
        if self.as_of.day == periods.days_in_month(self.as_of):
            return "the month before"
        return "same days last month" if self.current else "same days of the month before"

    def forecast_title(self) -> str:
        return "Forecast (model)" if self.current else f"Forecast {self.month}"

    def progress_title(self) -> str:
        return "Month progress" if self.current else "Data through"

    def progress_body(self, days_elapsed: int, days_in_month: int, method: str) -> str:
        if self.current:
            return f"day {days_elapsed} of {days_in_month}, {days_in_month - days_elapsed} left\n{method}"
        state = "closed month" if self.closed else "month still open"
        return f"last day with data\n{self.as_of:%Y-%m-%d}; {state}"
