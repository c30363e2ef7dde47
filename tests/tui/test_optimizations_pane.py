"""Pilot tests: the Optimizations tab lists the rules' recommendations on the DEMO with their saving,
origin, rule and command, and the KPI tab shows the same savings total."""

from __future__ import annotations

from textual.widgets import Static

from finops_tui.app.widgets.data_grid import DataGrid
from finops_tui.cache import files
from finops_tui.sources.demo_catalog import IDLE
from tests.tui.conftest import make_app, settle


def expected_total(cache) -> float:
    """Per resource the largest open saving, summed: worked out here, straight from the cache."""
    con = files.connect_read_only(cache)  # the reader's own settings: DuckDB shares one instance per file
    try:
        return float(
            con.execute(
                "SELECT sum(s) FROM (SELECT resource_id, max(estimated_savings) AS s FROM optimizations "
                "WHERE currency = 'USD' GROUP BY 1)"
            ).fetchall()[0][0]
        )
    finally:
        con.close()


async def test_optimizations_tab_shows_computed_recommendations_with_their_command(demo_cache):
    total = expected_total(demo_cache)  # before the app opens the file with its own settings
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        pane = app.query_one("#pane-optimizations")
        grid = pane.query_one(DataGrid)
        table = grid.full
        assert table is not None
        assert table.column_names[:4] == ["monthly_savings", "currency", "origin", "rule"]
        assert {"action", "savings_basis", "evidence"} <= set(table.column_names)
        rules = set(table["rule"].to_pylist())
        # the DEMO's idle inventory (IDLE) becomes recommendations through the real rules
        assert {"idle-ec2", "idle-rds", "idle-load-balancer", "idle-nat-gateway", "unattached-ebs"} <= rules
        assert sum(r == "idle-ec2" for r in table["rule"].to_pylist()) == sum(
            s == "Amazon Elastic Compute Cloud" for s, *_ in IDLE
        )
        assert set(table["origin"].to_pylist()) == {"computed"}
        caption = str(pane.query_one("#caption", Static).render())
        assert f"${total:,.2f}/month" in caption
        first = table.slice(0, 1).to_pylist()[0]
        detail = str(pane.query_one("#detail", Static).render())
        assert f"run: {first['action']}" in detail and first["savings_basis"] in detail


async def test_kpi_tab_shows_the_savings_total_of_the_open_recommendations(demo_cache):
    total = expected_total(demo_cache)
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        line = str(app.query_one("#kpi-savings", Static).render())
        assert line.startswith("Savings found ")
        assert f"${total:,.2f}/month" in line
