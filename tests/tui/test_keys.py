"""Pilot tests: every tab and key does what the footer and `?` promise, on the real DEMO cache."""

from __future__ import annotations

import io

import pyarrow.compute as pc
from rich.console import Console
from textual.widgets import TabbedContent, TextArea

from finops_tui.app.keys_screen import KeysScreen
from finops_tui.app.panes.kpis import KpiPane
from finops_tui.app.widgets.data_grid import DataGrid
from finops_tui.app.widgets.source_bar import SourceBar
from finops_tui.contract.scope import ViewScope
from finops_tui.sources.demo_catalog import IDLE
from tests.tui.conftest import make_app, notifications, settle, wait_until


async def test_number_keys_switch_tabs_and_load_each_pane(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key, tab in zip(
            "234561", ["resources", "anomalies", "budgets", "optimizations", "sql", "kpis"], strict=True
        ):
            if tab == "kpis":
                await pilot.press("escape")  # digits type into the SQL editor; esc leaves it first
            await pilot.press(key)
            await settle(pilot)
            assert app.query_one(TabbedContent).active == tab
        budgets = app.query_one("#pane-budgets").query_one(DataGrid)
        assert budgets.full is not None and budgets.full.num_rows == 6
        resources = app.query_one("#pane-resources").query_one(DataGrid)
        assert resources.total > 250 and resources.full.num_rows == 200  # the first page, paged in SQL


async def test_header_labels_demo_source_and_dataset_ages(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = app.query_one(SourceBar).render().plain
        assert "DEMO" in text and "generated data, not real spend" in text
        assert "read-only" in text
        assert "costs (14) through 2026-11-23" in text
        assert "resources 1h ago" in text and "budgets 1h ago" in text


async def test_slash_filters_resources_to_the_idle_ones_and_escape_clears(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        grid = app.query_one("#pane-resources").query_one(DataGrid)
        total = grid.total
        await pilot.press("slash")
        await pilot.press(*"IDLE")
        await settle(pilot)
        assert grid.shown.num_rows == len(IDLE) == grid.total  # filtered in SQL over every resource
        assert set(grid.shown["idle"].to_pylist()) == {"IDLE"}
        status = str(grid.query_one("#status").render())
        assert f"rows 1–{len(IDLE)} of {len(IDLE)} resources matching “IDLE”" in status
        await pilot.press("escape")
        await settle(pilot)
        assert grid.total == total and grid.shown.num_rows == 200


async def test_s_sorts_by_the_cursor_column_and_again_reverses(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        grid = app.query_one("#pane-resources").query_one(DataGrid)
        await pilot.press("right")  # cursor onto this_month
        await pilot.press("s")
        await settle(pilot)
        values = [v for v in grid.shown["this_month"].to_pylist() if v is not None]
        assert values == sorted(values, reverse=True)
        await wait_until(pilot, lambda: grid.table.has_focus)  # the re-sorted page is mounted and focused
        await pilot.press("s")
        await settle(pilot)
        values = grid.shown["this_month"].to_pylist()
        non_null = [v for v in values if v is not None]
        assert non_null == sorted(non_null)
        assert grid.sort_key == ("this_month", "ascending")
        # ORDER BY in SQL: the first page holds the cheapest of every resource, not of the first 200 loaded
        every = app.reader.resources_view(app.scope).table.table["this_month"].to_pylist()
        assert non_null[0] == min(v for v in every if v is not None)


async def test_m_cycles_the_cost_metric_and_reloads_kpis(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        title = lambda: str(app.query_one("#kpi-title").render())  # noqa: E731
        assert "EffectiveCost" in title()
        effective = app.reader.kpi_view(ViewScope(currency="USD", metric="EffectiveCost")).summary.month_to_date
        await pilot.press("m")
        await settle(pilot)
        assert app.scope.metric == "BilledCost"
        assert "BilledCost" in title()
        billed = app.reader.kpi_view(ViewScope(currency="USD", metric="BilledCost")).summary.month_to_date
        assert billed > effective  # the demo's committed EC2 usage is discounted in EffectiveCost
        assert f"{billed:,.2f}" in str(app.query_one("#card-mtd").render())


async def test_c_with_a_single_currency_says_so(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        assert any("one currency" in m for m in notifications(app))


async def test_question_mark_lists_every_key_and_escape_closes(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)
        listed = app.screen.sections
        keys = {key for rows in listed.values() for keys, _ in rows for key in keys.split(" / ")}
        assert {"r", "m", "c", "?", "q", "/", "s", "ctrl+j", "f5", "1-6"} <= keys
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, KeysScreen)


async def test_colon_and_ctrl_p_open_the_command_palette_which_jumps_to_a_tab(demo_cache):
    from textual.command import CommandPalette

    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("colon")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"Go to Budgets")
        await app.workers.wait_for_complete()  # the palette searches in a worker
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "budgets"
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")


async def test_q_quits_but_typing_q_in_the_sql_editor_does_not(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await pilot.pause()
        editor = app.query_one(TextArea)
        assert editor.has_focus
        editor.text = ""
        await pilot.press(*"select 1 as q")
        await pilot.pause()
        assert editor.text == "select 1 as q"
        assert app.is_running
        await pilot.press("escape")  # leave the editor
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_first_frame_paints_before_the_queries_finish(demo_cache):
    import threading

    app = make_app(demo_cache)
    gate = threading.Event()
    real_kpis = app.reader.kpi_view

    def slow_kpis(*args, **kwargs):
        gate.wait(10)
        return real_kpis(*args, **kwargs)

    app.reader.kpi_view = slow_kpis
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.query_one(KpiPane)
        await wait_until(pilot, lambda: pane.loading and app.overview is not None)
        assert pane.loading  # spinner shown while the worker waits
        assert "DEMO" in app.query_one(SourceBar).render().plain  # header already painted
        await pilot.press("2")  # the UI still answers keys
        await pilot.pause()
        assert app.query_one(TabbedContent).active == "resources"
        gate.set()
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        assert not pane.loading
        assert "$" in str(app.query_one("#card-mtd").render())


async def test_a_failed_refresh_keeps_the_last_good_data_and_says_why(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = str(app.query_one("#card-mtd").render())
        assert "$" in before

        def broken(*args, **kwargs):
            raise RuntimeError("Cost Explorer throttled the request")

        app.reader.kpi_view = broken
        await pilot.press("r")
        await settle(pilot)
        assert str(app.query_one("#card-mtd").render()) == before
        messages = notifications(app)
        assert any("throttled" in m and "last good data" in m for m in messages)


async def test_resources_caption_counts_idle_flags(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        caption = str(app.query_one("#pane-resources").query_one("#caption").render())
        assert f"{len(IDLE)} flagged IDLE" in caption
        every = app.reader.resources_view(app.scope).table.table  # the count covers every page, not the first
        assert pc.sum(pc.equal(every["idle"], "IDLE")).as_py() == len(IDLE)


async def test_help_lists_each_key_once_with_drill_copy_focus_and_the_way_back_to_sql(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        sections = app.screen.sections
        for section, rows in sections.items():
            keys = [key for keys, _ in rows for key in keys.split(" / ")]
            assert len(keys) == len(set(keys)), f"{section} lists a key twice: {keys}"
        global_keys = dict(sections["Global"])
        assert "r / ctrl+r" in global_keys and "q / ctrl+q" in global_keys and ": / ctrl+p" in global_keys
        assert "tab / shift+tab" in global_keys
        tables = {key for keys, _ in sections["Tables"] for key in keys.split(" / ")}
        assert {"enter", "d", "y", "/", "s"} <= tables
        assert any("SQL editor" in description for _, description in sections["SQL pane"])
        # descriptions wrap under their own column: no wrapped line starts back at the key column
        console = Console(width=60, record=True, file=io.StringIO())
        console.print(app.screen.table)
        continued = [line for line in console.export_text().splitlines() if line.startswith(" ") and line.strip()]
        assert continued  # at 60 columns some descriptions do wrap
        assert min(len(line) - len(line.lstrip()) for line in continued) >= 14


async def test_narrow_footer_keeps_the_keys_list_in_view(demo_cache):
    from textual.widgets._footer import FooterKey

    app = make_app(demo_cache)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")  # a table's own keys come first in the footer
        await settle(pilot)
        keys = {k.key: k.region for k in app.query(FooterKey)}
        assert "question_mark" in keys and keys["question_mark"].right <= 80 - 12  # left of the palette key
        assert keys["slash"].right <= 80
        # the palette key covers the last column: no key scrolled under it shows through ("^p Palettee")
        palette = next(k for k in app.query(FooterKey) if k.has_class("-command-palette"))
        assert palette.region.right == 80
