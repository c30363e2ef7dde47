"""The SQL lab over HTTP: one read-only statement, capped rows, a timeout, and ready-made templates.

The sandbox is the reader's own (cache/user_sql.py, a read-only connection with no file access and
locked settings); the server adds only what HTTP needs: one statement per request, the row cap and
the timeout of its settings.
"""

from __future__ import annotations

from typing import Any

import duckdb
from pydantic import BaseModel, ConfigDict, Field

from finops_tui.cache.local_reader import LocalCache
from finops_tui.contract.sql import SqlResult
from finops_tui.errors import QueryError


class SqlRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sql: str = Field(min_length=1, max_length=100_000)
    limit: int | None = Field(None, ge=0, description="rows to return at most; capped by server_sql_row_limit")


class SqlTemplate(BaseModel):
    name: str
    description: str
    sql: str


TEMPLATES: list[SqlTemplate] = [
    SqlTemplate(
        name="spend-by-service-this-month",
        description="EffectiveCost per service and currency for the latest month with data",
        sql="SELECT ServiceName, BillingCurrency, round(sum(EffectiveCost), 2) AS effective_cost FROM cost_daily "
        "WHERE date_trunc('month', ChargeDate) = (SELECT date_trunc('month', max(ChargeDate)) FROM cost_daily) "
        "GROUP BY ALL ORDER BY effective_cost DESC",
    ),
    SqlTemplate(
        name="daily-spend-last-30-days",
        description="EffectiveCost per day and currency over the last 30 days with data",
        sql="SELECT ChargeDate, BillingCurrency, round(sum(EffectiveCost), 2) AS effective_cost FROM cost_daily "
        "WHERE ChargeDate > (SELECT max(ChargeDate) - INTERVAL 30 DAY FROM cost_daily) "
        "GROUP BY ALL ORDER BY ChargeDate, BillingCurrency",
    ),
    SqlTemplate(
        name="spend-by-account-and-month",
        description="EffectiveCost per account, month and currency",
        sql="SELECT SubAccountId, any_value(SubAccountName) AS account_name, date_trunc('month', ChargeDate) AS month, "
        "BillingCurrency, round(sum(EffectiveCost), 2) AS effective_cost FROM cost_daily "
        "GROUP BY SubAccountId, month, BillingCurrency ORDER BY month DESC, effective_cost DESC",
    ),
    SqlTemplate(
        name="top-resources-last-month",
        description="The 50 resources that cost most in the latest month with data",
        sql="SELECT ResourceId, any_value(ResourceName) AS name, any_value(ServiceName) AS service, BillingCurrency, "
        "round(sum(EffectiveCost), 2) AS effective_cost FROM cost_resource_monthly "
        "WHERE ChargeMonth = (SELECT max(ChargeMonth) FROM cost_resource_monthly) "
        "GROUP BY ResourceId, BillingCurrency ORDER BY effective_cost DESC LIMIT 50",
    ),
    SqlTemplate(
        name="datasets",
        description="Every dataset loaded, with its source, rows and when it was loaded",
        sql="SELECT dataset_id, kind, source_kind, source, row_count, loaded_at, data_through FROM datasets "
        "ORDER BY kind, dataset_id",
    ),
]


def execute(reader: LocalCache, request: SqlRequest, row_cap: int, timeout: float) -> SqlResult:
    try:
        statements = duckdb.extract_statements(request.sql)
    except duckdb.Error as exc:
        raise QueryError(str(exc).strip().splitlines()[0]) from None
    if len(statements) != 1:
        raise QueryError(
            f"The SQL lab runs one statement per request; this holds {len(statements)}. Send them one at a time."
        )
    limit = row_cap if request.limit is None else min(request.limit, row_cap)
    return reader.run_sql(request.sql, limit, timeout=timeout)


def result_json(result: SqlResult) -> dict[str, Any]:
    """`{"columns", "rows", "row_count", "truncated", "elapsed_ms"}`: TableData's JSON plus the counts."""
    table = result.table.model_dump(mode="json")["table"]
    return {
        "columns": table["columns"],
        "rows": table["rows"],
        "row_count": result.total_rows,
        "truncated": result.truncated,
        "elapsed_ms": result.elapsed_ms,
    }


class SqlAnswer(BaseModel):
    """The SQL lab's `data`; JSON-safe (NaN and infinities become null)."""

    columns: list[dict[str, str]]
    rows: list[list[Any]]
    row_count: int
    truncated: bool
    elapsed_ms: float
