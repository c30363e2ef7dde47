"""`d`: one row, every column, full values (no rounding, no ellipsis), scrollable."""

from __future__ import annotations

import json
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from finops_tui.terminal_text import escape_controls


def value_text(value: Any) -> Text:
    """A value as the user would copy it: NULL as a dim dash, JSON pretty, text with controls escaped."""
    if value is None:
        return Text("—", style="dim")
    if isinstance(value, (dict, list)):
        return Text(escape_controls(json.dumps(value, indent=2, default=str, ensure_ascii=False)))
    return Text(escape_controls(str(value)))


def fields_table(row: dict[str, Any]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for name, value in row.items():
        table.add_row(escape_controls(name), value_text(value))
    return table


class DescribeScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    DescribeScreen { align: center middle; }
    DescribeScreen > VerticalScroll { width: 100; max-width: 95%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,d,q", "app.pop_screen", "Close", id="describe.close")]

    def __init__(self, row: dict[str, Any], title: str = "Every column") -> None:
        super().__init__()
        self.row = row
        self.title_text = title

    def compose(self) -> ComposeResult:
        with VerticalScroll() as box:
            box.border_title = f"{self.title_text} (esc closes)"
            yield Static(fields_table(self.row), id="describe-fields")
