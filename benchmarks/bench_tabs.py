"""Benchmark: a deterministic 10M-row FOCUS cache; first paint of the TUI; each tab query vs plain DuckDB.

    .venv/bin/python benchmarks/bench_tabs.py [--rows 10000000] [--rebuild]

Prints figures and ratios measured in this run; targets: first paint <= 1 s, tab queries <= 100 ms p50
and <= 1.5x the same aggregate written as a plain DuckDB query over `costs`.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from finops_tui.cache.local_reader import LocalCache  # noqa: E402
from finops_tui.sources.ingest import ingest_paths  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
END = date(2026, 10, 31)
DAYS = 400
SERVICES = [
    "EC2",
    "RDS",
    "S3",
    "Lambda",
    "EBS",
    "ELB",
    "VPC",
    "DynamoDB",
    "ElastiCache",
    "EKS",
    "CloudWatch",
    "CloudFront",
    "SQS",
    "KMS",
    "Redshift",
]


def generate(rows: int, folder: Path) -> list[Path]:
    """rows / DAYS resources, one row per resource per day, one Parquet file per billing month."""
    folder.mkdir(parents=True, exist_ok=True)
    resources = rows // DAYS
    first = END - timedelta(days=DAYS - 1)
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    services = "[" + ",".join(f"'{s}'" for s in SERVICES) + "]"
    paths = []
    month = date(first.year, first.month, 1)
    while month <= END:
        nxt = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        lo, hi = max(month, first), min(nxt - timedelta(days=1), END)
        path = folder / f"focus-{month:%Y-%m}.parquet"
        con.execute(f"""
            COPY (
              SELECT round(((r * 7919 + d * 104729) % 1000) / 100.0 + (r % 50), 6)::DECIMAL(38,12) AS BilledCost,
                     round(((r * 7919 + d * 104729) % 1000) / 110.0 + (r % 50), 6)::DECIMAL(38,12) AS EffectiveCost,
                     round(((r * 7919 + d * 104729) % 1000) / 90.0 + (r % 50), 6)::DECIMAL(38,12) AS ListCost,
                     round(((r * 7919 + d * 104729) % 1000) / 100.0 + (r % 50), 6)::DECIMAL(38,12) AS ContractedCost,
                     'USD' AS BillingCurrency, 'AWS' AS ProviderName, '111122223333' AS BillingAccountId,
                     'bench payer' AS BillingAccountName,
                     TIMESTAMP '{month}' AS BillingPeriodStart, TIMESTAMP '{nxt}' AS BillingPeriodEnd,
                     day::TIMESTAMP AS ChargePeriodStart, (day + INTERVAL 1 DAY)::TIMESTAMP AS ChargePeriodEnd,
                     'Usage' AS ChargeCategory, {services}[(r % 15) + 1] AS ServiceName,
                     'Compute' AS ServiceCategory,
                     ['us-east-1','us-west-2','eu-west-1','ap-southeast-2'][(r % 4) + 1] AS RegionId,
                     'acct-' || (r % 8) AS SubAccountId, 'account ' || (r % 8) AS SubAccountName,
                     'res-' || r AS ResourceId, 'Virtual Machine' AS ResourceType, 'Standard' AS PricingCategory
              FROM range({resources}) t(r),
                   (SELECT range::DATE AS day, date_diff('day', DATE '{first}', range::DATE) AS d
                    FROM range(DATE '{lo}', DATE '{hi}' + INTERVAL 1 DAY, INTERVAL 1 DAY))
            ) TO '{path}' (FORMAT parquet)""")
        paths.append(path)
        month = nxt
    con.close()
    return paths


def add_budgets(cache: Path) -> None:
    """Six budgets (all spend, per service, per account), as a real cache would have."""
    import pyarrow as pa

    from finops_tui.cache import dataset_writes, files

    with files.write_session(cache) as con:
        dims = [None, "ServiceName", "ServiceName", "SubAccountId", "SubAccountId", "RegionId"]
        values = [None, ["EC2"], ["S3"], ["acct-1"], ["acct-2"], ["us-east-1"]]
        dataset_writes.replace_dataset(
            con,
            "budgets",
            "budgets:bench",
            pa.table(
                {
                    "budget_id": [f"b{i}" for i in range(6)],
                    "budget_name": [f"budget {i}" for i in range(6)],
                    "time_unit": ["MONTHLY"] * 6,
                    "budget_amount": [1e6] * 6,
                    "currency": ["USD"] * 6,
                    "filter_dimension": dims,
                    "filter_values": pa.array(values, pa.list_(pa.string())),
                }
            ),
            source_kind="FILE",
            source="benchmark",
        )


def timed(fn, runs: int = 30, warm: int = 3) -> tuple[float, float]:
    for _ in range(warm):
        fn()
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


PAINT = """
import time, sys
t0 = time.perf_counter()
from pathlib import Path
from datetime import datetime
from finops_tui.cache.local_reader import LocalCache
from finops_tui.config import Settings
from finops_tui.app.main_app import FinopsApp
import asyncio
clock = lambda: datetime(2026, 11, 1, 9)
app = FinopsApp(LocalCache(Path(sys.argv[1]), clock=clock), Settings(), clock=clock, watch_interval=0)
async def main():
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0)
        painted = time.perf_counter() - t0
        pane = app.query_one('#pane-kpis')
        while pane.loading or "$" not in str(app.query_one('#card-mtd').render()):
            await pilot.pause(0.005)
        print(painted, time.perf_counter() - t0)
