"""Benchmark: every tab query of the cockpit against the same answer written as plain DuckDB SQL over `costs`.

    .venv/bin/python benchmarks/bench_tabs.py                                  # 1M, 10M and 30M rows
    .venv/bin/python benchmarks/bench_tabs.py --rows 1000000 --runs 20 --no-paint   # quick check

For each size a deterministic FOCUS cache (rows / 400 resources, one row per resource per day over 400
days, one Parquet file per billing month, loaded with the real `ingest_paths`, plus six budgets) is
built once under benchmarks/out/tabs-<rows>/ and reused by later runs (`--rebuild` makes it again).

"ours" is what the cockpit calls: each query function of `cost_queries` with the arguments the
reader's view passes (one cursor, the view's one "as of" day), and each whole view
(`LocalCache.kpi_view`, `resources_view`, `overview`; the forecast and `budgets_view` are in
bench_analysis_tabs.py). "plain" is the SQL a user
without our rollups would write over the raw `costs` table, returning the same rows in the same
order with the same columns, as Arrow (`.to_arrow_table()`); for a view, its plain queries in a row.
Before timing, each plain answer is checked against ours (same rows, order and values).

Ours and plain are timed alternately in one run (warm-up, then ours, plain, ours, plain, ...) so
both see the same machine; the table shows min and p50 of each and the ratio of the p50s.
Targets: ratio <= 1.5 at every size, and p50 <= 100 ms up to 10M rows. The figures also go to
benchmarks/out/tabs-<rows>.json. Then the TUI's first paint (process start -> first frame) is
timed, median of 5 (target <= 1 s).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from finops_tui import periods  # noqa: E402
from finops_tui.cache import cost_layouts, cost_queries, resource_pages  # noqa: E402
from finops_tui.cache.local_reader import TREND_DAYS, LocalCache  # noqa: E402
from finops_tui.contract.paging import PageRequest  # noqa: E402
from finops_tui.contract.scope import ViewScope  # noqa: E402
from finops_tui.contract.views import TOP_ROWS  # noqa: E402
from finops_tui.sources.ingest import ingest_paths  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
END = date(2026, 10, 31)
NOW = datetime(2026, 11, 1, 9)  # the cockpit's clock: the day after the last day with data
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
RATIO_TARGET, P50_TARGET_MS, P50_TARGET_UP_TO_ROWS = 1.5, 100.0, 10_000_000
PAGE = 200  # rows in a Resources page (the grid's PAGE_ROWS)


# -- the cache ------------------------------------------------------------------------------------
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
    """Six budgets (all spend, per service, per account, per region), as a real cache would have."""
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


def build(rows: int, rebuild: bool) -> tuple[Path, dict[str, Any]]:
    """The cache for `rows`, made unless it is already there; what making it took, if it was made now."""
    folder = OUT / f"tabs-{rows}"
    cache = folder / "cache.duckdb"
    if cache.exists() and not rebuild:
        return cache, {}
    cache.unlink(missing_ok=True)
    t = time.perf_counter()
    paths = generate(rows, folder / "focus")
    gen = time.perf_counter() - t
    t = time.perf_counter()
    report = ingest_paths([str(p) for p in paths], cache, memory_limit="2GB")
    took = time.perf_counter() - t
    add_budgets(cache)
    made = {
        "generate_s": round(gen, 1),
        "ingest_s": round(took, 1),
        "ingest_rows_per_s": round(report.summary.rows / took),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(
        f"generated {rows:,} rows in {gen:.1f} s; ingested {report.summary.rows:,} rows in {took:.1f} s "
        f"({made['ingest_rows_per_s']:,} rows/s), peak RSS {made['peak_rss_mb']:,} MB"
    )
    return cache, made


# -- plain SQL over `costs`: what a user without the rollups would write ----------------------------
def ts(day: date) -> str:
    return f"TIMESTAMP '{day}'"


def plain_queries(scope: ViewScope, as_of: date, today: date) -> dict[str, str]:
    """The plain equivalent of each query, with the view's dates written in (USD, all providers)."""
    assert scope.currency == "USD" and scope.provider is None, "the plain SQL is written for USD, all providers"
    m = scope.metric
    start, prev = periods.month_start(as_of), periods.previous_month_start(as_of)
    end, prev_same_end = periods.next_month_start(as_of), periods.same_days_last_month_end(as_of)
    day_after = as_of + timedelta(days=1)
    sums = (
        f"coalesce(sum({m}) FILTER (WHERE ChargePeriodStart >= {ts(start)}), 0)::DOUBLE AS month_to_date, "
        f"coalesce(sum({m}) FILTER (WHERE ChargePeriodStart < {ts(start)}), 0)::DOUBLE AS previous_same_days"
    )
    two_windows = (
        f"((ChargePeriodStart >= {ts(start)} AND ChargePeriodStart < {ts(day_after)}) "
        f"OR (ChargePeriodStart >= {ts(prev)} AND ChargePeriodStart < {ts(prev_same_end)}))"
    )

    def ranked(column: str, label: str, order: str, limit: int | None) -> str:
        return (
            f"SELECT {label} AS name, {sums}, month_to_date - previous_same_days AS delta, "
            "CASE WHEN previous_same_days = 0 THEN NULL ELSE delta / abs(previous_same_days) * 100 END AS delta_pct "
            f"FROM costs WHERE BillingCurrency = 'USD' AND {two_windows} "
            f"GROUP BY {column} ORDER BY {order}, name" + (f" LIMIT {limit}" if limit else "")
        )

    spend, movement = "month_to_date DESC", "abs(delta) DESC, month_to_date DESC"
    account = "coalesce(any_value(SubAccountName) || ' (' || SubAccountId || ')', SubAccountId, '(no account)')"
    queries = {
        "as_of": f"SELECT max(ChargePeriodStart)::DATE AS as_of FROM costs "
        f"WHERE BillingCurrency = 'USD' AND ChargePeriodStart < {ts(today + timedelta(days=1))}",
        "kpi_summary": f"""
            SELECT coalesce(sum({m}) FILTER (WHERE ChargePeriodStart >= {ts(start)}), 0)::DOUBLE AS month_to_date,
                   coalesce(sum({m}) FILTER (WHERE ChargePeriodStart < {ts(prev_same_end)}), 0)::DOUBLE
                       AS previous_month_same_days,
                   coalesce(sum({m}) FILTER (WHERE ChargePeriodStart < {ts(start)}), 0)::DOUBLE AS last_full_month
            FROM costs
            WHERE BillingCurrency = 'USD' AND ChargePeriodStart >= {ts(prev)} AND ChargePeriodStart < {ts(day_after)}
        """,
        "daily_costs": f"""
            WITH spend AS (
                SELECT ChargePeriodStart::DATE AS day, sum({m}) AS cost FROM costs
                WHERE BillingCurrency = 'USD' AND ChargePeriodStart >= {ts(as_of - timedelta(days=TREND_DAYS - 1))}
                  AND ChargePeriodStart < {ts(day_after)}
                GROUP BY 1
            )
            SELECT d.range::DATE AS day, coalesce(s.cost, 0)::DOUBLE AS cost
            FROM range(DATE '{as_of - timedelta(days=TREND_DAYS - 1)}', DATE '{day_after}', INTERVAL 1 DAY) d
            LEFT JOIN spend s ON s.day = d.range::DATE ORDER BY 1
        """,
        "services": ranked("ServiceName", "coalesce(ServiceName, '(no service)')", spend, TOP_ROWS),
        "accounts": ranked("SubAccountId", account, spend, TOP_ROWS),
        "regions": ranked("RegionId", "coalesce(RegionId, '(global)')", spend, TOP_ROWS),
        "providers": ranked("ProviderName", "coalesce(ProviderName, '(unknown)')", spend, None),
        "movers": ranked("ServiceName", "coalesce(ServiceName, '(no service)')", movement, TOP_ROWS),
        "resources": f"""
            WITH billed AS (
                SELECT ResourceId, any_value(ResourceType) AS ResourceType, any_value(ServiceName) AS ServiceName,
                       any_value(RegionId) AS RegionId, any_value(SubAccountId) AS SubAccountId,
                       any_value(SubAccountName) AS SubAccountName,
                       sum({m}) FILTER (WHERE ChargePeriodStart >= {ts(start)})::DOUBLE AS this_month,
                       sum({m}) FILTER (WHERE ChargePeriodStart < {ts(start)})::DOUBLE AS last_month
                FROM costs
                WHERE ResourceId IS NOT NULL AND BillingCurrency = 'USD'
                  AND ChargePeriodStart >= {ts(prev)} AND ChargePeriodStart < {ts(end)}
                GROUP BY ResourceId
            )
            SELECT coalesce(r.resource_name, regexp_extract(coalesce(b.ResourceId, r.resource_id), '[^/:]+$'))
                       AS resource,
                   b.this_month, b.last_month, CASE WHEN r.is_idle THEN 'IDLE' ELSE '' END AS idle,
                   coalesce(b.ServiceName, r.service_name) AS service,
                   coalesce(b.SubAccountName, b.SubAccountId, r.sub_account_id) AS account,
                   coalesce(b.RegionId, r.region_id) AS region, coalesce(b.ResourceType, r.resource_type) AS type,
                   coalesce(r.idle_reason, '') AS idle_reason, r.state,
                   coalesce(b.ResourceId, r.resource_id) AS resource_id
            FROM billed b FULL OUTER JOIN resources r ON r.resource_id = b.ResourceId
            WHERE b.ResourceId IS NOT NULL OR r.currency = 'USD' OR r.currency IS NULL
            ORDER BY b.this_month DESC NULLS LAST, resource_id
        """,
        "currency_spend": "SELECT BillingCurrency, coalesce(sum(abs(BilledCost)), 0)::DOUBLE AS spend, "
        "list_sort(list(DISTINCT ProviderName) FILTER (WHERE ProviderName IS NOT NULL)) AS providers "
        "FROM costs GROUP BY 1 ORDER BY 2 DESC, 1 NULLS LAST",
        "provider_names": "SELECT DISTINCT ProviderName FROM costs WHERE ProviderName IS NOT NULL ORDER BY 1",
        "datasets": "SELECT dataset_id, kind, source_kind, source, format, format_version, provider, account_id, "
        "billing_period, row_count, loaded_at, data_through FROM datasets ORDER BY kind, dataset_id",
        "meta": "SELECT key, value FROM meta",
        "refresh": "SELECT * FROM refresh_runs ORDER BY started_at DESC LIMIT 1",
    }
    return queries | resources_paged(queries["resources"].rsplit("ORDER BY", 1)[0])


