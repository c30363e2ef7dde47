"""Benchmark: the forecast and the Budgets view on the 10M-row cache, against plain DuckDB aggregates.

    .venv/bin/python benchmarks/bench_analysis_tabs.py                  # the 10M-row cache of bench_tabs.py
    .venv/bin/python benchmarks/bench_analysis_tabs.py --runs 10        # quick check

The cache is bench_tabs.py's (`benchmarks/out/tabs-10000000/cache.duckdb`, built by it when absent: 25,000
resources x 400 days, six budgets), copied once to `benchmarks/out/analysis-10000000/cache.duckdb`, upgraded to
the current schema, where every line item gets Tags (team: data/web/ml/ops by resource, env: dev for a third,
else prod) and the tag rollup is rebuilt from them, so a tag budget has rows to find. The cockpit's clock is
2026-10-20 12:00: October is open with 11 days left (the 20th still being billed), so the forecast and its
back-tests have work to do.

Cases, each timed alternately with its baseline (warm-up, then ours, plain, ours, plain, ...; min and p50):
- forecast: `cost_series.kpi_forecast` (the 210-day daily series from `cost_daily`, the model, its back-tested
  interval, three closed months back-tested) vs one plain aggregate over `costs` that returns the same shape (one
  row: month to date and its run-rate). The answers differ on purpose (a model vs a run-rate); the month to date
  is checked equal.
- budgets view: `LocalCache.budgets_view` for the six cache budgets and a budgets file of four (monthly by
  account, quarterly by service and region, annual by provider, monthly by tag team=data) vs one plain SQL over
  `costs` returning one row per budget with its period's actual; the actuals are checked equal.
- tag budget alone: its series (from the `cost_tag_daily` rollup, schema v6) vs the plain aggregate of the same
  line items over `costs`.
Targets: p50 <= 100 ms for each of ours. Figures go to benchmarks/out/analysis-10000000.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_tabs import OUT, alternate, build  # noqa: E402

from finops_tui import periods  # noqa: E402
from finops_tui.analysis.budget_book import BudgetBook  # noqa: E402
from finops_tui.cache import cost_series, files  # noqa: E402
from finops_tui.cache.budget_queries import HISTORY_DAYS, aws_specs  # noqa: E402
from finops_tui.cache.local_reader import LocalCache  # noqa: E402
from finops_tui.cache.migrations import ROLLUP_TAG_SELECT  # noqa: E402
from finops_tui.contract.scope import ViewScope  # noqa: E402

ROWS = 10_000_000
NOW = datetime(2026, 10, 20, 12)
TODAY = NOW.date()
P50_TARGET_MS = 100.0
BUDGETS_FILE = """
[[budget]]
id = "acct"
name = "accounts 1 and 2"
amount = 2000000
currency = "USD"
[budget.filters]
account = ["acct-1", "acct-2"]

[[budget]]
id = "ec2-east"
name = "EC2 in us-east-1, quarter"
amount = 3000000
currency = "USD"
period = "quarterly"
[budget.filters]
service = ["EC2"]
region = ["us-east-1"]

[[budget]]
id = "aws-year"
name = "AWS year"
amount = 90000000
currency = "USD"
period = "annual"
[budget.filters]
provider = ["AWS"]

[[budget]]
id = "team-data"
name = "team data"
amount = 2000000
currency = "USD"
[budget.filters]
tag = ["team=data"]
"""
_PLAIN_COLUMNS = {"ProviderName", "SubAccountId", "ServiceName", "RegionId", "ServiceCategory", "ChargeCategory"}


def analysis_cache(source: Path | None) -> Path:
    """bench_tabs.py's 10M cache (or `source`), copied once, with Tags on every line item and the current schema."""
    target = OUT / f"analysis-{ROWS}" / "cache.duckdb"
    if target.exists():
        files.ensure_cache(target)  # a copy made before schema v6 gets its tag rollup (from its tagged rows)
        return target
    source = source or build(ROWS, rebuild=False)[0]
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    files.ensure_cache(target)
    con = duckdb.connect(str(target))
    number = "CAST(regexp_extract(ResourceId, '[0-9]+') AS INTEGER)"
    con.execute(
        f"UPDATE costs SET Tags = json_object('team', ['data', 'web', 'ml', 'ops'][({number} % 4) + 1], "
        f"'env', CASE WHEN {number} % 3 = 0 THEN 'dev' ELSE 'prod' END)"
    )
    con.execute("DELETE FROM cost_tag_daily")  # the rollup follows the line items, as an ingest would make it
    con.execute("INSERT INTO cost_tag_daily " + ROLLUP_TAG_SELECT.format(and_where=""))
    con.close()
    return target


