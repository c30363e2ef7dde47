"""Resources, Budgets, Anomalies and Optimizations: a filterable, sortable grid over one view each.

`enter` on a row opens what the row is about (app/screens/detail_screens.py). Resources page in
SQL: the tab loads the first page, and the grid asks the reader for more, or for a new order or
filter, as the user scrolls, sorts and types.
"""

from __future__ import annotations

from typing import Any, TypeVar

import pyarrow as pa
from textual import on
from textual.app import ComposeResult
from textual.widgets import Static

from finops_tui.app.panes.base import DataPane
from finops_tui.app.screens.detail_screens import RecordScreen, ResourceScreen
from finops_tui.app.screens.drill_targets import record_target
from finops_tui.app.widgets.data_grid import DataGrid
from finops_tui.app.widgets.grid_format import GridFormat
from finops_tui.contract.paging import PageRequest
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
    fmt = GridFormat()
    noun = "rows"
    hidden_columns: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope: ViewScope | None = None

    def compose(self) -> ComposeResult:
        yield Static(self.title, id="caption")
        yield DataGrid(empty_message=self.empty_message, fmt=self.fmt, noun=self.noun)

    def caption(self, view: ViewT) -> str:
        return self.title

    def table_of(self, view: ViewT) -> TableData:
        table: TableData = view.table
        return table

    async def show(self, view: ViewT) -> None:
        self.scope = view.scope
        self.query_one("#caption", Static).update(self.caption(view))
        table = self.table_of(view).table
        hidden = [c for c in self.hidden_columns if c in table.column_names]
        grid = self.query_one(DataGrid)
        grid.currency = view.scope.currency
        await grid.show_table(table.drop_columns(hidden) if hidden else table)

    def focus_main(self) -> None:
        self.query_one(DataGrid).focus_table()

    @on(DataGrid.RowChosen)
    def _row_chosen(self, event: DataGrid.RowChosen) -> None:
        event.stop()
        if self.scope is not None:
            self.open_row(event.row, self.scope)

    def open_row(self, row: dict[str, Any], scope: ViewScope) -> None:
        """What `enter` opens: the record's fields and the cost it is about."""
        target = record_target(self.title, row, scope, self.row_label(row))
        screen = RecordScreen(self.reader, target.scope, row, (self.title, target.label), filters=target.filters,
                              resource_id=target.resource_id)  # fmt: skip
        self.app.push_screen(screen)

    def row_label(self, row: dict[str, Any]) -> str:
        return self.noun


class ResourcesPane(TablePane[ResourcesView]):
    title = "Resources"
    noun = "resources"
    fmt = GridFormat(
        money=frozenset({"this_month", "last_month"}),
        # resource_id goes before service: the resource's name, its id's distinctive end, stays in view
        drop_order=("idle_reason", "state", "type", "region", "account", "resource_id", "idle", "last_month"),
    )
    empty_message = (
        "No resources yet. Resources come from ResourceId in billing exports "
        "(`finops-tui ingest FILE`) and from inventory collectors."
    )

    first_page = PageRequest()

    def load(self, scope: ViewScope) -> None:
        if self.stale:  # the grid's sort and filter, read here on the UI thread, not in the worker
            self.first_page = self.query_one(DataGrid).page_request()
        super().load(scope)

    def fetch(self, scope: ViewScope) -> ResourcesView:
        return self.reader.resources_view(scope, self.first_page)

    async def show(self, view: ResourcesView) -> None:
        scope = view.scope
        grid = self.query_one(DataGrid)
        grid.use_source(lambda page: self._page(scope, page))
        self.scope = scope
        self.query_one("#caption", Static).update(self.caption(view))
        grid.currency = scope.currency
        await grid.show_table(view.table.table, total=view.total)

    def _page(self, scope: ViewScope, page: PageRequest) -> tuple[pa.Table, int | None]:
        got = self.reader.resources_view(scope, page)
        return got.table.table, got.total

    def caption(self, view: ResourcesView) -> str:
        hint = f" · {view.idle_count} flagged IDLE (type / IDLE to list them)" if view.idle_count else ""
        return f"Resources · {view.scope.metric} · {view.scope.label} · this month and last month{hint}"

    def open_row(self, row: dict[str, Any], scope: ViewScope) -> None:
        resource = row.get("resource_id")
        if resource:
            self.app.push_screen(ResourceScreen(self.reader, scope, resource, ("Resources", f"resource {resource}")))


__all__ = ["ResourcesPane", "TablePane"]  # Anomalies, Budgets, Optimizations: their own modules