asyncio.run(main())
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    cache = OUT / f"bench-{args.rows}.duckdb"
    if args.rebuild or not cache.exists():
        cache.unlink(missing_ok=True)
        t = time.perf_counter()
        paths = generate(args.rows, OUT / f"focus-{args.rows}")
        gen = time.perf_counter() - t
        t = time.perf_counter()
        report = ingest_paths([str(p) for p in paths], cache, memory_limit="2GB")
        took = time.perf_counter() - t
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"generated {args.rows:,} rows in {gen:.1f} s; ingested {report.summary.rows:,} rows in {took:.1f} s "
            f"({report.summary.rows / took:,.0f} rows/s), peak RSS {rss:,.0f} MB"
        )
    add_budgets(cache)
    reader = LocalCache(cache, clock=lambda: datetime(2026, 11, 1, 9))
    plain = reader._cursor()  # a plain cursor on the same read-only database: same file, same settings
    n = plain.execute("SELECT count(*) FROM costs").fetchall()[0][0]
    print(f"costs rows: {n:,}; cache file {cache.stat().st_size / 1e6:,.0f} MB")
    mstart, prev, asof = "2026-10-01", "2026-09-01", "2026-10-31"
    cases = [
        (
            "KPIs (MTD, prev, last month)",
            lambda: reader.kpis("USD", "EffectiveCost"),
            f"SELECT sum(EffectiveCost) FILTER (WHERE ChargePeriodStart >= '{mstart}'), "
            f"sum(EffectiveCost) FILTER (WHERE ChargePeriodStart < '{mstart}') FROM costs "
            f"WHERE BillingCurrency = 'USD' AND ChargePeriodStart >= '{prev}' "
            f"AND ChargePeriodStart < DATE '{asof}' + 1",
        ),
        (
            "daily trend, 90 days",
            lambda: reader.daily_costs("USD", "EffectiveCost", 90),
            f"SELECT ChargePeriodStart::DATE, sum(EffectiveCost) FROM costs WHERE BillingCurrency = 'USD' "
            f"AND ChargePeriodStart >= DATE '{asof}' - 89 GROUP BY 1",
        ),
        (
            "top services",
            lambda: reader.top_movers("service", "USD", "EffectiveCost", None),
            f"SELECT ServiceName, sum(EffectiveCost) FILTER (WHERE ChargePeriodStart >= '{mstart}'), "
            f"sum(EffectiveCost) FILTER (WHERE ChargePeriodStart < '{mstart}') FROM costs WHERE BillingCurrency='USD' "
            f"AND ChargePeriodStart >= '{prev}' GROUP BY 1",
        ),
        (
            "top accounts",
            lambda: reader.top_movers("account", "USD", "EffectiveCost", 8),
            f"SELECT SubAccountId, sum(EffectiveCost) FROM costs WHERE ChargePeriodStart >= '{prev}' GROUP BY 1",
        ),
        (
            "top regions",
            lambda: reader.top_movers("region", "USD", "EffectiveCost", 8),
            f"SELECT RegionId, sum(EffectiveCost) FROM costs WHERE ChargePeriodStart >= '{prev}' GROUP BY 1",
        ),
        (
            "resources tab",
            lambda: reader.resources("USD", "EffectiveCost"),
            f"SELECT ResourceId, sum(EffectiveCost) FILTER (WHERE ChargePeriodStart >= '{mstart}'), "
            f"sum(EffectiveCost) FILTER (WHERE ChargePeriodStart < '{mstart}') FROM costs "
            f"WHERE ChargePeriodStart >= '{prev}' GROUP BY 1",
        ),
        (
            "budgets tab",
            lambda: reader.budgets("EffectiveCost"),
            "SELECT b.budget_id, sum(c.EffectiveCost) FROM budgets b LEFT JOIN costs c "
            f"ON c.BillingCurrency = b.currency AND c.ChargePeriodStart >= '{mstart}' AND (b.filter_dimension IS NULL "
            "OR list_contains(b.filter_values, CASE b.filter_dimension WHEN 'ServiceName' THEN c.ServiceName "
            "WHEN 'SubAccountId' THEN c.SubAccountId WHEN 'RegionId' THEN c.RegionId END)) GROUP BY 1",
        ),
        ("datasets (header)", reader.datasets, "SELECT * FROM datasets"),
    ]
    print(f"{'query':32} {'p50 ms':>8} {'p95 ms':>8} {'plain p50':>10} {'ratio':>6}  verdict")
    for name, ours, sql in cases:
        p50, p95 = timed(ours)
        plain_p50, _ = timed(lambda sql=sql: plain.execute(sql).fetchall(), runs=10, warm=1)
        ratio = p50 / plain_p50
        ok = "PASS" if p50 <= 100 and ratio <= 1.5 else "FAIL"
        print(f"{name:32} {p50:8.1f} {p95:8.1f} {plain_p50:10.1f} {ratio:6.2f}  {ok}")
    plain.close()
    reader.close()
    paints, shown = [], []
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", PAINT, str(cache)], capture_output=True, text=True, cwd=ROOT, timeout=120
        )
        a, b = map(float, out.stdout.split())
        paints.append(a)
        shown.append(b)
    print(
        f"TUI first paint (process start -> first frame), median of 5: {statistics.median(paints):.2f} s "
        f"[{'PASS' if statistics.median(paints) <= 1 else 'FAIL'} <= 1 s]; "
        f"KPIs on screen: {statistics.median(shown):.2f} s"
    )


if __name__ == "__main__":
    main()
