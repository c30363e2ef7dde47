"""One model per tab: everything a tab shows, computed once by the source for one `ViewScope`.

Each view carries its scope and its "as of" day (the last day with data, never after today),
so the header, the cards and the tables of a tab always speak of the same days.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from finops_tui.contract.scope import ViewScope
from finops_tui.contract.tables import (
    AnomaliesTable,
    BudgetsTable,
    OptimizationsTable,
    RankedTable,
    ResourcesTable,
)

TOP_ROWS = 8  # rows in each KPI top list


class DailyPoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    day: date
    cost: float


class BacktestMonth(BaseModel):
    """The forecast model's error on one closed month (forecast made mid-month, data through the 14th)."""

    model_config = ConfigDict(frozen=True)

    month: date
    forecast: float
    actual: float
    error_pct: float | None = Field(description="(forecast - actual) / actual × 100; None when actual is 0")


class Forecast(BaseModel):
    """End-of-month spend: ours, how it was computed, and the provider's own when a refresh brought it."""

    model_config = ConfigDict(frozen=True)

    value: float
    method: str
    provider_rest: float | None = Field(None, description="the provider's forecast of the rest of the month")
    provider_label: str | None = None
    lower: float | None = Field(None, description="80% interval, low end, for the whole month")
    upper: float | None = Field(None, description="80% interval, high end, for the whole month")
    model: str | None = Field(None, description="the model and what it learnt (level, trend, days of history)")
    interval: str | None = Field(None, description="how the interval was made")
    backtest: list[BacktestMonth] = Field(default_factory=list, description="the last closed months, oldest first")


class KpiSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    month_to_date: float
    previous_month_same_days: float
    last_full_month: float
    last_full_month_start: date
    forecast: Forecast | None = Field(description="None when the month is closed (as_of's month is before today's)")
    days_elapsed: int
    days_in_month: int


class KpiView(BaseModel):
    """The KPI tab. `summary` is None when the scope holds no cost data."""

    model_config = ConfigDict(frozen=True)

    scope: ViewScope
    as_of: date | None
    summary: KpiSummary | None
    trend: list[DailyPoint] = Field(description="one point per day for 90 days ending at as_of, zeros included")
    services: RankedTable = Field(description=f"top {TOP_ROWS} by spend")
    accounts: RankedTable
    regions: RankedTable
    providers: RankedTable = Field(description="every provider in the scope's currency, whatever its provider")
    movers: RankedTable = Field(description=f"the {TOP_ROWS} services whose spend moved most, either way")


class ResourcesView(BaseModel):
    model_config = ConfigDict(frozen=True)

    scope: ViewScope
    as_of: date | None
    table: ResourcesTable
    idle_count: int


class BudgetsView(BaseModel):
    """Every budget (each in its own currency) against actual spend of its current period."""

    model_config = ConfigDict(frozen=True)

    scope: ViewScope
    table: BudgetsTable
    over: int
    at_risk: int
    has_history: bool = Field(description="whether any budget has a closed period's actual")
    file_problem: str | None = Field(None, description="the budgets file's error (file, line, key); last good in use")
    budgets_file: str | None = Field(None, description="the budgets file read, when there is one")


class AnomaliesView(BaseModel):
    model_config = ConfigDict(frozen=True)

    scope: ViewScope
    table: AnomaliesTable


class OptimizationsView(BaseModel):
    model_config = ConfigDict(frozen=True)

    scope: ViewScope
    table: OptimizationsTable
