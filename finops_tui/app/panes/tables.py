"""Resources, Budgets, Anomalies and Optimizations: a filterable, sortable grid over one reader method each."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
from textual.app import ComposeResult
from textual.widgets import Static

from finops_tui.app.panes.base import Pane, ViewState
from finops_tui.app.widgets.data_grid import DataGrid
from finops_tui.reader import CostReader


class TablePane(Pane):
    """A caption line and a DataGrid; subclasses say which reader method fills it and what empty means."""

    DEFAULT_CSS = """
    TablePane #caption { height: 1; padding: 0 1; text-style: bold; }
    """
    empty_message = "Nothing here yet."
    decimals: dict[str, int] = {}
    noun = "rows"

    def compose(self) -> ComposeResult:
        yield Static(self.title, id="caption")
        yield DataGrid(empty_message=self.empty_message, decimals=self.decimals, noun=self.noun)

    def caption(self, table: pa.Table, state: ViewState) -> str:
        return self.title

    async def show(self, data: tuple[pa.Table, ViewState]) -> None:
        table, state = data
        self.query_one("#caption", Static).update(self.caption(table, state))
        await self.query_one(DataGrid).show_table(table)

    def focus_grid(self) -> None:
        self.query_one(DataGrid).query_one("DataTable").focus()


class ResourcesPane(TablePane):
    title = "Resources"
    noun = "resources"
    decimals = {"this_month": 2, "last_month": 2}
    empty_message = (
        "No resources yet. Resources come from ResourceId in billing exports "
        "(`finops-tui ingest FILE`) and from inventory collectors."
    )

    def fetch(self, reader: CostReader, state: ViewState) -> tuple[pa.Table, ViewState]:
        return reader.resources(state.currency, state.metric, state.provider), state

    def caption(self, table: pa.Table, state: ViewState) -> str:
        idle = pc.sum(pc.equal(table["idle"], "IDLE")).as_py() if table.num_rows else 0
        hint = f" · {idle} flagged IDLE (type / IDLE to list them)" if idle else ""
        return f"Resources · {state.metric} · {state.scope_label} · this month and last month{hint}"


class BudgetsPane(TablePane):
    title = "Budgets"
    noun = "budgets"
    decimals = {"amount": 2, "actual": 2, "forecast": 2, "used_pct": 1, "forecast_pct": 1, "last_period": 2}
    empty_message = (
        "No budgets in this cache. Budgets are read from AWS Budgets by the refresh collectors; "
        "actual spend is computed from the cost data."
    )

    def fetch(self, reader: CostReader, state: ViewState) -> tuple[pa.Table, ViewState]:
        table = reader.budgets(state.metric)
        if "last_period" in table.column_names and table["last_period"].null_count == table.num_rows:
            table = table.drop_columns(["last_period"])  # no budget has history (not from AWS Budgets)
        return table, state

    def caption(self, table: pa.Table, state: ViewState) -> str:
        if not table.num_rows:
            return "Budgets"
        over = pc.sum(pc.equal(table["status"], "OVER")).as_py()
        risk = pc.sum(pc.equal(table["status"], "AT RISK")).as_py()
        return f"Budgets · actual {state.metric} this period vs amount · {over} over, {risk} at risk (forecast)"


class AnomaliesPane(TablePane):
    title = "Anomalies"
    noun = "anomalies"
    decimals = {"actual": 2, "expected": 2, "impact": 2}
    empty_message = (
        "No anomalies recorded. This tab lists cost anomalies from AWS Cost Anomaly Detection "
        "(filled by `finops-tui refresh`) and from finops-tui's own detector over the cost data. "
        "Nothing has written any to this cache yet."
    )

    def fetch(self, reader: CostReader, state: ViewState) -> tuple[pa.Table, ViewState]:
        return reader.anomalies(), state


class OptimizationsPane(TablePane):
    title = "Optimizations"
    noun = "recommendations"
    decimals = {"monthly_savings": 2, "confidence": 2}
    empty_message = (
        "No optimization recommendations recorded. This tab lists savings estimates "
        "(rightsizing, idle resources, commitments) written by `finops-tui refresh` from AWS "
        "recommendations. Nothing has written any to this cache yet."
    )

    def fetch(self, reader: CostReader, state: ViewState) -> tuple[pa.Table, ViewState]:
        return reader.optimizations(), state
