"""Colour is never the only signal, and never illegible: contrast on every built-in theme, arrows and
bold for rises, a colour-blind-safe theme, NO_COLOR and finops-mono drawing no colour at all."""

from __future__ import annotations

import colorsys
import re
from pathlib import Path

import pytest
from rich.text import Text
from textual.app import App
from textual.color import Color

from finops_tui.app.panes.kpis import delta_text, money_delta_text
from finops_tui.app.themes import MIN_CONTRAST, contrast_ratio, is_greyscale, register_themes, styles_of
from finops_tui.config import load_settings
from tests.tui.conftest import make_app, settle


def _every_builtin_theme():
    app: App[None] = App()
    failures = register_themes(app)
    assert failures == []
    return app, sorted(app.available_themes)


APP, THEMES = _every_builtin_theme()


def _colour_of(style: str) -> Color | None:
    words = [w for w in style.split() if w.startswith("#")]
    return Color.parse(words[0]) if words else None


@pytest.mark.parametrize("name", THEMES)
def test_deltas_are_legible_on_every_builtin_theme(name):
    theme = APP.available_themes[name]
    styles = styles_of(theme)
    variables = theme.to_color_system().generate()
    for style in (styles.up, styles.down, styles.warn):
        colour = _colour_of(style)
        if colour is None:  # ANSI or greyscale theme: the terminal's own foreground, bold for a rise
            assert name.startswith("ansi-") or is_greyscale(theme)
            continue
        for background in ("background", "surface"):
            ratio = contrast_ratio(colour, Color.parse(variables[background]))
            assert ratio >= MIN_CONTRAST, f"{name}: {style} on {background} is {ratio:.2f}:1"


def test_the_theme_list_covers_textuals_and_ours():
    assert {"textual-dark", "textual-light", "nord", "ansi-dark"} <= set(THEMES)
    assert {"finops-dark", "finops-light", "finops-mono", "finops-colourblind"} <= set(THEMES)


def test_colourblind_theme_draws_rises_orange_and_falls_blue():
    styles = styles_of(APP.available_themes["finops-colourblind"])
    hues = {}
    for kind in ("up", "down"):
        colour = _colour_of(getattr(styles, kind))
        assert colour is not None
        hues[kind] = colorsys.rgb_to_hsv(colour.r / 255, colour.g / 255, colour.b / 255)[0] * 360
    assert 20 <= hues["up"] <= 50  # orange
    assert 180 <= hues["down"] <= 240  # blue


@pytest.mark.parametrize("name", ["finops-dark", "finops-mono", "ansi-dark", "finops-colourblind"])
def test_rise_and_fall_read_without_colour(name):
    styles = styles_of(APP.available_themes[name])
    up, down = delta_text(120, 100, styles), delta_text(80, 100, styles)
    assert up.plain == "▲ +20.0%" and down.plain == "▼ -20.0%"
    assert "bold" in str(up.style) and "bold" not in str(down.style)
    assert money_delta_text(-40, "USD", styles).plain == "▼ -$40"
    assert money_delta_text(40, "USD", styles).plain == "▲ +$40"
    assert isinstance(delta_text(100, 100, styles), Text) and delta_text(100, 100, styles).plain == "= 0.0%"


_CHROME = {"#ff5f57", "#febc2e", "#28c840"}  # the window buttons the SVG export draws around the terminal


def _chromatic(svg: str) -> set[str]:
    found = set()
    for hex_colour in re.findall(r"#[0-9a-fA-F]{6}\b", svg):
        if hex_colour.lower() in _CHROME:
            continue
        c = Color.parse(hex_colour)
        if max(c.r, c.g, c.b) - min(c.r, c.g, c.b) > 6:
            found.add(hex_colour)
    return found


async def test_finops_mono_draws_no_colour(messy_cache):
    app = make_app(messy_cache, theme="finops-mono")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "finops-mono"
        assert _chromatic(app.export_screenshot()) == set()


async def test_finops_dark_does_draw_colour(messy_cache):
    """The check above can fail: the default theme's screenshot has colours in it."""
    app = make_app(messy_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _chromatic(app.export_screenshot())


async def test_no_color_env_draws_no_colour_and_keeps_arrows(messy_cache, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(messy_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.no_color
        svg = app.export_screenshot()
        assert _chromatic(svg) == set()
        assert "▲" in svg


def test_no_color_snapshot(snap_compare, messy_cache, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")

    async def run_before(pilot):  # CHF: see test_messy_cache_kpis for why not the first view
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(make_app(messy_cache), terminal_size=(100, 30), run_before=run_before)
    stored = Path(__file__).parent / "__snapshots__" / "test_colour" / "test_no_color_snapshot.svg"
    assert _chromatic(stored.read_text()) == set()


async def test_theme_chosen_in_the_palette_is_saved_keeping_other_settings(demo_cache, tmp_path):
    config = tmp_path / "_config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('# my settings\nmetric = "BilledCost"\ntheme = "finops-dark"  # old\nsql_row_limit = 500\n')
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.choose_theme("finops-light")
        await settle(pilot)
        assert app.theme == "finops-light"
    text = config.read_text()
    assert text.startswith('# my settings\nmetric = "BilledCost"\n')
    assert 'theme = "finops-light"' in text and "sql_row_limit = 500" in text
    settings = load_settings()
    assert (settings.theme, settings.metric, settings.sql_row_limit) == ("finops-light", "BilledCost", 500)


async def test_theme_is_added_to_a_config_file_that_has_none(demo_cache, tmp_path):
    config = tmp_path / "_config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('log_level = "DEBUG"')  # no final newline
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.choose_theme("finops-colourblind")
        await settle(pilot)
    assert load_settings().theme == "finops-colourblind" and load_settings().log_level == "DEBUG"
