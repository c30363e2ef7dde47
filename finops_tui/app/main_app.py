"""FinopsApp: the header, six tabs and the footer, wired to one CostReader.

The app owns the view state (currency, metric) and the reader; panes fetch in worker threads.
A timer notices when another process has committed new data and reloads without a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, TabbedContent, TabPane

from finops_tui.app.keys_screen import KeysScreen
from finops_tui.app.palette import TABS, CockpitCommands
from finops_tui.app.panes.base import Pane, ViewState
from finops_tui.app.panes.kpis import KpiPane
from finops_tui.app.panes.sql import SqlPane
from finops_tui.app.panes.tables import AnomaliesPane, BudgetsPane, OptimizationsPane, ResourcesPane
from finops_tui.app.themes import register_themes
from finops_tui.app.widgets.refresh_status import RefreshStatus
from finops_tui.app.widgets.source_bar import SourceBar
from finops_tui.config import Settings
from finops_tui.errors import FinopsError
from finops_tui.reader import CostReader, Metric, Refresher, RefreshOutcome, RefreshProgress

METRICS: tuple[Metric, ...] = ("EffectiveCost", "BilledCost", "ListCost", "ContractedCost")


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class FinopsApp(App[None]):
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "finops-tui"
    COMMANDS = App.COMMANDS | {CockpitCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        *[
            Binding(str(i), f"show_tab('{tab}')", label, show=False, id=f"tab.{tab}")
            for i, (tab, label) in enumerate(TABS, start=1)
        ],
        Binding("r", "refresh", "Refresh", id="app.refresh", tooltip="reload every tab from the source"),
        Binding(
            "ctrl+r",
            "refresh",
            "Refresh",
            show=False,
            id="app.refresh_ctrl",
            tooltip="reload every tab from the source",
        ),
        Binding(
            "m",
            "cycle_metric",
            "Metric",
            id="app.metric",
            tooltip="next cost metric: EffectiveCost → BilledCost → ListCost → ContractedCost",
        ),
        Binding(
            "c",
            "cycle_currency",
            "Currency",
            id="app.currency",
            tooltip="next billing currency (costs are never summed across currencies)",
        ),
        Binding(
            "p",
            "cycle_provider",
            "Provider",
            id="app.provider",
            tooltip="show one cloud provider at a time, or all of them",
        ),
        Binding("question_mark", "toggle_keys", "Keys", id="app.keys", tooltip="this list of keys"),
        Binding(
            "colon",
            "command_palette",
            "Go to",
            show=False,
            id="app.goto",
            tooltip="jump to a view by name (command palette)",
        ),
        # Declared here because declaring any palette binding stops Textual adding its own ctrl+p.
        Binding(
            "ctrl+p",
            "command_palette",
            "Palette",
            show=False,
            priority=True,
            id="app.palette",
            tooltip="command palette: tabs, refresh, metric, currency, theme",
        ),
        Binding("q", "quit", "Quit", id="app.quit", tooltip="quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit_ctrl", tooltip="quit"),
    ]

    def __init__(
        self,
        reader: CostReader,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = _utc_now,
        watch_interval: float = 3.0,
        refresher: Refresher | None = None,
    ) -> None:
        super().__init__()
        self.reader = reader
        self.refresher = refresher
        self.refreshing = False
        self.settings = settings
        self.clock = clock
        self.watch_interval = watch_interval
        self.currencies: list[str | None] = []
        self.providers: list[str] = []
        self.view_state = ViewState(currency=None, metric=settings.metric)
        self._theme_failures = register_themes(self)
        if settings.theme in self.available_themes:
            self.theme = settings.theme

    def compose(self) -> ComposeResult:
        yield SourceBar(self.clock, timedelta(hours=self.settings.stale_after_hours), id="source-bar")
        with TabbedContent(initial="kpis", id="tabs"):
            for number, (tab, label) in enumerate(TABS, start=1):
                with TabPane(f"{number} {label}", id=tab):
                    yield self._pane(tab)
        yield RefreshStatus(id="refresh-status")
        yield Footer()

    def _pane(self, tab: str) -> Pane | SqlPane:
        if tab == "sql":
            return SqlPane(self.settings.sql_row_limit, id="pane-sql")
        cls = {
            "kpis": KpiPane,
            "resources": ResourcesPane,
            "anomalies": AnomaliesPane,
            "budgets": BudgetsPane,
            "optimizations": OptimizationsPane,
        }[tab]
        return cls(id=f"pane-{tab}")

    def on_mount(self) -> None:
        if self.settings.theme not in self.available_themes:
            self.notify(
                f"Unknown theme {self.settings.theme!r}; using {self.theme}. "
                f"Available: {', '.join(sorted(self.available_themes))}",
                severity="warning",
            )
        if self._theme_failures:
            self.notify(
                "Theme files that failed to load:\n" + "\n".join(self._theme_failures), severity="warning", timeout=10
            )
        self._load_context()
        if self.watch_interval > 0:
            self.set_interval(self.watch_interval, self._check_for_new_data)

    # -- loading --------------------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="context")
    def _load_context(self) -> None:
        """Source, datasets and currencies first; then the visible pane loads."""
        try:
            info, datasets, currencies = self.reader.source_info(), self.reader.datasets(), self.reader.currencies()
            providers, refreshed = self.reader.providers(), self.reader.refresh_status()
        except Exception as exc:
            self.call_from_thread(
                self.notify, f"{exc}", title="Could not read the source", severity="error", timeout=15
            )
            return
        self.call_from_thread(self._context_loaded, info, datasets, currencies, providers, refreshed)

    def _context_loaded(
        self, info: object, datasets: list, currencies: list[str | None], providers: list[str], refreshed: object = None
    ) -> None:
        bar = self.query_one(SourceBar)
        bar.source = info  # type: ignore[assignment]
        bar.refreshed = refreshed  # type: ignore[assignment]
        bar.datasets = datasets
        if info.note and info.note != "DEMO":  # type: ignore[attr-defined]
            self.notify(info.note, title="No cache yet", timeout=12)  # type: ignore[attr-defined]
        self.currencies = currencies or [None]
        self.providers = providers
        if self.view_state.currency not in self.currencies:
            self.view_state = replace(self.view_state, currency=self.currencies[0])
        if self.view_state.provider not in (None, *providers):
            self.view_state = replace(self.view_state, provider=None)
        self._update_context_label()
        for pane in self.query(Pane):
            pane.dirty = True
        self._load_active_pane()

    def _update_context_label(self) -> None:
        others = len(self.currencies) - 1
        providers = f" · {len(self.providers)} providers: p" if len(self.providers) > 1 else ""
        self.query_one(SourceBar).context = (
            f"{self.view_state.metric} · {self.view_state.scope_label}"
            + (f" (+{others} more currencies: c)" if others > 0 else "")
            + ("" if self.view_state.provider else providers)
        )

    def _active_pane(self) -> Pane | SqlPane | None:
        tabs = self.query_one(TabbedContent)
        if not tabs.active:
            return None
        return self.query_one(f"#pane-{tabs.active}")  # type: ignore[return-value]

    def _load_active_pane(self) -> None:
        pane = self._active_pane()
        if isinstance(pane, Pane) and pane.dirty:
            pane.load()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self) -> None:
        self._load_active_pane()

    def _check_for_new_data(self) -> None:
        if self.reader.has_changed():
            self._reload_reader("New data was committed by another process; reloaded.")

    @work(thread=True, exclusive=True, exit_on_error=False, group="reload")
    def _reload_reader(self, message: str | None = None) -> None:
        try:
            self.reader.reload()
        except Exception as exc:
            self.call_from_thread(
                self.notify, f"{exc}\nShowing the last good data.", title="Reload failed", severity="error", timeout=15
            )
            return
        if message:
            self.call_from_thread(self.notify, message, timeout=5)
        self.call_from_thread(self._load_context)

    # -- actions --------------------------------------------------------------------------
    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        pane = self._active_pane()
        if isinstance(pane, SqlPane):
            pane.query_one("#sql-editor").focus()
        elif pane is not None and hasattr(pane, "focus_grid"):
            pane.focus_grid()

    def action_refresh(self) -> None:
        """With a live source, fetch new data in the background; otherwise reread the cache."""
        if self.refresher is None:
            if self.reader.has_changed():
                self._reload_reader("Reloaded the cache file.")
            else:
                self._load_context()
            source = self.query_one(SourceBar).source
            kind = getattr(source, "kind", "")
            self.notify(
                "DEMO data is generated: reloaded it; there is no live source to fetch from."
                if kind == "DEMO"
                else f"Reloaded the {kind.lower() or 'cache'}: no live source is configured for this view.",
                timeout=4,
            )
            return
        if self.refreshing:
            self.notify("A refresh is already running; its progress is at the bottom.", timeout=3)
            return
        self.refreshing = True
        self.query_one(RefreshStatus).start(self.refresher.label)
        self._run_refresh()

    @work(thread=True, exclusive=True, exit_on_error=False, group="live-refresh")
    def _run_refresh(self) -> None:
        """Runs the collectors off the UI thread; progress and the outcome come back as calls on it."""
        assert self.refresher is not None
        try:
            outcome = self.refresher.run(lambda p: self.call_from_thread(self._refresh_progress, p))
        except FinopsError as exc:
            self.call_from_thread(self._refresh_failed, str(exc))
            return
        except Exception as exc:
            self.call_from_thread(self._refresh_failed, f"{type(exc).__name__}: {exc}")
            return
        self.call_from_thread(self._refresh_done, outcome)

    def _refresh_progress(self, progress: RefreshProgress) -> None:
        self.query_one(RefreshStatus).update_step(progress)

    def _refresh_failed(self, message: str) -> None:
        self.refreshing = False
        self.query_one(RefreshStatus).finish("Refresh failed; showing the last good data.")
        self.notify(message, title="Refresh failed", severity="error", timeout=20)

    def _refresh_done(self, outcome: RefreshOutcome) -> None:
        self.refreshing = False
        cost = f"Cost Explorer: {outcome.ce_requests} request(s), ${outcome.ce_cost_usd:.2f}"
        if outcome.status == "ok":
            self.query_one(RefreshStatus).finish(f"Refreshed. {cost}.")
            self.notify(f"Refresh complete. {cost}.", timeout=6)
        else:
            self.query_one(RefreshStatus).finish(
                f"Refresh {outcome.status}: {len(outcome.failures)} problem(s). {cost}."
            )
            shown = [f if len(f) <= 120 else f[:119] + "…" for f in outcome.failures[:2]]
            more = len(outcome.failures) - len(shown)
            self.notify(
                "\n".join(shown) + (f"\n… and {more} more: `finops-tui doctor` lists them" if more else ""),
                title=f"Refresh {outcome.status}: the rest was committed",
                severity="warning",
                timeout=20,
            )
        self._reload_reader()

    def action_cycle_metric(self) -> None:
        index = (METRICS.index(self.view_state.metric) + 1) % len(METRICS)
        self.view_state = replace(self.view_state, metric=METRICS[index])
        self._view_changed()

    def action_cycle_currency(self) -> None:
        if len(self.currencies) < 2:
            self.notify("All cost data is in one currency.", timeout=3)
            return
        index = (self.currencies.index(self.view_state.currency) + 1) % len(self.currencies)
        self.view_state = replace(self.view_state, currency=self.currencies[index])
        self._view_changed()

    def action_cycle_provider(self) -> None:
        """All providers → the largest → … → the smallest → all again."""
        if len(self.providers) < 2 and self.view_state.provider is None:
            self.notify(f"All cost data is from {self.providers[0] if self.providers else 'one provider'}.", timeout=3)
            return
        order: list[str | None] = [None, *self.providers]
        index = (order.index(self.view_state.provider) + 1) % len(order)
        self.set_provider(order[index])

    def set_provider(self, provider: str | None) -> None:
        self.view_state = replace(self.view_state, provider=provider)
        self._view_changed()

    def _view_changed(self) -> None:
        self._update_context_label()
        for pane in self.query(Pane):
            pane.dirty = True
        self._load_active_pane()

    def action_toggle_keys(self) -> None:
        if isinstance(self.screen, KeysScreen):
            self.pop_screen()
        else:
            self.push_screen(
                KeysScreen(
                    [b for b in self.BINDINGS if isinstance(b, Binding)],
                    [b for b in SqlPane.BINDINGS if isinstance(b, Binding)],
                )
            )
