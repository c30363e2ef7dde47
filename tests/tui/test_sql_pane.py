"""The SQL pane runs in a worker, shows errors inline, counts honestly, and is sandboxed."""

from __future__ import annotations

from textual.widgets import TextArea

from finops_tui.app.panes.sql import SqlPane
from finops_tui.app.widgets.data_grid import DataGrid
from tests.tui.conftest import make_app, settle, wait_until


async def _run(pilot, sql: str, key: str = "ctrl+j") -> SqlPane:
    app = pilot.app
    await pilot.press("6")
    await pilot.pause()
    app.query_one(TextArea).text = sql
    await pilot.press(key)
    await settle(pilot)
    return app.query_one(SqlPane)


def _status(pane: SqlPane) -> str:
    return str(pane.query_one("#sql-status").render())


async def test_ctrl_j_runs_the_query_and_shows_rows(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = await _run(pilot, "SELECT ServiceName, count(*) AS n FROM costs GROUP BY 1 ORDER BY 1")
        grid = pane.query_one(DataGrid)
        expected = (
            app.reader.run_sql("SELECT count(DISTINCT ServiceName) FROM costs", 10).table.table.column(0)[0].as_py()
        )
        assert grid.full.num_rows == expected
        assert _status(pane).startswith(f"{expected} rows")


async def test_f5_also_runs(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = await _run(pilot, "SELECT 42 AS answer", key="f5")
        assert pane.query_one(DataGrid).full.to_pylist() == [{"answer": 42}]


async def test_row_count_is_honest_when_the_result_is_cut(demo_cache):
    app = make_app(demo_cache, sql_row_limit=100)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = await _run(pilot, "SELECT * FROM costs")
        total = app.reader.run_sql("SELECT count(*) FROM costs", 1).table.table.column(0)[0].as_py()
        assert pane.query_one(DataGrid).full.num_rows == 100
        assert f"showing 100 of {total:,} rows" in _status(pane)


async def test_errors_show_inline_and_keep_the_previous_result(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = await _run(pilot, "SELECT 1 AS one")
        await pilot.press("escape")
        pane = await _run(pilot, "SELECT * FROM no_such_table")
        assert pane.has_class("error")
        assert "no_such_table" in str(pane.query_one("#sql-error").render())
        assert pane.query_one(DataGrid).full.to_pylist() == [{"one": 1}]
        assert app.is_running


async def test_hostile_sql_is_refused_by_the_sandbox(demo_cache, tmp_path):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for sql in (
            f"COPY costs TO '{tmp_path}/out.csv'",
            "SELECT * FROM read_csv('/etc/passwd')",
            f"ATTACH '{tmp_path}/x.duckdb'",
            "DELETE FROM costs",
            "INSTALL httpfs",
        ):
            pane = await _run(pilot, sql)
            assert pane.has_class("error"), sql
            await pilot.press("escape")
        assert not (tmp_path / "out.csv").exists()
        assert app.reader.run_sql("SELECT count(*) FROM costs", 1).table.table.column(0)[0].as_py() > 0


async def test_escape_cancels_a_running_query(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        app.query_one(TextArea).text = "SELECT count(*) FROM range(100000000000) a"
        await pilot.press("ctrl+j")
        pane = app.query_one(SqlPane)
        assert pane.running
        await wait_until(pilot, lambda: app.reader.sql_running)
        await pilot.press("escape")
        await settle(pilot)
        assert not pane.running
        assert "cancelled" in str(pane.query_one("#sql-error").render()).lower()


async def test_an_error_quoting_markup_is_shown_as_text(demo_cache):
    """DuckDB quotes the failing text; '[/x]' read as Rich markup used to crash the cockpit."""
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pane = await _run(pilot, "SELECT '[/x]'::INTEGER")
        assert pane.has_class("error") and app.is_running
        assert "[/x]" in str(pane.query_one("#sql-error").render())