RESOURCE_COLUMNS = ("resource", "this_month", "last_month", "idle", "service", "account", "region", "type",
                    "idle_reason", "state", "resource_id")  # fmt: skip


def physical_costs(cur: duckdb.DuckDBPyConnection) -> str:
    """What plain SQL scans: a plain DuckDB user's `costs` is a table. Since schema v7 the cache's `costs` is a view
    over one table per layout (cache/cost_layouts.py), and binding that view costs ~1 ms a query, which plain
    DuckDB would not pay; when one layout table holds every row (as in these caches), plain SQL reads it."""
    try:
        layouts = cost_layouts.registered(cur)
    except duckdb.CatalogException:  # a cache from before v7, read as it is: `costs` is its table
        return "costs"
    return cost_layouts.quote(next(iter(layouts))) if len(layouts) == 1 else "costs"


def resources_paged(body: str) -> dict[str, str]:
    """The Resources tab's pages written over `costs` in the same shape as ours (ORDER BY … LIMIT, the count
    of matching rows as a window on the first page), so the ratio measures the rollup, not other work."""
    first = '"this_month" DESC NULLS LAST, "resource_id"'
    text = ", ".join(f'CAST("{c}" AS VARCHAR)' for c in RESOURCE_COLUMNS)
    idle = f"contains(lower(concat_ws(chr(31), {text})), 'idle')"
    counts = ", count(*) OVER () AS total, sum((idle = 'IDLE')::INTEGER) OVER () AS idle_total"
    return {
        "resources_page": f"SELECT *{counts} FROM ({body}) r ORDER BY {first} LIMIT {PAGE} OFFSET 0",
        "resources_next": f"SELECT * FROM ({body}) r ORDER BY {first} LIMIT {PAGE} OFFSET {PAGE}",
        "resources_by_id": f'SELECT *{counts} FROM ({body}) r ORDER BY "resource_id" ASC NULLS LAST, {first} '
        f"LIMIT {PAGE} OFFSET 0",
        "resources_idle": f"SELECT *{counts} FROM ({body}) r WHERE {idle} ORDER BY {first} LIMIT {PAGE} OFFSET 0",
    }


