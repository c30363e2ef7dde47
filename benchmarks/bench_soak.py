"""Soak: does the cockpit's memory grow over a long session?

Drives the real cockpit (headless, `App.run_test`) through metric changes that reload every tab,
visits to each tab, and SQL runs of a 25,000-row result, then reports RSS at start, after a
warm-up, and at the end. An on-call session left open all night must not grow: the target is
growth after warm-up ≤ 10 MB.

    .venv/bin/python benchmarks/bench_soak.py                      # the DEMO cache
    .venv/bin/python benchmarks/bench_soak.py --cache benchmarks/out/tabs-10000000/cache.duckdb
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from finops_tui.cache.local_reader import LocalCache  # noqa: E402
from finops_tui.config import Settings  # noqa: E402
from tests.tui.conftest import settle  # noqa: E402

SQL = "SELECT * FROM cost_daily LIMIT 25000"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def soak(cache: Path, reloads: int, sql_runs: int, warmup: int) -> dict[str, float]:
    from textual.widgets import TextArea

    from finops_tui.app.main_app import FinopsApp

    app = FinopsApp(LocalCache(cache), Settings(), watch_interval=0)
    figures: dict[str, float] = {}

    def measure(name: str) -> None:
        gc.collect()
        figures[name] = round(rss_mb(), 1)
        print(f"  {name:28} {figures[name]:8.1f} MB", flush=True)

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        measure("start (KPIs painted)")

        async def reload_round() -> None:
            await pilot.press("m")  # a new metric: every tab is stale and reloads when visited
            await settle(pilot)
            for key in "2345":
                await pilot.press(key)
                await settle(pilot)
            await pilot.press("1")
            await settle(pilot)

        async def sql_round() -> None:
            await pilot.press("6")
            await settle(pilot)
            app.query_one(TextArea).text = SQL
            await pilot.press("ctrl+j")
            await settle(pilot)
            await pilot.press("escape")
            await pilot.press("escape")

        for _ in range(warmup):
            await reload_round()
            await sql_round()
        measure(f"after warm-up ({warmup} rounds)")
        for i in range(max(reloads, sql_runs)):
            if i < reloads:
                await reload_round()
            if i < sql_runs:
                await sql_round()
            if (i + 1) % 50 == 0:
                measure(f"after {i + 1} rounds")
        measure(f"end ({reloads} reloads, {sql_runs} SQL)")
    figures["growth_after_warmup_mb"] = round(figures[list(figures)[-1]] - figures[list(figures)[1]], 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, help="cache file (default: the DEMO, built if absent)")
    parser.add_argument("--reloads", type=int, default=200)
    parser.add_argument("--sql-runs", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()
    cache = args.cache
    if cache is None:
        from finops_tui.sources.demo import ensure_demo_cache

        cache = ensure_demo_cache(target=ROOT / "benchmarks" / "out" / "demo" / "demo.duckdb")
    print(f"Soak over {cache}: {args.reloads} reloads of every tab, {args.sql_runs} SQL runs ({SQL})")
    figures = asyncio.run(soak(cache, args.reloads, args.sql_runs, args.warmup))
    verdict = "pass" if figures["growth_after_warmup_mb"] <= 10 else "FAIL"
    print(f"growth after warm-up: {figures['growth_after_warmup_mb']:+.1f} MB (target ≤ 10 MB): {verdict}")
    out = ROOT / "benchmarks" / "out" / "soak.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"cache": str(cache), **figures}, indent=2))


if __name__ == "__main__":
    main()
