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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

import duckdb

from finops_tui.analysis.budget_book import BudgetBook
from finops_tui.cache import (
    anomaly_queries,
    anomaly_writes,
    budget_queries,
    cost_queries,
    cost_rows,
    cost_series,
    detail_queries,
    files,
    migrations,
    optimization_queries,
    refresh_records,
    resource_pages,
    user_sql,
)
from finops_tui.contract import CONTRACT_VERSION
from finops_tui.contract.details import (
    BreakdownTable,
    CostFilter,
    CostRowsPage,
    CostRowsTable,
    DimensionDetail,
    ResourceDetail,
)
from finops_tui.contract.paging import PageRequest
from finops_tui.contract.provenance import CurrencySpend, DatasetInfo, Overview, SourceInfo
from finops_tui.contract.refresh import RefreshStatus
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.sql import SqlResult
from finops_tui.contract.tables import (
    AnomaliesTable,
    BudgetsTable,
    OptimizationsTable,
    RankedTable,
    ResourcesTable,
    TableData,
)
from finops_tui.contract.views import (
    TOP_ROWS,
    AnomaliesView,
    AnomalyStatus,
    BacktestMonth,
    BudgetsView,
    KpiView,
    OptimizationsView,
    ResourcesView,
    SavingsTotal,
)
from finops_tui.contract.vocabulary import Dimension
from finops_tui.errors import CacheError, QueryError

