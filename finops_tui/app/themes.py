"""Registering theme files as Textual themes."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.theme import Theme

from finops_tui.theme_files import all_theme_files


def register_themes(app: App[Any]) -> list[str]:
    """Register built-in and user themes; returns messages for files that failed to load."""
    themes, failures = all_theme_files()
    for spec in themes:
        app.register_theme(Theme(**spec.model_dump()))
    return failures
