"""Built-in themes come from files; user themes load from the config dir; a bad file is named, not fatal."""

from __future__ import annotations

from tests.tui.conftest import make_app, notifications, settle


async def test_user_theme_is_used_and_a_broken_one_is_reported(demo_cache, tmp_path, monkeypatch):
    monkeypatch.setenv("FINOPS_TUI_CONFIG_DIR", str(tmp_path))
    themes = tmp_path / "themes"
    themes.mkdir()
    (themes / "night-shift.toml").write_text('name = "night-shift"\ndark = true\nprimary = "#FF8800"\n')
    (themes / "broken.toml").write_text('name = "broken"\nprimry = "#000000"\n')
    app = make_app(demo_cache, theme="night-shift")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "night-shift"
        assert {"finops-dark", "finops-light", "finops-mono", "night-shift"} <= set(app.available_themes)
        messages = notifications(app)
        assert any("broken.toml" in m for m in messages)


async def test_unknown_theme_falls_back_with_a_warning(demo_cache):
    app = make_app(demo_cache, theme="no-such-theme")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme != "no-such-theme"
        assert any("Unknown theme" in m for m in notifications(app))


async def test_default_theme_is_the_builtin_finops_dark(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.theme == "finops-dark"
