"""The DEMO cache: generated, deterministic FOCUS data loaded through the real ingest path.

`build_demo(end)` writes 13+ months of daily FOCUS 1.2 Parquet files (one per billing period),
ingests them with `ingest_paths(..., source_kind="DEMO")`, then adds a demo inventory (with a
few idle resources) and budgets. Everything is labelled DEMO: the cache's meta, every row's
x_SourceKind, the billing account name, and the header of every screen.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from finops_tui import locations
from finops_tui.analysis.anomaly_scoring import KnownEvent
from finops_tui.cache import cost_writes, dataset_writes, files, optimization_writes
from finops_tui.logs import logged
from finops_tui.sources.demo_catalog import ACCOUNTS, BILLING_ACCOUNT, IDLE, REGIONS, SERVICES, SPIKES
from finops_tui.sources.ingest import ingest_paths

GENERATOR_VERSION = "5"  # 5: injected anomaly events (4) and inventory utilization in the collector's shape (3)
HISTORY_DAYS = 400  # a little over 13 months


def demo_resources() -> pa.Table:
    """The demo company's resources: same list on every run (seeded RNG, fixed catalog)."""
    rng = random.Random(20240901)
    rows: dict[str, list[object]] = {
        k: []
        for k in (
            "r_idx",
            "resource_id",
            "resource_name",
            "service",
            "category",
            "resource_type",
            "unit",
            "account_id",
            "account_name",
            "region_id",
            "region_name",
            "base_cost",
            "weekend_factor",
            "monthly_growth",
            "start_day",
            "service_index",
            "team",
            "env",
        )
    }
    idx = 0
    for svc in SERVICES:
        count = 0
        for account_id, account_name, weight in ACCOUNTS:
            for _ in range(max(1, round(svc.per_account * weight))):
                region_id, region_name = REGIONS[0] if rng.random() < 0.45 else rng.choice(REGIONS)
                service_code, kind = svc.arn_kind.split(":")
                name = f"{account_name.removeprefix('demo-')}-{kind}-{count:03d}"
                values = {
                    "r_idx": idx,
                    "resource_id": f"arn:aws:{service_code}:{region_id}:{account_id}:{kind}/{name}",
                    "resource_name": name,
                    "service": svc.service,
                    "category": svc.category,
                    "resource_type": svc.resource_type,
                    "unit": svc.unit,
                    "account_id": account_id,
                    "account_name": account_name,
                    "region_id": region_id,
                    "region_name": region_name,
                    "base_cost": round(rng.uniform(*svc.daily_cost), 4),
                    "weekend_factor": svc.weekend_factor
                    if account_name != "demo-prod"
                    else (1 + svc.weekend_factor) / 2,
                    "monthly_growth": svc.monthly_growth,
                    # a third of resources appear during the year: growth you can see on the trend
                    "start_day": 0 if rng.random() < 0.67 else rng.randrange(0, HISTORY_DAYS - 30),
                    "service_index": count,
                    "team": rng.choice(("payments", "search", "platform", "ml")),
                    "env": account_name.removeprefix("demo-"),
                }
                for key, value in values.items():
                    rows[key].append(value)
                idx += 1
                count += 1
    return pa.table(rows)


def _spikes_table(end: date) -> pa.Table:
    return pa.table(
        {
            "spike_id": [s.spike_id for s in SPIKES],
            "first_day": [end - timedelta(days=s.days_before_end) for s in SPIKES],
            "last_day": [end - timedelta(days=s.days_before_end - s.duration_days + 1) for s in SPIKES],
            "account_id": [s.account_id for s in SPIKES],
            "service": [s.service for s in SPIKES],
            "region_id": [s.region for s in SPIKES],
            "multiplier": [s.multiplier for s in SPIKES],
            "resource_name": [s.resource for s in SPIKES],
            "extra": [s.extra_daily for s in SPIKES],
        }
    )


