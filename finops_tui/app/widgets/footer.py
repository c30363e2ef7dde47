"""The footer, without the memory it leaks in Textual 8.2 on every focus change.

Textual's Footer recomposes whenever the active bindings change (each focus move, each tab),
and every new FooterKey binds `compact` to the footer with `data_bind`, which registers a
watcher on the footer. Watchers are pruned only when `compact` itself changes, which it never
does here, so each recompose left ~28 dead FooterKeys reachable: 4 MB per reload round in the
soak benchmark. After each recompose this footer drops the watchers of keys no longer on screen.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Footer

COMPACT_BELOW = 100  # columns: the same breakpoint as the app's -narrow layout


class CockpitFooter(Footer):
    """Compact (no padding around keys) below 100 columns, so 80 columns still show the pane's keys,
    `?` (which lists every key, the ones cut off included) and the palette."""

    # Compact mode gives every key a 1-cell right margin, the docked palette key included: that cell
    # is not painted by it, so a key scrolled under it showed through ("^p Palettee").
    DEFAULT_CSS = """
    CockpitFooter.-compact FooterKey.-command-palette { margin-right: 0; padding-right: 1; }
    """

    def on_resize(self, event: events.Resize) -> None:
        self.compact = event.size.width < COMPACT_BELOW

    async def recompose(self) -> None:
        await super().recompose()
        watchers: dict[str, list[tuple[object, object]]] = getattr(self, "__watchers", {})
        for callbacks in watchers.values():
            callbacks[:] = [(node, cb) for node, cb in callbacks if getattr(node, "is_attached", True)]
