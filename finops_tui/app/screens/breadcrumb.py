"""The path from the tab to the screen on top ("Resources › i-0abc › cost rows"), start cut first when narrow."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

SEPARATOR = " › "


def trail_text(trail: tuple[str, ...], width: int) -> Text:
    """The trail, dropping its oldest steps (shown as '…') until it fits `width`."""
    steps = list(trail)
    while len(SEPARATOR.join(steps)) > width and not (len(steps) <= 2 and steps[0] == "…") and len(steps) > 1:
        steps = ["…", *steps[2:]] if steps[0] == "…" else ["…", *steps[1:]]
    text = Text()
    for i, step in enumerate(steps):
        if i:
            text.append(SEPARATOR, style="dim")
        text.append(step, style="bold" if i == len(steps) - 1 else "")
    return text


class Breadcrumb(Static):
    DEFAULT_CSS = """
    Breadcrumb { height: 1; padding: 0 1; background: $panel; }
    """

    def __init__(self, trail: tuple[str, ...], **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.trail = trail

    def on_resize(self) -> None:
        self.update(trail_text(self.trail, max(10, self.size.width)))

    def on_mount(self) -> None:
        self.update(trail_text(self.trail, max(10, self.size.width or 80)))
