"""SVG snapshots of the detail screens at 120x40 and 80x24, on the DEMO cache with a frozen clock.

Update after an intended change with `pytest tests/tui/test_drill_snapshots.py --snapshot-update`
and look at the SVGs before committing.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from finops_tui.app.widgets.data_grid import DataGrid
from tests.tui.conftest import make_app, settle, wait_until

SIZES = [(120, 40), (80, 24)]


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_service_detail_snapshot(snap_compare, demo_cache, size):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.query_one("#top-services", DataTable).focus()
        await pilot.press("enter")
        await settle(pilot)
        rows = pilot.app.screen.query_one("#cost-rows", DataGrid)
        await wait_until(pilot, lambda: rows.full is not None)
        await settle(pilot)

    assert snap_compare(make_app(demo_cache), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_resource_detail_snapshot(snap_compare, demo_cache, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        grid = pilot.app.query_one("#pane-resources").query_one(DataGrid)
        grid.focus_table()
        await wait_until(pilot, lambda: grid.table.has_focus)
        await pilot.press("enter")
        await settle(pilot)
        rows = pilot.app.screen.query_one("#cost-rows", DataGrid)
        info = pilot.app.screen.query_one("#resource-info")
        await wait_until(pilot, lambda: rows.full is not None and info.detail is not None)
        await settle(pilot)

    assert snap_compare(make_app(demo_cache), terminal_size=size, run_before=run_before)
