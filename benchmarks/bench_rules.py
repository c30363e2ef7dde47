"""Benchmark: the optimization rules and the Optimizations view on the 10M-row cache of bench_tabs.py.

    .venv/bin/python benchmarks/bench_rules.py                                   # 10M-row cache
    .venv/bin/python benchmarks/bench_rules.py --cache benchmarks/out/tabs-1000000/cache.duckdb --runs 5

The cache (25,000 resources × 400 days at 10M rows, untagged) is copied to a temporary folder and given an
inventory of the same 25,000 resource ids, as a refresh would write it: a fifth each instances (one in ten idle
by CPU, every 7th a previous-generation m4), volumes (gp2 or gp3, one in nine unattached), snapshots, load
balancers and NAT gateways. Then, alternately, min and median of:
- rules: `optimization_writes.evaluate` (every rule, inside one transaction as after an ingest) against a plain
  DuckDB query of the same shape: each resource's latest month of cost joined to the inventory, plus one pass over
  the latest two months of `costs` (what the billing rules read);
- view: `LocalCache.optimizations_view` (rows, labels and totals per currency) against the same rows and totals
  as plain SQL over `optimizations`. Target: p50 <= 100 ms.
Figures go to benchmarks/out/rules-<rows>.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.bench_tabs import NOW, alternate  # noqa: E402
from finops_tui.cache import dataset_writes, files, optimization_writes  # noqa: E402
from finops_tui.cache.local_reader import LocalCache  # noqa: E402
from finops_tui.config import RuleThresholds  # noqa: E402
from finops_tui.contract.scope import ViewScope  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
DEFAULT_CACHE = OUT / "tabs-10000000" / "cache.duckdb"

INVENTORY = """
SELECT ResourceId AS resource_id,
       CASE n % 5 WHEN 0 THEN 'Instance ' || CASE WHEN n % 7 = 0 THEN 'm4.large' ELSE 'm5.large' END
                  WHEN 1 THEN 'Volume ' || CASE WHEN n % 2 = 0 THEN 'gp2' ELSE 'gp3' END || ' 100 GiB'
                  WHEN 2 THEN 'Snapshot 100 GiB' WHEN 3 THEN 'Load balancer application' ELSE 'NAT gateway' END
           AS resource_type,
       ResourceId AS resource_name, 'bench' AS service_name, 'AWS' AS provider_name, RegionId AS region_id,
       SubAccountId AS sub_account_id,
       CASE WHEN n % 5 = 1 AND n % 9 = 0 THEN 'available' WHEN n % 5 = 1 THEN 'in-use'
            WHEN n % 5 = 4 THEN 'available' ELSE 'running' END AS state,
       CASE n % 5 WHEN 0 THEN json_object('cpu', json_object('avg', n % 50, 'max', CASE WHEN n % 50 = 0 THEN 2 ELSE 60 END))
                  WHEN 3 THEN json_object('requests', json_object('sum', CASE WHEN n % 6 = 0 THEN 0 ELSE 500 END))
                  WHEN 4 THEN json_object('bytes_out', json_object('sum', CASE WHEN n % 6 = 0 THEN 0 ELSE 9e6 END))
       END AS utilization,
       TIMESTAMP '2026-01-01' + to_days(n % 300) AS created_at, TIMESTAMP '{now}' AS observed_at
FROM (SELECT DISTINCT ResourceId, any_value(RegionId) AS RegionId, any_value(SubAccountId) AS SubAccountId,
             TRY_CAST(split_part(ResourceId, '-', 2) AS INTEGER) AS n
      FROM cost_resource_monthly GROUP BY ResourceId)
