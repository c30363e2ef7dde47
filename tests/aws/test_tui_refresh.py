"""`r` in the cockpit runs the AWS refresh in a worker: keys keep working, progress shows, data appears."""

from __future__ import annotations

import time

from textual.widgets import Static, TabbedContent

from finops_tui.app.widgets.refresh_status import RefreshStatusLine
from finops_tui.app.widgets.source_bar import SourceBar
from finops_tui.cache import files
from finops_tui.sources.aws.tui_refresher import AwsRefresher
from tests.aws.conftest import NOW
from tests.tui.conftest import make_settings, settle, wait_until


class SlowNetworkRefresher(AwsRefresher):
    """The real refresh, with each collector step held 0.3 s in the worker thread, as over a slow link."""

    def run(self, progress):
        def slow(p):
            progress(p)
            if p.state == "running":
                time.sleep(0.3)

        return super().run(slow)


async def test_r_refreshes_in_the_background_while_keys_keep_working(seeded, tmp_path):
    from finops_tui.app.main_app import FinopsApp
    from finops_tui.cache.local_reader import LocalCache

    cache = tmp_path / "c.duckdb"
    files.ensure_cache(cache)
    reader = LocalCache(cache, clock=lambda: NOW)
    app = FinopsApp(
        reader,
        make_settings(metric="BilledCost"),
        clock=lambda: NOW,
        watch_interval=0,
        refresher=SlowNetworkRefresher(cache, regions=["us-east-1", "eu-west-1"], ce_analyses=False),
    )  # moto lacks them
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "No cost data" in app.query_one("#empty", Static).render().plain
        await pilot.press("r")
        status = app.query_one(RefreshStatusLine)
        await wait_until(pilot, lambda: status.steps)  # the child has reported its first step
        assert status.has_class("-active") and "Refreshing from AWS default credentials" in status.render().plain
        handled_while_running = []
        for key, tab in (("2", "resources"), ("4", "budgets"), ("1", "kpis")):
            await pilot.press(key)
            await pilot.pause()
            handled_while_running.append((app.refreshing, app.query_one(TabbedContent).active == tab))
        await pilot.press("r")  # a second r while one runs does not start another
        await wait_until(pilot, lambda: not app.refreshing, rounds=3000)
        await settle(pilot)
        assert handled_while_running[0] == (True, True), handled_while_running  # a key handled mid-refresh
        assert all(switched for _, switched in handled_while_running)
        assert "Refreshed. AWS Cost Explorer: 13 request(s), $0.13." in status.render().plain
        assert "✓ cost explorer" in status.render().plain and "✓ inventory eu-west-1" in status.render().plain
        mtd = app.query_one("#card-mtd", Static).render().plain.splitlines()[0]
        assert mtd == "$12.75"  # the refreshed data is on screen without a restart
        header = app.query_one(SourceBar).render().plain
        assert "AWS Cost Explorer (13) through" in header
        assert "Cost Explorer $0.13 last refresh, $0.13 today" in header
