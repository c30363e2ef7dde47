"""`?`: every key of the cockpit in one list, grouped the way k9s users expect (global, tables, SQL).

Each key appears once: bindings of the same action are listed together ("r / ctrl+r"), and a
description wraps under its own column instead of running back to the left edge.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from finops_tui.app.panes.anomalies import AnomaliesPane
from finops_tui.app.tabs import TAB_KEYS, TAB_LABELS
from finops_tui.app.widgets.data_grid import DataGrid

Row = tuple[str, str]

EXTRA: dict[str, list[Row]] = {
    "Global": [
        (TAB_KEYS, f"switch tab ({TAB_LABELS})"),
        ("tab / shift+tab", "move the focus to the next / previous part of the screen"),
        ("esc", "back: close this list, leave a detail view, clear a filter, leave the editor"),
    ],
    "Tables": [
        ("enter", "open the row: its detail, daily series and the cost rows behind it (esc comes back)"),
        ("d", "describe the row: every column, full values"),
        ("y", "copy the cell or row to the clipboard (OSC 52, works over SSH)"),
        ("click header", "sort by that column"),
        ("arrows / pgup / pgdn", "move"),
    ],
    "SQL pane": [
        ("6", "back to the SQL editor, from the results or from any other tab"),
        ("esc", "leave the editor for the results (or cancel a running query)"),
    ],
}


def _describe(binding: Binding) -> str:
    return binding.tooltip or binding.description


def _key_label(key: str) -> str:
    if key == "escape":
        return "esc"
    return key.replace("question_mark", "?").replace("slash", "/").replace("colon", ":")


def merged_rows(bindings: list[Binding]) -> list[Row]:
    """One row per action, its keys joined ("r / ctrl+r"), in the order the bindings were declared."""
    by_action: dict[str, tuple[list[str], str]] = {}
    for binding in bindings:
        keys, _ = by_action.setdefault(binding.action, ([], _describe(binding)))
        for key in binding.key.split(","):
            label = _key_label(key.strip())
            if label not in keys:
                keys.append(label)
    return [(" / ".join(keys), description) for keys, description in by_action.values()]


def _unique(rows: list[Row]) -> list[Row]:
    """Rows whose keys an earlier row of the section already lists are dropped (each key once)."""
    seen: set[str] = set()
    kept = []
    for keys, description in rows:
        names = set(keys.split(" / "))
        if names & seen:
            continue
        seen |= names
        kept.append((keys, description))
    return kept


class KeysScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    KeysScreen { align: center middle; }
    KeysScreen > VerticalScroll { width: 90; max-width: 95%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,question_mark,q", "app.pop_screen", "Close", id="keys.close")]

    def __init__(self, app_bindings: list[Binding], sql_bindings: list[Binding]) -> None:
        super().__init__()
        grid = [b for b in DataGrid.BINDINGS if isinstance(b, Binding)]
        self.sections: dict[str, list[Row]] = {
            "Global": merged_rows([b for b in app_bindings if not b.key.isdigit()]),
            "Tables": merged_rows(grid),
            "SQL pane": merged_rows(sql_bindings),
            "Anomalies tab": merged_rows([b for b in AnomaliesPane.BINDINGS if isinstance(b, Binding)]),
        }
        for section, rows in EXTRA.items():
            self.sections[section] = _unique(self.sections[section] + rows)

    def compose(self) -> ComposeResult:
        self.table = table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True, style="bold", min_width=14)
        table.add_column(overflow="fold", ratio=1)
        for section, rows in self.sections.items():
            table.add_row(Text(section, style="bold underline"), "")
            for key, description in rows:
                table.add_row(Text(key, style="bold"), description)
            table.add_row("", "")
        with VerticalScroll() as box:
            box.border_title = "Keys (esc closes)"
            yield Static(table)
