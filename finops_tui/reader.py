"""The one read interface every screen uses. The local cache implements it now; the REST client later.

Screens never learn where data comes from: they call these methods (in worker threads) and get
plain dataclasses or Arrow tables back. Costs are never summed across currencies: every cost
method takes one currency, and `currencies()` lists what the data holds, largest spend first.
Provider (AWS, Microsoft, Google Cloud, Oracle, …) is a filter on every cost method: None means
all providers (in that one currency), and `providers()` lists them by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol, runtime_checkable

import pyarrow as pa

Metric = Literal["EffectiveCost", "BilledCost", "ListCost", "ContractedCost"]
Dimension = Literal["service", "account", "region", "provider"]
SourceKind = Literal["DEMO", "CACHE", "SNAPSHOT", "AWS", "REMOTE"]


@dataclass(frozen=True)
class SourceInfo:
    kind: SourceKind
    location: str  # file path, profile/account or URL
    read_only: bool
    origin: str | None = None  # for snapshots: where and when the file was made
    note: str | None = None  # e.g. why the DEMO is showing


@dataclass(frozen=True)
class DatasetInfo:
    dataset_id: str
    kind: str
    source_kind: str  # FILE, API or DEMO
    source: str
    format: str | None
    format_version: str | None
    provider: str | None
    account_id: str | None
    billing_period: date | None
    row_count: int
    loaded_at: datetime | None
    data_through: datetime | None


@dataclass(frozen=True)
class KpiSummary:
    currency: str | None
    metric: Metric
    as_of: date  # last day with data; "month to date" means up to and including this day
    month_to_date: float
    previous_month_same_days: float
    last_full_month: float
    last_full_month_start: date
    forecast: float
    forecast_method: str
    days_elapsed: int
    days_in_month: int
    # The provider's own forecast of the rest of the month (AWS Cost Explorer), when a refresh brought one.
    provider_forecast_rest: float | None = None
    provider_forecast_label: str | None = None


@dataclass(frozen=True)
class DailyPoint:
    day: date
    cost: float


@dataclass(frozen=True)
class QueryResult:
    table: pa.Table
    total_rows: int
    truncated: bool
    elapsed_ms: float


@dataclass(frozen=True)
class RefreshStatus:
    """The latest live refresh recorded in the source, and what Cost Explorer cost."""

    source: str  # profile/account labels
    finished_at: datetime
    status: str  # ok, partial, failed
    ce_requests: int
    ce_cost_usd: float
    ce_cost_today_usd: float
    failures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RefreshProgress:
    step: str  # e.g. "cost explorer", "inventory"
    region: str | None
    state: str  # running, ok, failed
    detail: str = ""


@dataclass(frozen=True)
class RefreshOutcome:
    status: str
    ce_requests: int
    ce_cost_usd: float
    failures: list[str]


class Refresher(Protocol):
    """Fetches live data into the source (the CLI wires the AWS collectors in); the UI only runs it."""

    label: str

    def run(self, progress: Callable[[RefreshProgress], None]) -> RefreshOutcome:
        """Blocking (call it from a worker thread); raises FinopsError when nothing could run."""


@runtime_checkable
class CostReader(Protocol):
    def source_info(self) -> SourceInfo: ...

    def datasets(self) -> list[DatasetInfo]: ...

    def refresh_status(self) -> RefreshStatus | None:
        """The latest live refresh, or None when the source has never been refreshed."""

    def currencies(self) -> list[str | None]: ...

    def providers(self) -> list[str]: ...

    def kpis(self, currency: str | None, metric: Metric, provider: str | None = None) -> KpiSummary | None:
        """None when there is no cost data in this currency (and provider)."""

    def daily_costs(
        self, currency: str | None, metric: Metric, days: int, provider: str | None = None
    ) -> list[DailyPoint]:
        """One point per day for the `days` days ending at the KPI as-of date, zeros included."""

    def top_movers(
        self, dimension: Dimension, currency: str | None, metric: Metric, limit: int, provider: str | None = None
    ) -> pa.Table:
        """Columns: name, month_to_date, previous_same_days, delta, delta_pct; biggest spend first."""

    def resources(self, currency: str | None, metric: Metric, provider: str | None = None) -> pa.Table:
        """Cost per resource this month and last month, joined to inventory (state, idle flags)."""

    def budgets(self, metric: Metric) -> pa.Table:
        """Budget amount vs actual and forecast spend for the current period."""

    def anomalies(self) -> pa.Table: ...

    def optimizations(self) -> pa.Table: ...

    def run_sql(self, sql: str, limit: int) -> QueryResult:
        """Run user SQL read-only and sandboxed; raises QueryError with DuckDB's message."""

    def cancel_sql(self) -> None: ...

    def has_changed(self) -> bool:
        """True when another process committed new data since the last `reload()`."""

    def reload(self) -> None: ...

    def close(self) -> None: ...
