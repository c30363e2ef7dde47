"""`LocalCache`: the read interface over a cache file on this machine (live cache, DEMO or snapshot).

One read-only, sandboxed DuckDB connection; each call takes its own cursor so queries can run
from several worker threads, and the SQL pane's cursor can be interrupted alone. When another
process swaps in a new file, `has_changed()` notices (inode/mtime) and `reload()` reopens it.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

import duckdb
import pyarrow as pa

from finops_tui.cache import cost_queries, files, migrations, refresh_records
from finops_tui.errors import QueryError
from finops_tui.reader import (
    DailyPoint,
    DatasetInfo,
    Dimension,
    KpiSummary,
    Metric,
    QueryResult,
    RefreshStatus,
    SourceInfo,
)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


T = TypeVar("T")


def survives_reload(method: Callable[..., T]) -> Callable[..., T]:
    """Run a read again on the new connection when a reload closed the old one mid-query.

    A reload (another process committed, or a refresh finished) must close the old connection
    before reopening the swapped file; a pane query running at that moment fails with
    'Connection already closed'. One retry gets the answer from the new file instead of an error.
    """

    @functools.wraps(method)
    def wrapper(self: LocalCache, *args: object, **kwargs: object) -> T:
        try:
            return method(self, *args, **kwargs)
        except duckdb.ConnectionException:
            return method(self, *args, **kwargs)

    return wrapper


class LocalCache:
    """Implements `finops_tui.reader.CostReader` over a DuckDB file, read-only."""

    def __init__(
        self,
        path: Path,
        *,
        snapshot: bool = False,
        memory_limit: str | None = None,
        clock: Callable[[], datetime] = utc_now,
        note: str | None = None,
    ) -> None:
        self.path = path.expanduser().resolve()
        self.snapshot = snapshot
        self.memory_limit = memory_limit
        self.clock = clock
        self.note = note
        self._lock = threading.Lock()
        self._sql_cursor: duckdb.DuckDBPyConnection | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._stamp: tuple[int, int] | None = None
        self._open_path = self.path
        self.reload()

    # -- connection lifecycle -------------------------------------------------------------
    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def reload(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()  # before reopening: DuckDB would hand back the cached old instance
                self._con = None
            self._stamp = self._file_stamp()
            self._open_path = self.path
            if self.snapshot and files.schema_version(self.path) < migrations.LATEST_VERSION:
                self._open_path = files.upgraded_private_copy(self.path)
            self._con = files.connect_read_only(self._open_path, self.memory_limit)

    def has_changed(self) -> bool:
        return not self.snapshot and self._file_stamp() != self._stamp

    def close(self) -> None:
        with self._lock:
            if self._con is not None:
                self._con.close()
                self._con = None

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._con is None:
                raise QueryError("The cache is closed.")
            return self._con.cursor()

    def _today(self) -> date:
        return self.clock().date()

    # -- provenance -----------------------------------------------------------------------
    @survives_reload
    def meta(self) -> dict[str, str]:
        return dict(self._cursor().execute("SELECT key, value FROM meta").fetchall())

    def source_info(self) -> SourceInfo:
        meta = self.meta()
        is_demo = meta.get("source_label") == "DEMO"
        if self.snapshot:
            origin = (
                ", ".join(
                    p
                    for p in (
                        "DEMO data" if is_demo else meta.get("source_label"),
                        f"written on {meta['written_on']}" if meta.get("written_on") else None,
                        f"by {meta['written_by']}" if meta.get("written_by") else None,
                    )
                    if p
                )
                or "unknown origin"
            )
            return SourceInfo("SNAPSHOT", str(self.path), True, origin=origin, note="DEMO" if is_demo else None)
        return SourceInfo("DEMO" if is_demo else "CACHE", str(self.path), True, note=self.note)

    @survives_reload
    def refresh_status(self) -> RefreshStatus | None:
        cur = self._cursor()
        if "refresh_runs" not in {r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables()").fetchall()}:
            return None  # a snapshot from before schema v3
        run = refresh_records.latest_run(cur)
        if run is None:
            return None
        now = self.clock()
        _, today = refresh_records.ce_spend_since(cur, datetime(now.year, now.month, now.day))
        return RefreshStatus(
            run["source"],
            run["finished_at"],
            run["status"],
            run["ce_requests"],
            float(run["ce_cost_usd"]),
            float(today),
            run["failures"],
        )

    @survives_reload
    def datasets(self) -> list[DatasetInfo]:
        rows = (
            self._cursor()
            .execute(
                "SELECT dataset_id, kind, source_kind, source, format, format_version, provider, account_id, "
                "billing_period, row_count, loaded_at, data_through FROM datasets ORDER BY kind, dataset_id"
            )
            .fetchall()
        )
        return [DatasetInfo(*row) for row in rows]

    # -- costs ----------------------------------------------------------------------------
    @survives_reload
    def currencies(self) -> list[str | None]:
        return cost_queries.currencies(self._cursor())

    @survives_reload
    def providers(self) -> list[str]:
        return cost_queries.providers(self._cursor())

    @survives_reload
    def kpis(self, currency: str | None, metric: Metric, provider: str | None = None) -> KpiSummary | None:
        return cost_queries.kpis(self._cursor(), currency, metric, self._today(), provider)

    @survives_reload
    def daily_costs(
        self, currency: str | None, metric: Metric, days: int, provider: str | None = None
    ) -> list[DailyPoint]:
        return cost_queries.daily_costs(self._cursor(), currency, metric, days, self._today(), provider)

    @survives_reload
    def top_movers(
        self,
        dimension: Dimension,
        currency: str | None,
        metric: Metric,
        limit: int | None = 10,
        provider: str | None = None,
    ) -> pa.Table:
        return cost_queries.top_movers(self._cursor(), dimension, currency, metric, limit, self._today(), provider)

    @survives_reload
    def resources(self, currency: str | None, metric: Metric, provider: str | None = None) -> pa.Table:
        return cost_queries.resources(self._cursor(), currency, metric, self._today(), provider)

    @survives_reload
    def budgets(self, metric: Metric) -> pa.Table:
        return cost_queries.budgets(self._cursor(), metric, self._today())

    @survives_reload
    def anomalies(self) -> pa.Table:
        return (
            self._cursor()
            .sql(
                "SELECT severity, anomaly_type AS type, start_date, end_date, service_name AS service, "
                "sub_account_id AS account, region_id AS region, actual_cost::DOUBLE AS actual, "
                "expected_cost::DOUBLE AS expected, (actual_cost - expected_cost)::DOUBLE AS impact, currency, "
                "root_cause, status, anomaly_id FROM anomalies ORDER BY start_date DESC, impact DESC"
            )
            .to_arrow_table()
        )

    @survives_reload
    def optimizations(self) -> pa.Table:
        return (
            self._cursor()
            .sql(
                "SELECT optimization_type AS type, resource_id, description, "
                "estimated_savings::DOUBLE AS monthly_savings, currency, risk_level AS risk, "
                "confidence_score AS confidence, effort, status, region_id AS region, "
                "sub_account_id AS account, optimization_id FROM optimizations "
                "ORDER BY estimated_savings DESC NULLS LAST"
            )
            .to_arrow_table()
        )

    # -- SQL pane -------------------------------------------------------------------------
    def run_sql(self, sql: str, limit: int) -> QueryResult:
        start = time.perf_counter()
        cursor = self._cursor()
        self._sql_cursor = cursor
        try:
            relation = cursor.sql(sql)
            if relation is None:
                table = pa.table({"result": pa.array(["OK"])})
                return QueryResult(table, 1, False, (time.perf_counter() - start) * 1000)
            table = relation.limit(limit + 1).to_arrow_table()
            truncated = table.num_rows > limit
            total = table.num_rows
            if truncated:
                table = table.slice(0, limit)
                total = relation.count("*").fetchall()[0][0]
            return QueryResult(table, total, truncated, (time.perf_counter() - start) * 1000)
        except duckdb.InterruptException:
            raise QueryError("Query cancelled.") from None
        except duckdb.Error as exc:
            raise QueryError(_clean_error(exc)) from None
        finally:
            self._sql_cursor = None

    def cancel_sql(self) -> None:
        cursor = self._sql_cursor
        if cursor is not None:
            cursor.interrupt()


def _clean_error(exc: duckdb.Error) -> str:
    text = str(exc).strip()
    if "file system operations are disabled" in text or "Cannot change configuration" in text:
        return (
            f"{text.splitlines()[0]}\nThe SQL pane is read-only and sandboxed: it can query the cache's "
            "tables (costs, cost_daily, datasets, resources, budgets, …) but not files, ATTACH, COPY or INSTALL."
        )
    if "read-only" in text.lower() or "read only" in text.lower():
        return f"{text.splitlines()[0]}\nThe cache is opened read-only here; change data with `finops-tui ingest`."
    return text