_DAILY_ROWS = """
SELECT
  NULL::VARCHAR AS AvailabilityZone,
  round(cost, 6)::DECIMAL(38,12) AS BilledCost,
  '{bill_id}' AS BillingAccountId, '{bill_name}' AS BillingAccountName, 'Payer' AS BillingAccountType,
  'USD' AS BillingCurrency,
  (date_trunc('month', day) + INTERVAL 1 MONTH)::TIMESTAMP AS BillingPeriodEnd,
  date_trunc('month', day)::TIMESTAMP AS BillingPeriodStart,
  'Usage' AS ChargeCategory, NULL::VARCHAR AS ChargeClass,
  r.service || ' ' || r.unit || ' for ' || r.resource_name AS ChargeDescription,
  'Usage-Based' AS ChargeFrequency,
  (day + INTERVAL 1 DAY)::TIMESTAMP AS ChargePeriodEnd, day::TIMESTAMP AS ChargePeriodStart,
  round(cost * CASE WHEN committed THEN 0.72 ELSE 1 END, 6)::DECIMAL(38,12) AS EffectiveCost,
  round(cost * 1.12, 6)::DECIMAL(38,12) AS ListCost,
  round(cost, 6)::DECIMAL(38,12) AS ContractedCost,
  CASE WHEN committed THEN 'Committed' ELSE 'Standard' END AS PricingCategory,
  round(cost * 8, 4)::DECIMAL(38,12) AS ConsumedQuantity, r.unit AS ConsumedUnit,
  'AWS' AS ProviderName, 'Amazon Web Services, Inc.' AS PublisherName,
  'Amazon Web Services, Inc.' AS InvoiceIssuerName,
  r.region_id AS RegionId, r.region_name AS RegionName,
  r.resource_id AS ResourceId, r.resource_name AS ResourceName, r.resource_type AS ResourceType,
  r.category AS ServiceCategory, r.service AS ServiceName,
  r.account_id AS SubAccountId, r.account_name AS SubAccountName, 'Linked Account' AS SubAccountType,
  to_json({{'env': r.env, 'team': r.team, 'demo': 'true'}}) AS Tags
FROM (
  SELECT r.*, d.day::DATE AS day,
         r.base_cost
           * pow(1 + r.monthly_growth, date_diff('day', DATE '{first}', d.day) / 30.0)
           * CASE WHEN dayofweek(d.day) IN (0, 6) THEN r.weekend_factor ELSE 1 END
           * (0.92 + ((r.r_idx * 7919 + date_diff('day', DATE '{first}', d.day) * 104729) % 1000) / 6250.0)
           * coalesce((SELECT max(s.multiplier) FROM spikes s WHERE {event}), 1)
         + coalesce((SELECT sum(s.extra) FROM spikes s WHERE {event}), 0) AS cost,
         r.service = 'Amazon Elastic Compute Cloud' AND r.account_name = 'demo-prod'
           AND r.r_idx % 3 = 0 AS committed
  FROM resources r, range(DATE '{first}', DATE '{last}' + INTERVAL 1 DAY, INTERVAL 1 DAY) d(day)
  WHERE date_diff('day', DATE '{first}', d.day) >= r.start_day
) r
"""


_EVENT = (
    "s.account_id = r.account_id AND s.service = r.service AND s.region_id = r.region_id "
    "AND coalesce(s.resource_name = r.resource_name, true) AND d.day BETWEEN s.first_day AND s.last_day"
)


def write_focus_files(out_dir: Path, end: date) -> list[Path]:
    """Write one FOCUS Parquet file per billing period, ending at `end` (inclusive)."""
    locations.make_private_dir(out_dir)
    first = end - timedelta(days=HISTORY_DAYS - 1)
    con = duckdb.connect()
    try:
        con.register("resources", demo_resources())
        con.register("spikes", _spikes_table(end))
        sql = _DAILY_ROWS.format(
            bill_id=BILLING_ACCOUNT[0],
            bill_name=BILLING_ACCOUNT[1],
            first=first.isoformat(),
            last=end.isoformat(),
            event=_EVENT,
        )
        con.execute(f"CREATE TEMP TABLE demo_rows AS {sql}")
        months = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT strftime(BillingPeriodStart, '%Y-%m') FROM demo_rows ORDER BY 1"
            ).fetchall()
        ]
        paths = []
        for month in months:
            path = out_dir / f"demo-focus-{month}.parquet"
            con.execute(
                f"COPY (SELECT * FROM demo_rows WHERE strftime(BillingPeriodStart, '%Y-%m') = ? "
                f"ORDER BY ChargePeriodStart, ResourceId) TO '{path}' (FORMAT parquet)",
                [month],
            )
            paths.append(path)
        return paths
    finally:
        con.close()


