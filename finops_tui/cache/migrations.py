"""Schema versions of the cache file and the steps between them.

A file records every applied step in `schema_migrations`. An older file is upgraded in place
(by the writer, on its private copy); a file from a newer finops-tui is refused, because this
build cannot know what the newer columns mean.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from finops_tui.cache import cost_layouts
from finops_tui.cache.schema import COSTS, LAYOUT_VERSION, SCHEMA_MIGRATIONS, TABLES
from finops_tui.errors import CacheError


@dataclass(frozen=True)
class Migration:
    """One schema version. Its declared tables and columns (schema.py, `created_in`/`added_in`) are
    created from their declarations; `apply` does whatever a declaration cannot say (rollups)."""

    version: int
    description: str
    apply: Callable[[duckdb.DuckDBPyConnection], None] | None = None


def create_declared(con: duckdb.DuckDBPyConnection, version: int) -> None:
    """The tables schema `version` creates and the columns it adds to older tables, from schema.py."""
    for table in TABLES.values():
        if table is COSTS and version > LAYOUT_VERSION:
            if table.add_column_sql(version):  # a view from v7 on: a new column is a NULL in it until rows have it
                cost_layouts.create_view(con)
        elif table.created_in == version:
            con.execute(table.create_sql(version))
        elif table.created_in < version:
            for statement in table.add_column_sql(version):
                con.execute(statement)


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


ROLLUP_TAG_SELECT = """
    SELECT CAST(ChargePeriodStart AS DATE) AS ChargeDate, BillingCurrency, ProviderName, SubAccountId,
           ServiceName, any_value(ServiceCategory) AS ServiceCategory, RegionId, ChargeCategory, Tags, x_DatasetId,
           sum(BilledCost) AS BilledCost, sum(EffectiveCost) AS EffectiveCost,
           sum(ListCost) AS ListCost, sum(ContractedCost) AS ContractedCost
    FROM costs WHERE Tags IS NOT NULL {and_where}
    GROUP BY ALL
"""


def _tag_rollup(con: duckdb.DuckDBPyConnection) -> None:
    """Daily sums per distinct tag set, so a budget filtered on a tag reads rollup rows, not line items.

    Grouped by the whole Tags text (tag sets repeat across resources and days), never exploded per key:
    a filter on several keys (team=data and env=prod) must see them on the same rows.
    """
    con.execute("CREATE TABLE cost_tag_daily AS " + ROLLUP_TAG_SELECT.format(and_where=""))


ROLLUP_TABLES = ("cost_daily", "cost_resource_monthly", "cost_tag_daily")  # shaped by their SELECT, not schema.py


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "cost line items, datasets, resources, budgets, anomalies, optimizations"),
    Migration(2, "daily and per-resource monthly cost rollups", _rollups),
    Migration(3, "refresh runs, reusable API answers, provider forecasts"),
    Migration(4, "budget performance history"),
    Migration(5, "local analysis: anomaly drivers and feedback, rule evidence and actions, budget origins"),
    Migration(6, "daily cost rollup per tag set, for budgets filtered on tags", _tag_rollup),
    Migration(
        LAYOUT_VERSION,
        "costs: a view over one table per set of columns loaded, so narrow files store no NULL columns",
        cost_layouts.adopt_costs_table,
    ),
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
    return int(con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0])


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
        con.execute(SCHEMA_MIGRATIONS.create_sql())
    applied: list[int] = []
    for step in MIGRATIONS:
        if version < step.version <= up_to:
            create_declared(con, step.version)
            if step.apply is not None:
                step.apply(con)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)",
                [step.version, step.description],
            )
            applied.append(step.version)
    return applied
