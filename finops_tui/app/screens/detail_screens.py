"""Drill-down screens, k9s style: pushed over the tabs, `esc` pops back to exactly where the user was.

The screen underneath is never rebuilt, so its cursor, sort and filter are as the user left them.
Each screen carries its breadcrumb trail; drilling further pushes another screen with one more step.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from finops_tui.app.screens.breadcrumb import Breadcrumb
from finops_tui.app.screens.cost_panel import CostPanel
from finops_tui.app.screens.describe import fields_table
from finops_tui.app.screens.resource_info import ResourceInfo
from finops_tui.app.widgets.footer import CockpitFooter
from finops_tui.contract.details import CostFilter
from finops_tui.contract.reader import CostReader
from finops_tui.contract.scope import ViewScope


class DrillScreen(Screen[None]):
    """Breadcrumb on top, a body, the footer; opening something inside pushes the next screen."""

    DEFAULT_CSS = """
    DrillScreen #record { height: auto; max-height: 30%; padding: 0 1; border-bottom: solid $panel; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="drill.back", tooltip="back to where you were"),
        # A detail is about one metric, currency and provider: changing them here would change the tabs
        # underneath, out of sight, while this screen went on showing the old scope.
        Binding("m,c,p", "scope_is_fixed", show=False, id="drill.scope_fixed"),
    ]

    def action_scope_is_fixed(self) -> None:
        self.app.notify(
            f"This detail is for {self.scope.metric} · {self.scope.label}. Press esc to go back to the tabs "
            "and change the metric (m), currency (c) or provider (p) there.",
            title="Scope fixed here",
            timeout=6,
        )

    def __init__(self, reader: CostReader, scope: ViewScope, trail: tuple[str, ...]) -> None:
        super().__init__()
        self.reader, self.scope, self.trail = reader, scope, trail

    def compose(self) -> ComposeResult:
        yield Breadcrumb(self.trail, id="breadcrumb")
        yield from self.body()
        yield CockpitFooter()

    def body(self) -> ComposeResult:
        yield from ()

    @on(CostPanel.Drill)
    def _drill(self, message: CostPanel.Drill) -> None:
        message.stop()
        trail = (*self.trail, message.label)
        if message.resource_id is not None:
            self.app.push_screen(ResourceScreen(self.reader, self.scope, message.resource_id, trail))
        else:
            self.app.push_screen(DimensionScreen(self.reader, self.scope, message.filters, trail))


class DimensionScreen(DrillScreen):
    """A service, account, region, provider, usage type… or several at once."""

    def __init__(
        self, reader: CostReader, scope: ViewScope, filters: tuple[CostFilter, ...], trail: tuple[str, ...]
    ) -> None:
        super().__init__(reader, scope, trail)
        self.filters = filters

    def body(self) -> ComposeResult:
        title = " · ".join(f.label for f in self.filters) or "all spend"
        yield CostPanel(self.reader, self.scope, self.filters, title, id="cost-panel")


class ResourceScreen(DrillScreen):
    def __init__(self, reader: CostReader, scope: ViewScope, resource_id: str, trail: tuple[str, ...]) -> None:
        super().__init__(reader, scope, trail)
        self.resource_id = resource_id

    def body(self) -> ComposeResult:
        yield ResourceInfo(self.reader, self.scope, self.resource_id, id="resource-info")
        filters = (CostFilter(dimension="resource", values=(self.resource_id,)),)
        yield CostPanel(self.reader, self.scope, filters, f"resource {self.resource_id}", id="cost-panel")


class RecordScreen(DrillScreen):
    """A budget, an anomaly, an optimization or a SQL row: its fields, then the cost it is about."""

    def __init__(
        self,
        reader: CostReader,
        scope: ViewScope,
        row: dict[str, Any],
        trail: tuple[str, ...],
        *,
        filters: tuple[CostFilter, ...] = (),
        resource_id: str | None = None,
        about: bool = True,
    ) -> None:
        super().__init__(reader, scope, trail)
        self.row, self.filters, self.resource_id, self.about = row, filters, resource_id, about

    def body(self) -> ComposeResult:
        with VerticalScroll(id="record"):
            yield Static(fields_table(self.row), id="record-fields")
        if not self.about:
            return
        if self.resource_id:
            yield ResourceInfo(self.reader, self.scope, self.resource_id, id="resource-info")
            filters = (CostFilter(dimension="resource", values=(self.resource_id,)),)
            yield CostPanel(self.reader, self.scope, filters, f"resource {self.resource_id}", id="cost-panel")
        else:
            title = " · ".join(f.label for f in self.filters) or "all spend"
            yield CostPanel(self.reader, self.scope, self.filters, title, id="cost-panel")
