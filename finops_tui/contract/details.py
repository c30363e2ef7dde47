"""Drill-down: what a detail screen shows about one cost dimension, one resource, or the rows behind them.

A `CostFilter` names what the user opened (a service, an account, a resource, a budget's services…)
by raw column value, never by the label a table shows, so the same filter works whatever the
label says. Every figure is for one `ViewScope` (one currency) and its "as of" day, like the tabs.
Paged results say which slice of how many rows they hold, so the screen can say "rows 1–200 of N".
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from finops_tui.contract.paging import PageRequest
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.tables import D, F, S, TableData, _schema
from finops_tui.contract.views import DailyPoint

# What a drill can filter cost rows by; each maps to one FOCUS column (cache/detail_queries.py).
DrillDimension = Literal[
    "service", "account", "region", "provider", "resource", "usage_type", "service_category", "charge_category"
]
DRILL_DIMENSIONS: tuple[DrillDimension, ...] = get_args(DrillDimension)
# The breakdowns a dimension detail lists, in this order, leaving out the ones the filter fixes.
BREAKDOWN_DIMENSIONS: tuple[DrillDimension, ...] = ("resource", "usage_type", "region", "account", "service")
BREAKDOWN_ROWS = 8  # rows per breakdown dimension


class CostFilter(BaseModel):
    """Cost rows whose `dimension` is one of `values` (None matches rows where the column is empty)."""

    model_config = ConfigDict(frozen=True)

    dimension: DrillDimension
    values: tuple[str | None, ...]

    @property
    def label(self) -> str:
        shown = ", ".join("(none)" if v is None else v for v in self.values)
        return f"{self.dimension.replace('_', ' ')} {shown}"


class BreakdownTable(TableData):
    """Top values of each sub-dimension this period vs the same days of the previous one."""

    SCHEMA = _schema(
        ("dimension", S), ("name", S), ("this_period", F), ("previous_same_days", F), ("delta", F), ("key", S),
    )  # fmt: skip


class CostRowsTable(TableData):
    """Cost line items (FOCUS names), the scope's metric as `cost`."""

    SCHEMA = _schema(
        ("day", D), ("cost", F), ("service", S), ("resource_id", S), ("usage_type", S), ("region", S),
        ("account", S), ("charge_category", S), ("quantity", F), ("unit", S), ("provider", S),
        ("billed_cost", F), ("effective_cost", F), ("sku_id", S), ("dataset", S),
    )  # fmt: skip


COST_ROW_SORTS: tuple[str, ...] = tuple(CostRowsTable.SCHEMA.names)


class CostRowsPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    scope: ViewScope
    filters: tuple[CostFilter, ...]
    period_start: date | None
    as_of: date | None
    page: PageRequest
    total: int | None = Field(description="rows matching filters and needle; None when not asked to count")
    table: CostRowsTable


class DimensionDetail(BaseModel):
    """A cost dimension (or several filters at once) this period and the previous one."""

    model_config = ConfigDict(frozen=True)

    scope: ViewScope
    filters: tuple[CostFilter, ...]
    as_of: date | None
    period_start: date | None
    previous_start: date | None
    this_period: float
    previous_same_days: float
    previous_period: float
    current: list[DailyPoint] = Field(description="each day from period_start to as_of, zeros included")
    previous: list[DailyPoint] = Field(description="each day of the previous month, zeros included")
    breakdown: BreakdownTable


class ResourceMonth(BaseModel):
    model_config = ConfigDict(frozen=True)

    month: date
    cost: float


class ResourceDetail(BaseModel):
    """One resource: what the inventory says, what it cost, and what the analysis says about it."""

    model_config = ConfigDict(frozen=True)

    scope: ViewScope
    resource_id: str
    fields: dict[str, Any] = Field(description="inventory and billing fields, every value as text or None")
    tags: dict[str, Any]
    metrics: dict[str, Any] = Field(description="utilisation summaries as the inventory recorded them")
    history: list[ResourceMonth] = Field(description="cost per month, oldest first, the scope's metric")
    anomalies: TableData
    optimizations: TableData
