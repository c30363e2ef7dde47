"""`r` on a cache of billing files re-reads it and says what refreshing can mean there, instead of
trying AWS and failing; the palette's "Fetch live data" still runs the live refresh on purpose."""

from __future__ import annotations

from finops_tui.app.main_app import FinopsApp
from finops_tui.cache.local_reader import LocalCache
from finops_tui.contract.refresh import RefreshOutcome
from tests.tui.conftest import frozen_clock, make_settings, notifications, settle, wait_until


class RecordingRefresher:
    label = "AWS default credentials"

    def __init__(self) -> None:
        self.runs = 0

    def run(self, progress) -> RefreshOutcome:
        del progress
        self.runs += 1
        return RefreshOutcome(status="ok")


def _app(cache, refresher: RecordingRefresher) -> FinopsApp:
    reader = LocalCache(cache, clock=frozen_clock)
    return FinopsApp(reader, make_settings(), clock=frozen_clock, watch_interval=0, refresher=refresher)


async def test_r_on_a_cache_of_files_rereads_and_explains(messy_cache):
    refresher = RecordingRefresher()
    app = _app(messy_cache, refresher)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert refresher.runs == 0 and not app.refreshing
        said = [m for m in notifications(app) if "Billing files only" in m]
        assert said and "re-read" in said[0] and "finops-tui ingest" in said[0] and "Live refresh" in said[0]
        assert "Refresh failed" not in " ".join(notifications(app))
        app.action_refresh_live()  # the palette's "Fetch live data"
        await wait_until(pilot, lambda: refresher.runs == 1 and not app.refreshing)


async def test_r_on_an_empty_cache_still_runs_the_live_refresh(tmp_path):
    from finops_tui.cache import files

    cache = tmp_path / "empty.duckdb"
    files.ensure_cache(cache)
    refresher = RecordingRefresher()
    app = _app(cache, refresher)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await wait_until(pilot, lambda: refresher.runs == 1 and not app.refreshing)
