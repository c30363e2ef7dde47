"""The SQL pane: an editor over the read-only, sandboxed cache; runs in a worker, cancellable, honest counts."""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static, TextArea

from finops_tui.app.panes.base import CockpitPane
from finops_tui.app.widgets.data_grid import DataGrid
from finops_tui.contract.reader import CostReader
from finops_tui.contract.sql import SqlResult

EXAMPLE = """-- ctrl+j or F5 runs; esc cancels a running query. Tables: costs (FOCUS), cost_daily, datasets,
-- resources, budgets, anomalies, optimizations. Read-only and sandboxed.
SELECT ServiceName, round(sum(EffectiveCost), 2) AS cost
FROM costs
WHERE ChargePeriodStart >= date_trunc('month', current_date) - INTERVAL 1 MONTH
GROUP BY ALL ORDER BY cost DESC;
"""


class SqlPane(CockpitPane):
    title = "SQL"
    DEFAULT_CSS = """
    SqlPane TextArea { height: 9; border: round $primary; }
    SqlPane #sql-error { display: none; color: $error; padding: 0 1; height: auto; max-height: 6; }
    SqlPane.error #sql-error { display: block; }
    SqlPane #sql-status { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("ctrl+j", "run_query", "Run query", id="sql.run", tooltip="run the query (works in tmux)"),
        Binding("f5", "run_query", "Run", show=False, id="sql.run_f5", tooltip="run the query"),
        Binding("ctrl+enter", "run_query", "Run", show=False, id="sql.run_ctrl_enter", tooltip="run the query"),
        Binding(
            "escape",
            "cancel_query",
            "Cancel",
            show=False,
            id="sql.cancel",
            tooltip="cancel a running query, else leave the editor for the results",
        ),
    ]

    class Finished(Message):
        def __init__(self, result: SqlResult | None, error: str | None) -> None:
            super().__init__()
            self.result, self.error = result, error

    def __init__(self, reader: CostReader, row_limit: int, **kwargs: Any) -> None:
        super().__init__(reader, **kwargs)
        self.row_limit = row_limit
        self.running = False

    def compose(self) -> ComposeResult:
        editor = TextArea(EXAMPLE, id="sql-editor", soft_wrap=False, show_line_numbers=True)
        editor.border_title = "SQL (ctrl+j / F5 / ctrl+enter to run)"
        yield editor
        yield Static("", id="sql-error", markup=False)  # DuckDB quotes the query: '[/x]' is text
        yield Static("Ready.", id="sql-status")
        yield DataGrid(empty_message="The query returned no rows.", noun="rows")

    def focus_main(self) -> None:
        self.query_one("#sql-editor").focus()

    def action_run_query(self) -> None:
        sql = self.query_one(TextArea).text.strip()
        if not sql or self.running:
            return
        self.running = True
        self.remove_class("error")
        self.query_one("#sql-status", Static).update("Running… (esc cancels)")
        self._run(sql)

    def action_cancel_query(self) -> None:
        if self.running:
            self.reader.cancel_sql()
        else:
            self.query_one(DataGrid).focus_table()

    @work(thread=True, exclusive=True, exit_on_error=False, group="sql")
    def _run(self, sql: str) -> None:
        try:
            self.post_message(self.Finished(self.reader.run_sql(sql, self.row_limit), None))
        except Exception as exc:
            self.post_message(self.Finished(None, str(exc)))

    @on(Finished)
    async def _finished(self, message: Finished) -> None:
        self.running = False
        status = self.query_one("#sql-status", Static)
        if message.error is not None:
            self.add_class("error")
            self.query_one("#sql-error", Static).update(message.error)
            status.update("Query failed; the previous result is kept below.")
            return
        result = message.result
        assert result is not None
        count = (
            f"showing {result.table.num_rows:,} of {result.total_rows:,} rows (row limit {self.row_limit:,})"
            if result.truncated
            else f"{result.total_rows:,} rows"
        )
        status.update(f"{count} · {result.elapsed_ms:,.0f} ms")
        await self.query_one(DataGrid).show_table(result.table.table)
