"""Optimizations: recommendations from finops-tui's rules and from AWS, with the saving, why, and what to run.

The caption totals the monthly savings per currency (each resource counted once). The line under
the grid explains the highlighted row: where the saving comes from, the evidence behind it, and
the exact AWS CLI command (shown, never run).
"""

from __future__ import annotations

import json
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import Static
from textual_fastdatatable import DataTable

from finops_tui.app.panes.tables import TablePane
from finops_tui.app.widgets.data_grid import DataGrid
from finops_tui.app.widgets.grid_format import GridFormat
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.tables import TableData
from finops_tui.contract.views import OptimizationsView
from finops_tui.money import format_money
from finops_tui.terminal_text import escape_controls

# Saving and where it comes from first; the long texts (command, basis, evidence) last.
COLUMNS = (
    "monthly_savings", "currency", "origin", "rule", "type", "resource_id", "region", "account", "risk",
    "confidence", "effort", "status", "action", "savings_basis", "evidence", "description", "optimization_id",
)  # fmt: skip


def _evidence_text(raw: object) -> str:
    try:
        data = json.loads(str(raw)) if raw else {}
    except ValueError:
        return str(raw)
    if not isinstance(data, dict):
        return str(data)
    return ", ".join(f"{k} {json.dumps(v) if isinstance(v, dict | list) else v}" for k, v in data.items())


class OptimizationsPane(TablePane[OptimizationsView]):
    title = "Optimizations"
    noun = "recommendations"
    fmt = GridFormat(
        money=frozenset({"monthly_savings"}),
        decimals={"confidence": 2},
        currency_column="currency",
        drop_order=("optimization_id", "account", "region", "effort", "status", "confidence", "risk"),
    )
    empty_message = (
        "No optimization recommendations. finops-tui's rules run after every ingest and refresh "
        "(`finops-tui optimizations --evaluate` runs them now) and found nothing to change; AWS rightsizing "
        "recommendations appear here after `finops-tui refresh`."
    )
    DEFAULT_CSS = """
    OptimizationsPane #detail { height: auto; max-height: 6; padding: 0 1; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield Static("", id="detail")

    def fetch(self, scope: ViewScope) -> OptimizationsView:
        return self.reader.optimizations_view(scope)

    def table_of(self, view: OptimizationsView) -> TableData:
        return TableData(table=view.table.table.select(list(COLUMNS)))

    def caption(self, view: OptimizationsView) -> str:
        if not view.totals:
            return "Optimizations"
        totals = "; ".join(
            f"{format_money(t.monthly_savings, t.currency)}/month over {t.resources} resources "
            f"({t.computed} computed here, {t.recommendations - t.computed} from AWS)"
            for t in view.totals
        )
        return f"Optimizations · savings {totals} · each resource counted once"

    async def show(self, view: OptimizationsView) -> None:
        await super().show(view)
        self._explain(0)

    @on(DataTable.CellHighlighted)
    def _highlighted(self, event: DataTable.CellHighlighted) -> None:
        self._explain(event.coordinate.row)

    def _explain(self, row: int) -> None:
        shown = self.query_one(DataGrid).shown
        detail = self.query_one("#detail", Static)
        if shown is None or not 0 <= row < shown.num_rows:
            detail.update("")
            return
        r = shown.slice(row, 1).to_pylist()[0]
        lines = (
            f"run: {r['action'] or '(AWS recommendation: see the AWS console)'}",
            f"saving: {r['savings_basis'] or 'as estimated by AWS'}",
            f"evidence: {_evidence_text(r['evidence']) or '-'}",
        )
        detail.update("\n".join(escape_controls(line) for line in lines))

    def row_label(self, row: dict[str, Any]) -> str:
        return f"optimization {row.get('type')} {row.get('resource_id') or ''}".strip()
