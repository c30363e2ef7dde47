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
  100 clients 100 concurrent users, `--per-client` rounds each, every round started together (100 requests
              in flight): by default a thread with its own httpx.Client per user; `--load async` gives each
              user an httpx.AsyncClient, spread over `--load-processes` processes (httpx's async client
              spends a few ms of CPU per request, so on a small machine it measures itself more than the
              server). With "kept", also with If-None-Match (the REST client's polling: 304s).

p50/p95 in ms of each. Then every SQL lab template over HTTP and in-process (target <= 2 s each).
Targets: KPIs p95 <= 200 ms at 100 concurrent clients. Figures go to benchmarks/out/server-<name>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
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
from finops_tui.cache import files  # noqa: E402
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


async def _client_tasks(url: str, token: str, path: str, params: dict[str, str], clients: int, each: int,
                        etag: str | None) -> list[float]:  # fmt: skip
    """`clients` users, each its own httpx.AsyncClient (its own connection), `each` requests one after another."""
    headers = {"Authorization": f"Bearer {token}", **({"If-None-Match": etag} if etag else {})}
    users = [httpx.AsyncClient(base_url=url, headers=headers, timeout=300) for _ in range(clients)]
    times: list[float] = []

    async def user(client: httpx.AsyncClient, record: bool) -> None:
        for _ in range(each if record else 1):
            start = time.perf_counter()
            response = await client.get(path, params=params)
            if response.status_code not in (200, 304):
                raise SystemExit(f"{path}: HTTP {response.status_code} {response.text[:200]}")
            if response.status_code == 200:
                response.json()
            if record:
                times.append((time.perf_counter() - start) * 1000)

    await asyncio.gather(*(user(c, False) for c in users))  # connections open before the clock starts
    await asyncio.gather(*(user(c, True) for c in users))
    for c in users:
        await c.aclose()
    return times


def _client_process(args: tuple[str, str, str, dict[str, str], int, int, str | None]) -> list[float]:
    return asyncio.run(_client_tasks(*args))


def _thread_users(url: str, token: str, path: str, params: dict[str, str], clients: int, each: int,
                  etag: str | None) -> list[float]:  # fmt: skip
    """`clients` users, each a thread with its own httpx.Client (its own connection), all starting together."""
    headers = {"Authorization": f"Bearer {token}", **({"If-None-Match": etag} if etag else {})}
    users = [httpx.Client(base_url=url, headers=headers, timeout=300) for _ in range(clients)]
    for user in users:  # connections open before the clock starts
        user.get(path, params=params)
    times: list[float] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def run(client: httpx.Client) -> None:
        for _ in range(each):
            barrier.wait()  # every round starts together: 100 requests in flight at once
            start = time.perf_counter()
            response = client.get(path, params=params)
            if response.status_code not in (200, 304):
                raise SystemExit(f"{path}: HTTP {response.status_code} {response.text[:200]}")
            if response.status_code == 200:
                response.json()
            with lock:
                times.append((time.perf_counter() - start) * 1000)

    threads = [threading.Thread(target=run, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for u in users:
        u.close()
    return times


def many_clients(url: str, token: str, path: str, scope: ViewScope, clients: int, each: int, processes: int,
                 load: str, etag: str | None = None) -> dict[str, Any]:  # fmt: skip
    """`clients` concurrent users. "threads": one thread and httpx.Client per user in this process; "async":
    an httpx.AsyncClient per user spread over `processes` processes. On a small machine the async load
    generator is itself the bottleneck (httpx's async client spends a few ms of CPU per request)."""
    params = _params(path, scope)
    if load == "threads":
        return summary(_thread_users(url, token, path, params, clients, each, etag))
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    work = [(url, token, path, params, n, each, etag) for n in shares if n]
    with multiprocessing.Pool(len(work)) as pool:
        times = [t for part in pool.map(_client_process, work) for t in part]
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
    parser.add_argument("--per-client", type=int, default=5, help="requests each concurrent client makes")
    parser.add_argument("--computed-per-client", type=int, default=1,
                        help="rounds per client with answers not kept (each request runs the reader)")  # fmt: skip
    parser.add_argument("--endpoints", metavar="PATH,...", help="only these endpoints (default: every dashboard one)")
    parser.add_argument("--configs", default="kept,computed", help="server configurations to measure")
    parser.add_argument("--load", choices=("threads", "async"), default="threads", help="how the clients run")
    parser.add_argument("--load-processes", type=int, default=4, help="with --load async: processes to use")
    args = parser.parse_args()
    if not args.cache.is_file():
        raise SystemExit(f"No cache at {args.cache}; build it with benchmarks/bench_tabs.py first.")
    root = Path(tempfile.mkdtemp(prefix="bench-server-"))
    try:
        cache = root / "cache.duckdb"
        shutil.copyfile(args.cache, cache)
        files.ensure_cache(cache)  # a cache built by an older finops-tui is upgraded on the copy, as `serve` does
        reader = LocalCache(cache, clock=lambda: datetime.fromisoformat(NOW))
        scope = ViewScope(currency=reader.overview().currencies[0].currency)
        rows = reader.run_sql("SELECT count(*) FROM costs", 1).table.table.column(0)[0].as_py()
        report: dict[str, Any] = {"cache": str(args.cache), "rows": rows, "cpus": os.cpu_count(), "configs": {}}
        print(f"{rows:,} cost rows, {os.cpu_count()} CPUs, scope {scope.label}", flush=True)
        configs = {"kept": {}, "computed": {"FINOPS_TUI_SERVER_CACHE_SECONDS": "0"}}
        paths = args.endpoints.split(",") if args.endpoints else list(ENDPOINTS)
        for name in args.configs.split(","):
            settings = configs[name]
            with served(cache, root / name, settings) as (url, token):
                figures: dict[str, Any] = {}
                for path in paths:
                    figures[path] = one_client(url, token, reader, path, scope, args.rounds)
                    each = args.per_client if name == "kept" else args.computed_per_client
                    load = (args.clients, each, args.load_processes, args.load)
                    figures[path]["clients"] = many_clients(url, token, path, scope, *load)
                    if name == "kept":  # clients that send back their ETag (the REST client does)
                        etag = httpx.get(f"{url}{path}", params=_params(path, scope),
                                         headers={"Authorization": f"Bearer {token}"}).headers["ETag"]  # fmt: skip
                        figures[path]["clients_304"] = many_clients(url, token, path, scope, *load, etag=etag)
                    f = figures[path]
                    print(f"{name:<9} {path:<32} in-process p50 {f['in_process']['p50']:>7} p95 "
                          f"{f['in_process']['p95']:>7} | 1 client p50 {f['one_client']['p50']:>7} p95 "
                          f"{f['one_client']['p95']:>7} | {args.clients} clients p50 {f['clients']['p50']:>7} "
                          f"p95 {f['clients']['p95']:>7} ms"
                          + (f" | 304s p50 {f['clients_304']['p50']} p95 {f['clients_304']['p95']}"
                             if "clients_304" in f else ""), flush=True)  # fmt: skip
                if name == "kept" and not args.endpoints:
                    figures["sql_templates"] = sql_templates(url, token, reader)
                    for template, t in figures["sql_templates"].items():
                        print(f"sql {template:<32} server {t['server_ms']:>7} | in-process {t['in_process_ms']:>7} ms",
                              flush=True)  # fmt: skip
                report["configs"][name] = figures
        reader.close()
        OUT.mkdir(parents=True, exist_ok=True)
        target = OUT / f"server-{rows}{'-' + args.configs.replace(',', '-') if args.endpoints else ''}.json"
        target.write_text(json.dumps(report, indent=2))
        print(f"written to {target}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
