"""Pilot: the Anomalies tab lists computed anomalies with their root cause, and `a`/`x`/`v` acknowledge, mute
and show muted ones, written to the cache (a copy of the DEMO: these tests write)."""

from __future__ import annotations

import shutil

import pytest

from finops_tui.app.keys_screen import KeysScreen
from finops_tui.app.panes.anomalies import AnomaliesPane
from finops_tui.app.widgets.data_grid import DataGrid
from finops_tui.cache.local_reader import LocalCache
from finops_tui.contract.scope import ViewScope
from tests.tui.conftest import make_app, settle, wait_until


@pytest.fixture
def demo_copy(demo_cache, tmp_path):
    target = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_cache, target)
    return target


def statuses(path) -> dict[str, str]:
    reader = LocalCache(path)
    try:
        return {r["anomaly_id"]: r["status"] for r in reader.anomalies_view(ViewScope(currency=None)).table.rows()}
    finally:
        reader.close()


async def test_the_tab_lists_computed_anomalies_with_root_cause_and_origin(demo_copy):
    app = make_app(demo_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        grid = app.query_one(AnomaliesPane).query_one(DataGrid)
        rows = grid.full.to_pylist()
        assert rows and {r["origin"] for r in rows} == {"computed here"}
        assert all(r["root_cause"] for r in rows) and rows[0]["start_date"] >= rows[-1]["start_date"]
        assert "drivers" not in grid.full.column_names  # root_cause says it for people
        caption = str(app.query_one(AnomaliesPane).query_one("#caption").render())
        assert f"{len(rows)} open" in caption and "a ack, x mute" in caption


async def test_a_acknowledges_x_mutes_the_series_and_v_shows_muted(demo_copy):
    app = make_app(demo_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        pane = app.query_one(AnomaliesPane)
        grid = pane.query_one(DataGrid)
        first = grid.shown["anomaly_id"][0].as_py()
        await pilot.press("a")
        await settle(pilot)
        await wait_until(pilot, lambda: grid.full["status"][0].as_py() == "acknowledged")  # saved, then reloaded
        await settle(pilot)
        assert grid.full["status"][0].as_py() == "acknowledged"
        assert statuses(demo_copy)[first] == "acknowledged"  # in the cache file, not only on screen

        total = grid.full.num_rows
        series = {r["anomaly_id"] for r in grid.full.to_pylist() if r["service"] == grid.full["service"][0].as_py()
                  and r["account"] == grid.full["account"][0].as_py()}  # fmt: skip
        await pilot.press("x")
        await settle(pilot)
        await wait_until(pilot, lambda: first not in grid.full["anomaly_id"].to_pylist())
        await settle(pilot)
        assert grid.full.num_rows == total - len(series)
        assert first not in grid.full["anomaly_id"].to_pylist()
        assert f"{len(series)} muted hidden (v shows)" in str(pane.query_one("#caption").render())

        await pilot.press("v")
        await settle(pilot)
        assert grid.full.num_rows == total
        assert {s for a, s in statuses(demo_copy).items() if a in series} == {"muted"}

        await pilot.press("x")  # the cursor's row is muted: x unmutes the series
        await settle(pilot)
        await wait_until(pilot, lambda: "muted" not in grid.full["status"].to_pylist())
        await settle(pilot)
        assert "muted" not in set(statuses(demo_copy).values())


async def test_feedback_keys_are_in_the_footer_and_the_keys_list(demo_copy):
    app = make_app(demo_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        footer = {b.binding.key: b.binding.description for b in app.active_bindings.values() if b.binding.show}
        assert (footer["a"], footer["x"], footer["v"]) == ("Ack", "Mute", "Show muted")
        await pilot.press("question_mark")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, KeysScreen)
        section = dict(screen.sections["Anomalies tab"])
        assert set(section) == {"a", "x", "v"} and "mute" in section["x"]
