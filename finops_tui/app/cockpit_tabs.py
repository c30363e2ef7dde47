"""The six tabs, each with its pane: built when the source is open.

Kept out of main_app.py so the cockpit's shell (header, footer, "Opening …") paints before the panes,
their grids and the contract's views are imported (cli._run_tui, benchmarks/compare_harlequin.py).
"""

from __future__ import annotations

from textual.widgets import TabbedContent, TabPane

from finops_tui.app.panes.anomalies import AnomaliesPane
from finops_tui.app.panes.base import CockpitPane
from finops_tui.app.panes.budgets import BudgetsPane
from finops_tui.app.panes.kpis import KpiPane
from finops_tui.app.panes.optimizations import OptimizationsPane
from finops_tui.app.panes.sql import SqlPane
from finops_tui.app.panes.tables import ResourcesPane
from finops_tui.app.tabs import TABS
from finops_tui.contract.reader import CostReader

_PANES: dict[str, type[CockpitPane]] = {
    "kpis": KpiPane,
    "resources": ResourcesPane,
    "anomalies": AnomaliesPane,
    "budgets": BudgetsPane,
    "optimizations": OptimizationsPane,
}


def cockpit_tabs(reader: CostReader, sql_row_limit: int, *, only: str | None = None) -> TabbedContent:
    """`1 KPIs` … `6 SQL`, the KPI tab first and shown. Built as `with TabbedContent(): with TabPane():`
    in a compose method builds it (compose_add_child), so composing and mounting later give the same tabs.

    With `only`, the other tabs start empty and get their panes (`pane_for`) once the first one shows
    its numbers: the cockpit's first KPIs do not wait for five hidden tabs to be built."""
    tabs = TabbedContent(initial="kpis", id="tabs")
    for number, (tab, label) in enumerate(TABS, start=1):
        panes = [pane_for(tab, reader, sql_row_limit)] if only in (None, tab) else []
        tabs.compose_add_child(TabPane(f"{number} {label}", *panes, id=tab))
    return tabs


def pane_for(tab: str, reader: CostReader, sql_row_limit: int) -> CockpitPane:
    if tab == "sql":
        return SqlPane(reader, sql_row_limit, id="pane-sql")
    return _PANES[tab](reader, id=f"pane-{tab}")