"""  # noqa: E501

PLAIN_RULES = """
WITH cost AS (
    SELECT ResourceId, arg_max(EffectiveCost, ChargeMonth) AS cost, max(ChargeMonth) AS month
    FROM (SELECT ResourceId, ChargeMonth, sum(EffectiveCost) AS EffectiveCost FROM cost_resource_monthly GROUP BY ALL)
    GROUP BY ResourceId
), billed AS (
    SELECT ResourceId, sum(EffectiveCost) AS cost, count(*) FILTER (WHERE Tags IS NULL) AS untagged
    FROM costs WHERE ChargePeriodStart >= (SELECT max(ChargeMonth) - INTERVAL 1 MONTH FROM cost_resource_monthly)
    GROUP BY ResourceId
)
SELECT r.resource_id, r.state, r.utilization->'cpu'->>'max' AS cpu, c.cost, b.untagged
FROM resources r LEFT JOIN cost c ON c.ResourceId = r.resource_id LEFT JOIN billed b ON b.ResourceId = r.resource_id
"""

PLAIN_VIEW = """
SELECT optimization_type AS type, resource_id, description, estimated_savings::DOUBLE AS monthly_savings, currency,
       risk_level AS risk, confidence_score AS confidence, effort, status, region_id AS region,
       sub_account_id AS account, optimization_id, origin, rule_id AS rule, savings_basis, action,
       evidence::VARCHAR AS evidence
FROM optimizations ORDER BY estimated_savings DESC NULLS LAST, optimization_id
"""
PLAIN_TOTALS = """
SELECT currency, sum(s) FROM (SELECT currency, resource_id, max(estimated_savings) AS s FROM optimizations
GROUP BY ALL) GROUP BY 1
"""


def stats(ms: list[float]) -> dict[str, float]:
    return {"min_ms": round(min(ms), 1), "p50_ms": round(statistics.median(ms), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--runs", type=int, default=10, help="timed runs of the rules (the view runs 3× as many)")
    args = parser.parse_args()
    if not args.cache.exists():
        sys.exit(f"{args.cache} is missing: build it with `benchmarks/bench_tabs.py --rows 10000000 --no-paint`.")
    work = Path(tempfile.mkdtemp(prefix="finops-bench-rules-"))
    cache = work / "cache.duckdb"
    try:
        shutil.copy(args.cache, cache)
        with files.write_session(cache) as con:
            rows = con.execute("SELECT count(*) FROM costs").fetchall()[0][0]
            inventory = con.sql(INVENTORY.format(now=NOW)).to_arrow_table()
            dataset_writes.replace_dataset(con, "resources", "resources:b", inventory, source_kind="API", source="b")
        print(f"{rows:,} cost rows, {inventory.num_rows:,} inventory resources", flush=True)

        con = duckdb.connect(str(cache))
        thresholds = RuleThresholds()
        found: list[pa.Table] = []

        def ours_rules() -> None:
            con.execute("BEGIN TRANSACTION")  # as inside an ingest's cost load; rolled back, nothing written
            found.append(optimization_writes.evaluate(con, thresholds, NOW))
            con.execute("ROLLBACK")

        def plain_rules() -> None:
            con.sql(PLAIN_RULES).to_arrow_table()

        rules_ours, rules_plain = alternate(ours_rules, plain_rules, args.runs, 1)
        by_rule: dict[str, int] = {}
        for rule in found[-1].column("rule_id").to_pylist():
            by_rule[rule] = by_rule.get(rule, 0) + 1
        con.execute("BEGIN TRANSACTION")
        start = time.perf_counter()
        written = optimization_writes.write_local_optimizations(con, thresholds, NOW)
        con.execute("COMMIT")
        write_ms = (time.perf_counter() - start) * 1000
        con.close()

        reader = LocalCache(cache, clock=lambda: datetime(2026, 11, 1, 9))
        plain_con = files.connect_read_only(cache)
        scope = ViewScope(currency="USD")

        def plain_view() -> None:
            plain_con.sql(PLAIN_VIEW).to_arrow_table()
            plain_con.sql(PLAIN_TOTALS).fetchall()

        view_ours, view_plain = alternate(lambda: reader.optimizations_view(scope), plain_view, args.runs * 3, 3)
        reader.close()
        plain_con.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "rows": rows,
        "inventory": inventory.num_rows,
        "recommendations": written,
        "by_rule": dict(sorted(by_rule.items())),
        "write_ms": round(write_ms, 1),
        "rules": {"ours": stats(rules_ours), "plain": stats(rules_plain)},
        "view": {"ours": stats(view_ours), "plain": stats(view_plain)},
    }
    for part in ("rules", "view"):
        r = result[part]
        r["ratio_p50"] = round(r["ours"]["p50_ms"] / r["plain"]["p50_ms"], 2)  # type: ignore[index]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"rules-{rows}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
