"""KPIs: month to date vs the same days last month, last full month, forecast (model), trend, top lists."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.widgets import DataTable, Static

from finops_tui.app.panes.base import DataPane
from finops_tui.app.widgets.trend_chart import TrendChart
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.tables import RankedTable
from finops_tui.contract.views import Forecast, KpiView
from finops_tui.money import format_delta_pct, format_money
from finops_tui.terminal_text import escape_controls


def _delta_text(current: float, previous: float) -> Text:
    label = format_delta_pct(current, previous)
    style = "red" if current > previous else "green" if current < previous else "dim"
    return Text(label, style=style)


def forecast_body(f: Forecast, last_month: float, cur: str | None) -> Text:
    """The model's month-end figure, its 80% interval, and AWS's own forecast when a refresh brought it."""
    body = Text.assemble((format_money(f.value, cur), "bold"), " ", _delta_text(f.value, last_month), " vs last")
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
    KpiPane #kpi-title { height: 1; padding: 0 1; text-style: bold; }
    KpiPane #cards { grid-size: 4; grid-rows: 5; height: 5; }
    KpiPane .card { height: 5; border: round $primary; padding: 0 1; }
    KpiPane #tops { grid-size: 2; grid-rows: 11; height: auto; }
    KpiPane #top-providers { height: auto; max-height: 8; border: round $panel-lighten-2; }
    KpiPane #tops DataTable { height: 11; border: round $panel-lighten-2; overflow-x: hidden; }
    KpiPane #empty { padding: 1 2; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("", id="kpi-title")
            yield Static("", id="empty")
            with Grid(id="cards"):
                for card in ("mtd", "last-month", "forecast", "period"):
                    yield Static("", id=f"card-{card}", classes="card")
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

    async def show(self, view: KpiView) -> None:
        s, cur = view.summary, view.scope.currency
        self.query_one("#empty", Static).display = s is None
        for widget in ("#cards", "#trend", "#tops", "#top-providers"):
            self.query_one(widget).display = s is not None
        if s is None or view.as_of is None:
            self.query_one("#kpi-title", Static).update(f"KPIs · {view.scope.metric} · {view.scope.label}")
            self.query_one("#empty", Static).update(
                "No cost data in this cache yet.\nLoad billing exports with `finops-tui ingest FILE…` "
                "(FOCUS CSV or Parquet), then press r."
            )
            return
        as_of = view.as_of
        self.query_one("#kpi-title", Static).update(
            f"KPIs · {view.scope.metric} · {view.scope.label} · as of {as_of:%a %Y-%m-%d} (last day with data)"
        )
        mtd = Text.assemble(
            (format_money(s.month_to_date, cur), "bold"),
            "\n",
            _delta_text(s.month_to_date, s.previous_month_same_days),
            f" vs {format_money(s.previous_month_same_days, cur, cents=False)} same days last month",
        )
        self._card("mtd", f"Month to date ({as_of:%b})", mtd)
        self._card(
            "last-month",
            f"Last month ({s.last_full_month_start:%b %Y})",
            Text(format_money(s.last_full_month, cur), style="bold"),
        )
        f = s.forecast
        if f is None:
            self._card("forecast", "Forecast", Text("month closed:\nnothing left to forecast", style="dim"))
            self.query_one("#card-forecast").tooltip = None
        else:
            self._card("forecast", "Forecast (model)", forecast_body(f, s.last_full_month, cur))
            self.query_one("#card-forecast").tooltip = forecast_tooltip(f, cur)
        left = s.days_in_month - s.days_elapsed
        self._card(
            "period",
            "Month progress",
            Text(f"day {s.days_elapsed} of {s.days_in_month}, {left} left\n{f.method if f else ''}", style=""),
        )
        trend = self.query_one(TrendChart)
        trend.currency = cur
        trend.points = view.trend
        self._fill("services", view.services, cur)
        self._fill("accounts", view.accounts, cur)
        self._fill("regions", view.regions, cur)
        self._fill("providers", view.providers, cur)
        self.query_one("#top-providers").display = view.providers.num_rows > 1 or view.scope.provider is not None
        self._fill("movers", view.movers, cur, show_delta=True)

    def _card(self, name: str, title: str, body: Text) -> None:
        card = self.query_one(f"#card-{name}", Static)
        card.border_title = title
        card.update(body)

    def _fill(self, name: str, rows: RankedTable, currency: str | None, show_delta: bool = False) -> None:
        table = self.query_one(f"#top-{name}", DataTable)
        table.clear(columns=True)
        # name takes what the two figures (and each cell's padding, the border, a scrollbar) leave
        width = max(12, table.size.width - 14 - 10 - 6 - 4) if table.size.width else 28
        table.add_column("name", width=width)
        table.add_column(Text("month to date", justify="right"), width=14)
        table.add_column(Text("Δ abs" if show_delta else "Δ %", justify="right"), width=10)
        for row in rows.rows():
            change = (
                Text(
                    format_money(row["delta"], currency, cents=False),
                    style="red" if row["delta"] > 0 else "green",
                    justify="right",
                )
                if show_delta
                else Text(
                    _delta_text(row["month_to_date"], row["previous_same_days"]).plain,
                    justify="right",
                    style=_delta_text(row["month_to_date"], row["previous_same_days"]).style,
                )
            )
            table.add_row(
                Text(escape_controls(str(row["name"])), overflow="ellipsis", no_wrap=True),
                Text(format_money(row["month_to_date"], currency), justify="right"),
                change,
            )
