"""Benchmark: ingest billing files vs DuckDB's own `CREATE TABLE t AS SELECT * FROM read_parquet(file)`.

    .venv/bin/python benchmarks/bench_ingest.py [--rows 10000000] [--case focus|focus-narrow|cur2|focus-csv|all]
                                                [--repeat 3] [--rebuild]

Cases (each file generated once and kept in benchmarks/out/):

- `focus`: FOCUS 1.2 Parquet with the full column set, as providers export it;
- `focus-narrow`: the same rows with only the 21 columns FOCUS 1.0 makes mandatory (the other 36
  FOCUS columns are absent, so ingest fills them with NULL);
- `cur2`: AWS CUR 2.0 Parquet (`cur2_generator.py`: ~120 real columns including the MAP columns);
- `focus-csv` (only when asked for): the `focus` rows as one multi-GB CSV.

For each case the baseline and finops-tui ingest run alternately (baseline, ours, baseline, ours, ...),
each in its own child process, so each peak RSS (VmHWM) is its own and the machine's drift over
minutes hits both alike. The baseline copies the file into a fresh DuckDB file in benchmarks/out/
(the same disk as the cache) and checkpoints; ingest is `finops_tui.sources.ingest.ingest_paths`
into a fresh cache with a 1 GB DuckDB memory limit. Reported: min and median wall time of each,
the ratio of the medians (baseline/ingest: the share of the plain copy's speed; target >= 0.7x),
the same ratio of CPU seconds (steadier on a shared machine) and peak RSS (target <= 1.5 GB for
ingest). The figures go to benchmarks/out/ingest-<rows>.json
(cases run earlier at the same size are kept) and a table to stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "out"
MEMORY_LIMIT = "1GB"  # DuckDB's buffer pool for ingest; RSS adds Python, Arrow and the allocator on top
RSS_TARGET_MB = 1536
SPEED_TARGET = 0.7
CASES = ("focus", "focus-narrow", "cur2", "focus-csv")
DEFAULT_CASES = ("focus-narrow", "focus", "cur2")

# The columns FOCUS 1.0 makes mandatory for every provider: what a minimal ("narrow") export carries.
NARROW_COLUMNS = (
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "ContractedCost",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "ServiceCategory",
    "ServiceName",
)


def focus_columns() -> dict[str, str]:
    """Column name -> SQL expression over (r = resource, d = day index, day) of the generated FOCUS rows."""
    money = "::DECIMAL(38,12)"
    return {
        "BilledCost": f"round(((r * 7919 + d * 104729) % 1000) / 100.0 + (r % 50), 6){money}",
        "EffectiveCost": f"round(((r * 7919 + d * 104729) % 1000) / 110.0 + (r % 50), 6){money}",
        "ListCost": f"round(((r * 7919 + d * 104729) % 1000) / 90.0 + (r % 50), 6){money}",
        "ContractedCost": f"round(((r * 7919 + d * 104729) % 1000) / 100.0 + (r % 50), 6){money}",
        "BillingCurrency": "'USD'",
        "ProviderName": "'AWS'",
        "BillingAccountId": "'111122223333'",
        "BillingAccountName": "'bench payer'",
        "BillingPeriodStart": "date_trunc('month', day)::TIMESTAMP",
        "BillingPeriodEnd": "(date_trunc('month', day) + INTERVAL 1 MONTH)::TIMESTAMP",
        "ChargePeriodStart": "day::TIMESTAMP",
        "ChargePeriodEnd": "(day + INTERVAL 1 DAY)::TIMESTAMP",
        "ChargeCategory": "'Usage'",
        "ChargeFrequency": "'Usage-Based'",
        "PricingCategory": "'Standard'",
        "ServiceName": "'svc-' || (r % 15)",
        "ServiceCategory": "'Compute'",
        "RegionId": "['us-east-1','us-west-2','eu-west-1','ap-southeast-2'][(r % 4) + 1]",
        "SubAccountId": "'acct-' || (r % 8)",
        "SubAccountName": "'team ' || (r % 8)",
        "ResourceId": "'arn:aws:ec2:us-east-1:1:instance/i-' || lpad(r::VARCHAR, 8, '0')",
        "ResourceName": "'i-' || r",
        "ResourceType": "'Instance'",
        "SkuId": "'SKU' || (r % 300)",
        "ConsumedQuantity": f"round((r % 24) + 1, 3){money}",
        "ConsumedUnit": "'Hours'",
        "Tags": """'{"team": "t' || (r % 8) || '", "env": "prod"}'""",
        # The rest of the FOCUS 1.2 columns, as providers' exports carry them (many mostly empty).
        "AvailabilityZone": "'us-east-1a'",
        "BillingAccountType": "'Organization'",
        "CapacityReservationId": "NULL::VARCHAR",
        "CapacityReservationStatus": "NULL::VARCHAR",
        "ChargeClass": "NULL::VARCHAR",
        "ChargeDescription": "'m5.large running Linux'",
        "CommitmentDiscountCategory": "NULL::VARCHAR",
        "CommitmentDiscountId": "NULL::VARCHAR",
        "CommitmentDiscountName": "NULL::VARCHAR",
        "CommitmentDiscountQuantity": f"NULL{money}",
        "CommitmentDiscountStatus": "NULL::VARCHAR",
        "CommitmentDiscountType": "NULL::VARCHAR",
        "CommitmentDiscountUnit": "NULL::VARCHAR",
        "ContractedUnitPrice": f"round((r % 7) / 100.0, 6){money}",
        "InvoiceId": "'INV-' || strftime(day, '%Y%m')",
        "InvoiceIssuerName": "'Amazon Web Services, Inc.'",
        "ListUnitPrice": f"round((r % 9) / 100.0, 6){money}",
        "PricingCurrency": "'USD'",
        "PricingCurrencyContractedUnitPrice": f"NULL{money}",
        "PricingCurrencyEffectiveCost": f"NULL{money}",
        "PricingCurrencyListUnitPrice": f"NULL{money}",
        "PricingQuantity": f"round((r % 24) + 1, 3){money}",
        "PricingUnit": "'Hours'",
        "PublisherName": "'Amazon Web Services, Inc.'",
        "RegionName": "'US East (N. Virginia)'",
        "ServiceSubcategory": "'Virtual Machines'",
        "SkuMeter": "'Hrs:m5.large'",
        "SkuPriceDetails": "NULL::VARCHAR",
        "SkuPriceId": "'SKU' || (r % 300) || '.JRTCKXETXF'",
        "SubAccountType": "'Account'",
        "x_CostCenter": "'x' || (r % 97)",
    }


def generate_focus(path: Path, rows: int, narrow: bool = False) -> None:
    """25,000 resources x 400 days (fewer resources below 10M rows), one row per resource and day."""
    import duckdb

    columns = focus_columns()
    if narrow:
        columns = {name: columns[name] for name in NARROW_COLUMNS}
    select = ",\n".join(f"{expr} AS {name}" for name, expr in columns.items())
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    con.execute(f"""
        COPY (
          SELECT {select}
          FROM range({max(rows // 400, 1)}) t(r), range(400) u(d),
               LATERAL (SELECT DATE '2025-10-01' + d::INTEGER AS day)
          LIMIT {rows}
        ) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 122880)
    """)
    con.close()


def source_path(case: str, rows: int) -> Path:
    return OUT / (f"{case}-{rows}.csv" if case == "focus-csv" else f"{case}-{rows}.parquet")


def generate(case: str, rows: int, rebuild: bool) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = source_path(case, rows)
    if rebuild or not path.exists():
        start = time.perf_counter()
        if case in ("focus", "focus-narrow"):
            generate_focus(path, rows, narrow=case == "focus-narrow")
        elif case == "focus-csv":  # the same rows as a (multi-GB at 10M rows) CSV export
            import duckdb

            duckdb.sql(f"COPY (SELECT * FROM read_parquet('{generate('focus', rows, False)}')) TO '{path}' (HEADER)")
        else:
            sys.path.insert(0, str(ROOT / "benchmarks"))
            from cur2_generator import write_cur2_parquet

            write_cur2_parquet(path, rows)
        print(
            f"  generated {path.name} ({path.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - start:.1f} s",
            flush=True,
        )
    return path


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(kind: str, source: Path, target: Path) -> dict[str, float]:
    """Runs in its own process: one load, its wall time and this process's peak RSS."""
    import duckdb

    target.unlink(missing_ok=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_start = usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    if kind == "baseline":
        reader = f"read_csv('{source}')" if source.suffix == ".csv" else f"read_parquet('{source}')"
        with duckdb.connect(str(target)) as con:
            con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}")
            con.execute("CHECKPOINT")
            rows = con.execute("SELECT count(*) FROM t").fetchall()[0][0]
    else:
        from finops_tui.sources.ingest import ingest_paths

        rows = ingest_paths([str(source)], target, memory_limit=MEMORY_LIMIT).summary.rows
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "rows": rows,
        "seconds": seconds,
        "cpu_s": usage.ru_utime + usage.ru_stime - cpu_start,
        "rss_mb": peak_rss_mb(),
        "size_mb": target.stat().st_size / 1e6,
    }
    target.unlink(missing_ok=True)
    return result


def run_measure(kind: str, source: Path) -> dict[str, float]:
    target = OUT / f"bench-{kind}-{os.getpid()}.duckdb"
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--measure", kind, str(source), str(target)],
            capture_output=True,
            text=True,
        )
    finally:
        for leftover in (target, target.with_name(target.name + ".lock")):  # ingest's writer lock file too
            leftover.unlink(missing_ok=True)
    if out.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{out.stderr}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def warm(path: Path) -> None:
    """Read the source once, so the first run (a baseline) does not pay for the cold page cache alone."""
    with path.open("rb") as f:
        while f.read(1 << 24):
            pass