# -- comparing answers --------------------------------------------------------------------------
def _rows(value: Any) -> list[tuple[Any, ...]]:
    """Any answer (Arrow table, pydantic models, tuples, a date) as a list of plain row tuples."""
    if isinstance(value, pa.Table):
        return [tuple(r.values()) for r in value.to_pylist()]
    if isinstance(value, list):
        out = []
        for item in value:
            if hasattr(item, "model_dump"):
                out.append(tuple(item.model_dump().values()))
            elif isinstance(item, tuple):
                out.append(item)
            else:
                out.append((item,))
        return out
    return [(value,)]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def same_answer(ours: list[tuple[Any, ...]], plain: list[tuple[Any, ...]]) -> bool:
    return len(ours) == len(plain) and all(_same(a, b) for a, b in zip(ours, plain, strict=True))


# -- timing ---------------------------------------------------------------------------------------
@dataclass
class Case:
    name: str
    tab: str
    ours: Callable[[], Any]
    plain: Callable[[], Any]
    answer: Callable[[Any], list[tuple[Any, ...]]]  # ours's answer as plain rows, to check `plain` against
    plain_answer: Callable[[Any], list[tuple[Any, ...]]] = _rows


def alternate(ours: Callable[[], Any], plain: Callable[[], Any], runs: int, warm: int) -> tuple[list[float], ...]:
    """ours, plain, ours, plain, ... after `warm` rounds of each; milliseconds per run."""
    for _ in range(warm):
        ours()
        plain()
    a, b = [], []
    for _ in range(runs):
        t = time.perf_counter()
        ours()
        a.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        plain()
        b.append((time.perf_counter() - t) * 1000)
    return a, b