_DEMO_TYPES = ("m5.large", "m5.xlarge", "c5.xlarge", "r5.large", "m4.xlarge", "t3.medium", "c4.large", "m6i.large")


def _observed(r: dict[str, object], idle: bool) -> tuple[str, dict[str, object]]:
    """State and utilization JSON in the shape sources/aws/inventory.py writes, so the optimization rules
    read the DEMO exactly as they read a refreshed account (14-day metric summaries, volume facts)."""
    service, n = r["service"], int(str(r["service_index"]))
    if service == "Amazon Elastic Compute Cloud":
        avg = 0.8 if idle else round(20.0 + (int(str(r["r_idx"])) * 37) % 55, 1)
        cpu = {"avg": avg, "max": 2.1 if idle else min(100.0, round(avg * 1.8, 1))}
        return "running", {"cpu": cpu, "instance_type": _DEMO_TYPES[n % len(_DEMO_TYPES)]}
    if service == "Amazon Elastic Block Store":
        volume: dict[str, object] = {"volume_type": "gp2" if n % 3 == 0 else "gp3", "size_gib": 50 + 25 * (n % 8)}
        return ("available" if idle else "in-use"), volume
    zero = {"avg": 0.0, "max": 0.0, "sum": 0.0}
    busy = {"avg": 40.0 + n, "max": 120.0 + n, "sum": 14 * (40.0 + n)}
    metric = {
        "Amazon Relational Database Service": "connections",
        "Elastic Load Balancing": "requests",
        "Amazon Virtual Private Cloud": "bytes_out",
        "AWS Lambda": "invocations",
    }.get(str(service))
    state = "available" if service == "Amazon Virtual Private Cloud" else "running"
    return state, ({metric: zero if idle else busy} if metric else {})


def _inventory(end: date) -> pa.Table:
    res = demo_resources().to_pylist()
    idle = {(svc, i): reason for svc, i, reason in IDLE}
    observed = datetime.combine(end, datetime.min.time())
    seen = [_observed(r, (r["service"], r["service_index"]) in idle) for r in res]
    return pa.table(
        {
            "resource_id": [r["resource_id"] for r in res],
            "resource_type": [r["resource_type"] for r in res],
            "resource_name": [r["resource_name"] for r in res],
            "service_name": [r["service"] for r in res],
            "provider_name": ["AWS"] * len(res),
            "region_id": [r["region_id"] for r in res],
            "sub_account_id": [r["account_id"] for r in res],
            "state": [state for state, _ in seen],
            "currency": ["USD"] * len(res),
            "is_idle": [(r["service"], r["service_index"]) in idle for r in res],
            "idle_reason": [idle.get((r["service"], r["service_index"])) for r in res],
            "utilization": [json.dumps(metrics) if metrics else None for _, metrics in seen],
            "observed_at": [observed] * len(res),
        }
    )


def _budgets() -> pa.Table:
    rows = [
        ("demo-total", "DEMO total monthly", 175000, None, None, None),
        ("demo-prod", "DEMO prod account", 95000, "demo-total", "SubAccountId", ["210987654321"]),
        ("demo-data", "DEMO data platform", 40000, "demo-total", "SubAccountId", ["410987654321"]),
        ("demo-staging", "DEMO staging", 20000, "demo-total", "SubAccountId", ["310987654321"]),
        ("demo-ec2", "DEMO EC2 compute", 90000, "demo-total", "ServiceName", ["Amazon Elastic Compute Cloud"]),
        ("demo-s3", "DEMO S3 storage", 8000, "demo-total", "ServiceName", ["Amazon Simple Storage Service"]),
    ]
    return pa.table(
        {
            "budget_id": [r[0] for r in rows],
            "budget_name": [r[1] for r in rows],
            "budget_type": ["COST"] * len(rows),
            "time_unit": ["MONTHLY"] * len(rows),
            "budget_amount": pa.array([r[2] for r in rows], pa.float64()),
            "currency": ["USD"] * len(rows),
            "parent_budget_id": [r[3] for r in rows],
            "filter_dimension": [r[4] for r in rows],
            "filter_values": pa.array([r[5] for r in rows], pa.list_(pa.string())),
        }
    )


