"""Drill-down, k9s style: enter opens what a row is about, esc returns to exactly where the user was.

On the DEMO cache (every tab) and on a multi-provider, multi-currency cache made here.
"""

from __future__ import annotations

import base64
import io
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from rich.console import Console
from textual.widgets import DataTable, TextArea

from finops_tui.app.screens.breadcrumb import Breadcrumb
from finops_tui.app.screens.cost_panel import CostPanel
from finops_tui.app.screens.describe import DescribeScreen
from finops_tui.app.screens.detail_screens import DimensionScreen, RecordScreen, ResourceScreen
from finops_tui.app.widgets.data_grid import DataGrid
from finops_tui.cache import dataset_writes, files
from tests.contract.conftest import build_cache
from tests.tui.conftest import make_app, notifications, settle, wait_until


def text_of(widget) -> str:
    """What a Static shows, as plain text (its content may be a Rich renderable)."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def crumbs(app) -> str:
    return app.screen.query_one(Breadcrumb).render().plain


def grid_of(app, pane: str) -> DataGrid:
    return app.query_one(f"#pane-{pane}").query_one(DataGrid)


async def open_tab(pilot, key: str, pane: str) -> DataGrid:
    await pilot.press(key)
    await settle(pilot)
    grid = grid_of(pilot.app, pane)
    grid.focus_table()
    await wait_until(pilot, lambda: grid.table.has_focus)
    return grid


async def test_enter_on_a_top_service_opens_its_detail_and_esc_returns_to_the_same_row(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        services = app.query_one("#top-services", DataTable)
        services.focus()
        await pilot.press("down", "down")
        third = str(services.get_row_at(2)[0])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DimensionScreen)
        assert crumbs(app) == f"KPIs › service {third}"
        panel = app.screen.query_one(CostPanel)
        assert panel.detail is not None and panel.detail.filters[0].values == (third,)
        rows = panel.query_one("#cost-rows", DataGrid)
        assert rows.total and set(rows.full["service"].to_pylist()) == {third}
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DimensionScreen)
        assert app.focused is services and services.cursor_row == 2


async def test_kpi_account_rows_drill_by_account_id_not_label(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        accounts = app.query_one("#top-accounts", DataTable)
        accounts.focus()
        label = str(accounts.get_row_at(0)[0])  # 'demo-prod (210987654321)'
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen.query_one(CostPanel).detail
        assert detail is not None and detail.filters[0].values == (label[label.rindex("(") + 1 : -1],)
        assert detail.this_period > 0


async def test_resources_enter_opens_the_resource_and_esc_keeps_filter_sort_and_cursor(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        grid = await open_tab(pilot, "2", "resources")
        await pilot.press("slash", *"prod")
        await settle(pilot)
        await pilot.press("enter")  # leaves the filter field for the table
        await wait_until(pilot, lambda: grid.table.has_focus)
        await pilot.press("right", "s")
        await settle(pilot)
        await wait_until(pilot, lambda: grid.table.has_focus)
        await pilot.press("down", "down")
        chosen = grid.cursor_row()
        assert chosen is not None
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ResourceScreen) and app.screen.resource_id == chosen["resource_id"]
        assert crumbs(app).startswith("Resources › resource ")
        info = app.screen.query_one("#resource-info")
        assert "cost by month" in text_of(info)
        await pilot.press("escape")
        await pilot.pause()
        assert grid.needle == "prod" and grid.sort_key == ("this_month", "descending")
        assert grid.table.cursor_coordinate.row == 2 and grid.cursor_row() == chosen


@pytest.mark.parametrize(("key", "pane"), [("3", "anomalies"), ("4", "budgets"), ("5", "optimizations")])
async def test_records_open_their_fields_and_the_cost_they_are_about(mixed_cache, key, pane):
    app = make_app(mixed_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        grid = await open_tab(pilot, key, pane)
        if grid.shown.num_rows > 1:
            await pilot.press("down")
        index = grid.table.cursor_coordinate.row
        row = grid.cursor_row()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen) and app.screen.row == row
        assert crumbs(app).startswith(f"{pane.capitalize()} › ")
        fields = text_of(app.screen.query_one("#record-fields"))
        first_id = next(v for k, v in row.items() if k.endswith("_id"))
        assert str(first_id) in fields  # full value, never ellipsised
        panel = app.screen.query_one(CostPanel)
        await wait_until(pilot, lambda: panel.detail is not None)
        if row.get("currency"):
            assert panel.scope.currency == row["currency"]  # the record's own currency, whatever the tab's
        await pilot.press("escape")
        await pilot.pause()
        assert grid.table.cursor_coordinate.row == index and grid.table.has_focus


async def test_an_optimization_opens_its_resource_with_the_findings_that_name_it(mixed_cache):
    app = make_app(mixed_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        grid = await open_tab(pilot, "5", "optimizations")
        ids = grid.shown["resource_id"].to_pylist()
        for _ in range(ids.index("i-1")):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        info = app.screen.query_one("#resource-info")
        await wait_until(pilot, lambda: info.detail is not None)
        text = text_of(info)
        assert "anomaly an-1: HIGH +$100.00" in text and "optimization rightsize" in text
        assert "Feb 2025–Mar 2025, latest month $180.00" in text  # EffectiveCost, March


async def test_a_budget_opens_the_cost_it_counts(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        grid = await open_tab(pilot, "4", "budgets")
        rows = grid.shown.to_pylist()
        index = next(i for i, r in enumerate(rows) if r["scope"] != "all spend")
        for _ in range(index):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        filters = app.screen.query_one(CostPanel).filters
        dimension_column, values = rows[index]["scope"].split(" = ")
        assert filters and filters[0].values == tuple(values.split(", "))


async def test_drilling_further_extends_the_breadcrumb_and_esc_unwinds_it(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.query_one("#top-services", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        first = app.screen
        breakdown = first.query_one("#breakdown", DataGrid)
        assert breakdown.shown is not None and breakdown.shown["dimension"][0].as_py() == "resource"
        resource = breakdown.shown["key"][0].as_py()
        breakdown.focus_table()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ResourceScreen) and app.screen.resource_id == resource
        assert crumbs(app).count("›") == 2 and crumbs(app).startswith("KPIs › service ")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is first
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DimensionScreen)


async def test_d_describes_the_row_with_full_values(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        grid = await open_tab(pilot, "2", "resources")
        row = grid.cursor_row()
        assert row is not None and len(row["resource_id"]) > 28  # shown ellipsised in the grid
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DescribeScreen)
        text = text_of(app.screen.query_one("#describe-fields"))
        assert row["resource_id"] in text and "idle_reason" in text  # a hidden column is described too
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DescribeScreen)


async def test_y_copies_the_cell_and_shift_y_the_row_with_osc_52(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        grid = await open_tab(pilot, "2", "resources")
        written: list[str] = []
        driver_write = app._driver.write
        app._driver.write = lambda data: (written.append(data), driver_write(data))[1]
        row = grid.cursor_row()
        await pilot.press("y")
        await pilot.pause()
        expected = base64.b64encode(row["resource"].encode()).decode()
        assert f"\x1b]52;c;{expected}\a" in written
        assert any("OSC 52" in m for m in notifications(app))
        await pilot.press("Y")
        await pilot.pause()
        sequence = next(w for w in reversed(written) if w.startswith("\x1b]52;c;"))
        assert row["resource_id"] in base64.b64decode(sequence[7:-1]).decode()


async def test_resources_page_in_sql_and_scrolling_to_the_end_loads_more(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        grid = await open_tab(pilot, "2", "resources")
        status = lambda: str(grid.query_one("#status").render())  # noqa: E731
        assert f"rows 1–200 of {grid.total:,} resources" in status() and grid.total > 200
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert grid.full.num_rows == grid.total
        assert f"rows 1–{grid.total:,} of {grid.total:,} resources" in status()
        ids = grid.full["resource_id"].to_pylist()
        assert len(set(ids)) == len(ids)  # the second page continues the first, no row twice


async def test_sql_result_row_opens_the_service_it_names(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        editor = app.query_one(TextArea)
        editor.text = "SELECT ServiceName, round(sum(EffectiveCost), 2) AS cost FROM costs GROUP BY 1 ORDER BY 2 DESC"
        await pilot.press("ctrl+j")
        await settle(pilot)
        grid = grid_of(app, "sql")
        grid.focus_table()
        await wait_until(pilot, lambda: grid.table.has_focus)
        await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        service = grid.shown["ServiceName"][1].as_py()
        assert app.screen.query_one(CostPanel).filters[0].values == (service,)
        assert crumbs(app) == "SQL › result row"
        await pilot.press("escape")
        await pilot.pause()
        assert grid.table.cursor_coordinate.row == 1


async def test_sorting_a_truncated_sql_result_reruns_it_with_order_by(demo_cache):
    app = make_app(demo_cache, sql_row_limit=10)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        app.query_one(TextArea).text = "SELECT range AS n FROM range(1000)"
        await pilot.press("ctrl+j")
        await settle(pilot)
        grid = grid_of(app, "sql")
        assert grid.full["n"].to_pylist() == list(range(10))
        grid.focus_table()
        await wait_until(pilot, lambda: grid.table.has_focus)
        await pilot.press("s")
        await settle(pilot)
        assert grid.full["n"].to_pylist() == list(range(999, 989, -1))  # the largest of all 1,000, not of 10
        assert "ORDER BY n over every row" in str(app.query_one("#sql-status").render())
        header = grid.table.ordered_columns[0].label.plain
        assert header == "n ↓"


@pytest.fixture(scope="module")
def mixed_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """AWS and Google Cloud in USD, AWS in EUR (the conformance fixture), with an anomaly and an
    optimization that name resource i-1, and an optimization in EUR."""
    cache = build_cache(tmp_path_factory.mktemp("mixed"))
    anomalies = pa.table({
        "anomaly_id": ["an-1"], "anomaly_type": ["spike"], "severity": ["HIGH"], "start_date": [date(2025, 3, 1)],
        "end_date": [date(2025, 3, 1)], "actual_cost": [200.0], "expected_cost": [100.0], "currency": ["USD"],
        "provider_name": ["AWS"], "sub_account_id": ["a1"], "service_name": ["EC2"], "region_id": ["us-east-1"],
        "drivers": ['[{"dimension": "resource", "value": "i-1", "delta": 100, "share": 1.0}]'],
    })  # fmt: skip
    optimizations = pa.table({
        "optimization_id": ["op-1", "op-2"], "resource_id": ["i-1", "i-3"], "optimization_type": ["rightsize"] * 2,
        "description": ["m5.xlarge to m5.large", "stop it"], "estimated_savings": [50.0, 400.0],
        "currency": ["USD", "EUR"], "provider_name": ["AWS", "AWS"],
    })  # fmt: skip
    with files.write_session(cache) as con:
        dataset_writes.replace_dataset(con, "anomalies", "anomalies:test", anomalies, source_kind="FILE", source="t")
        dataset_writes.replace_dataset(
            con, "optimizations", "optimizations:test", optimizations, source_kind="FILE", source="t"
        )
    return cache


async def test_drill_on_a_multi_provider_multi_currency_cache_stays_in_one_currency(mixed_cache):
    app = make_app(mixed_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        if app.scope.currency != "USD":
            await pilot.press("c")
            await settle(pilot)
        assert app.scope.currency == "USD"
        providers = app.query_one("#top-providers", DataTable)
        providers.focus()
        names = [str(providers.get_row_at(i)[0]) for i in range(providers.row_count)]
        for _ in range(names.index("Google Cloud")):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert crumbs(app) == "KPIs › provider Google Cloud"
        panel = app.screen.query_one(CostPanel)
        assert panel.detail is not None and panel.detail.this_period == 40  # BigQuery, Mar 3; EUR never added
        rows = panel.query_one("#cost-rows", DataGrid)
        assert rows.total == 1 and rows.full["service"].to_pylist() == ["BigQuery"]
        assert "$40.00" in text_of(app.screen.query_one("#cost-summary"))


async def test_narrow_grids_hide_columns_by_priority_and_say_which(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        grid = await open_tab(pilot, "2", "resources")
        assert grid.visible_columns[:2] == ["resource", "this_month"]  # what matters most stays
        assert "idle_reason" in grid.hidden and "resource_id" in grid.hidden
        assert "hidden: idle reason" in str(grid.query_one("#status").render())
        await pilot.press("d")
        await pilot.pause()
        assert "idle_reason" in text_of(app.screen.query_one("#describe-fields"))  # d shows what was hidden


async def test_metric_currency_and_provider_keys_do_not_change_the_tabs_behind_a_detail(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.query_one("#top-services", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DimensionScreen)
        before = app.scope
        await pilot.press("m", "c", "p")
        await pilot.pause()
        assert app.scope == before  # the tabs underneath still show what the detail was opened from
        assert any("Press esc to go back to the tabs" in n for n in notifications(app))
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        assert app.scope.metric != before.metric  # back on the tabs, m cycles the metric again
