"""`CostReader`: the one read interface every screen uses, whatever the source.

Coarse-grained: one call returns what one tab needs, computed once. Every method returns a
model from this package, so an implementation over HTTP returns exactly what the local one
does. Calls block: the cockpit makes them from worker threads.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from finops_tui.contract.details import CostFilter, CostRowsPage, DimensionDetail, ResourceDetail
from finops_tui.contract.paging import PageRequest
from finops_tui.contract.provenance import Overview
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.sql import SqlResult
from finops_tui.contract.views import (
    AnomaliesView,
    AnomalyStatus,
    BudgetsView,
    KpiView,
    OptimizationsView,
    ResourcesView,
)


@runtime_checkable
class CostReader(Protocol):
    contract_version: str

    def overview(self) -> Overview:
        """Source, datasets with ages, currencies by spend, providers, the latest refresh."""
        ...

    def kpi_view(self, scope: ViewScope) -> KpiView: ...

    def resources_view(self, scope: ViewScope, page: PageRequest | None = None) -> ResourcesView:
        """Every resource, or one page of them sorted and filtered by the source (`page`)."""
        ...

    def budgets_view(self, scope: ViewScope) -> BudgetsView: ...

    def anomalies_view(self, scope: ViewScope) -> AnomaliesView: ...

    def optimizations_view(self, scope: ViewScope) -> OptimizationsView: ...

    def set_anomaly_feedback(self, anomaly_id: str, status: AnomalyStatus, note: str | None = None) -> None:
        """Acknowledge or mute an anomaly (muting applies to its series), or open it again. Kept across
        refreshes and re-ingests; raises a FinopsError when the source is read-only or has no such anomaly."""
        ...

    def dimension_detail(self, scope: ViewScope, filters: tuple[CostFilter, ...]) -> DimensionDetail:
        """A drilled figure: its days this period and the previous one, and its top sub-dimensions."""
        ...

    def cost_rows(self, scope: ViewScope, filters: tuple[CostFilter, ...], page: PageRequest) -> CostRowsPage:
        """The cost line items behind a drilled figure, one page, sorted and filtered by the source."""
        ...

    def resource_detail(self, scope: ViewScope, resource_id: str) -> ResourceDetail: ...

    def budget_filters(self, budget_id: str) -> tuple[CostFilter, ...]:
        """The cost a budget counts, as drill filters (empty for a budget over all spend)."""
        ...

    def run_sql(self, sql: str, limit: int) -> SqlResult:
        """Run user SQL read-only and sandboxed; raises QueryError with the engine's message."""
        ...

    def cancel_sql(self) -> None: ...

    def has_changed(self) -> bool:
        """True when the source has new data since the last `reload()`."""
        ...

    def reload(self) -> None: ...

    def close(self) -> None: ...