def ground_truth(end: date) -> list[dict[str, object]]:
    spikes = _spikes_table(end).to_pylist()
    return [
        {**asdict(s), "first_day": t["first_day"].isoformat(), "last_day": t["last_day"].isoformat()}
        for s, t in zip(SPIKES, spikes, strict=True)
    ]


def build_demo(target: Path, end: date) -> Path:
    """Build a fresh demo cache at `target` with data through `end`; returns `target`."""
    work_dir = target.parent / "build"
    shutil.rmtree(work_dir, ignore_errors=True)
    building = target.with_name(target.name + ".building")
    for stale in (building, building.with_name(building.name + ".wal")):
        stale.unlink(missing_ok=True)
    with logged("demo", "build", end=end.isoformat()):
        paths = write_focus_files(work_dir / "focus", end)
        ingest_paths([str(p) for p in paths], building, source_kind="DEMO")
        with files.write_session(building) as con:
            dataset_writes.replace_dataset(
                con,
                "resources",
                "resources:demo",
                _inventory(end),
                source_kind="DEMO",
                source="demo generator",
                provider="AWS",
            )
            dataset_writes.replace_dataset(
                con, "budgets", "budgets:demo", _budgets(), source_kind="DEMO", source="demo generator", provider="AWS"
            )
            optimization_writes.write_local_optimizations(con, now=datetime.combine(end, datetime.min.time()))
            for key, value in (
                ("source_label", "DEMO"),
                ("demo_end", end.isoformat()),
                ("demo_generator", GENERATOR_VERSION),
                ("written_on", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
                ("written_by", f"finops-tui demo on {os.uname().nodename}"),
            ):
                cost_writes.set_meta(con, key, value)
        (target.parent / "ground_truth.json").write_text(json.dumps(ground_truth(end), indent=2))
        os.replace(building, target)
        shutil.rmtree(work_dir, ignore_errors=True)
    return target


def ensure_demo_cache(end: date | None = None, target: Path | None = None) -> Path:
    """Reuse the demo cache if it was generated for `end` (default: yesterday, UTC), else rebuild it."""
    end = end or (datetime.now(UTC).date() - timedelta(days=1))
    target = target or locations.demo_cache_file()
    locations.make_private_dir(target.parent)  # 0700 whatever the umask: the DEMO is cost data too
    if target.exists():
        try:
            con = files.connect_read_only(target)
            try:
                meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
            finally:
                con.close()
            if meta.get("demo_end") == end.isoformat() and meta.get("demo_generator") == GENERATOR_VERSION:
                files.ensure_cache(target)  # a DEMO built by an older finops-tui gets the newer tables
                return target
        except Exception:
            pass
    with files.writer_lock(target):
        return build_demo(target, end)


def injected_events(end: date) -> list[KnownEvent]:
    """The DEMO's injected spikes and level shifts as the events detection is scored against."""
    return [
        KnownEvent(
            event_id=s.spike_id,
            provider="AWS",
            account=s.account_id,
            service=s.service,
            first_day=end - timedelta(days=s.days_before_end),
            last_day=end - timedelta(days=s.days_before_end - s.duration_days + 1),
            resource_id=s.resource_id,
            region=s.region,
        )
        for s in SPIKES
    ]


def launch_events(end: date) -> list[KnownEvent]:
    """Resources the generator starts during the year: each is a real level shift of its series.

    Scoring counts a detection that matches one as explained (it is not a false positive), but
    recall is measured on the injected events only: most launches are too small to detect."""
    first = end - timedelta(days=HISTORY_DAYS - 1)
    return [
        KnownEvent(
            event_id=f"launch:{r['resource_name']}",
            provider="AWS",
            account=r["account_id"],
            service=r["service"],
            first_day=first + timedelta(days=r["start_day"]),
            last_day=end,
            resource_id=r["resource_id"],
            region=r["region_id"],
        )
        for r in demo_resources().to_pylist()
        if r["start_day"] > 0
    ]
