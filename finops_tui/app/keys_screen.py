"""`?`: every key of the cockpit in one list, grouped the way k9s users expect (global, tables, SQL)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from finops_tui.app.panes.anomalies import AnomaliesPane
from finops_tui.app.tabs import TAB_KEYS, TAB_LABELS
from finops_tui.app.widgets.data_grid import DataGrid

EXTRA = {
    "Global": [
        (TAB_KEYS, f"switch tab ({TAB_LABELS})"),
        ("ctrl+p / :", "command palette: go to a tab by name, theme, metric, currency"),
        ("esc", "back: close this list, clear a filter, leave the editor"),
    ],
    "Tables": [("click header", "sort by that column"), ("arrows / pgup / pgdn", "move")],
}


def _describe(binding: Binding) -> str:
    return binding.tooltip or binding.description


def _key_label(binding: Binding) -> str:
    return binding.key.replace("question_mark", "?").replace("slash", "/").replace("colon", ":")


class KeysScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    KeysScreen { align: center middle; }
    KeysScreen > VerticalScroll { width: 76; max-width: 95%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,question_mark,q", "app.pop_screen", "Close", id="keys.close")]

    def __init__(self, app_bindings: list[Binding], sql_bindings: list[Binding]) -> None:
        super().__init__()
        self.sections = {
            "Global": [(_key_label(b), _describe(b)) for b in app_bindings if not b.key.isdigit()],
            "Tables": [(_key_label(b), _describe(b)) for b in DataGrid.BINDINGS if isinstance(b, Binding)],
            "SQL pane": [(_key_label(b), _describe(b)) for b in sql_bindings],
            "Anomalies tab": [(_key_label(b), _describe(b)) for b in AnomaliesPane.BINDINGS if isinstance(b, Binding)],
        }
        for section, rows in EXTRA.items():
            self.sections[section] += rows

    def compose(self) -> ComposeResult:
        lines = []
        for section, rows in self.sections.items():
            lines.append(f"[b]{section}[/b]")
            lines += [f"  [b $accent]{key:<22}[/] {description}" for key, description in rows]
            lines.append("")
        with VerticalScroll() as box:
            box.border_title = "Keys (esc closes)"
            yield Static("\n".join(lines).rstrip())