def cases(reader: LocalCache, plain_cur: duckdb.DuckDBPyConnection) -> list[Case]:
    scope = ViewScope(currency="USD", metric="EffectiveCost")  # what the cockpit opens on: top currency, all
    today = reader.clock().date()
    cur = reader._cursor()  # a view takes one cursor for all its queries
    as_of = cost_queries.as_of_date(cur, scope, today)
    assert as_of == END, as_of
    table = physical_costs(plain_cur)
    sql = {
        name: re.sub(r"\bFROM costs\b", f"FROM {table}", text)
        for name, text in plain_queries(scope, as_of, today).items()
    }

    def plain(*names: str) -> Callable[[], Any]:
        if len(names) == 1:
            return lambda: plain_cur.sql(sql[names[0]]).to_arrow_table()
        return lambda: [plain_cur.sql(sql[n]).to_arrow_table() for n in names]

    everyone = scope.model_copy(update={"provider": None})

    def ranked(dimension: Any, limit: int | None = TOP_ROWS, by: Any = "spend") -> Callable[[], pa.Table]:
        return lambda: cost_queries.ranked(
            cur, dimension, scope if dimension != "provider" else everyone, as_of, limit, by
        )

    def kpi_rows(k: Any) -> list[tuple[Any, ...]]:
        # the forecast is the model's now (cache/cost_series.py): benchmarks/bench_analysis_tabs.py times it
        return [(k.month_to_date, k.previous_month_same_days, k.last_full_month)]

    def page_call(request: PageRequest) -> Callable[[], Any]:
        return lambda: resource_pages.resources_page(cur, scope, as_of, request)

    def windowed(table: pa.Table, total: int | None, idle: int | None) -> list[tuple[Any, ...]]:
        """Our page as the plain query returns it: the counts repeated on every row when counted."""
        return [(*r, total, idle) if total is not None else r for r in _rows(table)]

    def page_rows(page: Any) -> list[tuple[Any, ...]]:
        return windowed(page.table, page.total, page.idle)

    kpi_names = ("as_of", "kpi_summary", "daily_costs", "services", "accounts", "regions", "providers", "movers")
    overview_names = ("meta", "datasets", "currency_spend", "provider_names", "refresh")

    def kpi_view_rows(v: Any) -> list[tuple[Any, ...]]:
        return [
            (v.as_of,),
            *kpi_rows(v.summary),
            *_rows(v.trend),
            *[r for t in (v.services, v.accounts, v.regions, v.providers, v.movers) for r in _rows(t.table)],
        ]

    def kpi_plain_rows(ts_: list[pa.Table]) -> list[tuple[Any, ...]]:
        return [r for t in ts_ for r in _rows(t)]

    def overview_rows(o: Any) -> list[tuple[Any, ...]]:
        return [*_rows(o.datasets), *[(c.currency, c.spend, c.providers) for c in o.currencies], *_rows(o.providers)]

    def overview_plain_rows(ts_: list[pa.Table]) -> list[tuple[Any, ...]]:
        return [r for t in ts_[1:4] for r in _rows(t)]

    return [
        Case("as-of day", "KPIs", lambda: cost_queries.as_of_date(cur, scope, today), plain("as_of"), _rows),
        Case(
            "KPI cards (MTD, last month)",
            "KPIs",
            lambda: cost_queries.kpi_summary(cur, scope, as_of),
            plain("kpi_summary"),
            kpi_rows,
        ),
        Case(
            f"daily trend, {TREND_DAYS} days",
            "KPIs",
            lambda: cost_queries.daily_costs(cur, scope, as_of, TREND_DAYS),
            plain("daily_costs"),
            _rows,
        ),
        Case("top services", "KPIs", ranked("service"), plain("services"), _rows),
        Case("top accounts", "KPIs", ranked("account"), plain("accounts"), _rows),
        Case("top regions", "KPIs", ranked("region"), plain("regions"), _rows),
        Case("providers", "KPIs", ranked("provider", None), plain("providers"), _rows),
        Case("top movers (services)", "KPIs", ranked("service", by="movement"), plain("movers"), _rows),
        Case(
            "resources, every row (unpaged)",
            "Resources",
            lambda: cost_queries.resources(cur, scope, as_of),
            plain("resources"),
            _rows,
        ),
        *[
            Case(
                f"resources page: {label}",
                "Resources",
                page_call(request),
                plain(*names),
                page_rows,
                _rows,
            )
            for label, request, names in (
                ("first 200 + count", PageRequest(limit=PAGE), ("resources_page",)),
                ("next 200, no count", PageRequest(offset=PAGE, limit=PAGE, count_total=False), ("resources_next",)),
                (
                    "sorted by id + count",
                    PageRequest(limit=PAGE, sort="resource_id", descending=False),
                    ("resources_by_id",),
                ),
                (
                    "filter 'idle' + count",
                    PageRequest(limit=PAGE, needle="idle"),
                    ("resources_idle",),
                ),
            )
        ],
        Case("currencies by spend", "header", lambda: cost_queries.currency_spend(cur), plain("currency_spend"), _rows),
        Case("provider names", "header", lambda: cost_queries.providers(cur), plain("provider_names"), _rows),
        Case("datasets", "header", reader.datasets, plain("datasets"), _rows),
        Case(
            "kpi_view (10 queries)",
            "view",
            lambda: reader.kpi_view(scope),
            plain(*kpi_names),
            kpi_view_rows,
            kpi_plain_rows,
        ),
        Case(
            "resources_view (page 1 + count)",
            "view",
            lambda: reader.resources_view(scope, PageRequest(limit=PAGE)),
            plain("resources_page"),
            lambda v: windowed(v.table.table, v.total, v.idle_count),
            _rows,
        ),
        Case("overview", "view", reader.overview, plain(*overview_names), overview_rows, overview_plain_rows),
    ]


