"""FinopsApp: the header, six tabs and the footer, wired to one CostReader.

View state (scope: currency, metric, provider; the overview of the source) lives in reactives:
changing one marks every pane stale and loads the visible one. Workers never touch widgets:
they post messages, and the `@on` handlers here own the state. New data is picked up through
one path, `_check_for_new_data`, whether another process committed it or our own refresh did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.theme import Theme
from textual.widgets import Static, TabbedContent

from finops_tui.app.palette import CockpitCommands
from finops_tui.app.tabs import TABS
from finops_tui.app.themes import register_themes
from finops_tui.app.widgets.footer import CockpitFooter
from finops_tui.app.widgets.refresh_status import RefreshStatusLine
from finops_tui.app.widgets.source_bar import SourceBar, last_covered
from finops_tui.contract.vocabulary import METRIC_CYCLE_HINT, METRICS
from finops_tui.errors import FinopsError

if TYPE_CHECKING:  # pydantic, the contract's models and the panes load after the shell's first frame
    from finops_tui.app.panes.base import CockpitPane
    from finops_tui.config import Settings
    from finops_tui.contract.provenance import BackendConnection, Overview
    from finops_tui.contract.reader import CostReader
    from finops_tui.contract.refresh import Refresher, RefreshOutcome, RefreshProgress
    from finops_tui.contract.scope import ViewScope


@dataclass(frozen=True)
class Opener:
    """How the cockpit gets its settings and source when it is not given them: `open` runs in a thread
    after the shell's first frame; `label` says what is being opened meanwhile, in `theme` (as given,
    not yet validated)."""

    label: str
    theme: str
    open: Callable[[], tuple[Settings, CostReader, Refresher | None]]


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class SourceRead(Message):
    """The overview of the source arrived (header, currencies, providers)."""

    def __init__(self, overview: Overview) -> None:
        super().__init__()
        self.overview = overview


class SourceProblem(Message):
    """Reading or reloading the source failed; the last good data stays on screen."""

    def __init__(self, title: str, detail: str) -> None:
        super().__init__()
        self.title, self.detail = title, detail


class SourceReloaded(Message):
    def __init__(self, note: str | None) -> None:
        super().__init__()
        self.note = note


class RefreshStep(Message):
    def __init__(self, progress: RefreshProgress) -> None:
        super().__init__()
        self.progress = progress


class RefreshEnded(Message):
    """A live refresh finished: `outcome` when it ran, `error` when nothing could run."""

    def __init__(self, outcome: RefreshOutcome | None, error: str | None) -> None:
        super().__init__()
        self.outcome, self.error = outcome, error


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
        # `?` first of the app's keys: a narrow footer cuts from the right, and `?` lists whatever it cut
        Binding("question_mark", "toggle_keys", "Keys", id="app.keys", tooltip="this list of keys"),
        Binding("r", "refresh", "Refresh", id="app.refresh", tooltip="reload every tab from the source"),
        Binding(
            "ctrl+r",
            "refresh",
            "Refresh",
            show=False,
            id="app.refresh_ctrl",
            tooltip="reload every tab from the source",
        ),
        Binding("m", "cycle_metric", "Metric", id="app.metric", tooltip=METRIC_CYCLE_HINT),
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
            tooltip="next provider with costs in this currency, or all of them",
        ),
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

    scope: reactive[ViewScope] = reactive(cast("ViewScope", None), init=False)  # set with the settings
    overview: reactive[Overview | None] = reactive(None, init=False, always_update=True)
    refreshing: reactive[bool] = reactive(False)

    reader: CostReader  # given, or set by the opener once the source is open
    settings: Settings  # likewise

    def __init__(
        self,
        reader: CostReader | None,
        settings: Settings | None,
        *,
        clock: Callable[[], datetime] = _utc_now,
        watch_interval: float = 3.0,
        refresher: Refresher | None = None,
        opener: Opener | None = None,
    ) -> None:
        """Given a `reader`, the tabs are composed at once. Given an `opener` instead, a shell (header,
        footer, "Opening …") paints first and the tabs follow when `opener.open` has returned; an error
        opening ends the app with `open_error` set, for the command line to report."""
        super().__init__()
        if (reader is None or settings is None) and opener is None:
            raise ValueError("FinopsApp needs a reader and its settings, or an opener")
        self.refresher = refresher
        self.opener = opener if reader is None or settings is None else None
        self.open_error: FinopsError | None = None
        self._other_panes_added = self.opener is None  # given a reader, compose builds every tab
        self.clock = clock
        self.watch_interval = watch_interval
        self._note_shown = False
        self._connection_state: str | None = None
        self._theme_failures = register_themes(self)
        if self.opener is not None:
            self._theme_asked = self.opener.theme
        elif reader is not None and settings is not None:
            self.reader = reader
            self._use_settings(settings)
        if self._theme_asked in self.available_themes:
            self.theme = self._theme_asked

    def _use_settings(self, settings: Settings) -> None:
        from finops_tui.contract.scope import ViewScope

        self.settings = settings
        self._theme_asked = settings.theme
        self.set_reactive(FinopsApp.scope, ViewScope(currency=None, metric=settings.metric))

    # -- what the view can choose from ----------------------------------------------------
    @property
    def currencies(self) -> list[str | None]:
        return [c.currency for c in self.overview.currencies] if self.overview and self.overview.currencies else [None]

    @property
    def providers(self) -> list[str]:
        """Providers with cost data in the current currency: the only ones `p` and the palette offer."""
        return self.providers_in(self.scope.currency)

    def providers_in(self, currency: str | None) -> list[str]:
        return self.overview.providers_in(currency) if self.overview else []

    @property
    def is_open(self) -> bool:
        """The source is open and the tabs are there (always, when the app was given a reader)."""
        return self.opener is None

    def compose(self) -> ComposeResult:
        shown = timedelta(hours=self.settings.stale_after_hours) if self.opener is None else None
        yield SourceBar(self.clock, shown, id="source-bar")  # None: no dataset to age until the source is read
        if self.opener is None:
            yield self._tabs()
        else:
            yield Static(f"Opening {self.opener.label}…\n\nq quits.", id="opening")
        yield RefreshStatusLine(id="refresh-status")
        yield CockpitFooter()

    def _tabs(self) -> TabbedContent:
        from finops_tui.app.cockpit_tabs import cockpit_tabs

        return cockpit_tabs(self.reader, self.settings.sql_row_limit)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """While the source opens, only quitting works: every other key needs the tabs."""
        return self.is_open or action == "quit"

    def on_mount(self) -> None:
        if self._theme_asked not in self.available_themes:
            self.notify(
                f"Unknown theme {self._theme_asked!r}; using {self.theme}. "
                f"Available: {', '.join(sorted(self.available_themes))}",
                severity="warning",
            )
        if self._theme_failures:
            self.notify(
                "Theme files that failed to load:\n" + "\n".join(self._theme_failures), severity="warning", timeout=10
            )
        self._theme_shown = self.theme  # Textual announces the starting theme too: that is no choice to save
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        if self.opener is None:
            self._start_reading()
        else:
            self.call_after_refresh(self._open_source)  # after the shell's first frame is on screen

    def _start_reading(self) -> None:
        self._read_source()
        if self.watch_interval > 0:
            self.set_interval(self.watch_interval, self._check_for_new_data)

    # -- opening the source behind the shell ----------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="open")
    def _open_source(self) -> None:
        """Opens the source and imports the tabs in a thread: the shell stays drawn and `q` answers."""
        assert self.opener is not None
        label = self.opener.label
        try:
            settings, reader, refresher = self.opener.open()
            import finops_tui.app.cockpit_tabs  # noqa: F401  # imported here, not on the UI thread
        except FinopsError as exc:
            self.call_from_thread(self._open_failed, exc)
            return
        except Exception as exc:
            self.call_from_thread(self._open_failed, FinopsError(f"Could not open {label}: {exc}"))
            return
        try:
            self.call_from_thread(self._opened, settings, reader, refresher)  # type: ignore[arg-type]  # mypy infers Never for an async callback
        except Exception as exc:  # a bug of ours: say so and end, rather than a shell that never fills
            self.call_from_thread(self._open_failed, FinopsError(f"Could not show {label}: {exc!r}"))

    async def _opened(self, settings: Settings, reader: CostReader, refresher: Refresher | None) -> None:
        self.reader, self.refresher, self.opener = reader, refresher, None
        self._use_settings(settings)  # the same theme: the shell's came from the same file and variables
        self.query_one(SourceBar).stale_after = timedelta(hours=settings.stale_after_hours)
        from finops_tui.app.cockpit_tabs import cockpit_tabs
        from finops_tui.app.panes.kpis import KpiPane

        await self.mount(cockpit_tabs(reader, settings.sql_row_limit, only="kpis"), after=self.query_one(SourceBar))
        self.query_one("#opening").remove()
        self.refresh_bindings()
        self._start_reading()
        # the five other tabs are built once the KPIs are on screen (or failed to load)
        self.watch(self.query_one(KpiPane), "loading", self._first_kpis_settled, init=False)

    def _first_kpis_settled(self, loading: bool) -> None:
        if not loading:
            self.call_after_refresh(self._add_other_panes)

    def _add_other_panes(self) -> None:
        """Build the tabs the opener left empty: after the first KPIs, or at once when the user opens
        another tab first or the source cannot be read."""
        from finops_tui.app.cockpit_tabs import pane_for
        from finops_tui.app.panes.base import CockpitPane

        if self._other_panes_added:
            return
        self._other_panes_added = True
        for tab, _ in TABS:
            holder = self.query_one(f"#{tab}")
            if not holder.query(CockpitPane):
                holder.mount(pane_for(tab, self.reader, self.settings.sql_row_limit))
        self.call_after_refresh(self._load_active_pane)  # a tab opened meanwhile loads now

    def _open_failed(self, error: FinopsError) -> None:
        self.open_error = error
        self.exit(return_code=error.exit_code)

    def choose_theme(self, name: str) -> None:
        """The palette's theme choice; `_theme_changed` saves it."""
        self.theme = name

    def _theme_changed(self, theme: Theme) -> None:
        """Deltas and badges take their colours from the theme: show every tab again; remember the choice."""
        if theme.name == self._theme_shown:
            return
        self._theme_shown = theme.name
        self._data_changed()
        self.query_one(SourceBar).refresh()
        if theme.name == self.settings.theme:
            return
        from finops_tui.config import save_setting

        self.settings = self.settings.model_copy(update={"theme": theme.name})
        try:
            path = save_setting("theme", theme.name)
        except FinopsError as exc:
            self.notify(str(exc), title="Theme not saved", severity="warning", timeout=8)
            return
        self.notify(f"Theme {theme.name} saved in {path}.", timeout=4)

    # -- reading the source ---------------------------------------------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="source")
    def _read_source(self) -> None:
        """The overview first (header, currencies, providers); its handler then loads the visible pane."""
        try:
            self.post_message(SourceRead(self.reader.overview()))
        except Exception as exc:
            self.post_message(SourceProblem("Could not read the source", str(exc)))

    @on(SourceRead)
    def _source_read(self, message: SourceRead) -> None:
        self.overview = message.overview

    def watch_overview(self, overview: Overview | None) -> None:
        if overview is None:
            return
        bar = self.query_one(SourceBar)
        bar.source = overview.source
        bar.refreshed = overview.refresh
        bar.datasets = overview.datasets
        bar.connection = overview.connection
        self._announce_connection(overview.connection)
        note = overview.source.note
        if note and note != "DEMO" and not self._note_shown:
            self._note_shown = True
            self.notify(note, title="No cache yet", timeout=12)
        scope = self.scope
        if scope.currency not in self.currencies:  # first view: the most spend in the latest month
            scope = scope.model_copy(update={"currency": self.currencies[0]})
        if scope.provider not in (None, *self.providers_in(scope.currency)):
            scope = scope.model_copy(update={"provider": None})
        if scope != self.scope:
            self.scope = scope  # watch_scope reloads
        else:
            self._data_changed()

    def watch_scope(self) -> None:
        self._data_changed()

    def _data_changed(self) -> None:
        """Every pane is stale; the visible one loads now, the others when they are opened."""
        self._update_context_label()
        from finops_tui.app.panes.base import CockpitPane

        for pane in self.query(CockpitPane):
            pane.mark_stale()
        self._load_active_pane()

    def _announce_connection(self, connection: BackendConnection | None) -> None:
        """A toast when a backend stops answering (the header keeps saying STALE) and when it is back."""
        previous, self._connection_state = self._connection_state, connection.state if connection else None
        if connection is None or previous == connection.state:
            return
        if connection.state == "stale":
            self.notify(connection.problem or "", title="Backend unreachable: STALE", severity="warning", timeout=15)
        elif previous == "stale":
            self.notify(f"{connection.backend} answers again: live data.", title="Backend back", timeout=6)

    @on(SourceProblem)
    def _source_problem(self, message: SourceProblem) -> None:
        """A toast with the detail; with nothing read before, the header says so too (not "loading…")."""
        self.notify(message.detail, title=message.title, severity="error", timeout=15)
        if self.overview is None:
            self.query_one(SourceBar).problem = message.title
        if self.is_open:  # no KPIs to wait for: build the other tabs now
            self._add_other_panes()

    def _update_context_label(self) -> None:
        others = len(self.currencies) - 1
        names = self.providers
        currency = self.scope.currency or "(no currency)"
        if self.scope.provider:
            who = self.scope.provider
        elif len(names) > 1:
            who = f"all {len(names)} providers in {currency} (p)"
        else:
            who = f"all providers: {names[0]}" if names else "all providers"
        self.query_one(SourceBar).context = f"{self.scope.metric} · {currency} · {who}" + (
            f" · +{others} currencies (c)" if others > 0 else ""
        )
        from finops_tui.app.panes.kpis import KpiPane

        kpis = self.query_one(KpiPane)
        kpis.providers_in_scope = names if len(names) > 1 else []
        kpis.elsewhere = self.overview.elsewhere(self.scope.currency) if self.overview else {}
        kpis.header_through = self._header_through()

    def _header_through(self) -> date | None:
        """The last day the header's 'costs … through' names (every currency and provider)."""
        if self.overview is None:
            return None
        ends = [d.data_through for d in self.overview.datasets if d.kind == "costs" and d.data_through]
        if not ends:
            return None
        return date.fromisoformat(last_covered(max(ends))[:10])

    def _active_pane(self) -> CockpitPane | None:
        from finops_tui.app.panes.base import CockpitPane

        tabs = self.query_one(TabbedContent)
        if not tabs.active:
            return None
        panes = self.query(f"#pane-{tabs.active}").results(CockpitPane)  # none while the tab is still being built
        return next(panes, None)

    def _load_active_pane(self) -> None:
        pane = self._active_pane()
        if pane is not None and self.overview is not None:
            pane.load(self.scope)

    @on(TabbedContent.TabActivated)
    def _tab_activated(self) -> None:
        if not self._other_panes_added and self.query_one(TabbedContent).active != "kpis":
            self._add_other_panes()  # opened before the first KPIs: built now, loaded once mounted
            return
        self._load_active_pane()

    # -- new data: one trigger ------------------------------------------------------------
    def _check_for_new_data(self, note: str | None = "New data was committed by another process; reloaded.") -> None:
        if any(w.group == "poll" and not w.is_finished for w in self.workers):
            return  # the last poll still waits on a slow backend: no pile of threads behind it
        self._poll_source(note)

    @work(thread=True, exclusive=True, exit_on_error=False, group="poll")
    def _poll_source(self, note: str | None) -> None:
        """`has_changed` may wait on a network (a REST backend), so it is asked off the UI thread.

        A remote reader also reports live ↔ STALE changes; `_announce_connection` says those, not `note`.
        """
        if self.reader.has_changed():
            remote = self.overview is not None and self.overview.connection is not None
            self.call_from_thread(self._reload_reader, None if remote else note)

    @work(thread=True, exclusive=True, exit_on_error=False, group="reload")
    def _reload_reader(self, note: str | None) -> None:
        try:
            self.reader.reload()
        except Exception as exc:
            self.post_message(SourceProblem("Reload failed", f"{exc}\nShowing the last good data."))
            return
        self.post_message(SourceReloaded(note))

    @on(SourceReloaded)
    def _source_reloaded(self, message: SourceReloaded) -> None:
        if message.note:
            self.notify(message.note, timeout=5)
        self._read_source()

    # -- actions --------------------------------------------------------------------------
    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        pane = self._active_pane()
        if pane is not None:
            pane.focus_main()

    def action_refresh(self) -> None:
        """With a live source, fetch new data in the background; otherwise reread the cache.

        A cache that holds billing files only, and was never refreshed live, is reread: trying AWS
        there would only fail for want of credentials the user never meant to use. The palette's
        "Fetch live data" runs the live refresh anyway.
        """
        if self.refresher is None:
            self._reread()
            return
        if self._files_only():
            self._reread_files()
            return
        self.action_refresh_live()

    def _files_only(self) -> bool:
        """The cache's cost data all came from billing files and no live refresh ever ran.

        What finops-tui computed from those files (anomalies, rules: origin COMPUTED) came from no source."""
        if self.overview is None or self.overview.refresh is not None:
            return False
        costs = [d for d in self.overview.datasets if d.kind == "costs"]
        loaded = [d for d in self.overview.datasets if d.origin != "COMPUTED"]
        return bool(costs) and all(d.origin == "FILE" for d in loaded)

    def _reread_files(self) -> None:
        if self.reader.has_changed():
            self._reload_reader(None)
        else:
            self._read_source()
        formats = sorted({d.format for d in self.overview.datasets if d.format}) if self.overview else []
        self.notify(
            f"Billing files only ({', '.join(formats) or 'files'}): the cache was re-read. "
            "Newer bills: `finops-tui ingest FILE…`. Live refresh is for AWS only (Cost Explorer, "
            "inventory): `finops-tui refresh`, or 'Fetch live data' in the palette.",
            title="Re-read the cache",
            timeout=12,
        )

    def action_refresh_live(self) -> None:
        if self.refresher is None:
            self._reread()
            return
        if self.refreshing:
            self.notify("A refresh is already running; its progress is at the bottom.", timeout=3)
            return
        self.refreshing = True
        self.query_one(RefreshStatusLine).start(self.refresher.label)
        self._run_refresh(self.refresher)

    def _reread(self) -> None:
        connection = self.overview.connection if self.overview else None
        if connection is not None:  # a backend: ask it off the UI thread; unchanged answers cost a 304
            self._read_source()
            self.notify(f"Reloading from {connection.backend}; the collectors refresh it, not this cockpit.", timeout=4)
            return
        kind = self.overview.source.kind if self.overview else ""
        if self.reader.has_changed():
            self._reload_reader(None)
        else:
            self._read_source()
        self.notify(
            "DEMO data is generated: reloaded it; there is no live source to fetch from."
            if kind == "DEMO"
            else f"Reloaded the {kind.lower() or 'cache'}: no live source is configured for this view.",
            timeout=4,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="live-refresh")
    def _run_refresh(self, refresher: Refresher) -> None:
        """Runs the collectors off the UI thread; progress and the outcome come back as messages."""
        try:
            outcome = refresher.run(self._report_step)
        except FinopsError as exc:
            self.post_message(RefreshEnded(None, str(exc)))
            return
        except Exception as exc:
            self.post_message(RefreshEnded(None, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(RefreshEnded(outcome, None))

    def _report_step(self, progress: RefreshProgress) -> None:
        """Called in the refresh worker's thread: post_message is thread-safe."""
        self.post_message(RefreshStep(progress))

    @on(RefreshStep)
    def _refresh_step(self, message: RefreshStep) -> None:
        self.query_one(RefreshStatusLine).update_step(message.progress)

    @on(RefreshEnded)
    def _refresh_ended(self, message: RefreshEnded) -> None:
        self.refreshing = False
        status = self.query_one(RefreshStatusLine)
        outcome = message.outcome
        if outcome is None:
            status.finish("Refresh failed; showing the last good data.")
            self.notify(message.error or "unknown error", title="Refresh failed", severity="error", timeout=20)
            return
        spend = "; ".join(s.describe() for s in outcome.spend)
        spent = f" {spend}." if spend else ""
        if outcome.status == "ok":
            status.finish(f"Refreshed.{spent}")
            self.notify(f"Refresh complete.{spent}", timeout=6)
        else:
            status.finish(f"Refresh {outcome.status}: {len(outcome.failures)} problem(s).{spent}")
            shown = [f if len(f) <= 120 else f[:119] + "…" for f in outcome.failures[:2]]
            more = len(outcome.failures) - len(shown)
            self.notify(
                "\n".join(shown) + (f"\n… and {more} more: `finops-tui doctor` lists them" if more else ""),
                title=f"Refresh {outcome.status}: the rest was committed",
                severity="warning",
                timeout=20,
            )
        self._check_for_new_data(note=None)

    def action_cycle_metric(self) -> None:
        index = (METRICS.index(self.scope.metric) + 1) % len(METRICS)
        self.scope = self.scope.model_copy(update={"metric": METRICS[index]})

    def action_cycle_currency(self) -> None:
        currencies = self.currencies
        if len(currencies) < 2:
            self.notify("All cost data is in one currency.", timeout=3)
            return
        index = (currencies.index(self.scope.currency) + 1) % len(currencies)
        currency = currencies[index]
        provider = self.scope.provider if self.scope.provider in self.providers_in(currency) else None
        self.scope = self.scope.model_copy(update={"currency": currency, "provider": provider})

    def action_cycle_provider(self) -> None:
        """All providers → the first by name → … → the last → all again."""
        if len(self.providers) < 2 and self.scope.provider is None:
            only = self.providers[0] if self.providers else "one provider"
            currency = self.scope.currency or "(no currency)"
            others = self.overview.elsewhere(self.scope.currency) if self.overview else {}
            elsewhere = f"; {', '.join(sorted(others))} bill in other currencies: press c" if others else ""
            self.notify(f"All {currency} cost data is from {only}{elsewhere}.", timeout=4)
            return
        order: list[str | None] = [None, *self.providers]
        index = (order.index(self.scope.provider) + 1) % len(order)
        self.set_provider(order[index])

    def set_provider(self, provider: str | None) -> None:
        self.scope = self.scope.model_copy(update={"provider": provider})

    def action_toggle_keys(self) -> None:
        from finops_tui.app.keys_screen import KeysScreen
        from finops_tui.app.panes.sql import SqlPane

        if isinstance(self.screen, KeysScreen):
            self.pop_screen()
        else:
            self.push_screen(
                KeysScreen(
                    [b for b in self.BINDINGS if isinstance(b, Binding)],
                    [b for b in SqlPane.BINDINGS if isinstance(b, Binding)],
                )
            )
