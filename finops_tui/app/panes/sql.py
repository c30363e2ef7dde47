"""The SQL pane: an editor over the read-only, sandboxed cache; runs in a worker, cancellable, honest counts."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static, TextArea

from finops_tui.app.panes.base import CockpitPane
from finops_tui.app.screens.detail_screens import RecordScreen
from finops_tui.app.screens.drill_targets import record_target
from finops_tui.app.widgets.data_grid import DataGrid
from finops_tui.app.widgets.grid_format import GridFormat
from finops_tui.contract.reader import CostReader
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.sql import SqlResult

_EMPTY = pa.table({})
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
        def __init__(self, result: SqlResult | None, error: str | None, sort: tuple[str, str] | None = None) -> None:
            super().__init__()
            self.result, self.error, self.sort = result, error, sort

    def __init__(self, reader: CostReader, row_limit: int, **kwargs: Any) -> None:
        super().__init__(reader, **kwargs)
        self.row_limit = row_limit
        self.running = False
        self.last_sql = ""

    def compose(self) -> ComposeResult:
        editor = TextArea(EXAMPLE, id="sql-editor", soft_wrap=False, show_line_numbers=True)
        editor.border_title = "SQL (ctrl+j / F5 / ctrl+enter to run)"
        yield editor
        yield Static("", id="sql-error", markup=False)  # DuckDB quotes the query: '[/x]' is text
        yield Static("Ready.", id="sql-status")
        yield DataGrid(empty_message="The query returned no rows.", noun="rows", fmt=GridFormat(humanize=False))

    def focus_main(self) -> None:
        self.query_one("#sql-editor").focus()

    def action_run_query(self) -> None:
        sql = self.query_one(TextArea).text.strip()
        if not sql or self.running:
            return
        self.running = True
        self.remove_class("error")
        self.query_one("#sql-status", Static).update("Running… (esc cancels)")
        self.last_sql = sql
        self.query_one(DataGrid).sort_key = None
        self._run(sql)

    def action_cancel_query(self) -> None:
        if self.running:
            self.reader.cancel_sql()
        else:
            self.query_one(DataGrid).focus_table()

    @work(thread=True, exclusive=True, exit_on_error=False, group="sql")
    def _run(self, sql: str, sort: tuple[str, str] | None = None) -> None:
        try:
            self.post_message(self.Finished(self.reader.run_sql(sql, self.row_limit), None, sort))
        except Exception as exc:
            self.post_message(self.Finished(None, str(exc), sort))

    @on(DataGrid.SortRequested)
    def _sort_requested(self, event: DataGrid.SortRequested) -> None:
        """A truncated result is sorted by the engine over every row (ORDER BY), not only the rows shown."""
        event.stop()
        if self.running or not self.last_sql:
            return
        body = self.last_sql.rstrip().rstrip(";")
        column = event.column.replace('"', '""')
        direction = "DESC" if event.descending else "ASC"
        self.running = True
        self.query_one("#sql-status", Static).update(f"Sorting every row by {event.column} (ORDER BY)…")
        sort = (event.column, "descending" if event.descending else "ascending")
        self._run(f'SELECT * FROM (\n{body}\n) AS result ORDER BY "{column}" {direction} NULLS LAST', sort)

    @on(DataGrid.RowChosen)
    def _row_chosen(self, event: DataGrid.RowChosen) -> None:
        """A result row opens its fields, and the cost it names (resource, service, account…) if any."""
        event.stop()
        scope: ViewScope = getattr(self.app, "scope", ViewScope(currency=None))
        target = record_target("SQL", event.row, scope, "result row")
        about = bool(target.filters)
        screen = RecordScreen(self.reader, target.scope, event.row, ("SQL", target.label), filters=target.filters,
                              resource_id=target.resource_id, about=about)  # fmt: skip
        self.app.push_screen(screen)

    @on(Finished)
    async def _finished(self, message: Finished) -> None:
        self.running = False
        status = self.query_one("#sql-status", Static)
        grid = self.query_one(DataGrid)
        if message.error is not None and message.sort is not None:
            grid.sort_in_source = False  # not a query ORDER BY can wrap: sort the rows shown, and say so
            shown = grid.full if grid.full is not None else _EMPTY
            await grid.show_table(shown, note=f"sorted only the {shown.num_rows:,} rows shown")
            status.update(f"Could not re-run with ORDER BY ({message.error.splitlines()[0]})")
            return
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
        grid.sort_key = message.sort
        grid.sort_in_source = result.truncated
        order = f" · ORDER BY {message.sort[0]} over every row" if message.sort else ""
        status.update(f"{count} · {result.elapsed_ms:,.0f} ms{order}")
        await grid.show_table(result.table.table, note="")
