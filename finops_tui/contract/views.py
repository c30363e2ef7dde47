"""One model per tab: everything a tab shows, computed once by the source for one `ViewScope`.

Each view carries its scope and its "as of" day (the last day with data, never after today),
so the header, the cards and the tables of a tab always speak of the same days.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from finops_tui.contract.paging import PageRequest
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
    savings: SavingsTotal | None = Field(None, description="open optimizations in the scope's currency")


class ResourcesView(BaseModel):
    model_config = ConfigDict(frozen=True)

    scope: ViewScope
    as_of: date | None
    table: ResourcesTable
    idle_count: int
    page: PageRequest | None = Field(None, description="the slice asked for; None means every resource")
    total: int | None = Field(None, description="resources matching the page's needle; None when not counted")


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


AnomalyStatus = Literal["open", "acknowledged", "muted"]  # what a user can set; "open" clears feedback


class AnomaliesView(BaseModel):
    """Every anomaly of the scope's provider(s), in every currency (each row says its own), muted ones too:
    `status` says which; listing functions hide them unless asked (finops_tui/analysis/anomaly_listing.py)."""

    model_config = ConfigDict(frozen=True)

    scope: ViewScope
    table: AnomaliesTable


class OptimizationsView(BaseModel):
    model_config = ConfigDict(frozen=True)

    scope: ViewScope
    table: OptimizationsTable
    totals: list[SavingsTotal] = Field(default_factory=list, description="one per currency, largest first")


class SavingsTotal(BaseModel):
    """Monthly savings of the open recommendations in one currency, each resource counted once."""

    model_config = ConfigDict(frozen=True)

    currency: str | None
    monthly_savings: float = Field(description="per resource the largest saving of its recommendations, summed")
    recommendations: int
    resources: int
    computed: int = Field(description="how many of the recommendations come from finops-tui's own rules")


KpiView.model_rebuild()  # `savings` and `totals` name SavingsTotal, declared after them
OptimizationsView.model_rebuild()
