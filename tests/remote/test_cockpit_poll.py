"""The cockpit asks a reader whether anything changed off the UI thread: a slow backend never freezes it."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from finops_tui.cache.local_reader import LocalCache
from tests.contract.conftest import NOW
from tests.tui.conftest import make_settings, settle, wait_until


class SlowToAnswer(LocalCache):
    """`has_changed` blocks like a request to a backend that does not answer, until released."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, clock=lambda: NOW)
        self.asked = threading.Event()
        self.release = threading.Event()

    def has_changed(self) -> bool:
        self.asked.set()
        self.release.wait(30)
        return False


async def test_a_poll_waiting_on_the_source_leaves_the_keys_working(remote_cache: Path) -> None:
    from finops_tui.app.main_app import FinopsApp

    reader = SlowToAnswer(remote_cache)
    app = FinopsApp(reader, make_settings(), watch_interval=0.05)
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_until(pilot, reader.asked.is_set)
            before = app.scope.metric
            await asyncio.wait_for(pilot.press("m"), 5)  # handled while has_changed() is still waiting
            assert app.scope.metric != before and not reader.release.is_set()
            polls = [w for w in app.workers if w.group == "poll"]
            assert len(polls) == 1  # later ticks did not start more threads behind the waiting one
            reader.release.set()
            await settle(pilot)
    finally:
        reader.release.set()
        reader.close()
