"""Registering theme files as Textual themes, and the few text styles the cockpit derives from a theme.

Deltas (cost up, cost down) are drawn in colours taken from the theme, lightened or darkened until
they reach a WCAG contrast ratio of 4.5:1 against the theme's background and surface, so they are
legible on every theme. The colour is never the only signal: every delta also carries an arrow and a
sign, and a rise is bold. A theme may name its own delta colours (variables `delta-up`, `delta-down`;
the colour-blind-safe theme uses orange and blue). A greyscale theme (finops-mono) and the ANSI themes
draw deltas, badges and warnings without any colour of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.color import Color
from textual.theme import Theme

from finops_tui.theme_files import all_theme_files

MIN_CONTRAST = 4.5  # WCAG AA for normal text


def register_themes(app: App[Any]) -> list[str]:
    """Register built-in and user themes; returns messages for files that failed to load."""
    themes, failures = all_theme_files()
    for spec in themes:
        app.register_theme(Theme(**spec.as_theme_arguments()))
    return failures


def _luminance(color: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast_ratio(a: Color, b: Color) -> float:
    """WCAG 2 contrast ratio of two opaque colours, 1 to 21."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def legible(color: Color, backgrounds: list[Color]) -> Color:
    """`color`, moved towards white or black (whichever the backgrounds are further from) until it
    reaches MIN_CONTRAST against every background; hue is kept as far as the contrast allows."""
    target = Color(0, 0, 0) if max(_luminance(b) for b in backgrounds) > 0.4 else Color(255, 255, 255)
    for step in range(21):
        candidate = color.blend(target, step / 20)
        if all(contrast_ratio(candidate, b) >= MIN_CONTRAST for b in backgrounds):
            return candidate
    return target


def is_greyscale(theme: Theme) -> bool:
    """True when every colour the theme names is a grey: such a theme must draw no colour at all."""
    colours = [theme.primary, theme.secondary, theme.accent, theme.warning, theme.error, theme.success,
               theme.foreground, theme.background, theme.surface, theme.panel]  # fmt: skip
    parsed = [Color.parse(c) for c in colours if c]
    return all(c.r == c.g == c.b for c in parsed)


@dataclass(frozen=True)
class ThemeStyles:
    """Rich style strings for what the cockpit colours itself (outside TCSS)."""

    up: str  # spend rose: bad news
    down: str  # spend fell
    flat: str
    warn: str  # stale data, partial refresh
    bad: str  # failed refresh
    chart: str
    badge: str | None  # None: each source kind keeps its own badge colour


_PLAIN = ThemeStyles(up="bold", down="", flat="dim", warn="bold", bad="bold reverse", chart="", badge="bold reverse")


_CACHE: dict[tuple[str, int], ThemeStyles] = {}


def styles_of(theme: Theme) -> ThemeStyles:
    """The styles a theme gives (computed once per theme object)."""
    key = (theme.name, id(theme))
    if key not in _CACHE:
        _CACHE[key] = _styles(theme)
    return _CACHE[key]


def _styles(theme: Theme) -> ThemeStyles:
    if theme.name.startswith("ansi-") or is_greyscale(theme):
        return _PLAIN  # the terminal's own foreground: legible by definition, meaning carried by arrows and bold
    variables = theme.to_color_system().generate()
    backgrounds = [Color.parse(variables[name]) for name in ("background", "surface")]
    up = theme.variables.get("delta-up") or variables["error"]
    down = theme.variables.get("delta-down") or variables["success"]
    warn = legible(Color.parse(variables["warning"]), backgrounds).hex
    return ThemeStyles(
        up=f"bold {legible(Color.parse(up), backgrounds).hex}",
        down=legible(Color.parse(down), backgrounds).hex,
        flat="dim",
        warn=f"bold {warn}",
        bad=f"bold {legible(Color.parse(variables['error']), backgrounds).hex}",
        chart=legible(Color.parse(variables["primary"]), backgrounds).hex,
        badge=None,
    )


def theme_styles(app: App[Any]) -> ThemeStyles:
    """The styles for the app's current theme (plain ones under NO_COLOR)."""
    if getattr(app, "no_color", False):
        return _PLAIN
    return styles_of(app.current_theme)
