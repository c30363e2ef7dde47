"""The cockpit's shell paints before its source is open: what it shows, which keys work, how an error ends it.

`finops-tui` gives FinopsApp an `Opener` (cli._run_tui): the header, an "Opening …" line and the footer
paint as soon as Textual is imported, and the cache or backend opens in a thread behind them
(benchmarks/compare_harlequin.py measures the first frame).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from finops_tui.app.main_app import FinopsApp, Opener
from finops_tui.cache.local_reader import LocalCache
from finops_tui.errors import CacheError
from tests.tui.conftest import frozen_clock, make_settings, settle, wait_until


def _gated_opener(cache: Path, gate: threading.Event) -> Opener:
    def open_source():
        if not gate.wait(30):
            raise AssertionError("the test never opened the gate")
        return make_settings(), LocalCache(cache, clock=frozen_clock), None

    return Opener(f"cache {cache}", "finops-dark", open_source)


async def test_the_shell_says_what_it_opens_answers_only_quit_then_shows_the_tabs(demo_cache):
    gate = threading.Event()
    app = FinopsApp(None, None, clock=frozen_clock, watch_interval=0, opener=_gated_opener(demo_cache, gate))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert not app.is_open
        assert f"Opening cache {demo_cache}" in str(app.query_one("#opening").render())
        header = str(app.query_one("#source-bar").render())
        assert "loading…" in header and "reading…" in header and "no datasets yet" not in header
        assert not app.query("#tabs")
        assert app.theme == "finops-dark"  # the shell is drawn in the theme asked for
        for key in ("m", "c", "p", "2", "r", "question_mark"):  # nothing to act on yet: ignored, no error
            await pilot.press(key)
        assert not app.query("#tabs") and app.screen is app.screen_stack[0]
        gate.set()
        await wait_until(pilot, lambda: app.is_open and bool(app.query("#card-mtd")))
        await settle(pilot)
        assert not app.query("#opening")
        assert "$" in str(app.query_one("#card-mtd").render())
        assert "DEMO" in str(app.query_one("#source-bar").render())
        await wait_until(pilot, lambda: all(app.query(f"#pane-{t}") for t in ("resources", "budgets", "sql")))
        metric = app.scope.metric
        await pilot.press("m")  # the keys work once the tabs are there
        assert app.scope.metric != metric


async def test_q_quits_while_the_source_is_still_opening(demo_cache):
    gate = threading.Event()
    app = FinopsApp(None, None, clock=frozen_clock, watch_interval=0, opener=_gated_opener(demo_cache, gate))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await wait_until(pilot, lambda: app.return_code is not None)
    gate.set()
    assert app.return_code == 0 and app.open_error is None


async def test_an_error_opening_ends_the_app_with_the_error_for_the_command_line():
    def broken():
        raise CacheError("The cache file is not a DuckDB database. Rebuild it with `finops-tui ingest`.")

    app = FinopsApp(None, None, clock=frozen_clock, watch_interval=0, opener=Opener("cache x", "finops-dark", broken))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.return_code is not None)
    assert isinstance(app.open_error, CacheError)
    assert app.return_code == app.open_error.exit_code != 0


# The real command with App.run made headless: it runs until the app exits by itself.
UNTIL_EXIT = """
import asyncio, sys
from textual.app import App
from finops_tui import cli

def run(self, **_):
    async def until_exit():
        async with self.run_test(size=(80, 24)) as pilot:
            for _ in range(3000):
                if self.return_code is not None:
                    return
                await pilot.pause(0.02)
            raise SystemExit("the app never ended")
    asyncio.run(until_exit())

App.run = run
sys.exit(cli.main(sys.argv[1:]))
"""


def _cockpit_until_it_ends(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run `finops-tui ARGS` headless in a fresh process until the app ends; (exit code, last stderr line)."""
    out = subprocess.run(
        [sys.executable, "-c", UNTIL_EXIT, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=Path(__file__).resolve().parents[2],
    )
    lines = out.stderr.strip().splitlines()
    assert lines, f"nothing on stderr; exit {out.returncode}"
    return out.returncode, lines[-1]


def test_a_cache_that_cannot_be_opened_is_reported_as_any_command_error(tmp_path):
    bad = tmp_path / "not-a-cache.duckdb"
    bad.write_bytes(b"this is a billing CSV, not a DuckDB file\n" * 100)
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    code, last = _cockpit_until_it_ends(env, "--cache", str(bad))
    assert code in (1, 2), last
    assert last.startswith("finops-tui: error:") and str(bad) in last, last
    assert bad.read_bytes().startswith(b"this is a billing CSV")  # nothing was written over it


class _FailsFirst(LocalCache):
    """A source whose first overview fails (a backend down at start), then answers."""

    failures = 1

    def overview(self):
        if self.failures:
            self.failures -= 1
            raise CacheError("backend http://127.0.0.1:9 unreachable: connection refused")
        return super().overview()


async def test_a_source_unreadable_at_start_says_not_read_in_the_header_until_it_answers(demo_cache):
    app = FinopsApp(_FailsFirst(demo_cache, clock=frozen_clock), make_settings(), clock=frozen_clock, watch_interval=0)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        header = str(app.query_one("#source-bar").render())
        assert "NOT READ" in header and "Could not read the source" in header and "r tries again" in header
        assert "none read" in header and "loading…" not in header and "reading…" not in header
        await pilot.press("r")
        await settle(pilot)
        header = str(app.query_one("#source-bar").render())
        assert "DEMO" in header and "NOT READ" not in header


def test_a_bad_setting_is_reported_as_before_even_though_it_is_read_behind_the_first_frame(demo_cache, tmp_path):
    """The cockpit validates its settings in the opener thread; the error and exit code are those of any command."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text("stale_after_hours = -3\n")
    env = {"HOME": str(tmp_path), "FINOPS_TUI_CONFIG_DIR": str(tmp_path / "config")}
    code, last = _cockpit_until_it_ends(env, "--snapshot", str(demo_cache))
    assert code == 2, last
    assert last.startswith("finops-tui: error: Invalid configuration") and "stale_after_hours" in last


class _SlowKpis(LocalCache):
    """The first KPI view waits for the test: the other tabs must not wait for it to be built, nor break."""

    def __init__(self, *args, gate: threading.Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.gate = gate

    def kpi_view(self, scope):
        if not self.gate.wait(30):
            raise AssertionError("the test never opened the gate")
        return super().kpi_view(scope)


async def test_the_other_tabs_are_built_after_the_first_kpis_and_a_tab_opened_before_then_loads(demo_cache):
    from finops_tui.app.panes.tables import ResourcesPane

    gate = threading.Event()

    def open_source():
        return make_settings(), _SlowKpis(demo_cache, clock=frozen_clock, gate=gate), None

    opener = Opener(f"cache {demo_cache}", "finops-dark", open_source)
    app = FinopsApp(None, None, clock=frozen_clock, watch_interval=0, opener=opener)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.is_open and bool(app.query("#pane-kpis")))
        await pilot.pause()
        assert not app.query("#pane-resources")  # built only once the KPIs are on screen
        await pilot.press("2")  # the user does not wait: the tab opens, empty, without an error
        await pilot.pause()
        assert app.query_one("#tabs").active == "resources"
        gate.set()
        await wait_until(pilot, lambda: bool(app.query("#pane-resources")) and bool(app.query("#pane-sql")))
        await settle(pilot)
        resources = app.query_one(ResourcesPane)
        assert not resources.stale and not resources.loading  # the open tab loaded once it was there
        assert "$" in str(app.query_one("#card-mtd").render())
