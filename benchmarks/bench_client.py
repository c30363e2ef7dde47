"""What an unchanged view costs the REST client: a 304 (ETag) against a full answer, over loopback.

Starts the real `finops-tui serve` on a cache (the DEMO by default), then times each view call
of `RestReader` two ways, alternately in the same run: `fresh` (no saved answer: the server sends
the body and the client parses it, as on first open) and `etag` (the saved answer's ETag is sent;
the server answers 304 and the parsed body is reused). Reports min and median per view, and the
in-process `LocalCache` call as the floor. Target: an unchanged view ≤ 10 ms, whatever its size.

    .venv/bin/python benchmarks/bench_client.py [--cache FILE] [--rounds 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from finops_tui.cache.local_reader import LocalCache  # noqa: E402
from finops_tui.contract.scope import ViewScope  # noqa: E402
from finops_tui.remote.last_good import LastGoodStore  # noqa: E402
from finops_tui.remote.rest_reader import RestReader  # noqa: E402
from tests.remote.live_server import LiveServer  # noqa: E402

VIEWS = ["kpi_view", "resources_view", "budgets_view", "anomalies_view", "optimizations_view"]


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    if args.cache is None:
        from finops_tui.sources.demo import ensure_demo_cache

        args.cache = ensure_demo_cache(target=Path(tempfile.mkdtemp(prefix="bench-client-")) / "demo.duckdb")
    server = LiveServer(args.cache).start()
    local = LocalCache(args.cache)
    scope = ViewScope(currency=local.overview().currencies[0].currency)
    warm = RestReader(server.url, server.token, store=LastGoodStore(server.url, Path(tempfile.mkdtemp())))
    try:
        print(f"cache {args.cache}, scope {scope.label}, {args.rounds} rounds, loopback")
        print(f"{'view':20} {'rows':>6} {'local ms':>16} {'fresh ms':>16} {'etag/304 ms':>16}   (min / median)")
        for view in VIEWS:
            times: dict[str, list[float]] = {"local": [], "fresh": [], "etag": []}
            getattr(warm, view)(scope)  # the saved answer the etag runs revalidate
            for _ in range(args.rounds):  # alternately, so load on the machine hits all three alike
                times["local"].append(timed(lambda v=view: getattr(local, v)(scope)))
                cold = RestReader(server.url, server.token, store=LastGoodStore(server.url, Path(tempfile.mkdtemp())))
                times["fresh"].append(timed(lambda v=view, r=cold: getattr(r, v)(scope)))
                cold.close()
                times["etag"].append(timed(lambda v=view: getattr(warm, v)(scope)))
            answer = getattr(local, view)(scope)
            rows = answer.table.num_rows if hasattr(answer, "table") else answer.services.num_rows
            cells = "".join(f" {min(t):7.1f} / {statistics.median(t):6.1f}" for t in times.values())
            print(f"{view:20} {rows:>6}{cells}")
    finally:
        warm.close()
        local.close()
        server.stop()


if __name__ == "__main__":
    main()