def summarize(runs: list[dict[str, float]]) -> dict[str, float]:
    times = [r["seconds"] for r in runs]
    return {
        "rows": runs[0]["rows"],
        "min_s": min(times),
        "median_s": statistics.median(times),
        "median_cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "peak_rss_mb": max(r["rss_mb"] for r in runs),
        "median_rss_mb": statistics.median(r["rss_mb"] for r in runs),
        "size_mb": runs[0]["size_mb"],
    }


def run_case(case: str, rows: int, repeat: int, rebuild: bool) -> dict[str, Any]:
    source = generate(case, rows, rebuild)
    warm(source)
    print(f"{case}: {rows:,} rows, {repeat} alternating runs of each", flush=True)
    runs: dict[str, list[dict[str, float]]] = {"baseline": [], "ingest": []}
    for i in range(repeat):
        for kind in runs:
            r = run_measure(kind, source)
            runs[kind].append(r)
            print(
                f"  run {i + 1} {kind:8} {r['seconds']:7.2f} s  CPU {r['cpu_s']:7.2f} s  RSS {r['rss_mb']:6,.0f} MB",
                flush=True,
            )
    base, ours = summarize(runs["baseline"]), summarize(runs["ingest"])
    return {
        "case": case,
        "file": source.name,
        "file_mb": round(source.stat().st_size / 1e6, 1),
        "measured_at": dt.datetime.now().isoformat(timespec="seconds"),
        "baseline": base,
        "ingest": ours,
        "ratio_median": base["median_s"] / ours["median_s"],
        "ratio_min": base["min_s"] / ours["min_s"],
        "ratio_cpu": base["median_cpu_s"] / ours["median_cpu_s"],
        "runs": runs,
    }