def verdict(ratio: float, p50: float, rows: int) -> str:
    if ratio > RATIO_TARGET:
        return "FAIL ratio"
    if p50 > P50_TARGET_MS and rows <= P50_TARGET_UP_TO_ROWS:
        return "FAIL p50"
    return "PASS"


def bench_queries(cache: Path, rows: int, runs: int, warm: int, only: Sequence[str]) -> list[dict[str, Any]]:
    reader = LocalCache(cache, clock=lambda: NOW)
    plain_cur = reader._cursor()  # a plain cursor on the same read-only database: same file, same settings
    results = []
    header = f"{'query':40} {'tab':9} {'ours min':>8} {'p50':>7} {'plain min':>9} {'p50':>7} {'ratio':>6}  verdict"
    print(header)
    print("-" * len(header))
    for case in cases(reader, plain_cur):
        if only and not any(o.lower() in case.name.lower() for o in only):
            continue
        same = same_answer(case.answer(case.ours()), case.plain_answer(case.plain()))
        ours, plain = alternate(case.ours, case.plain, runs, warm)
        o50, p50 = statistics.median(ours), statistics.median(plain)
        ratio = o50 / p50
        row = {
            "query": case.name,
            "tab": case.tab,
            "ours_min_ms": round(min(ours), 3),
            "ours_p50_ms": round(o50, 3),
            "plain_min_ms": round(min(plain), 3),
            "plain_p50_ms": round(p50, 3),
            "ratio_p50": round(ratio, 3),
            "same_answer": same,
            "verdict": verdict(ratio, o50, rows) if same else "FAIL answer differs",
        }
        results.append(row)
        print(
            f"{case.name:40} {case.tab:9} {min(ours):8.2f} {o50:7.2f} {min(plain):9.2f} {p50:7.2f} {ratio:6.2f}  "
            f"{row['verdict']}",
            flush=True,
        )
    plain_cur.close()
    reader.close()
    return results


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


