"""Local analysis that every writer runs at the end of its transaction, so it always matches the costs.

`refresh_local_analysis(con)` is called by every cost write (CostLoad, before its COMMIT: ingest
and the DEMO) and by the AWS refresh before its copy is swapped in; a reader therefore never sees
new costs without the analyses computed from them. Each step replaces its own dataset. Add a step
by appending one line to `refresh_local_analysis`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb

from finops_tui.analysis.anomaly_detector import Thresholds
from finops_tui.cache import anomaly_writes, optimization_writes
from finops_tui.config import Settings, load_settings


def anomaly_thresholds(settings: Settings) -> Thresholds:
    return Thresholds(
        min_impact=settings.anomaly_min_impact,
        min_percent=settings.anomaly_min_percent,
        sensitivity=settings.anomaly_sensitivity,
        baseline_weeks=settings.anomaly_baseline_weeks,
        min_history_days=settings.anomaly_min_history_days,
        level_shift_days=settings.anomaly_level_shift_days,
    )


def refresh_local_analysis(
    con: duckdb.DuckDBPyConnection, settings: Settings | None = None, now: datetime | None = None
) -> None:
    """Recompute every local analysis from the costs as they are in this (uncommitted) write."""
    settings = settings or load_settings()
    now = now or datetime.now(UTC).replace(tzinfo=None)
    anomaly_writes.store_local_anomalies(con, anomaly_thresholds(settings), now)
    optimization_writes.write_local_optimizations(con, settings.rules, now)
