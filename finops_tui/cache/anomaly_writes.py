"""Writing local anomalies (a dataset, replaced whole by each detection) and users' feedback on them.

Detection runs inside a writer's transaction (cache/analysis_writes.py), so the anomalies in a
cache always belong to its costs. Its rows replace the dataset `anomalies:computed:local`;
Cost Explorer's anomalies are other datasets and stay. Feedback (acknowledged, muted) lives in
`anomaly_feedback`, keyed by the stable anomaly id, which no detection, refresh or ingest touches.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

import duckdb
import pyarrow as pa

from finops_tui.analysis.anomaly_detector import Anomaly, Thresholds, detect
from finops_tui.analysis.anomaly_drivers import drivers, root_cause
from finops_tui.cache import anomaly_series, dataset_writes
from finops_tui.cache.anomaly_series import SeriesId, Window
from finops_tui.cache.schema import ANOMALIES
from finops_tui.errors import CacheError

DATASET_ID = "anomalies:computed:local"
Feedback = Literal["open", "acknowledged", "muted"]


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def detect_anomalies(
    con: duckdb.DuckDBPyConnection, thresholds: Thresholds, today: date
) -> list[tuple[SeriesId, Anomaly]]:
    """Every anomaly of every series in the cache, as judged with `thresholds`."""
    return [(sid, a) for sid, series in anomaly_series.daily_series(con, today) for a in detect(series, thresholds)]


def store_local_anomalies(con: duckdb.DuckDBPyConnection, thresholds: Thresholds, now: datetime) -> int:
    """Detect, explain and replace the local anomalies dataset; returns how many were stored."""
    found = detect_anomalies(con, thresholds, now.date())
    windows = [Window(i, sid, a.start_date, a.end_date) for i, (sid, a) in enumerate(found)]
    costs = anomaly_series.driver_costs(con, windows)
    rows: list[dict[str, object]] = []
    for i, (sid, a) in enumerate(found):
        named = drivers(costs.get(i, []), a.days)
        top_region = next((d.value for d in named if d.dimension == "region"), None)
        rows.append(
            {
                "anomaly_id": a.anomaly_id,
                "anomaly_type": a.anomaly_type,
                "severity": a.severity,
                "start_date": a.start_date,
                "end_date": a.end_date,
                "actual_cost": _money(a.actual),
                "expected_cost": _money(a.expected),
                "currency": sid.currency or None,
                "provider_name": sid.provider or None,
                "sub_account_id": None if sid.is_total else sid.account or None,
                "service_name": None if sid.is_total else sid.service or None,
                "region_id": top_region,
                "root_cause": root_cause(named, sid.currency or None),
                "status": "open",
                "detected_at": now,
                "impact": _money(a.impact),
                "origin": "computed",
                "drivers": json.dumps([d.as_json() for d in named]),
                "series_key": sid.key,
            }
        )
    table = pa.Table.from_pylist(rows, schema=ANOMALIES.row_schema)
    cost_sets = [r[0] for r in con.execute("SELECT DISTINCT x_DatasetId FROM cost_daily ORDER BY 1").fetchall()]
    through = con.execute("SELECT max(ChargeDate) FROM cost_daily WHERE ChargeDate <= ?", [now.date()]).fetchall()
    dataset_writes.replace_dataset(
        con,
        "anomalies",
        DATASET_ID,
        table,
        source_kind="COMPUTED",
        source=f"computed here by finops-tui's anomaly detector from {len(cost_sets)} cost dataset(s)",
        data_through=datetime.combine(through[0][0], datetime.min.time()) if through[0][0] else None,
    )
    con.execute(  # which cost datasets it was computed from: the provenance `datasets` has a column for
        "UPDATE datasets SET files = ?::JSON WHERE dataset_id = ?",
        [json.dumps([{"dataset_id": d} for d in cost_sets]), DATASET_ID],
    )
    return int(table.num_rows)


def record_feedback(con: duckdb.DuckDBPyConnection, anomaly_id: str, status: Feedback, note: str | None) -> None:
    """Acknowledge or mute an anomaly, or make it open again (which also unmutes its series).

    Muting applies to the anomaly's series: its later anomalies are muted too. CacheError when the
    cache has no anomaly with that id."""
    found = con.execute("SELECT series_key FROM anomalies WHERE anomaly_id = ? LIMIT 1", [anomaly_id]).fetchall()
    if not found:
        raise CacheError(
            f"No anomaly {anomaly_id!r} in this cache. `finops-tui anomalies --all` lists every anomaly id."
        )
    series_key = found[0][0]
    con.execute("DELETE FROM anomaly_feedback WHERE anomaly_id = ?", [anomaly_id])
    if status == "open" and series_key is not None:
        con.execute("DELETE FROM anomaly_feedback WHERE series_key = ? AND status = 'muted'", [series_key])
    if status != "open":
        con.execute(
            "INSERT INTO anomaly_feedback (anomaly_id, series_key, status, note, updated_at) "
            "VALUES (?, ?, ?, ?, now()::TIMESTAMP)",
            [anomaly_id, series_key, status, note],
        )
