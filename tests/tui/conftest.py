"""Fixtures for driving the cockpit: a DEMO cache with frozen dates, a frozen clock, and a settle helper."""

from __future__ import annotations

import fcntl
import tempfile
from datetime import date, datetime
from pathlib import Path

import pytest

from finops_tui.cache import cost_writes, files
from finops_tui.cache.local_reader import LocalCache
from finops_tui.config import Settings
from finops_tui.sources.demo import ensure_demo_cache

FROZEN_NOW = datetime(2026, 11, 24, 9, 30)
DEMO_END = date(2026, 11, 23)
LOADED_AT = "2026-11-24 08:00:00"


def frozen_clock() -> datetime:
    return FROZEN_NOW


@pytest.fixture(scope="session")
def demo_cache() -> Path:
    """One DEMO cache shared by every test (and xdist worker), at a fixed path so snapshots show it.

    Its load times are pinned so the header's ages are the same on every run.
    """
    root = Path(tempfile.gettempdir()) / "finops-tui-test-demo"
    root.mkdir(parents=True, exist_ok=True)
    target = root / "demo.duckdb"
    with open(root / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ensure_demo_cache(DEMO_END, target)
        con = files.connect_read_only(target)
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        con.close()
        if meta.get("pinned_for_tests") != LOADED_AT:
            with files.write_session(target) as rw:
                rw.execute(f"UPDATE datasets SET loaded_at = TIMESTAMP '{LOADED_AT}'")
                cost_writes.set_meta(rw, "written_on", "2026-11-24 08:00 UTC")
                cost_writes.set_meta(rw, "written_by", "finops-tui demo on test-host")
                cost_writes.set_meta(rw, "pinned_for_tests", LOADED_AT)
    return target


def make_settings(**overrides: object) -> Settings:
    return Settings(**overrides)


def make_app(path: Path, *, snapshot: bool = False, watch_interval: float = 0, **settings: object):
    from finops_tui.app.main_app import FinopsApp

    reader = LocalCache(path, snapshot=snapshot, clock=frozen_clock)
    return FinopsApp(reader, make_settings(**settings), clock=frozen_clock, watch_interval=watch_interval)


async def settle(pilot, rounds: int = 50) -> None:
    """Wait until every worker has finished and every pane has shown what its worker fetched.

    Event-driven, not timed: each round waits for the running workers to complete, then lets the
    messages they posted be handled (which may start further workers, e.g. overview → pane load).
    """
    from textual.worker import WorkerState

    from finops_tui.app.panes.base import DataPane

    app = pilot.app
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()
        running = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers)
        if not running and not any(p.loading for p in app.query(DataPane)):
            return
    raise AssertionError("the cockpit did not settle")


async def wait_until(pilot, condition, rounds: int = 2000, interval: float = 0.01) -> None:
    """Let the app run until `condition()` holds; a hang guard, not a timing assertion."""
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause(interval)
    raise AssertionError("condition never held")


def notifications(app) -> list[str]:
    """The messages of the notifications the app has shown (Textual keeps them in a private list)."""
    return [n.message for n in app._notifications]


@pytest.fixture(scope="session")
def messy_cache() -> Path:
    """Several providers and currencies, zero rows without a currency, data ending 2025-11-18 (see
    messy_cache.py); one copy per machine at a fixed path, so snapshots show the same header."""
    from tests.tui.messy_cache import build_messy_cache

    root = Path(tempfile.gettempdir()) / "finops-tui-test-messy"
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        target = root / "messy.duckdb"
        if not (root / ".built-v2").exists():  # v2: built with the local analysis datasets (anomalies, rules)
            target.unlink(missing_ok=True)
            build_messy_cache(root)
            (root / ".built-v2").touch()
    return target
