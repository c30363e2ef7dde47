"""Command palette entries (ctrl+p or `:`): jump to a tab by name, refresh, switch metric, currency or theme."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from finops_tui.app.tabs import TABS
from finops_tui.contract.vocabulary import METRIC_CYCLE_HINT

if TYPE_CHECKING:
    from finops_tui.app.main_app import FinopsApp

Command = tuple[str, Callable[[], Any], str]


class CockpitCommands(Provider):
    def _commands(self) -> list[Command]:
        app = cast("FinopsApp", self.app)
        commands: list[Command] = [
            (f"Go to {label}", partial(app.action_show_tab, tab), f"switch to the {label} tab") for tab, label in TABS
        ]
        commands += [
            ("Refresh data", app.action_refresh, "reload every tab from the source"),
            ("Fetch live data", app.action_refresh_live, "run the live (AWS) refresh even on a cache of files"),
            ("Next cost metric", app.action_cycle_metric, METRIC_CYCLE_HINT),
            ("Next currency", app.action_cycle_currency, "costs are never summed across currencies"),
            (
                "Provider: all",
                partial(app.set_provider, None),
                f"every provider with costs in {app.scope.currency or '(no currency)'}",
            ),
            ("Show keys", app.action_toggle_keys, "list every key binding"),
        ]
        commands += [  # only providers with costs in the current currency: another would show nothing
            (f"Provider: {name}", partial(app.set_provider, name), f"only {name} costs") for name in app.providers
        ]
        commands += [
            (f"Theme: {name}", partial(app.choose_theme, name), "switch colour theme (saved in the config file)")
            for name in sorted(app.available_themes)
        ]
        return commands

    async def discover(self) -> Hits:
        for title, callback, help_text in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
