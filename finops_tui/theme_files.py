"""Theme files: built-in ones ship in the top-level `themes/` folder (packaged into the wheel),
user ones live in the config dir's `themes/`. Each is a small TOML file validated here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from finops_tui import locations


@dataclass(frozen=True)
class ThemeFile:
    """Colours of one theme; names follow textual.theme.Theme.

    Checked by hand rather than with pydantic: the built-in themes are read before the cockpit's first
    frame, and pydantic is not imported until after it (cli._run_tui)."""

    name: str
    primary: str
    dark: bool = True
    secondary: str | None = None
    accent: str | None = None
    warning: str | None = None
    error: str | None = None
    success: str | None = None
    foreground: str | None = None
    background: str | None = None
    surface: str | None = None
    panel: str | None = None
    variables: dict[str, str] = field(default_factory=dict)  # e.g. delta-up / delta-down: a rise and a fall

    @classmethod
    def parse(cls, data: dict[str, Any]) -> ThemeFile:
        """ValueError naming the first key that is unknown, missing or of the wrong type."""
        known = {f.name: f for f in fields(cls)}
        if unknown := sorted(set(data) - set(known)):
            raise ValueError(f"unknown key {unknown[0]!r} (keys: {', '.join(known)})")
        for key in ("name", "primary"):
            if key not in data:
                raise ValueError(f"missing key {key!r}")
        for key, value in data.items():
            if key == "dark":
                ok = isinstance(value, bool)
            elif key == "variables":
                ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
            else:
                ok = isinstance(value, str)
            if not ok:
                wanted = {"dark": "true or false", "variables": "a table of strings"}.get(key, "a string")
                raise ValueError(f"{key} must be {wanted}, not {value!r}")
        return cls(**data)

    def as_theme_arguments(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


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
            themes.append(ThemeFile.parse(tomllib.loads(path.read_text(encoding="utf-8"))))
        except (ValueError, OSError) as exc:  # TOMLDecodeError is a ValueError
            first = str(exc).strip().splitlines()[0]
            failures.append(f"{path.name}: {first}")
    return themes, failures


def all_theme_files() -> tuple[list[ThemeFile], list[str]]:
    builtin, _ = load_theme_files(builtin_themes_dir())
    user, failures = load_theme_files(locations.user_themes_dir())
    return builtin + user, failures