def table(results: list[dict[str, Any]]) -> str:
    head = (
        f"{'case':13} {'rows':>11} {'base min':>9} {'base med':>9} {'ours min':>9} {'ours med':>9} "
        f"{'ratio med':>9} {'ratio min':>9} {'ratio CPU':>9} {'base RSS':>9} {'ours RSS':>9}  verdict"
    )
    lines = [head, "-" * len(head)]
    for res in results:
        base, ours, ratio = res["baseline"], res["ingest"], res["ratio_median"]
        speed_ok = ratio >= SPEED_TARGET or res["case"] == "focus-csv"
        rss_ok = ours["peak_rss_mb"] <= RSS_TARGET_MB
        verdict = (
            "ok"
            if speed_ok and rss_ok
            else "MISS " + " ".join(w for w, ok in (("speed", speed_ok), ("rss", rss_ok)) if not ok)
        )
        lines.append(
            f"{res['case']:13} {ours['rows']:>11,} {base['min_s']:8.2f}s {base['median_s']:8.2f}s "
            f"{ours['min_s']:8.2f}s {ours['median_s']:8.2f}s {ratio:8.2f}x {res['ratio_min']:8.2f}x "
            f"{res['ratio_cpu']:8.2f}x "
            f"{base['peak_rss_mb']:6,.0f} MB {ours['peak_rss_mb']:6,.0f} MB  {verdict}"
        )
    lines.append(
        f"ratio = baseline time / ingest time, of the medians (target >= {SPEED_TARGET}x), of the minimums, and of "
        "the median CPU seconds (user+sys: steadier than wall time when other work shares the machine); "
        f"focus-csv is reference only (its baseline sniffs typed columns, ingest validates text). "
        f"RSS = peak VmHWM over the runs (target <= {RSS_TARGET_MB} MB)"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--case", "--format", choices=(*CASES, "all"), action="append", dest="cases")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, alternating")
    parser.add_argument("--measure", nargs=3, metavar=("KIND", "SOURCE", "TARGET"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, source, target = args.measure
        print(json.dumps(measure(kind, Path(source), Path(target))))
        return
    cases = [c for c in (args.cases or ["all"]) for c in (DEFAULT_CASES if c == "all" else (c,))]
    out_json = OUT / f"ingest-{args.rows}.json"
    previous = json.loads(out_json.read_text()) if out_json.exists() else {}
    results = []
    for case in dict.fromkeys(cases):
        results.append(run_case(case, args.rows, args.repeat, args.rebuild))
        previous[case] = results[-1]
        out_json.write_text(json.dumps(previous, indent=1))
    print()
    print(table(results))
    print(f"\nwritten to {out_json.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