def ts(day: date) -> str:
    return f"TIMESTAMP '{day}'"


def plain_budgets_sql(reader: LocalCache, metric: str) -> str:
    """One SQL over `costs`: a row per budget (its id, its period's actual), as a user would write it by hand."""
    cur = reader._cursor()
    book = reader.budgets
    assert book is not None
    specs = aws_specs(cur) + book.specs()[0]
    parts = []
    for spec in specs:
        last = cur.execute(
            "SELECT max(ChargeDate) FROM cost_daily WHERE BillingCurrency = ? AND ChargeDate <= ?",
            [spec.currency, TODAY],
        ).fetchall()[0][0]
        start, _ = periods.period_bounds(last, spec.unit)
        where = [f"BillingCurrency = '{spec.currency}'", f"ChargePeriodStart >= {ts(start)}",
                 f"ChargePeriodStart < {ts(last + timedelta(days=1))}"]  # fmt: skip
        for column, values in spec.columns.items():
            assert column in _PLAIN_COLUMNS
            where.append(f"{column} IN ({', '.join(repr(v) for v in values)})")
        for key, values in spec.tags.items():
            where.append(f"Tags->>'{key}' IN ({', '.join(repr(v) for v in values)})")
        parts.append(
            f"SELECT '{spec.budget_id}' AS budget_id, coalesce(sum({metric}), 0)::DOUBLE AS actual "
            f"FROM costs WHERE {' AND '.join(where)}"
        )
    return " UNION ALL ".join(parts) + " ORDER BY budget_id"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--source", type=Path, help="bench_tabs.py's 10M cache elsewhere (default: build or reuse it)")
    args = parser.parse_args()
    cache = analysis_cache(args.source)
    budgets = cache.parent / "budgets.toml"
    budgets.write_text(BUDGETS_FILE)
    reader = LocalCache(cache, clock=lambda: NOW, budgets=BudgetBook(budgets))
    cur, plain_cur = reader._cursor(), reader._cursor()
    scope = ViewScope(currency="USD", metric="EffectiveCost")
    m = scope.metric
    as_of = cost_series.daily_series(cur, m, "USD", TODAY - timedelta(days=3), TODAY)
    as_of_day = max(as_of)
    start = periods.month_start(as_of_day)
    n = cur.execute("SELECT count(*) FROM costs").fetchall()[0][0]
    print(f"== {n:,} cost rows; {cache.relative_to(ROOT)}; as of {as_of_day} (the cockpit's today: {TODAY})")

    plain_forecast = (
        f"SELECT coalesce(sum({m}), 0)::DOUBLE AS month_to_date, "
        f"month_to_date / {(as_of_day - start).days + 1} * {periods.days_in_month(as_of_day)} AS forecast "
        f"FROM costs WHERE BillingCurrency = 'USD' AND ChargePeriodStart >= {ts(start)} "
        f"AND ChargePeriodStart < {ts(as_of_day + timedelta(days=1))}"
    )
    budgets_sql = plain_budgets_sql(reader, m)
    tag_first = periods.month_start(as_of_day) - timedelta(days=HISTORY_DAYS)
    plain_tag = (
        f"SELECT ChargePeriodStart::DATE AS day, sum({m})::DOUBLE AS cost FROM costs WHERE BillingCurrency = 'USD' "
        f"AND Tags->>'team' = 'data' AND ChargePeriodStart >= {ts(tag_first)} "
        f"AND ChargePeriodStart < {ts(as_of_day + timedelta(days=1))} GROUP BY 1"
    )

    def ours_forecast() -> Any:
        return cost_series.kpi_forecast(cur, scope, as_of_day, TODAY)

    def ours_budgets() -> Any:
        return reader.budgets_view(scope)

    def ours_tag() -> Any:
        return cost_series.daily_series(cur, m, "USD", tag_first, as_of_day, None, {"team": ("data",)})

    forecast = ours_forecast()
    assert forecast is not None
    mtd = plain_cur.execute(plain_forecast).fetchall()[0][0]
    series = cost_series.daily_series(cur, m, "USD", start, as_of_day)
    view = ours_budgets()
    actuals = {r["budget_id"]: r["actual"] for r in view.table.rows()}
    plain_actuals = dict(plain_cur.execute(budgets_sql).fetchall())
    tag_ours, tag_plain = ours_tag(), dict(plain_cur.execute(plain_tag).fetchall())
    checks = {
        "forecast": math.isclose(sum(series.values()), mtd, rel_tol=1e-9),
        "budgets view": set(actuals) == set(plain_actuals)
        and all(math.isclose(actuals[k], plain_actuals[k], rel_tol=1e-9) for k in actuals),
        "tag budget series": tag_ours.keys() == tag_plain.keys()
        and all(math.isclose(tag_ours[d], tag_plain[d], rel_tol=1e-9) for d in tag_ours),
    }
    print(
        f"forecast {forecast.value:,.0f} [{forecast.lower:,.0f}–{forecast.upper:,.0f}], "
        f"{forecast.interval}; back-test {[round(b.error_pct or 0, 2) for b in forecast.backtest]} %"
    )
    statuses = view.table.table["status"].to_pylist()
    print(f"budgets: {len(actuals)}, " + ", ".join(f"{s} {statuses.count(s)}" for s in sorted(set(statuses))))
    cases = [
        ("forecast (KPI card)", ours_forecast, lambda: plain_cur.execute(plain_forecast).fetchall()),
        ("budgets view (6 cache + 4 file budgets)", ours_budgets, lambda: plain_cur.execute(budgets_sql).fetchall()),
        ("tag budget series (team=data)", ours_tag, lambda: plain_cur.execute(plain_tag).fetchall()),
    ]
    header = f"{'case':42} {'ours min':>8} {'p50':>7} {'plain min':>9} {'p50':>7} {'ratio':>6}  verdict"
    print(f"{args.runs} alternating runs after {args.warmup} warm-up; ratio = ours p50 / plain p50")
    print(header + "\n" + "-" * len(header))
    results = []
    for name, ours, plain in cases:
        a, b = alternate(ours, plain, args.runs, args.warmup)
        o50, p50 = statistics.median(a), statistics.median(b)
        check = next(v for k, v in checks.items() if name.startswith(k))
        verdict = "FAIL answer differs" if not check else "PASS" if o50 <= P50_TARGET_MS else "FAIL p50"
        print(f"{name:42} {min(a):8.2f} {o50:7.2f} {min(b):9.2f} {p50:7.2f} {o50 / p50:6.2f}  {verdict}", flush=True)
        results.append({
            "case": name, "ours_min_ms": round(min(a), 3), "ours_p50_ms": round(o50, 3),
            "plain_min_ms": round(min(b), 3), "plain_p50_ms": round(p50, 3), "ratio_p50": round(o50 / p50, 3),
            "same_answer": check, "verdict": verdict,
        })  # fmt: skip
    reader.close()
    figures = {
        "rows": n,
        "as_of": as_of_day.isoformat(),
        "runs": args.runs,
        "warmup": args.warmup,
        "measured_at": datetime.now().isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "duckdb": duckdb.__version__},
        "forecast": {
            "value": forecast.value,
            "lower": forecast.lower,
            "upper": forecast.upper,
            "backtest_error_pct": [b.error_pct for b in forecast.backtest],
        },  # fmt: skip
        "cases": results,
    }
    out = OUT / f"analysis-{ROWS}.json"
    out.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"figures written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
