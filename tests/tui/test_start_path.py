"""The cockpit's start path stays light: what it imports before the KPIs are on screen, and how it starts.

First paint and idle memory are measured in benchmarks/compare_harlequin.py; these tests guard the
causes: the heavy modules the KPI tab does not need stay unimported (a fresh process runs the real
`finops-tui --cache FILE` path, headless, until the KPI numbers show), and the reader hands freed
query memory back.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from finops_tui.cache.local_reader import LocalCache

# Each costs import time and resident memory, and nothing on the KPI tab uses it.
NOT_ON_THE_START_PATH = [
    "boto3",
    "botocore",
    "httpx",
    "fastapi",
    "uvicorn",
    "pyarrow.compute",
    "finops_tui.sources.formats",
    "finops_tui.sources.ingest",
    "finops_tui.sources.staging",
    "finops_tui.cache.cost_writes",
    "finops_tui.cache.cost_load",
]

# Loaded only after the shell's first frame, in the opener's thread: the shell (header, footer, "Opening …")
# paints once Textual, the settings and the header's widgets are imported (benchmarks/compare_harlequin.py).
NOT_BEFORE_THE_FIRST_FRAME = [
    "pydantic",
    "finops_tui.config",
    "finops_tui.contract.provenance",
    "duckdb",
    "pyarrow",
    "finops_tui.cache.local_reader",
    "finops_tui.contract.views",
    "finops_tui.app.cockpit_tabs",
    "finops_tui.app.panes.kpis",
    "finops_tui.app.widgets.data_grid",
    "textual_fastdatatable",
]

# The real CLI entry with App.run made headless: it notes what was imported when the app started, and
# returns once the KPI numbers are on screen.
START = """
import asyncio, json, sys
from textual.app import App
from finops_tui import cli

shell = []

def run(self, **_):
    shell.extend(m for m in json.loads(sys.argv[3]) if m in sys.modules)
    async def until_kpis():
        async with self.run_test(size=(120, 40)) as pilot:
            for _ in range(3000):
                panes, cards = self.query("#pane-kpis"), self.query("#card-mtd")
                if panes and cards and not panes.first().loading and "$" in str(cards.first().render()):
                    return
                await pilot.pause(0.02)
            raise SystemExit("the KPI numbers never showed")
    asyncio.run(until_kpis())

App.run = run
code = cli.main(["--cache", sys.argv[1]])
loaded = [m for m in json.loads(sys.argv[2]) if m in sys.modules]
print(json.dumps({"code": code, "loaded": loaded, "before_first_frame": shell}))
"""


def test_the_kpis_paint_without_importing_what_only_other_commands_use(demo_cache: Path, tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            START,
            str(demo_cache),
            json.dumps(NOT_ON_THE_START_PATH),
            json.dumps(NOT_BEFORE_THE_FIRST_FRAME),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"code": 0, "loaded": [], "before_first_frame": []}


def test_the_reader_hands_freed_query_memory_back(demo_cache: Path) -> None:
    reader = LocalCache(demo_cache)
    try:
        con = reader._cursor()
        setting = con.execute("SELECT current_setting('allocator_background_threads')").fetchall()[0][0]
    finally:
        reader.close()
    assert setting is True
