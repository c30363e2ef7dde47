"""A table of Arrow rows with the k9s grammar: `/` filters, `s` sorts by the cursor's column, an honest count.

Holds the full result; filtering and sorting run on the Arrow table (pyarrow.compute) and the
visible textual-fastdatatable is rebuilt from the result, which stays fast at 100k rows. Money
columns are shown as exact 2-decimal numbers (still numbers, so they sort and right-align).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Input, Static
from textual_fastdatatable import ArrowBackend, DataTable

from finops_tui.terminal_text import CONTROLS_PATTERN, escape_controls


def display_ready(table: pa.Table, decimals: dict[str, int]) -> pa.Table:
    """Round float columns to fixed decimals (as Decimal) so cells read 1234.50, not 1.2345e+03, and
    show control characters in text (an ESC from a billing file) escaped, never raw on the terminal."""
    columns = []
    for field, column in zip(table.schema, table.columns, strict=True):
        places = decimals.get(field.name)
        if places is not None and (pa.types.is_floating(field.type) or pa.types.is_decimal(field.type)):
            import pyarrow.compute as pc  # only here: 8 MB and 25 ms that an empty grid or the KPI tab do not need

            column = pc.round(pc.cast(column, pa.float64()), places).cast(pa.decimal128(24, places))
        elif pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            column = _escaped(column)
        columns.append(column)
    return pa.table(columns, names=[escape_controls(n) for n in table.column_names])


def _escaped(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """The column with control characters escaped; one regex scan when there are none (the usual case)."""
    import pyarrow.compute as pc

    if not pc.any(pc.match_substring_regex(column, CONTROLS_PATTERN)).as_py():
        return column
    values = [None if v is None else escape_controls(v) for v in column.to_pylist()]
    return pa.chunked_array([pa.array(values, column.type)])


def filter_rows(table: pa.Table, needle: str) -> pa.Table:
    """Rows where any text column contains `needle`, case-insensitively."""
    import pyarrow.compute as pc

    if not needle:
        return table
    mask = None
    for field, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            hit = pc.fill_null(pc.match_substring(column, needle, ignore_case=True), False)
            mask = hit if mask is None else pc.or_(mask, hit)
    return table.filter(mask) if mask is not None else table.slice(0, 0)


class DataGrid(Vertical):
    """A filterable, sortable results table with a status line and an empty state."""

    DEFAULT_CSS = """
    DataGrid { height: 1fr; }
    DataGrid > #filter { display: none; height: 3; }
    DataGrid.filtering > #filter { display: block; }
    DataGrid > #status { height: 1; color: $text-muted; padding: 0 1; }
    DataGrid > #empty { height: auto; padding: 1 2; color: $text-muted; display: none; }
    DataGrid.empty > #empty { display: block; }
    DataGrid.empty > DataTable { display: none; }
    DataGrid > DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding(
            "slash",
            "start_filter",
            "Filter",
            id="grid.filter",
            tooltip="filter rows: text found in any column, case-insensitive",
        ),
        Binding(
            "s", "sort_cursor_column", "Sort", id="grid.sort", tooltip="sort by the cursor's column; again to reverse"
        ),
        Binding(
            "escape", "clear_filter", "Clear filter", show=False, id="grid.clear_filter", tooltip="clear the filter"
        ),
    ]
    needle: reactive[str] = reactive("")

    def __init__(
        self,
        *,
        empty_message: str = "No rows.",
        decimals: dict[str, int] | None = None,
        noun: str = "rows",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.empty_message = empty_message
        self.decimals = decimals or {}
        self.noun = noun
        self.full: pa.Table | None = None
        self.shown: pa.Table | None = None
        self.sort_key: tuple[str, str] | None = None
        self.note = ""
        # The grid swaps its table on every load (textual-fastdatatable cannot clear one). It keeps the one
        # on screen here and never looks it up with query_one: Textual's query cache (1,024 entries per
        # node, keyed by DOM generation) would otherwise hold every replaced table, and its Arrow data.
        self.table = self._new_table(pa.table({}))

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter: text to find in any column (esc clears)", id="filter")
        yield Static(self.empty_message, id="empty")
        yield self.table
        yield Static("", id="status")

    def _new_table(self, data: pa.Table) -> DataTable:
        return DataTable(
            backend=ArrowBackend(display_ready(data, self.decimals)),
            show_row_labels=False,
            max_column_content_width=48,
            render_markup=False,
            null_rep="",
            cursor_type="cell",
        )

    # -- data ---------------------------------------------------------------------------
    async def show_table(self, table: pa.Table, note: str = "") -> None:
        self.full = table
        self.note = note
        await self._rebuild()

    async def _rebuild(self) -> None:
        if self.full is None:
            return
        shown = filter_rows(self.full, self.needle)
        if self.sort_key and self.sort_key[0] in shown.column_names:
            shown = shown.sort_by([self.sort_key])
        self.shown = shown
        self.set_class(self.full.num_rows == 0, "empty")
        old = self.table
        cursor, focused = old.cursor_coordinate, old.has_focus
        await old.remove()
        table = self.table = self._new_table(shown)
        await self.mount(table, before=self.query_one("#status"))
        if shown.num_rows:
            table.move_cursor(row=min(cursor.row, shown.num_rows - 1), column=cursor.column)
        if focused:
            table.focus()
        self._update_status()

    def focus_table(self) -> None:
        self.table.focus()

    def _update_status(self) -> None:
        total = self.full.num_rows if self.full is not None else 0
        shown = self.shown.num_rows if self.shown is not None else 0
        parts = [
            f"{shown:,} of {total:,} {self.noun} match “{self.needle}”" if self.needle else f"{total:,} {self.noun}"
        ]
        if self.sort_key:
            parts.append(f"sorted by {self.sort_key[0]} {'↑' if self.sort_key[1] == 'ascending' else '↓'}")
        if self.note:
            parts.append(self.note)
        self.query_one("#status", Static).update(" · ".join(parts))

    # -- filter and sort ------------------------------------------------------------------
    def action_start_filter(self) -> None:
        self.add_class("filtering")
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.value = ""
        self.remove_class("filtering")
        self.table.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.needle = event.value

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    async def watch_needle(self) -> None:
        await self._rebuild()

    async def sort_by(self, column: str) -> None:
        direction = "descending"
        if self.sort_key and self.sort_key[0] == column:
            direction = "ascending" if self.sort_key[1] == "descending" else "descending"
        self.sort_key = (column, direction)
        await self._rebuild()

    async def action_sort_cursor_column(self) -> None:
        if self.shown is not None and self.shown.num_columns:
            column = self.table.cursor_column
            await self.sort_by(self.shown.column_names[min(column, self.shown.num_columns - 1)])

    @on(DataTable.HeaderSelected)
    async def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        if self.shown is not None:
            await self.sort_by(self.shown.column_names[event.column_index])
