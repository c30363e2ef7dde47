"""Benchmark: the REST server's dashboard endpoints over loopback against the same reader call in-process.

    .venv/bin/python benchmarks/bench_server.py --cache benchmarks/out/tabs-10000000/cache.duckdb
    .venv/bin/python benchmarks/bench_server.py --cache benchmarks/out/tabs-1000000/cache.duckdb --rounds 10

The cache is copied to a private folder first (`serve` may upgrade a cache's schema; the original is never
touched), then `finops-tui serve` runs in a subprocess on 127.0.0.1 with the bench_tabs clock. Two server
configurations are measured, one after the other: "kept" (the default: answers kept `server_cache_seconds`
and shared by concurrent identical requests) and "computed" (server_cache_seconds = 0: every request runs
the reader). For each dashboard endpoint:

  in-process  the reader method (`LocalCache.kpi_view`, ...) called in this process on the same file,
              alternating with the 1-client server requests, `--rounds` of each;
  1 client    one httpx client, requests one after another (alternating with in-process);
  100 clients 100 concurrent httpx.AsyncClient tasks, `--per-client` requests each.

p50/p95 in ms of each. Then every SQL lab template over HTTP and in-process (target <= 2 s each).
Targets: KPIs p95 <= 200 ms at 100 concurrent clients. Figures go to benchmarks/out/server-<name>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from finops_tui.auth.tokens import TokenStore  # noqa: E402
from finops_tui.cache.local_reader import LocalCache  # noqa: E402
from finops_tui.contract.scope import ViewScope  # noqa: E402
from finops_tui.server import derived  # noqa: E402
from finops_tui.server.sql_lab import TEMPLATES  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
NOW = "2026-11-01T09:00:00"  # bench_tabs.py's clock: the day after the last day with data
ENDPOINTS: dict[str, Callable[[LocalCache, ViewScope], Any]] = {
    "/api/dashboard/kpis": lambda r, s: r.kpi_view(s),
    "/api/dashboard/spend-summary": lambda r, s: r.kpi_view(s).summary,
    "/api/dashboard/service-costs": lambda r, s: r.kpi_view(s).services,
    "/api/dashboard/account-costs": lambda r, s: r.kpi_view(s).accounts,
    "/api/dashboard/anomalies": lambda r, s: derived.open_anomalies(r.anomalies_view(s)),
    "/api/integration/status": lambda r, s: r.overview(),
}
_LISTENING = re.compile(r"Uvicorn running on (http://127\.0\.0\.1:\d+)")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values), 1), "p95": round(pct(values, 0.95), 1), "n": len(values)}


@contextmanager
def served(cache: Path, root: Path, settings: dict[str, str]) -> Iterator[tuple[str, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINOPS_TUI_")}
    env.update(FINOPS_TUI_DATA_DIR=str(root / "data"), FINOPS_TUI_CONFIG_DIR=str(root / "config"),
               FINOPS_TUI_LOG_DIR=str(root / "logs"), FINOPS_TUI_TEMP_DIR=str(root / "temp"))  # fmt: skip
    env.update(FINOPS_TUI_SERVER_RATE_BURST="1000000", FINOPS_TUI_SERVER_RATE_PER_SECOND="1000000", **settings)
    auth = root / "auth.sqlite3"
    token, _ = TokenStore(auth).create("analyst", name="bench")
    log = root / "server.log"
    command = [sys.executable, "-m", "finops_tui", "serve", "--cache", str(cache), "--port", "0",
               "--auth-db", str(auth), "--now", NOW]  # fmt: skip
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 120
        while not (match := _LISTENING.search(log.read_text(errors="replace"))):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"serve did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield match.group(1), token
    finally:
        process.terminate()
        process.wait(timeout=30)


def _params(path: str, scope: ViewScope) -> dict[str, str]:
    return {} if path == "/api/integration/status" else {"currency": scope.currency or ""}


def one_client(url: str, token: str, reader: LocalCache, path: str, scope: ViewScope, rounds: int) -> dict[str, Any]:
    server_ms, local_ms = [], []
    call = ENDPOINTS[path]
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        params = _params(path, scope)
        client.get(path, params=params).raise_for_status()  # warm-up, both sides
        call(reader, scope)
        for _ in range(rounds):  # alternate: both see the same machine
            start = time.perf_counter()
            call(reader, scope)
            local_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            response = client.get(path, params=params)
            response.raise_for_status()
            response.json()
            server_ms.append((time.perf_counter() - start) * 1000)
    return {"in_process": summary(local_ms), "one_client": summary(server_ms)}


async def many_clients(url: str, token: str, path: str, scope: ViewScope, clients: int, each: int) -> dict[str, Any]:
    times: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=300,
                                 limits=limits) as client:  # fmt: skip
        params = _params(path, scope)

        async def worker() -> None:
            for _ in range(each):
                start = time.perf_counter()
                response = await client.get(path, params=params)
                response.raise_for_status()
                response.json()
                times.append((time.perf_counter() - start) * 1000)

        await asyncio.gather(*(worker() for _ in range(clients)))
    return summary(times)


def sql_templates(url: str, token: str, reader: LocalCache) -> dict[str, Any]:
    result = {}
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        for template in TEMPLATES:
            start = time.perf_counter()
            response = client.post("/api/sql-lab/execute", json={"sql": template.sql})
            response.raise_for_status()
            http_ms = (time.perf_counter() - start) * 1000
            start = time.perf_counter()
            reader.run_sql(template.sql, 10_000)
            local_ms = (time.perf_counter() - start) * 1000
            result[template.name] = {"server_ms": round(http_ms, 1), "in_process_ms": round(local_ms, 1)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=OUT / "tabs-10000000" / "cache.duckdb")
    parser.add_argument("--rounds", type=int, default=30, help="1-client and in-process calls per endpoint")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--per-client", type=int, default=3, help="requests each concurrent client makes")
    args = parser.parse_args()
    if not args.cache.is_file():
        raise SystemExit(f"No cache at {args.cache}; build it with benchmarks/bench_tabs.py first.")
    root = Path(tempfile.mkdtemp(prefix="bench-server-"))
    try:
        cache = root / "cache.duckdb"
        shutil.copyfile(args.cache, cache)
        reader = LocalCache(cache, clock=lambda: datetime.fromisoformat(NOW))
        scope = ViewScope(currency=reader.overview().currencies[0].currency)
        rows = reader.run_sql("SELECT count(*) FROM costs", 1).table.table.column(0)[0].as_py()
        report: dict[str, Any] = {"cache": str(args.cache), "rows": rows, "cpus": os.cpu_count(), "configs": {}}
        print(f"{rows:,} cost rows, {os.cpu_count()} CPUs, scope {scope.label}")
        for name, settings in (("kept", {}), ("computed", {"FINOPS_TUI_SERVER_CACHE_SECONDS": "0"})):
            with served(cache, root / name, settings) as (url, token):
                figures: dict[str, Any] = {}
                for path in ENDPOINTS:
                    figures[path] = one_client(url, token, reader, path, scope, args.rounds)
                    figures[path]["clients"] = asyncio.run(
                        many_clients(url, token, path, scope, args.clients, args.per_client)
                    )
                    f = figures[path]
                    print(f"{name:<9} {path:<32} in-process p50 {f['in_process']['p50']:>7} p95 "
                          f"{f['in_process']['p95']:>7} | 1 client p50 {f['one_client']['p50']:>7} p95 "
                          f"{f['one_client']['p95']:>7} | {args.clients} clients p50 {f['clients']['p50']:>7} "
                          f"p95 {f['clients']['p95']:>7} ms", flush=True)  # fmt: skip
                if name == "kept":
                    figures["sql_templates"] = sql_templates(url, token, reader)
                    for template, t in figures["sql_templates"].items():
                        print(f"sql {template:<32} server {t['server_ms']:>7} | in-process {t['in_process_ms']:>7} ms")
                report["configs"][name] = figures
        reader.close()
        OUT.mkdir(parents=True, exist_ok=True)
        target = OUT / f"server-{rows}.json"
        target.write_text(json.dumps(report, indent=2))
        print(f"written to {target}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