def bench_paint(cache: Path) -> dict[str, float]:
    paints, shown = [], []
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", PAINT, str(cache)], capture_output=True, text=True, cwd=ROOT, timeout=120
        )
        if out.returncode != 0:
            raise SystemExit(f"the first-paint run failed:\n{out.stderr}")
        a, b = map(float, out.stdout.split())
        paints.append(a)
        shown.append(b)
    paint, kpis = statistics.median(paints), statistics.median(shown)
    print(
        f"TUI first paint (process start -> first frame), median of 5: {paint:.2f} s "
        f"[{'PASS' if paint <= 1 else 'FAIL'} <= 1 s]; KPIs on screen: {kpis:.2f} s"
    )
    return {"first_paint_s": round(paint, 3), "kpis_on_screen_s": round(kpis, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000, 30_000_000])
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each side (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs of each side first (default 3)")
    parser.add_argument("--only", nargs="*", default=[], help="only the queries whose name contains one of these")
    parser.add_argument("--rebuild", action="store_true", help="generate and ingest the cache again")
    parser.add_argument("--no-paint", action="store_true", help="skip the TUI first-paint measurement")
    args = parser.parse_args()
    for rows in args.rows:
        cache, made = build(rows, args.rebuild)
        con = duckdb.connect(str(cache), read_only=True)
        n = con.execute("SELECT count(*) FROM costs").fetchall()[0][0]
        rollups = {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
            for t in ("cost_daily", "cost_resource_monthly")
        }
        con.close()
        size_mb = cache.stat().st_size / 1e6
        print(f"\n== {n:,} cost rows; cache {cache.relative_to(ROOT)} {size_mb:,.0f} MB; rollups {rollups}")
        print(
            f"   {args.runs} alternating runs after {args.warmup} warm-up; ratio = ours p50 / plain p50; targets "
            f"<= {RATIO_TARGET}x, p50 <= {P50_TARGET_MS:.0f} ms up to {P50_TARGET_UP_TO_ROWS:,} rows"
        )
        queries = bench_queries(cache, rows, args.runs, args.warmup, args.only)
        figures: dict[str, Any] = {
            "rows": n,
            "cache_mb": round(size_mb),
            "rollup_rows": rollups,
            "runs": args.runs,
            "warmup": args.warmup,
            "measured_at": datetime.now().isoformat(timespec="seconds"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "duckdb": duckdb.__version__},
            "built_now": made,
            "queries": queries,
        }
        if not args.no_paint:
            figures["tui"] = bench_paint(cache)
        if not args.only:
            out = OUT / f"tabs-{rows}.json"
            out.write_text(json.dumps(figures, indent=2) + "\n")
            print(f"figures written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
