"""Theme files: built-in ones ship in the top-level `themes/` folder (packaged into the wheel),
user ones live in the config dir's `themes/`. Each is a small TOML file validated here.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ValidationError

from finops_tui import locations


class ThemeFile(BaseModel, extra="forbid"):
    """Colours of one theme; names follow textual.theme.Theme."""

    name: str
    dark: bool = True
    primary: str
    secondary: str | None = None
    accent: str | None = None
    warning: str | None = None
    error: str | None = None
    success: str | None = None
    foreground: str | None = None
    background: str | None = None
    surface: str | None = None
    panel: str | None = None
    variables: dict[str, str] = {}  # e.g. delta-up / delta-down: the colours of a rise and a fall in spend


def builtin_themes_dir() -> Path:
    packaged = Path(__file__).parent / "builtin_themes"  # in a wheel
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[1] / "themes"  # in a checkout


def load_theme_files(directory: Path) -> tuple[list[ThemeFile], list[str]]:
    """Valid themes, and one message per file that failed (for a single toast, not a crash)."""
    themes: list[ThemeFile] = []
    failures: list[str] = []
    if not directory.is_dir():
        return themes, failures
    for path in sorted(directory.glob("*.toml")):
        try:
            themes.append(ThemeFile(**tomllib.loads(path.read_text(encoding="utf-8"))))
        except (ValidationError, tomllib.TOMLDecodeError, OSError, TypeError) as exc:
            first = str(exc).strip().splitlines()[0]
            failures.append(f"{path.name}: {first}")
    return themes, failures


def all_theme_files() -> tuple[list[ThemeFile], list[str]]:
    builtin, _ = load_theme_files(builtin_themes_dir())
    user, failures = load_theme_files(locations.user_themes_dir())
    return builtin + user, failures
