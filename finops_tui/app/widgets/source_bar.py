"""The header on every screen: where the numbers come from, read-only or not, and how old each dataset is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from finops_tui.app.themes import theme_styles
from finops_tui.contract.vocabulary import HEADER_KINDS
from finops_tui.money import format_age, is_stale
from finops_tui.terminal_text import escape_controls

if TYPE_CHECKING:  # the contract's models load after the cockpit's first frame (cli._run_tui)
    from finops_tui.contract.provenance import BackendConnection, DatasetInfo, SourceInfo
    from finops_tui.contract.refresh import RefreshStatus

_BADGE_STYLE = {
    "DEMO": "bold black on yellow",
    "SNAPSHOT": "bold black on cyan",
    "CACHE": "bold black on green",
    "AWS": "bold black on green",
    "REMOTE": "bold black on magenta",
}


def last_covered(through: datetime) -> str:
    """'2026-11-23' for data that ends at midnight of the 24th; with the time when it ends mid-day."""
    if through.time() == datetime.min.time():
        return f"{(through - timedelta(seconds=1)):%Y-%m-%d}"
    return f"{through:%Y-%m-%d %H:%M}"


def dataset_ages(datasets: list[DatasetInfo], now: datetime, stale_after: timedelta, warn: str = "bold yellow") -> Text:
    """One segment per dataset kind: costs by how recent their data is, the rest by when they were loaded."""
    text = Text()
    kinds: dict[str, list[DatasetInfo]] = {}
    for d in datasets:
        kinds.setdefault(d.kind, []).append(d)
    if not kinds:
        return Text("no datasets yet", style=warn)
    for kind in HEADER_KINDS:
        group = kinds.get(kind)
        if not group:
            continue
        if text:
            text.append(" · ", style="dim")
        if kind == "costs":
            exports = [d for d in group if d.origin != "API"]
            live = [d for d in group if d.origin == "API"]
            # an API's datasets are named "<service>, <account>": the service names the segment
            apis = "/".join(sorted({(d.source or "API").split(",")[0] for d in live}))
            for name, part in (("costs", exports), (escape_controls(apis), live)):
                if not part:
                    continue
                if part is live and exports:
                    text.append(" · ", style="dim")
                through = max((d.data_through for d in part if d.data_through), default=None)
                label = f"{name} ({len(part)}) through {last_covered(through)}" if through else f"{name}: no dates"
                stale = is_stale(through, now, stale_after)
                text.append(label + (f", {format_age(through, now)} old" if stale else ""), style=warn if stale else "")
        else:
            loaded = min((d.loaded_at for d in group if d.loaded_at), default=None)
            stale = is_stale(loaded, now, stale_after)
            text.append(f"{kind} {format_age(loaded, now)} ago", style=warn if stale else "")
    return text


def backend_label(src: SourceInfo, connection: BackendConnection) -> Text:
    """Client mode: the backend URL, the server's own source, and STALE since when in a warning colour."""
    text = Text()
    text.append(" REMOTE ", style=_BADGE_STYLE["REMOTE"])
    text.append(f" {escape_controls(connection.backend)}")
    if connection.state == "stale":  # before the server's path, so a narrow terminal still shows it
        since = connection.stale_since
        when = f" since {since:%Y-%m-%d %H:%M} UTC" if since else ""
        text.append(" ")
        text.append(f" STALE{when}: backend unreachable, last good data ", style="bold black on yellow")
    text.append(f" (server: {src.kind} {escape_controls(src.location)})", style="dim")
    return text


class SourceBar(Widget):
    """Source badge + location + mode; dataset ages (yellow when stale); the latest live refresh, if any."""

    DEFAULT_CSS = """
    SourceBar { height: auto; max-height: 3; background: $panel; padding: 0 1; text-wrap: nowrap;
                text-overflow: ellipsis; }
    """
    source: reactive[SourceInfo | None] = reactive(None)
    refreshed: reactive[RefreshStatus | None] = reactive(None, layout=True)
    datasets: reactive[list[DatasetInfo]] = reactive(list, always_update=True)
    context: reactive[str] = reactive("")
    connection: reactive[BackendConnection | None] = reactive(None)
    problem: reactive[str] = reactive("")  # the source could not be read and nothing was read before

    def __init__(self, clock: Callable[[], datetime], stale_after: timedelta | None, **kwargs: Any) -> None:
        """`stale_after` (the settings'), may come later: until it does there are no datasets to age."""
        super().__init__(**kwargs)
        self._clock = clock
        self.stale_after = stale_after or timedelta.max

    def render(self) -> Text:
        """Line 1: what is on screen (kind, metric, currency, provider), kept whole on a narrow terminal;
        line 2: how old each dataset is and where it comes from; line 3: the latest live refresh."""
        styles = theme_styles(self.app)
        line = Text(no_wrap=True, overflow="ellipsis")
        src = self.source
        if src is None and self.problem:
            line.append(" NOT READ ", style=styles.bad)
            line.append(f" {self.problem}: nothing to show yet (the message says why; r tries again)")
        elif src is None:
            line.append(" loading… ", style="reverse")
        elif self.connection is not None:
            line.append_text(backend_label(src, self.connection))
            line.append("  read-only" if src.read_only else "  read-write", style="bold")
        else:
            line.append(f" {src.kind} ", style=styles.badge or _BADGE_STYLE.get(src.kind, "reverse"))
        if self.context:
            line.append(f" {self.context}", style="bold")
        if src is not None and src.is_demo:
            line.append("  ")
            line.append(" generated data, not real spend ", style=styles.badge or "bold black on yellow")
        # how old the data is before where it lives: on a narrow terminal the path is what gets cut
        where = Text(no_wrap=True, overflow="ellipsis")
        where.append("datasets: ", style="dim")
        if src is None:  # not read (yet): "no datasets yet" would claim the source is empty
            where.append("none read" if self.problem else "reading…", style="dim")
        else:
            where.append_text(dataset_ages(self.datasets, self._clock(), self.stale_after, styles.warn))
            where.append(" · ", style="dim")
            where.append("read-only " if src.read_only else "read-write ", style="dim")
            where.append(escape_controls(src.location))
            if src.origin:
                where.append(f" (origin: {escape_controls(src.origin)})", style="dim")
        line.append("\n")
        line.append_text(where)
        if self.refreshed is not None:
            line.append("\n")
            line.append_text(self._refresh_line(self.refreshed))
        return line

    def _refresh_line(self, r: RefreshStatus) -> Text:
        """Who was refreshed, when, how it went, and what Cost Explorer cost (latest run and today)."""
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("live: ", style="dim")
        styles = theme_styles(self.app)
        style = styles.bad if r.status == "failed" else styles.warn if r.status == "partial" else ""
        text.append(
            f"{escape_controls(r.source)}, refreshed {format_age(r.finished_at, self._clock())} ago", style=style
        )
        if r.status != "ok":
            text.append(f" ({r.status}: {len(r.failures)} problem(s))", style=styles.warn)
        for spend in r.spend:
            text.append(f" · {spend.service} ${spend.cost_usd:.2f} last refresh", style="")
            if spend.cost_today_usd is not None:
                text.append(f", ${spend.cost_today_usd:.2f} today")
        return text
