"""The body of a cost drill: the period against the previous one, day by day, what it is made of, its rows.

Fetched from the reader in a worker thread (`dimension_detail`), the cost rows paged by the
grid itself (`cost_rows`, sorted and filtered in SQL). `enter` on a breakdown row drills further
(a resource opens its own screen); `enter` on a cost row opens its resource.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from finops_tui.app.widgets.data_grid import DataGrid
from finops_tui.app.widgets.grid_format import GridFormat
from finops_tui.contract.details import CostFilter, DimensionDetail
from finops_tui.contract.paging import PageRequest
from finops_tui.contract.reader import CostReader
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.views import DailyPoint
from finops_tui.money import format_delta_pct, format_money

_BLOCKS = " ▁▂▃▄▅▆▇█"
BREAKDOWN_FORMAT = GridFormat(
    money=frozenset({"this_period", "previous_same_days", "delta"}),
    signed=frozenset({"delta"}),
    omit=("key", "dimension_key"),
    max_width=32,
    drop_order=("previous_same_days",),
)
ROWS_FORMAT = GridFormat(
    money=frozenset({"cost", "billed_cost", "effective_cost"}),
    decimals={"quantity": 2},
    max_width=36,
    drop_order=("dataset", "sku_id", "effective_cost", "billed_cost", "provider", "unit", "quantity",
                "charge_category", "account", "region", "service", "usage_type"),
)  # fmt: skip


def sparkline(points: list[DailyPoint], top: float) -> str:
    if top <= 0:
        return "".join(_BLOCKS[1] if p.cost else " " for p in points)
    return "".join(_BLOCKS[max(1 if p.cost > 0 else 0, round(max(p.cost, 0) / top * 8))] for p in points)


def series_text(d: DimensionDetail) -> Text:
    """Two lines of day bars on one scale, this period over the previous one, with their totals."""
    cur = d.scope.currency
    top = max([p.cost for p in d.current + d.previous], default=0)
    this_label = f"{d.period_start:%b %-d}–{d.as_of:%-d}" if d.period_start and d.as_of else "this period"
    prev_label = f"{d.previous_start:%b} (month)" if d.previous_start else "previous"
    width = max(len(this_label), len(prev_label))
    return Text.assemble(
        (this_label.ljust(width), "bold"), " ", sparkline(d.current, top).ljust(31), "  ",
        (format_money(d.this_period, cur), "bold"), "\n",
        (prev_label.ljust(width), "dim"), " ", (sparkline(d.previous, top).ljust(31), "dim"), "  ",
        format_money(d.previous_period, cur),
    )  # fmt: skip


def summary_text(d: DimensionDetail, title: str) -> Text:
    """The figure first (the breadcrumb already names what it is), then its scope."""
    cur = d.scope.currency
    if d.as_of is None:
        return Text(f"{title} · no cost data in {d.scope.label}", style="dim")
    change = format_delta_pct(d.this_period, d.previous_same_days)
    style = "red" if d.this_period > d.previous_same_days else "green" if d.this_period < d.previous_same_days else ""
    return Text.assemble(
        (format_money(d.this_period, cur), "bold"), " ", (change, style),
        f" vs {format_money(d.previous_same_days, cur)} same days last month",
        (f" · {d.scope.metric} · {d.scope.label} · as of {d.as_of:%Y-%m-%d}", "dim"),
    )  # fmt: skip


class CostPanel(Vertical):
    """Summary, day bars, breakdown grid and paged cost-rows grid for a set of `CostFilter`s."""

    DEFAULT_CSS = """
    CostPanel { height: 1fr; }
    CostPanel #cost-summary { height: auto; padding: 0 1; }
    CostPanel #cost-series { height: 2; padding: 0 1; }
    CostPanel .section { height: 1; padding: 0 1; color: $text-muted; text-style: bold; }
    CostPanel #cost-summary { max-height: 2; }
    CostPanel #breakdown { height: 1fr; min-height: 4; }
    CostPanel #cost-rows { height: 1fr; min-height: 4; }
    """

    class Loaded(Message):
        def __init__(self, detail: DimensionDetail) -> None:
            super().__init__()
            self.detail = detail

    class Drill(Message):
        """A breakdown or cost row was opened: drill into `filters`, or into a resource."""

        def __init__(self, filters: tuple[CostFilter, ...], label: str, resource_id: str | None) -> None:
            super().__init__()
            self.filters, self.label, self.resource_id = filters, label, resource_id

    def __init__(
        self, reader: CostReader, scope: ViewScope, filters: tuple[CostFilter, ...], title: str, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.reader, self.scope, self.filters, self.title = reader, scope, filters, title
        self.detail: DimensionDetail | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(f"{self.title} · loading…", style="dim"), id="cost-summary")
        yield Static("", id="cost-series")
        breakdown = DataGrid(id="breakdown", fmt=BREAKDOWN_FORMAT, noun="rows", empty_message="Nothing to break down.")
        breakdown.currency = self.scope.currency
        breakdown.note = "what it is made of: enter drills in"
        yield breakdown
        rows = DataGrid(id="cost-rows", fmt=ROWS_FORMAT, noun="cost rows", empty_message="No cost rows this period.")
        rows.currency = self.scope.currency
        rows.note = "this period's rows: / and s run in SQL over all of them"
        rows.use_source(self._page)
        yield rows

    def on_mount(self) -> None:
        self._fetch()
        self.query_one("#cost-rows", DataGrid).reload_pages()

    def _page(self, page: PageRequest) -> tuple[Any, int | None]:
        got = self.reader.cost_rows(self.scope, self.filters, page)
        return got.table.table, got.total

    @work(thread=True, exclusive=True, exit_on_error=False, group="cost-detail")
    def _fetch(self) -> None:

        try:
            self.post_message(self.Loaded(self.reader.dimension_detail(self.scope, self.filters)))
        except Exception as exc:
            self.app.call_from_thread(
                self.app.notify, str(exc), title="Could not load the detail", severity="error", timeout=10
            )

    @on(Loaded)
    async def _loaded(self, message: Loaded) -> None:
        import pyarrow.compute as pc

        message.stop()
        d = self.detail = message.detail
        self.query_one("#cost-summary", Static).update(summary_text(d, self.title))
        self.query_one("#cost-series", Static).update(series_text(d) if d.as_of else "")
        table = d.breakdown.table
        words = pc.replace_substring(table["dimension"], "_", " ")  # 'usage type', not usage_type
        table = table.append_column("dimension_key", table["dimension"]).set_column(0, "dimension", words)
        await self.query_one("#breakdown", DataGrid).show_table(table)
        self.query_one("#breakdown", DataGrid).focus_table()

    @on(DataGrid.RowChosen, "#breakdown")
    def _breakdown_chosen(self, event: DataGrid.RowChosen) -> None:
        event.stop()
        row = event.row
        dimension, key = row["dimension_key"], row["key"]
        label = f"{row['dimension']} {row['name']}"
        resource = key if dimension == "resource" and key is not None else None
        added = CostFilter(dimension=dimension, values=(key,))
        kept = tuple(f for f in self.filters if f.dimension != dimension)
        self.post_message(self.Drill((*kept, added), label, resource))

    @on(DataGrid.RowChosen, "#cost-rows")
    def _row_chosen(self, event: DataGrid.RowChosen) -> None:
        event.stop()
        resource = event.row.get("resource_id")
        if resource:
            filters = (CostFilter(dimension="resource", values=(resource,)),)
            self.post_message(self.Drill(filters, f"resource {resource}", resource))
        else:
            event.grid.action_describe()
