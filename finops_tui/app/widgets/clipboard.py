"""`y` / `Y`: a cell or a row to the clipboard with OSC 52, saying where it may not arrive.

Textual's `App.copy_to_clipboard` writes the OSC 52 sequence to the terminal, which works over SSH;
the terminal decides whether to honour it, so the notification says when it may not.
"""

from __future__ import annotations

import json
import os
from typing import Any

from textual.app import App


def copy_note() -> str:
    if os.environ.get("TMUX"):
        return "sent with OSC 52; inside tmux it reaches the clipboard only with `set -g set-clipboard on`"
    return "sent with OSC 52; a terminal without OSC 52 support (or with it turned off) ignores it"


def copy_cell(app: App[Any], label: str, value: Any) -> None:
    """The raw value (never the rounded or ellipsised one the grid shows)."""
    text = "" if value is None else str(value)
    app.copy_to_clipboard(text)
    shown = text if len(text) <= 60 else text[:59] + "…"
    app.notify(f"Copied {label}: {shown}\n{copy_note()}", timeout=5)


def copy_row(app: App[Any], row: dict[str, Any]) -> None:
    app.copy_to_clipboard(json.dumps(row, default=str, ensure_ascii=False))
    app.notify(f"Copied the row as JSON ({len(row)} columns)\n{copy_note()}", timeout=5)
