"""KPIs: month to date vs the same days last month, last full month, forecast (model), trend, top lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.widgets import DataTable, Static

from finops_tui.app.panes.base import DataPane
from finops_tui.app.panes.kpi_period import KpiPeriod
from finops_tui.app.screens.detail_screens import DimensionScreen
from finops_tui.app.screens.drill_targets import kpi_target
from finops_tui.app.themes import ThemeStyles, theme_styles
from finops_tui.app.widgets.trend_chart import TrendChart
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.tables import RankedTable
from finops_tui.contract.views import Forecast, KpiView
from finops_tui.money import format_delta_pct, format_money
from finops_tui.terminal_text import escape_controls


def _arrow(change: float) -> str:
    """The sign of a change as an arrow, so a rise never depends on seeing a colour."""
    return "▲ " if change > 0 else "▼ " if change < 0 else "= "


def delta_text(current: float, previous: float, styles: ThemeStyles) -> Text:
    """'▲ +12.3%' (rise: the theme's up style, bold) or '▼ -4.0%' (fall) or '= 0.0%'."""
    change = current - previous
    style = styles.up if change > 0 else styles.down if change < 0 else styles.flat
    label = format_delta_pct(current, previous) if change else "0.0%"
    return Text(_arrow(change) + label, style=style)


def money_delta_text(delta: float, currency: str | None, styles: ThemeStyles) -> Text:
    sign = "+" if delta > 0 else ""
    style = styles.up if delta > 0 else styles.down if delta < 0 else styles.flat
    return Text(_arrow(delta) + sign + format_money(delta, currency, cents=False), style=style, justify="right")


def other_currencies_note(elsewhere: dict[str, list[str]]) -> str:
    """'Also in other currencies: Google Cloud: CHF · Microsoft: EUR, GBP, press c'."""
    if not elsewhere:
        return ""
    listing = " · ".join(f"{name}: {', '.join(currencies)}" for name, currencies in sorted(elsewhere.items()))
    return f"Data in other currencies: {listing}, press c"


def forecast_body(f: Forecast, last_month: float, cur: str | None, styles: ThemeStyles) -> Text:
    """The model's month-end figure, its 80% interval, and AWS's own forecast when a refresh brought it."""
    delta = delta_text(f.value, last_month, styles)
    delta = Text(delta.plain.replace(" ", "", 1), style=delta.style)  # "▲+2.5%": the line fits a 120-column card
    # whole units: a forecast's cents are false precision, and the line then fits a card at 100 columns too
    body = Text.assemble((format_money(f.value, cur, cents=False), "bold"), " ", delta, " vs last")
    if f.lower is not None and f.upper is not None:
        low, high = format_money(f.lower, cur, cents=False), format_money(f.upper, cur, cents=False)
        body.append(f"\n80%: {low}–{high}", style="dim")
    if f.provider_rest is not None:
        body.append(f"\nAWS: +{format_money(f.provider_rest, cur, cents=False)} rest of month", style="dim")
    elif f.backtest:
        errors = [m.error_pct for m in f.backtest if m.error_pct is not None]
        if errors:
            body.append(f"\nback-test: {sum(abs(e) for e in errors) / len(errors):.1f}% MAPE", style="dim")
    return body


def forecast_tooltip(f: Forecast, cur: str | None) -> str:
    """How the figure was made, and how the model did on the last closed months."""
    lines = [f.method, f.model or "", f.interval or ""]
    for m in f.backtest:
        error = f"{m.error_pct:+.1f}%" if m.error_pct is not None else "n/a"
        lines.append(
            f"back-test {m.month:%b %Y} (made on the 15th): {format_money(m.forecast, cur, cents=False)} vs actual "
            f"{format_money(m.actual, cur, cents=False)}, {error}"
        )
    if f.provider_label:
        lines.append(f.provider_label)
    return "\n".join(line for line in lines if line)


class KpiPane(DataPane[KpiView]):
    title = "KPIs"
    DEFAULT_CSS = """
    KpiPane #kpi-title { height: auto; padding: 0 1; text-style: bold; }
    KpiPane #kpi-context { height: auto; padding: 0 1; color: $text-muted; }
    KpiPane #cards { grid-size: 4; grid-rows: 5; height: 5; }
    KpiPane .card { height: 5; border: round $primary; padding: 0 1; }
    KpiPane #tops { grid-size: 2; grid-rows: 11; height: auto; }
    KpiPane #top-providers { height: auto; max-height: 8; border: round $panel-lighten-2; }
    KpiPane #tops DataTable { height: 11; border: round $panel-lighten-2; overflow-x: hidden; }
    KpiPane #empty { padding: 1 2; color: $text-muted; }
    KpiPane #kpi-savings { height: 1; padding: 0 1; }
    """

    def __init__(self, reader: Any, **kwargs: Any) -> None:
        super().__init__(reader, **kwargs)
        self.elsewhere: dict[str, list[str]] = {}  # set by the app: providers with data in other currencies
        self.header_through: date | None = None  # set by the app: the header's "costs through" day
        self.providers_in_scope: list[str] = []  # set by the app: who "all providers" is
        self._shown: KpiView | None = None
        self._shown_width = 0

    async def on_resize(self) -> None:
        """Column widths are computed from the pane's width: show the same view again at the new one."""
        if self._shown is not None and self.size.width != self._shown_width:
            await self.show(self._shown)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("", id="kpi-title")
            yield Static("", id="kpi-context")
            yield Static("", id="empty")
            with Grid(id="cards"):
                for card in ("mtd", "last-month", "forecast", "period"):
                    yield Static("", id=f"card-{card}", classes="card")
            yield Static("", id="kpi-savings")
            yield TrendChart(id="trend")
            providers: DataTable[Text] = DataTable(id="top-providers", cursor_type="row", zebra_stripes=False)
            providers.border_title = "By provider (p filters)"
            yield providers
            with Grid(id="tops"):
                for name in ("services", "accounts", "regions", "movers"):
                    table: DataTable[Text] = DataTable(id=f"top-{name}", cursor_type="row", zebra_stripes=False)
                    table.border_title = {
                        "services": "Top services",
                        "accounts": "Top accounts",
                        "regions": "Top regions",
                        "movers": "Top movers (services)",
                    }[name]
                    yield table

    def fetch(self, scope: ViewScope) -> KpiView:
        return self.reader.kpi_view(scope)

    def _today(self) -> date:
        clock: Callable[[], datetime] | None = getattr(self.app, "clock", None)
        return (clock() if clock else datetime.now()).date()

    def _context_line(self, view: KpiView) -> str:
        """Who 'all providers' is, who has data elsewhere, and why the header's date may differ."""
        parts = []
        if view.scope.provider is None and self.providers_in_scope:
            parts.append(
                f"all providers = every provider billing in {view.scope.currency or '(no currency)'}: "
                + ", ".join(self.providers_in_scope)
            )
        note = other_currencies_note(self.elsewhere)
        if note:
            parts.append(note)
        through = self.header_through
        if view.as_of is not None and through is not None and through != view.as_of:
            parts.append(
                f"header's 'costs through {through:%Y-%m-%d}' covers every currency and provider; "
                f"this view's data ends {view.as_of:%Y-%m-%d}"
                + (" (later days are in the future)" if through > self._today() else "")
            )
        return "\n".join(parts)

    @on(DataTable.RowSelected)
    def _open_row(self, event: DataTable.RowSelected) -> None:
        """`enter` on a top service, account, region, provider or mover opens its detail."""
        event.stop()
        name = (event.data_table.id or "").removeprefix("top-")
        ranked, scope = self._ranked.get(name), self._scope
        if ranked is None or scope is None or event.cursor_row >= ranked.num_rows:
            return
        target = kpi_target(name, ranked.rows()[event.cursor_row], scope)
        if target is not None:
            self.app.push_screen(DimensionScreen(self.reader, target.scope, target.filters, ("KPIs", target.label)))

    _ranked: dict[str, RankedTable] = {}
    _scope: ViewScope | None = None

    async def show(self, view: KpiView) -> None:
        self._show_savings(view)
        # the width the columns are computed for (the app's, before the pane's first layout)
        self._shown, self._shown_width = view, self.size.width or self.app.size.width
        s, cur = view.summary, view.scope.currency
        styles = theme_styles(self.app)
        self._scope = view.scope
        self.query_one("#empty", Static).display = s is None
        self.query_one("#kpi-context", Static).update(self._context_line(view))
        for widget in ("#cards", "#trend", "#tops", "#top-providers"):
            self.query_one(widget).display = s is not None
        if s is None or view.as_of is None:
            self.query_one("#kpi-title", Static).update(f"KPIs · {view.scope.metric} · {view.scope.label}")
            where = (
                f"{view.scope.provider} has no cost data in {cur or '(no currency)'}: press p for another "
                "provider or c for another currency."
                if view.scope.provider
                else "No cost data in this cache yet.\nLoad billing exports with `finops-tui ingest FILE…` "
                "(FOCUS CSV or Parquet), then press r."
            )
            self.query_one("#empty", Static).update(where)
            return
        period = KpiPeriod(view.as_of, self._today())
        self.query_one("#kpi-title", Static).update(
            f"KPIs · {view.scope.metric} · {view.scope.label} · {period.heading()}"
        )
        mtd = Text.assemble(
            (format_money(s.month_to_date, cur), "bold"),
            "\n",
            delta_text(s.month_to_date, s.previous_month_same_days, styles),
            f" vs {format_money(s.previous_month_same_days, cur, cents=False)} {period.compared_with()}",
        )
        self._card("mtd", period.spend_title(), mtd)
        previous = Text(format_money(s.last_full_month, cur), style="bold")
        if not s.last_full_month:  # an export that starts this month: say so rather than show a bare zero
            previous.append(f"\nnothing billed in {s.last_full_month_start:%b %Y} in this view", style="dim")
        self._card("last-month", period.previous_title(s.last_full_month_start), previous)
        f = s.forecast
        if period.closed or f is None:  # the model makes none for a closed month either
            self._card(
                "forecast",
                period.forecast_title(),
                Text.assemble(("closed month: no forecast", "bold"), "\n", (f"{period.month} is over", "dim")),
            )
            self.query_one("#card-forecast").tooltip = "A forecast is only made for a month that is still running."
        else:
            self._card("forecast", period.forecast_title(), forecast_body(f, s.last_full_month, cur, styles))
            self.query_one("#card-forecast").tooltip = forecast_tooltip(f, cur)
        self._card(
            "period",
            period.progress_title(),
            Text(period.progress_body(s.days_elapsed, s.days_in_month, f.method if f else ""), style=""),
        )
        label = "month to date" if period.current else period.month
        trend = self.query_one(TrendChart)
        trend.currency = cur
        trend.points = view.trend
        self._fill("services", view.services, cur, spend_label=label)
        self._fill("accounts", view.accounts, cur, spend_label=label)
        self._fill("regions", view.regions, cur, spend_label=label)
        self._fill("providers", view.providers, cur, spend_label=label)
        self.query_one("#top-providers").display = view.providers.num_rows > 1 or view.scope.provider is not None
        self._fill("movers", view.movers, cur, show_delta=True, spend_label=label)

    def _show_savings(self, view: KpiView) -> None:
        """One line under the cards: what the open recommendations (Optimizations tab) would save a month."""
        line = self.query_one("#kpi-savings", Static)
        t = view.savings
        line.display = t is not None
        if t is not None:
            line.update(
                Text.assemble(
                    ("Savings found ", "bold"),
                    (f"{format_money(t.monthly_savings, t.currency)}/month", "bold green"),
                    f" · {t.resources} resources · {t.computed} computed here, "
                    f"{t.recommendations - t.computed} by AWS · tab 5",
                )
            )

    def _card(self, name: str, title: str, body: Text) -> None:
        card = self.query_one(f"#card-{name}", Static)
        card.border_title = title
        card.update(body)

    def _fill(
        self,
        name: str,
        rows: RankedTable,
        currency: str | None,
        show_delta: bool = False,
        spend_label: str = "month to date",
    ) -> None:
        table = self.query_one(f"#top-{name}", DataTable)
        table.clear(columns=True)
        self._ranked = {**self._ranked, name: rows}  # what `enter` on a row opens
        # name takes what the two figures (and each cell's padding, the border, a scrollbar) leave
        # widths follow the pane, not the table, which has no width before its first layout: as the CSS
        # lays them out
        # (top lists side by side from 100 columns, stacked below), so the Δ column is never cut off
        # (top lists side by side from 100 columns, stacked below), so the Δ column is never cut off;
        # a resize shows the view again with the new widths (on_resize)
        wide = self.app.size.width >= 100 and name != "providers"
        inner = (self.size.width or self.app.size.width) - 2  # the scroll bar
        width = max(12, (inner // 2 if wide else inner) - 14 - 11 - 6 - 2)
        table.add_column("name", width=width)
        table.add_column(Text(spend_label, justify="right"), width=14)
        table.add_column(Text("Δ abs" if show_delta else "Δ %", justify="right"), width=11)
        styles = theme_styles(self.app)
        for row in rows.rows():
            change = (
                money_delta_text(row["delta"], currency, styles)
                if show_delta
                else delta_text(row["month_to_date"], row["previous_same_days"], styles)
            )
            change.justify = "right"
            table.add_row(
                Text(escape_controls(str(row["name"])), overflow="ellipsis", no_wrap=True),
                Text(format_money(row["month_to_date"], currency), justify="right"),
                change,
            )