TREND_DAYS = 90


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
    """Implements `finops_tui.contract.reader.CostReader` over a DuckDB file, read-only."""

    contract_version = CONTRACT_VERSION

    def __init__(
        self,
        path: Path,
        *,
        snapshot: bool = False,
        memory_limit: str | None = None,
        clock: Callable[[], datetime] = utc_now,
        note: str | None = None,
        budgets: BudgetBook | None = None,
    ) -> None:
        self.path = path.expanduser().resolve()
        self.snapshot = snapshot
        self.memory_limit = memory_limit
        self.clock = clock
        self.note = note
        self.budgets = budgets  # the budgets file, shown beside the cache's own budgets
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

    def schema_version(self) -> int:
        """The schema version of the file as this reader opened it."""
        return migrations.file_version(self._cursor())

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
            parts = (
                "DEMO data" if is_demo else meta.get("source_label"),
                f"written on {meta['written_on']}" if meta.get("written_on") else None,
                f"by {meta['written_by']}" if meta.get("written_by") else None,
            )
            origin = ", ".join(p for p in parts if p) or "unknown origin"
            note = "DEMO" if is_demo else None
            return SourceInfo(kind="SNAPSHOT", location=str(self.path), read_only=True, origin=origin, note=note)
        return SourceInfo(kind="DEMO" if is_demo else "CACHE", location=str(self.path), read_only=True, note=self.note)

    @survives_reload
    def refresh_status(self) -> RefreshStatus | None:
        """The latest live refresh, or None when the cache has never been refreshed."""
        cur = self._cursor()
        if not refresh_records.has_runs_table(cur):
            return None  # a snapshot from before schema v3
        now = self.clock()
        return refresh_records.latest_status(cur, datetime(now.year, now.month, now.day))

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
        keys = ("dataset_id", "kind", "origin", "source", "format", "format_version", "provider", "account_id",
                "billing_period", "row_count", "loaded_at", "data_through")  # fmt: skip
        return [DatasetInfo(**dict(zip(keys, row, strict=True))) for row in rows]

    @survives_reload
    def overview(self) -> Overview:
        currencies = [
            CurrencySpend(currency=c, spend=spend, providers=names, latest_month_spend=recent, latest_month=month)
            for c, spend, names, recent, month in cost_queries.currency_choices(self._cursor(), self._today())
        ]
        return Overview(
            source=self.source_info(),
            datasets=self.datasets(),
            currencies=currencies,
            providers=cost_queries.providers(self._cursor()),
            refresh=self.refresh_status(),
            empty_currency_rows=cost_queries.empty_currency_rows(self._cursor()),
        )

    # -- views ----------------------------------------------------------------------------
    def _as_of(self, cur: duckdb.DuckDBPyConnection, scope: ViewScope) -> date | None:
        return cost_queries.as_of_date(cur, scope, self._today())

    @survives_reload
    def kpi_view(self, scope: ViewScope) -> KpiView:
        cur = self._cursor()
        as_of = self._as_of(cur, scope)
        if as_of is None:
            empty = RankedTable.of(RankedTable.SCHEMA.empty_table())
            return KpiView(scope=scope, as_of=None, summary=None, trend=[], services=empty, accounts=empty,
                           regions=empty, providers=empty, movers=empty)  # fmt: skip
        everyone = scope.model_copy(update={"provider": None})

        def top(dimension: Dimension, limit: int | None = TOP_ROWS, by: cost_queries.Ranking = "spend",
                of: ViewScope = scope) -> RankedTable:  # fmt: skip
            return RankedTable.of(cost_queries.ranked(cur, dimension, of, as_of, limit, by))

        return KpiView(
            scope=scope,
            as_of=as_of,
            summary=cost_queries.kpi_summary(cur, scope, as_of).model_copy(
                update={"forecast": cost_series.kpi_forecast(cur, scope, as_of, self._today())}
            ),
            trend=cost_queries.daily_costs(cur, scope, as_of, TREND_DAYS),
            services=top("service"),
            accounts=top("account"),
            regions=top("region"),
            providers=top("provider", None, of=everyone),
            movers=top("service", by="movement"),
            savings=next((t for t in self._savings(cur, scope) if t.currency == scope.currency), None),
        )

    @survives_reload
    def forecast_backtest(self, scope: ViewScope) -> list[BacktestMonth]:
        """The forecast model's error on the last three closed months (local only: `finops-tui doctor`)."""
        cur = self._cursor()
        as_of = self._as_of(cur, scope)
        return [] if as_of is None else cost_series.backtest(cur, scope, as_of)

    @survives_reload
    def resources_view(self, scope: ViewScope, page: PageRequest | None = None) -> ResourcesView:
        cur = self._cursor()
        as_of = self._as_of(cur, scope)
        if page is not None:
            got = resource_pages.resources_page(cur, scope, as_of or self._today(), page)
            return ResourcesView(scope=scope, as_of=as_of, table=ResourcesTable.of(got.table),
                                 idle_count=got.idle or 0, page=page, total=got.total)  # fmt: skip
        table = ResourcesTable.of(cost_queries.resources(cur, scope, as_of or self._today()))
        import pyarrow.compute as pc  # here: the KPI tab, shown first, never needs it (8 MB, 25 ms)

        idle = int(pc.sum(pc.equal(table.table["idle"], "IDLE")).as_py() or 0)
        return ResourcesView(scope=scope, as_of=as_of, table=table, idle_count=idle)

    @survives_reload
    def budgets_view(self, scope: ViewScope) -> BudgetsView:
        """AWS (and DEMO) budgets from the cache with the budgets file's, each in its own currency."""
        extra, problem = self.budgets.specs() if self.budgets is not None else ([], None)
        rows = budget_queries.budget_table(self._cursor(), scope.metric, self._today(), extra)
        table = BudgetsTable.of(rows)
        status = table.table["status"].to_pylist()
        has_history = table.table["last_period"].null_count < table.num_rows
        source = str(self.budgets.path) if self.budgets is not None and self.budgets.path.exists() else None
        return BudgetsView(scope=scope, table=table, over=status.count("BREACHED"), at_risk=status.count("AT RISK"),
                           has_history=has_history, file_problem=problem, budgets_file=source)  # fmt: skip

    @survives_reload
    def anomalies_view(self, scope: ViewScope) -> AnomaliesView:
        return AnomaliesView(scope=scope, table=AnomaliesTable.of(anomaly_queries.listing(self._cursor(), scope)))

    def set_anomaly_feedback(self, anomaly_id: str, status: AnomalyStatus, note: str | None = None) -> None:
        """Written through the cache's copy-and-swap writer, then this reader reopens the new file."""
        if self.snapshot:
            raise CacheError(
                f"{self.path} is open as a read-only snapshot; acknowledge or mute anomalies in a cache "
                "(--cache FILE) instead."
            )
        with files.write_session(self.path, self.memory_limit) as con:
            anomaly_writes.record_feedback(con, anomaly_id, status, note)
        self.reload()

    @survives_reload
    def optimizations_view(self, scope: ViewScope) -> OptimizationsView:
        cur = self._cursor()
        table = OptimizationsTable.of(optimization_queries.view_rows(cur, scope))
        return OptimizationsView(scope=scope, table=table, totals=self._savings(cur, scope))

    def _savings(self, cur: duckdb.DuckDBPyConnection, scope: ViewScope) -> list[SavingsTotal]:
        return [SavingsTotal(**row) for row in optimization_queries.savings_totals(cur, scope)]

    # -- drill-down -----------------------------------------------------------------------
    @survives_reload
    def dimension_detail(self, scope: ViewScope, filters: tuple[CostFilter, ...]) -> DimensionDetail:
        cur = self._cursor()
        as_of = self._as_of(cur, scope)
        if as_of is None:
            return DimensionDetail(scope=scope, filters=filters, as_of=None, period_start=None, previous_start=None,
                                   this_period=0, previous_same_days=0, previous_period=0, current=[], previous=[],
                                   breakdown=BreakdownTable.of(BreakdownTable.SCHEMA.empty_table()))  # fmt: skip
        current, previous = detail_queries.daily_series(cur, scope, filters, as_of)
        same_days = min(len(current), len(previous))
        return DimensionDetail(
            scope=scope,
            filters=filters,
            as_of=as_of,
            period_start=current[0].day,
            previous_start=previous[0].day,
            this_period=sum(p.cost for p in current),
            previous_same_days=sum(p.cost for p in previous[:same_days]),
            previous_period=sum(p.cost for p in previous),
            current=current,
            previous=previous,
            breakdown=BreakdownTable.of(detail_queries.breakdown(cur, scope, filters, as_of)),
        )

    @survives_reload
    def cost_rows(self, scope: ViewScope, filters: tuple[CostFilter, ...], page: PageRequest) -> CostRowsPage:
        cur = self._cursor()
        as_of = self._as_of(cur, scope)
        if as_of is None:
            empty = CostRowsTable.of(CostRowsTable.SCHEMA.empty_table())
            return CostRowsPage(scope=scope, filters=filters, period_start=None, as_of=None, page=page,
                                total=0 if page.count_total else None, table=empty)  # fmt: skip
        table, total = cost_rows.cost_rows(cur, scope, filters, as_of, page)
        return CostRowsPage(scope=scope, filters=filters, period_start=as_of.replace(day=1), as_of=as_of, page=page,
                            total=total, table=CostRowsTable.of(table))  # fmt: skip

    @survives_reload
    def resource_detail(self, scope: ViewScope, resource_id: str) -> ResourceDetail:
        cur = self._cursor()
        fields, tags, metrics = detail_queries.resource_parts(detail_queries.resource_record(cur, scope, resource_id))
        anomalies, optimizations = detail_queries.resource_findings(cur, resource_id)
        return ResourceDetail(
            scope=scope,
            resource_id=resource_id,
            fields=fields,
            tags=tags,
            metrics=metrics,
            history=detail_queries.resource_history(cur, scope, resource_id),
            anomalies=TableData(table=anomalies),
            optimizations=TableData(table=optimizations),
        )

    @survives_reload
    def budget_filters(self, budget_id: str) -> tuple[CostFilter, ...]:
        return tuple(detail_queries.budget_filters(self._cursor(), budget_id))

    # -- SQL pane and `query` -------------------------------------------------------------
    def run_sql(self, sql: str, limit: int, *, timeout: float | None = None) -> SqlResult:
        """`timeout` (seconds; the REST server sets one) stops the query on its own cursor, whoever else runs SQL."""
        cursor = self._cursor()
        self._sql_cursor = cursor
        try:
            with user_sql.Deadline(cursor, timeout) as deadline:
                try:
                    result = user_sql.materialise(cursor, sql, limit)
                except QueryError:
                    if deadline.expired:
                        raise QueryError(
                            f"Query timed out after {timeout:g} s and was stopped. Narrow it (a WHERE on "
                            "ChargePeriodStart, a LIMIT, the rollup table cost_daily)."
                        ) from None
                    raise
        finally:
            with self._lock:
                self._sql_cursor = None
        return SqlResult(
            table=TableData(table=result.table),
            total_rows=result.total_rows,
            truncated=result.truncated,
            elapsed_ms=result.elapsed_ms,
        )

    @contextmanager
    def stream_sql(self, sql: str, limit: int | None, timeout: float | None) -> Iterator[user_sql.Stream]:
        """For `finops-tui query`: the result in Arrow batches (bounded memory), stopped after `timeout` s."""
        cursor = self._cursor()
        self._sql_cursor = cursor
        try:
            with user_sql.stream(cursor, sql, limit, timeout) as result:
                yield result
        finally:
            with self._lock:
                self._sql_cursor = None

    @property
    def sql_running(self) -> bool:
        return self._sql_cursor is not None

    def interrupt_sql(self) -> bool:
        """Interrupt the running user query once; False when none runs."""
        with self._lock:
            cursor = self._sql_cursor
            if cursor is None:
                return False
            cursor.interrupt()
            return True

    def cancel_sql(self) -> None:
        """Interrupt the running query, repeatedly until it has ended (an interrupt that lands between
        statements, or just before execution starts, is otherwise lost). Returns at once."""
        cursor = self._sql_cursor
        if cursor is not None:
            threading.Thread(target=self._interrupt_until_done, args=(cursor,), daemon=True).start()

    def _interrupt_until_done(self, cursor: duckdb.DuckDBPyConnection) -> None:
        for _ in range(200):  # 10 s at most
            if self._sql_cursor is not cursor or not self.interrupt_sql():
                return
            time.sleep(0.05)
