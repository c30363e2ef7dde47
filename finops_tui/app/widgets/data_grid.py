"""A table of Arrow rows with the k9s grammar: `/` filters, `s` sorts, `enter` opens, `d` describes, `y` copies.

Two modes. Local: the grid holds the whole result and filters/sorts it with pyarrow.compute.
Paged (`source` set): the grid holds the pages loaded so far; sorting and filtering ask the
source again (ORDER BY / WHERE in SQL over every row), scrolling past the last loaded row
(down or PgDn at the end) loads the next page, and the status says "rows 1–200 of 48,210".
Values are formatted only in the copy the DataTable renders (grid_format.py); `d` and `y`
read the raw row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
from textual import events, on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Static
from textual_fastdatatable import ArrowBackend, DataTable

from finops_tui.app.widgets.clipboard import copy_cell, copy_row
from finops_tui.app.widgets.grid_format import (
    NULL_MARKUP,
    GridFormat,
    columns_to_hide,
    display_table,
    header_label,
    header_text,
)
from finops_tui.contract.paging import PageRequest

PAGE_ROWS = 200
# Fetches a page in a worker thread: (rows, total or None when not counted).
PageSource = Callable[[PageRequest], tuple[pa.Table, int | None]]


def filter_rows(table: pa.Table, needle: str) -> pa.Table:
    """Rows where any column, numbers included, contains `needle`, case-insensitively."""
    import pyarrow.compute as pc  # only when used: 8 MB and 25 ms the first frame does not need

    if not needle:
        return table
    mask = None
    for field, column in zip(table.schema, table.columns, strict=True):
        if pa.types.is_nested(field.type) or pa.types.is_binary(field.type):
            continue
        text = column if pa.types.is_string(field.type) else pc.cast(column, pa.string())
        hit = pc.fill_null(pc.match_substring(text, needle, ignore_case=True), False)
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
        Binding("enter", "open_row", "Open", id="grid.open", tooltip="open the row: its detail, costs and rows"),
        Binding(
            "slash",
            "start_filter",
            "Filter",
            id="grid.filter",
            tooltip="filter rows: text or number found in any column, case-insensitive",
        ),
        Binding(
            "s", "sort_cursor_column", "Sort", id="grid.sort", tooltip="sort by the cursor's column; again to reverse"
        ),
        Binding("d", "describe", "Describe", id="grid.describe", tooltip="every column of the row, full values"),
        Binding("y", "copy_cell", "Copy", id="grid.copy", tooltip="copy the cell (OSC 52)"),
        Binding("Y", "copy_row", "Copy row", show=False, id="grid.copy_row", tooltip="copy the row as JSON (OSC 52)"),
        Binding(
            "escape", "clear_filter", "Clear filter", show=False, id="grid.clear_filter", tooltip="clear the filter"
        ),
    ]
    needle: reactive[str] = reactive("")

    class RowChosen(Message):
        """`enter` on a row: its raw values, for the pane to open."""

        def __init__(self, grid: DataGrid, row: dict[str, Any]) -> None:
            super().__init__()
            self.grid, self.row = grid, row

        @property
        def control(self) -> DataGrid:
            return self.grid

    class PageArrived(Message):
        def __init__(self, generation: int, table: pa.Table, total: int | None, append: bool) -> None:
            super().__init__()
            self.generation, self.table, self.total, self.append = generation, table, total, append

    class PageFailed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class SortRequested(Message):
        """Sorting a truncated result: the owner re-queries with ORDER BY (see `sort_in_source`)."""

        def __init__(self, grid: DataGrid, column: str, descending: bool) -> None:
            super().__init__()
            self.grid, self.column, self.descending = grid, column, descending

    def __init__(
        self,
        *,
        empty_message: str = "No rows.",
        decimals: dict[str, int] | None = None,
        noun: str = "rows",
        fmt: GridFormat | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.empty_message = empty_message
        self.fmt = fmt or GridFormat(decimals=decimals or {})
        self.noun = noun
        self.currency: str | None = None
        self.full: pa.Table | None = None
        self.shown: pa.Table | None = None
        self.sort_key: tuple[str, str] | None = None
        self.note = ""
        self.source: PageSource | None = None
        self.total: int | None = None
        self.sort_in_source = False  # set by an owner that re-queries a truncated result on `s`
        self.hidden: list[str] = []
        self.visible_columns: list[str] = []
        self._generation = 0
        self._loading_more = False
        # The grid swaps its table on every load (textual-fastdatatable cannot clear one). It keeps the one
        # on screen here and never looks it up with query_one: Textual's query cache (1,024 entries per
        # node, keyed by DOM generation) would otherwise hold every replaced table, and its Arrow data.
        self.table = self._new_table(pa.table({}), [])

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter: text or number in any column (esc clears)", id="filter")
        yield Static(self.empty_message, id="empty")
        yield self.table
        yield Static("", id="status")

    def _new_table(self, data: pa.Table, labels: list[str]) -> DataTable:
        arrow = None
        if self.sort_key:
            arrow = "↑" if self.sort_key[1] == "ascending" else "↓"
        headers: list[Any] = [
            header_text(label, arrow if name == (self.sort_key or ("",))[0] else None)
            for name, label in zip(data.column_names, labels, strict=True)
        ]
        return DataTable(
            backend=ArrowBackend(data),
            column_labels=headers if headers else None,
            show_row_labels=False,
            max_column_content_width=self.fmt.max_width,
            render_markup=False,
            null_rep=NULL_MARKUP,
            cursor_type="cell",
        )

    # -- data ---------------------------------------------------------------------------
    async def show_table(self, table: pa.Table, note: str | None = None, *, total: int | None = None) -> None:
        """Show a whole result (local mode), or the first page of a paged one (`total` rows in all)."""
        self.full = table
        if note is not None:
            self.note = note
        self.total = total
        self._generation += 1  # pages still in flight belong to the previous load
        self._loading_more = False
        await self._rebuild()

    def use_source(self, source: PageSource | None) -> None:
        """Page through `source` from now on (None: back to local filtering and sorting)."""
        self.source = source

    def page_request(self, offset: int = 0, count_total: bool = True) -> PageRequest:
        sort = self.sort_key[0] if self.sort_key else None
        descending = self.sort_key is None or self.sort_key[1] == "descending"
        return PageRequest(
            offset=offset, limit=PAGE_ROWS, sort=sort, descending=descending, needle=self.needle,
            count_total=count_total,
        )  # fmt: skip

    async def _rebuild(self) -> None:
        if self.full is None:
            return
        shown = self.full
        if self.source is None:
            shown = filter_rows(self.full, self.needle)
            if self.sort_key and self.sort_key[0] in shown.column_names and not self.sort_in_source:
                shown = shown.sort_by([self.sort_key])
        self.shown = shown
        self.set_class(self.full.num_rows == 0 and not self.needle, "empty")
        await self._render_table()

    async def _render_table(self) -> None:
        shown = self.shown
        assert shown is not None
        display = display_table(shown, self.fmt, self.currency)
        self.hidden = self._columns_to_hide(display.slice(0, 200))  # the same sample on_resize measures
        if self.hidden:
            display = display.drop_columns(self.hidden)
        self.visible_columns = display.column_names
        labels = [header_label(n, self.fmt.humanize) for n in self.visible_columns]
        old = self.table
        cursor, focused = old.cursor_coordinate, old.has_focus
        table = self.table = self._new_table(display, labels)
        # The new table is mounted and focused before the old one goes, so focus never leaves the grid
        # and a key pressed during the swap (s, /, enter) still reaches it.
        await self.mount(table, before=self.query_one("#status"))
        if shown.num_rows:
            table.move_cursor(row=min(cursor.row, shown.num_rows - 1), column=min(cursor.column, len(labels) - 1))
        if focused:
            table.focus(scroll_visible=False)
        await old.remove()
        self._update_status()

    def _columns_to_hide(self, display: pa.Table) -> list[str]:
        return columns_to_hide(display, self.fmt, self.size.width)

    async def on_resize(self, event: events.Resize) -> None:
        """Hide or show columns for the new width now, not later: the next frame is already right."""
        if self.shown is not None and self.fmt.drop_order:
            display = display_table(self.shown.slice(0, 200), self.fmt, self.currency)
            if self._columns_to_hide(display) != self.hidden:
                await self._render_table()

    def focus_table(self) -> None:
        self.table.focus()

    def _update_status(self) -> None:
        loaded = self.full.num_rows if self.full is not None else 0
        shown = self.shown.num_rows if self.shown is not None else 0
        if self.source is not None:
            total = self.total if self.total is not None else loaded
            match = f" matching “{self.needle}”" if self.needle else ""
            span = f"rows 1–{loaded:,} of {total:,} {self.noun}{match}" if loaded else f"no {self.noun}{match}"
            parts = [span + (" (PgDn at the end loads more)" if loaded < total else "")]
        elif self.needle:
            parts = [f"{shown:,} of {loaded:,} {self.noun} match “{self.needle}”"]
        else:
            parts = [f"{loaded:,} {self.noun}"]
        if self.sort_key:
            arrow = "↑" if self.sort_key[1] == "ascending" else "↓"
            parts.append(f"sorted by {header_label(self.sort_key[0], self.fmt.humanize)} {arrow}")
        if self.hidden:
            names = ", ".join(header_label(h, self.fmt.humanize).lower() for h in self.hidden)
            parts.append(f"hidden: {names} — widen or press d")
        if self.note:
            parts.append(self.note)
        self.query_one("#status", Static).update(" · ".join(parts))

    # -- paged source ---------------------------------------------------------------------
    def reload_pages(self) -> None:
        """Fetch the first page again from the source (counted), keeping sort and filter."""
        self._requery()

    def _requery(self) -> None:
        """Sort or filter changed in paged mode: the first page again, counted."""
        self._generation += 1
        self._fetch_page(self._generation, self.page_request(), append=False)

    @work(thread=True, exclusive=True, exit_on_error=False, group="grid-page")
    def _fetch_page(self, generation: int, page: PageRequest, append: bool) -> None:
        source = self.source
        if source is None:
            return
        try:
            table, total = source(page)
        except Exception as exc:
            self.post_message(self.PageFailed(str(exc)))
            return
        self.post_message(self.PageArrived(generation, table, total, append))

    @on(PageArrived)
    async def _page_arrived(self, message: PageArrived) -> None:
        message.stop()
        self._loading_more = False
        if message.generation != self._generation:
            return  # an older sort or filter's answer
        if message.append and self.full is not None:
            self.full = pa.concat_tables([self.full, message.table.cast(self.full.schema)])
        else:
            self.full = message.table
            self.total = message.total
        await self._rebuild()

    @on(PageFailed)
    def _page_failed(self, message: PageFailed) -> None:
        message.stop()
        self._loading_more = False
        self.app.notify(message.error, title="Could not load rows", severity="error", timeout=8)

    def _load_more(self) -> bool:
        loaded = self.full.num_rows if self.full is not None else 0
        if self.source is None or self._loading_more or self.total is None or loaded >= self.total:
            return False
        self._loading_more = True
        self._fetch_page(self._generation, self.page_request(offset=loaded, count_total=False), append=True)
        return True

    @on(DataTable.CellHighlighted)
    def _cursor_moved(self, event: DataTable.CellHighlighted) -> None:
        if self.shown is not None and event.coordinate.row >= self.shown.num_rows - 1:
            self._load_more()

    # -- rows -----------------------------------------------------------------------------
    def cursor_row(self) -> dict[str, Any] | None:
        """The raw values of the row under the cursor (every column, hidden ones too)."""
        if self.shown is None or not self.shown.num_rows:
            return None
        index = min(self.table.cursor_row, self.shown.num_rows - 1)
        return dict(self.shown.slice(index, 1).to_pylist()[0])

    def cursor_column_name(self) -> str | None:
        if not self.visible_columns:
            return None
        return self.visible_columns[min(self.table.cursor_column, len(self.visible_columns) - 1)]

    def action_open_row(self) -> None:
        row = self.cursor_row()
        if row is not None:
            self.post_message(self.RowChosen(self, row))

    @on(DataTable.CellSelected)
    def _cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_open_row()

    def action_describe(self) -> None:
        from finops_tui.app.screens.describe import DescribeScreen

        row = self.cursor_row()
        if row is not None:
            self.app.push_screen(DescribeScreen(row, title=f"{self.noun}: every column"))

    def action_copy_cell(self) -> None:
        row, column = self.cursor_row(), self.cursor_column_name()
        if row is not None and column is not None:
            copy_cell(self.app, header_label(column, self.fmt.humanize), row[column])

    def action_copy_row(self) -> None:
        row = self.cursor_row()
        if row is not None:
            copy_row(self.app, row)

    # -- filter and sort ------------------------------------------------------------------
    def action_start_filter(self) -> None:
        self.add_class("filtering")
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter", Input)
        if not field.value and not self.has_class("filtering"):
            raise SkipAction()  # nothing to clear: esc goes back (a detail screen closes)
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
        if self.source is not None:
            self._requery()
        else:
            await self._rebuild()

    async def sort_by(self, column: str) -> None:
        direction = "descending"
        if self.sort_key and self.sort_key[0] == column:
            direction = "ascending" if self.sort_key[1] == "descending" else "descending"
        self.sort_key = (column, direction)
        if self.source is not None:
            self._requery()
        elif self.sort_in_source:
            self.post_message(self.SortRequested(self, column, direction == "descending"))
        else:
            await self._rebuild()

    async def action_sort_cursor_column(self) -> None:
        column = self.cursor_column_name()
        if column is not None:
            await self.sort_by(column)

    @on(DataTable.HeaderSelected)
    async def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        if self.visible_columns:
            await self.sort_by(self.visible_columns[event.column_index])
