"""Benchmark: local anomaly detection over every series of a 10M-row cache, and its accuracy on the DEMO.

    .venv/bin/python benchmarks/bench_anomalies.py                       # benchmarks/out/tabs-10000000/cache.duckdb
    .venv/bin/python benchmarks/bench_anomalies.py --cache PATH --runs 5

Speed: the cache (built by bench_tabs.py; 13 months x every series) is copied to a private folder and
upgraded to the current schema, never changed in place; 12 one-day spikes are added to the copy
(bench_tabs' data has none) so explaining anomalies from 10M line items is part of the time.
"ours" is the whole detection a writer runs
(`anomaly_writes.store_local_anomalies`: read the daily series, judge every day, explain each anomaly
from line items, replace the dataset), each run in a transaction rolled back afterwards. "plain" is
a plain DuckDB aggregate of the same shape: the series' daily sums over `cost_daily`, fetched. They
alternate after a warm-up (ours, plain, ours, ...); min and median of both and the ratio of medians
are printed. Target: ours <= 2 s median.

Accuracy: a DEMO cache is built (its detection runs inside the ingest, as always) and its computed
anomalies are scored against the injected events (analysis/anomaly_scoring.py): recall >= 0.9,
precision >= 0.8, and the root-cause accuracy. Figures also go to benchmarks/out/anomalies.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from finops_tui.analysis.anomaly_scoring import score  # noqa: E402
from finops_tui.cache import anomaly_writes, cost_layouts, files, migrations  # noqa: E402
from finops_tui.cache.analysis_writes import anomaly_thresholds  # noqa: E402
from finops_tui.config import Settings  # noqa: E402
from finops_tui.sources import demo  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
NOW = datetime(2026, 11, 1, 9)  # bench_tabs.py's clock: the day after its last day of data
DEMO_END = date(2026, 11, 23)

PLAIN = """
SELECT BillingCurrency, ProviderName, SubAccountId, ServiceName, ChargeDate, sum(EffectiveCost)::DOUBLE AS cost
FROM cost_daily WHERE (ChargeCategory = 'Usage' OR ChargeCategory IS NULL) AND ChargeDate <= ?
GROUP BY GROUPING SETS ((BillingCurrency, ProviderName, SubAccountId, ServiceName, ChargeDate),
                        (BillingCurrency, ProviderName, ChargeDate))
"""


def _stats(values: list[float]) -> dict[str, float]:
    return {"min_ms": round(min(values) * 1000, 1), "median_ms": round(statistics.median(values) * 1000, 1)}


INJECTED = 12  # one-day spikes added to the copy, so the drivers' scan of `costs` is part of what is timed


def _inject(con: duckdb.DuckDBPyConnection) -> None:
    """Add a spike (3x the series' daily average, on one new resource) to 12 series of the copy, in both
    `costs` and `cost_daily`, so detection has anomalies to explain: bench_tabs' data is too regular to have any."""
    series = con.execute(
        """
        SELECT BillingCurrency, ProviderName, SubAccountId, ServiceName, avg(c) AS per_day FROM (
            SELECT BillingCurrency, ProviderName, SubAccountId, ServiceName, ChargeDate, sum(EffectiveCost) AS c
            FROM cost_daily GROUP BY ALL)
        GROUP BY ALL ORDER BY per_day DESC LIMIT ?
        """,
        [INJECTED],
    ).fetchall()
    last = con.execute("SELECT max(ChargeDate) FROM cost_daily").fetchall()[0][0]
    for i, (currency, provider, account, service, per_day) in enumerate(series):
        day = last - timedelta(days=20 + 25 * i)
        template = con.execute(
            "SELECT BillingAccountId, RegionId, x_DatasetId FROM cost_daily WHERE BillingCurrency = ? AND "
            "ProviderName = ? AND SubAccountId = ? AND ServiceName = ? AND ChargeDate = ? LIMIT 1",
            [currency, provider, account, service, day],
        ).fetchall()[0]
        extra = 3 * float(per_day)
        values = [day, day + timedelta(days=1), currency, provider, *template[:1], account, service, template[1],
                  f"bench-spike-{i}", extra, extra, template[2]]  # fmt: skip
        columns = (
            "ChargePeriodStart, ChargePeriodEnd, BillingCurrency, ProviderName, BillingAccountId, SubAccountId, "
            "ServiceName, RegionId, ResourceId, EffectiveCost, BilledCost, ChargeCategory, x_DatasetId"
        )
        # `costs` is a view (schema v7): the rows go to the layout table of exactly these columns
        table, _ = cost_layouts.ensure(con, cost_layouts.Layout.of(columns.split(", ")))
        con.execute(
            f"INSERT INTO {cost_layouts.quote(table)} ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'Usage', ?)",
            values,
        )
        con.execute(
            "INSERT INTO cost_daily (ChargeDate, BillingCurrency, ProviderName, BillingAccountId, SubAccountId, "
            "ServiceName, RegionId, ChargeCategory, x_DatasetId, BilledCost, EffectiveCost, line_items) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'Usage', ?, ?, ?, 1)",
            [day, currency, provider, template[0], account, service, template[1], template[2], extra, extra],
        )


def speed(cache: Path, runs: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="finops-bench-anomalies-"))
    try:
        copy = work / "cache.duckdb"
        shutil.copyfile(cache, copy)
        con = duckdb.connect(str(copy))
        migrations.migrate(con, copy)  # a cache from before schema v5 gets the analysis columns
        _inject(con)
        thresholds = anomaly_thresholds(Settings())
        shape = con.execute(
            "SELECT count(*), count(DISTINCT ChargeDate), "
            "(SELECT count(*) FROM (SELECT DISTINCT BillingCurrency, ProviderName, SubAccountId, ServiceName "
            "FROM cost_daily)), (SELECT count(*) FROM costs) FROM cost_daily"
        ).fetchall()[0]

        def ours() -> int:
            con.execute("BEGIN TRANSACTION")
            try:
                return anomaly_writes.store_local_anomalies(con, thresholds, NOW)
            finally:
                con.execute("ROLLBACK")

        def plain() -> int:
            return len(con.execute(PLAIN, [NOW.date()]).fetchall())

        found = ours()
        con.execute("BEGIN TRANSACTION")
        anomaly_writes.store_local_anomalies(con, thresholds, NOW)
        explained = con.execute(
            "SELECT count(*) FROM anomalies WHERE origin = 'computed' AND root_cause LIKE '%bench-spike-%'"
        ).fetchall()[0][0]
        con.execute("ROLLBACK")
        plain()  # warm-up
        timings: dict[str, list[float]] = {"ours": [], "plain": []}
        for _ in range(runs):
            for name, run in (("ours", ours), ("plain", plain)):
                started = time.perf_counter()
                run()
                timings[name].append(time.perf_counter() - started)
        con.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "cache": str(cache),
        "cost_rows": shape[3],
        "cost_daily_rows": shape[0],
        "days": shape[1],
        "series": shape[2],
        "injected_spikes": INJECTED,
        "anomalies_found": found,
        "explained_by_the_injected_resource": explained,
        "ours": _stats(timings["ours"]),
        "plain": _stats(timings["plain"]),
    }
    result["ratio_of_medians"] = round(result["ours"]["median_ms"] / result["plain"]["median_ms"], 1)
    return result


