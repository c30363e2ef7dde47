"""Schema versions of the cache file and the steps between them.

A file records every applied step in `schema_migrations`. An older file is upgraded in place
(by the writer, on its private copy); a file from a newer finops-tui is refused, because this
build cannot know what the newer columns mean.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from finops_tui.cache.schema import COST_COLUMNS, columns_ddl
from finops_tui.errors import CacheError


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


def _base_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE TABLE costs (\n    {columns_ddl(COST_COLUMNS)}\n)")
    con.execute(
        """
        CREATE TABLE meta (key VARCHAR, value VARCHAR);
        CREATE TABLE datasets (
            dataset_id VARCHAR, kind VARCHAR, source_kind VARCHAR, source VARCHAR,
            files JSON, format VARCHAR, format_version VARCHAR, provider VARCHAR,
            account_id VARCHAR, billing_period DATE, row_count BIGINT, totals JSON,
            loaded_at TIMESTAMP, data_from TIMESTAMP, data_through TIMESTAMP, warnings JSON
        );
        CREATE TABLE resources (
            resource_id VARCHAR, resource_type VARCHAR, resource_name VARCHAR,
            service_name VARCHAR, provider_name VARCHAR, region_id VARCHAR,
            sub_account_id VARCHAR, state VARCHAR, current_cost DECIMAL(38,12),
            currency VARCHAR, utilization JSON, is_idle BOOLEAN, idle_reason VARCHAR,
            tags JSON, created_at TIMESTAMP, observed_at TIMESTAMP, x_dataset_id VARCHAR
        );
        CREATE TABLE budgets (
            budget_id VARCHAR, budget_name VARCHAR, budget_type VARCHAR, time_unit VARCHAR,
            budget_amount DECIMAL(38,12), currency VARCHAR, parent_budget_id VARCHAR,
            filter_dimension VARCHAR, filter_values VARCHAR[], tags JSON, x_dataset_id VARCHAR
        );
        CREATE TABLE anomalies (
            anomaly_id VARCHAR, anomaly_type VARCHAR, severity VARCHAR,
            start_date DATE, end_date DATE, actual_cost DECIMAL(38,12),
            expected_cost DECIMAL(38,12), currency VARCHAR, provider_name VARCHAR,
            sub_account_id VARCHAR, service_name VARCHAR, region_id VARCHAR,
            root_cause VARCHAR, status VARCHAR, detected_at TIMESTAMP, x_dataset_id VARCHAR
        );
        CREATE TABLE optimizations (
            optimization_id VARCHAR, resource_id VARCHAR, optimization_type VARCHAR,
            description VARCHAR, estimated_savings DECIMAL(38,12), currency VARCHAR,
            risk_level VARCHAR, confidence_score DOUBLE, effort VARCHAR, status VARCHAR,
            provider_name VARCHAR, region_id VARCHAR, sub_account_id VARCHAR,
            detected_at TIMESTAMP, x_dataset_id VARCHAR
        );
        """
    )


ROLLUP_DAILY_SELECT = """
    SELECT CAST(ChargePeriodStart AS DATE) AS ChargeDate, BillingCurrency, ProviderName,
           BillingAccountId, SubAccountId, any_value(SubAccountName) AS SubAccountName,
           ServiceName, any_value(ServiceCategory) AS ServiceCategory, RegionId, ChargeCategory,
           x_DatasetId,
           sum(BilledCost) AS BilledCost, sum(EffectiveCost) AS EffectiveCost,
           sum(ListCost) AS ListCost, sum(ContractedCost) AS ContractedCost,
           count(*) AS line_items
    FROM costs {where}
    GROUP BY ALL
