"""Resources, Budgets, Anomalies and Optimizations: a filterable, sortable grid over one view each."""

from __future__ import annotations

from typing import TypeVar

from textual.app import ComposeResult
from textual.widgets import Static

from finops_tui.app.panes.base import DataPane
from finops_tui.app.widgets.data_grid import DataGrid
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.tables import TableData
from finops_tui.contract.views import AnomaliesView, BudgetsView, OptimizationsView, ResourcesView

ViewT = TypeVar("ViewT", ResourcesView, BudgetsView, AnomaliesView, OptimizationsView)


class TablePane(DataPane[ViewT]):
    """A caption line and a DataGrid; subclasses say which view fills it and what empty means."""

    DEFAULT_CSS = """
    TablePane #caption { height: 1; padding: 0 1; text-style: bold; }
    """
    empty_message = "Nothing here yet."
    decimals: dict[str, int] = {}
    noun = "rows"
    hidden_columns: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(self.title, id="caption")
        yield DataGrid(empty_message=self.empty_message, decimals=self.decimals, noun=self.noun)

    def caption(self, view: ViewT) -> str:
        return self.title

    def table_of(self, view: ViewT) -> TableData:
        table: TableData = view.table
        return table

    async def show(self, view: ViewT) -> None:
        self.query_one("#caption", Static).update(self.caption(view))
        table = self.table_of(view).table
        hidden = [c for c in self.hidden_columns if c in table.column_names]
        await self.query_one(DataGrid).show_table(table.drop_columns(hidden) if hidden else table)

    def focus_main(self) -> None:
        self.query_one(DataGrid).focus_table()


class ResourcesPane(TablePane[ResourcesView]):
    title = "Resources"
    noun = "resources"
    decimals = {"this_month": 2, "last_month": 2}
    empty_message = (
        "No resources yet. Resources come from ResourceId in billing exports "
        "(`finops-tui ingest FILE`) and from inventory collectors."
    )

    def fetch(self, scope: ViewScope) -> ResourcesView:
        return self.reader.resources_view(scope)

    def caption(self, view: ResourcesView) -> str:
        hint = f" · {view.idle_count} flagged IDLE (type / IDLE to list them)" if view.idle_count else ""
        return f"Resources · {view.scope.metric} · {view.scope.label} · this month and last month{hint}"


class AnomaliesPane(TablePane[AnomaliesView]):
    title = "Anomalies"
    noun = "anomalies"
    decimals = {"actual": 2, "expected": 2, "impact": 2}
    empty_message = (
        "No anomalies recorded. This tab lists cost anomalies from AWS Cost Anomaly Detection "
        "(filled by `finops-tui refresh`) and from finops-tui's own detector over the cost data. "
        "Nothing has written any to this cache yet."
    )

    def fetch(self, scope: ViewScope) -> AnomaliesView:
        return self.reader.anomalies_view(scope)


class OptimizationsPane(TablePane[OptimizationsView]):
    title = "Optimizations"
    noun = "recommendations"
    decimals = {"monthly_savings": 2, "confidence": 2}
    empty_message = (
        "No optimization recommendations recorded. This tab lists savings estimates "
        "(rightsizing, idle resources, commitments) written by `finops-tui refresh` from AWS "
        "recommendations. Nothing has written any to this cache yet."
    )

    def fetch(self, scope: ViewScope) -> OptimizationsView:
        return self.reader.optimizations_view(scope)


__all__ = ["AnomaliesPane", "OptimizationsPane", "ResourcesPane", "TablePane"]  # Budgets: budgets.py