def accuracy() -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="finops-bench-demo-"))
    try:
        started = time.perf_counter()
        path = demo.build_demo(work / "demo.duckdb", DEMO_END)
        built = time.perf_counter() - started
        con = files.connect_read_only(path)
        rows = con.sql("SELECT * FROM anomalies WHERE origin = 'computed'").to_arrow_table().to_pylist()
        con.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    s = score(rows, demo.injected_events(DEMO_END), demo.launch_events(DEMO_END))
    return {
        "demo_end": DEMO_END.isoformat(),
        "injected_events": s.events,
        "found": s.found_events,
        "missed": s.missed,
        "detections": s.detections,
        "unexplained": s.unexplained,
        "recall": round(s.recall, 3),
        "precision": round(s.precision, 3),
        "root_cause_accuracy": round(s.root_cause_accuracy, 3),
        "demo_build_s": round(built, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, default=OUT / "tabs-10000000" / "cache.duckdb")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.cache.exists():
        print(f"No cache at {args.cache}: build it with benchmarks/bench_tabs.py --rows 10000000", file=sys.stderr)
        return 2
    figures = {"speed": speed(args.cache, args.runs), "accuracy": accuracy()}
    sp, acc = figures["speed"], figures["accuracy"]
    print(
        f"{sp['cost_rows']:,} cost rows, {sp['series']} series x {sp['days']} days; {INJECTED} spikes injected, "
        f"{sp['anomalies_found']} anomalies found, "
        f"{sp['explained_by_the_injected_resource']} naming the injected resource"
    )
    print(f"  detection (ours)     min {sp['ours']['min_ms']:>8} ms   median {sp['ours']['median_ms']:>8} ms")
    print(f"  plain aggregate      min {sp['plain']['min_ms']:>8} ms   median {sp['plain']['median_ms']:>8} ms")
    print(f"  ratio of medians {sp['ratio_of_medians']}x   target: ours <= 2000 ms")
    print(
        f"DEMO: {acc['found']}/{acc['injected_events']} injected events found (recall {acc['recall']}), "
        f"precision {acc['precision']} over {acc['detections']} detections, "
        f"root cause right {acc['root_cause_accuracy']:.0%}; missed {acc['missed']}, unexplained {acc['unexplained']}"
    )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "anomalies.json").write_text(json.dumps(figures, indent=2) + "\n")
    ok = sp["ours"]["median_ms"] <= 2000 and acc["recall"] >= 0.9 and acc["precision"] >= 0.8
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