"""

ROLLUP_RESOURCE_SELECT = """
    SELECT CAST(date_trunc('month', ChargePeriodStart) AS DATE) AS ChargeMonth, BillingCurrency,
           ResourceId, any_value(ResourceName) AS ResourceName, any_value(ResourceType) AS ResourceType,
           any_value(ServiceName) AS ServiceName, any_value(RegionId) AS RegionId,
           any_value(ProviderName) AS ProviderName,
           any_value(SubAccountId) AS SubAccountId, any_value(SubAccountName) AS SubAccountName,
           x_DatasetId,
           sum(BilledCost) AS BilledCost, sum(EffectiveCost) AS EffectiveCost,
           sum(ListCost) AS ListCost, sum(ContractedCost) AS ContractedCost
    FROM costs WHERE ResourceId IS NOT NULL {and_where}
    GROUP BY ChargeMonth, BillingCurrency, ResourceId, x_DatasetId
"""


def _rollups(con: duckdb.DuckDBPyConnection) -> None:
    """Daily and per-resource monthly sums, so every tab query reads thousands of rows, not millions."""
    con.execute("CREATE TABLE cost_daily AS " + ROLLUP_DAILY_SELECT.format(where=""))
    con.execute("CREATE TABLE cost_resource_monthly AS " + ROLLUP_RESOURCE_SELECT.format(and_where=""))


def _refresh_records(con: duckdb.DuckDBPyConnection) -> None:
    """What each live refresh did, and the API answers it may reuse instead of paying for them again."""
    con.execute(
        """
        CREATE TABLE refresh_runs (
            run_id VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, source VARCHAR, accounts VARCHAR[],
            regions VARCHAR[], status VARCHAR, api_calls JSON, ce_requests INTEGER, ce_cost_usd DECIMAL(18,2),
            collectors JSON, failures JSON
        );
        CREATE TABLE api_request_cache (
            request_hash VARCHAR, service VARCHAR, operation VARCHAR, account_id VARCHAR, request JSON,
            response JSON, pages INTEGER, fetched_at TIMESTAMP
        );
        CREATE TABLE cost_forecasts (
            account_id VARCHAR, metric VARCHAR, currency VARCHAR, period_start DATE, period_end DATE,
            mean DECIMAL(38,12), lower_bound DECIMAL(38,12), upper_bound DECIMAL(38,12), fetched_at TIMESTAMP,
            x_dataset_id VARCHAR
        );
        """
    )


def _budget_history(con: duckdb.DuckDBPyConnection) -> None:
    """Budgeted and actual amounts of past periods, as AWS Budgets reports them."""
    con.execute(
        """
        CREATE TABLE budget_history (
            budget_id VARCHAR, period_start DATE, period_end DATE, budgeted DECIMAL(38,12),
            actual DECIMAL(38,12), currency VARCHAR, x_dataset_id VARCHAR
        )
        """
    )


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "cost line items, datasets, resources, budgets, anomalies, optimizations", _base_tables),
    Migration(2, "daily and per-resource monthly cost rollups", _rollups),
    Migration(3, "refresh runs, reusable API answers, provider forecasts", _refresh_records),
    Migration(4, "budget performance history", _budget_history),
)
LATEST_VERSION = MIGRATIONS[-1].version


def file_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version recorded in an open cache; 0 for an empty file; CacheError if not ours."""
    tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if "schema_migrations" not in tables:
        if tables:
            raise CacheError(
                "This DuckDB file is not a finops-tui cache (it has no schema_migrations table). "
                "Point --cache/--snapshot at a file written by finops-tui."
            )
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0]


def check_readable(version: int, path: object) -> None:
    if version > LATEST_VERSION:
        raise CacheError(
            f"{path} has cache schema v{version}, newer than this finops-tui understands "
            f"(up to v{LATEST_VERSION}). Upgrade finops-tui (pip install -U finops-tui) to open it."
        )


def migrate(con: duckdb.DuckDBPyConnection, path: object, up_to: int = LATEST_VERSION) -> list[int]:
    """Bring an open read-write cache up to `up_to`; returns the versions applied."""
    version = file_version(con)
    check_readable(version, path)
    if version == 0:
        con.execute("CREATE TABLE schema_migrations (version INTEGER, description VARCHAR, applied_at TIMESTAMP)")
    applied = []
    for step in MIGRATIONS:
        if version < step.version <= up_to:
            step.apply(con)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)",
                [step.version, step.description],
            )
            applied.append(step.version)
    return applied
