"""A daily cost trend drawn with block characters, with its scale and date range as text."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from finops_tui.app.themes import theme_styles
from finops_tui.contract.views import DailyPoint
from finops_tui.money import format_money

_BLOCKS = " ▁▂▃▄▅▆▇█"


def bar_rows(values: list[float], height: int, floor: float = 0.0) -> list[str]:
    """Rows of block characters, top row first; each value is one column scaled from `floor` to the max."""
    top = max(values, default=0)
    if top <= floor:
        return [" " * len(values) for _ in range(height)]
    levels = [max(0.0, v - floor) / (top - floor) * height * 8 for v in values]
    rows = []
    for row in range(height - 1, -1, -1):
        base = row * 8
        rows.append("".join(_BLOCKS[int(min(8, max(0, lv - base)))] for lv in levels))
    return rows


class TrendChart(Widget):
    DEFAULT_CSS = """
    TrendChart { height: 8; padding: 0 1; }
    """
    points: reactive[list[DailyPoint]] = reactive(list, always_update=True)
    currency: reactive[str | None] = reactive(None)

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        if not self.points:
            return Text("No daily costs to draw yet.", style="dim")
        width = max(10, self.size.width - 14)
        points = self.points[-width:]
        values = [p.cost for p in points]
        height = max(2, self.size.height - 2)
        top, low = max(values), min(values)
        # Start the axis a little below the minimum so day-to-day changes are visible, and say so.
        floor = max(0.0, low - (top - low) * 0.25) if top > low else 0.0
        text.append(
            f"Daily cost, last {len(points)} days  (max {format_money(top, self.currency, cents=False)}"
            f", min {format_money(low, self.currency, cents=False)})\n",
            style="bold",
        )
        for i, row in enumerate(bar_rows(values, height, floor)):
            label = (
                format_money(top, self.currency, cents=False)
                if i == 0
                else format_money(floor, self.currency, cents=False)
                if i == height - 1
                else ""
            )
            text.append(f"{label:>11} ", style="dim")
            text.append(row + "\n", style=theme_styles(self.app).chart)
        text.append(
            f"{'':>11} {points[0].day:%b %d}".ljust(12 + len(points) - 6) + f"{points[-1].day:%b %d}", style="dim"
        )
        return text
