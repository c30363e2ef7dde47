"""The status line of a running refresh: one entry per collector and region, as they finish.

Hidden when no refresh runs; the outcome of the last one stays until the next key press of `r`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from finops_tui.app.themes import theme_styles

if TYPE_CHECKING:  # the contract's models load after the cockpit's first frame (cli._run_tui)
    from finops_tui.contract.refresh import RefreshProgress


class RefreshStatusLine(Widget):
    """Progress of the running refresh, then its outcome; hidden until the first refresh."""

    DEFAULT_CSS = """
    RefreshStatusLine { height: auto; max-height: 3; background: $panel; padding: 0 1; display: none; }
    RefreshStatusLine.-active { display: block; }
    """
    steps: reactive[dict[str, RefreshProgress]] = reactive(dict, always_update=True)
    headline: reactive[str] = reactive("")

    def start(self, label: str) -> None:
        self.steps = {}
        self.headline = f"Refreshing from {label}…"
        self.add_class("-active")

    def update_step(self, progress: RefreshProgress) -> None:
        self.steps = {**self.steps, progress.key: progress}

    def finish(self, headline: str) -> None:
        self.headline = headline

    def hide(self) -> None:
        self.remove_class("-active")

    def render(self) -> Text:
        text = Text(self.headline + " ", style="bold")
        styles = theme_styles(self.app)  # the marks carry the state; colour only where the theme has some
        for key, p in self.steps.items():
            mark = {"running": "…", "ok": "✓", "failed": "✗"}.get(p.state, "?")
            text.append(f" {mark} {key}", style={"running": styles.warn, "failed": styles.bad}.get(p.state, ""))
        return text
