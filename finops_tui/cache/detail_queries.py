"""The SQL behind the detail screens: a drilled dimension's days and breakdown, one resource's record.

A dimension filtered only on columns the daily rollup keeps reads `cost_daily` for its series;
anything finer (a resource, a usage type) reads `costs`. Breakdowns always read `costs`, since
resources and usage types exist only there, in one pass over the two periods' rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import duckdb
import pyarrow as pa

from finops_tui import periods
from finops_tui.cache.cost_queries import metric_column, scope_match, scope_params
from finops_tui.cache.drill_filters import filters_sql, rollup_serves
from finops_tui.contract.details import (
    BREAKDOWN_DIMENSIONS,
    BREAKDOWN_ROWS,
    BreakdownTable,
    CostFilter,
    DrillDimension,
    ResourceMonth,
)
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.views import DailyPoint

# (key, label) per breakdown dimension, over `costs`.
_BREAKDOWN: dict[DrillDimension, tuple[str, str]] = {
    "resource": ("ResourceId", "coalesce(any_value(ResourceName), ResourceId, '(no resource)')"),
    "usage_type": ("usage_type", "coalesce(usage_type, '(none)')"),
    "region": ("RegionId", "coalesce(RegionId, '(global)')"),
    "account": (
        "SubAccountId",
        "coalesce(any_value(SubAccountName) || ' (' || SubAccountId || ')', SubAccountId, '(no account)')",
    ),
    "service": ("ServiceName", "coalesce(ServiceName, '(no service)')"),
}


def daily_series(
    cur: duckdb.DuckDBPyConnection, scope: ViewScope, filters: Sequence[CostFilter], as_of: date
) -> tuple[list[DailyPoint], list[DailyPoint]]:
    """(this month to as_of, every day of the previous month), zeros included."""
    start, prev = periods.month_start(as_of), periods.previous_month_start(as_of)
    where, filter_params = filters_sql(filters)
    params: list[object] = list(filter_params)
    m = metric_column(scope.metric)
    if rollup_serves(filters):
        source = f"SELECT ChargeDate AS day, {m} AS cost FROM cost_daily WHERE {scope_match()} AND {where}"
    else:
        source = (
            f"SELECT CAST(ChargePeriodStart AS DATE) AS day, {m} AS cost FROM costs "
            f"WHERE {scope_match()} AND {where} AND ChargePeriodStart >= ? AND ChargePeriodStart < ?"
        )
        params = [*params, prev, as_of + timedelta(days=1)]
    rows = cur.execute(
        f"""
        WITH c AS ({source})
        SELECT d.day::DATE, coalesce(sum(c.cost), 0)::DOUBLE
        FROM range(?::DATE, ?::DATE + INTERVAL 1 DAY, INTERVAL 1 DAY) d(day)
        LEFT JOIN c ON c.day = d.day::DATE GROUP BY 1 ORDER BY 1
        """,
        [*scope_params(scope), *params, prev, as_of],
    ).fetchall()
    points = [DailyPoint(day=r[0], cost=float(r[1])) for r in rows]
    return [p for p in points if p.day >= start], [p for p in points if p.day < start]


def breakdown(cur: duckdb.DuckDBPyConnection, scope: ViewScope, filters: Sequence[CostFilter], as_of: date) -> pa.Table:
    """Top values of each sub-dimension the filters leave open, this month vs the same days last month."""
    start, prev = periods.month_start(as_of), periods.previous_month_start(as_of)
    prev_end = periods.same_days_last_month_end(as_of)
    fixed = {f.dimension for f in filters if len(f.values) == 1}
    where, params = filters_sql(filters)
    m = metric_column(scope.metric)
    parts = []
    for dimension in BREAKDOWN_DIMENSIONS:
        if dimension in fixed:
            continue
        key, label = _BREAKDOWN[dimension]
        parts.append(
            f"""(SELECT '{dimension}' AS dimension, {label} AS name,
                   coalesce(sum(cost) FILTER (WHERE day >= ?), 0)::DOUBLE AS this_period,
                   coalesce(sum(cost) FILTER (WHERE day < ?), 0)::DOUBLE AS previous_same_days,
                   this_period - previous_same_days AS delta, {key} AS key
                FROM f GROUP BY {key} ORDER BY this_period DESC, abs(delta) DESC, name LIMIT {BREAKDOWN_ROWS})"""
        )
    if not parts:
        return BreakdownTable.SCHEMA.empty_table()
    rows = cur.execute(
        f"""
        WITH f AS MATERIALIZED (
            SELECT ResourceId, ResourceName, coalesce(ChargeDescription, SkuId) AS usage_type, RegionId,
                   SubAccountId, SubAccountName, ServiceName, CAST(ChargePeriodStart AS DATE) AS day, {m} AS cost
            FROM costs
            WHERE {scope_match()} AND {where}
              AND ((ChargePeriodStart >= ? AND ChargePeriodStart < ?)
                   OR (ChargePeriodStart >= ? AND ChargePeriodStart < ?))
        )
        {" UNION ALL ".join(parts)}
        """,
        [
            *scope_params(scope),
            *params,
            start,
            as_of + timedelta(days=1),
            prev,
            prev_end,
            *[v for _ in parts for v in (start, start)],
        ],  # fmt: skip
    ).fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in BreakdownTable.SCHEMA]
    return pa.Table.from_arrays(
        [pa.array(c, f.type) for c, f in zip(columns, BreakdownTable.SCHEMA, strict=True)],
        schema=BreakdownTable.SCHEMA,
    )


def _text(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _json(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    parsed = json.loads(value) if isinstance(value, str) else value
    return parsed if isinstance(parsed, dict) else {"value": parsed}


def resource_record(cur: duckdb.DuckDBPyConnection, scope: ViewScope, resource_id: str) -> dict[str, Any]:
    """Inventory fields (when the inventory has the resource) and what billing says about it."""
    result = cur.execute("SELECT * FROM resources WHERE resource_id = ? LIMIT 1", [resource_id])
    names = [d[0] for d in result.description]
    found = result.fetchall()
    row = found[0] if found else None
    record: dict[str, Any] = dict(zip(names, row, strict=True)) if row else {"resource_id": resource_id}
    billed = cur.execute(
        "SELECT any_value(ResourceName), any_value(ResourceType), any_value(ServiceName), any_value(RegionId), "
        "any_value(ProviderName), any_value(SubAccountId), any_value(SubAccountName), min(ChargeMonth), "
        f"max(ChargeMonth) FROM cost_resource_monthly WHERE ResourceId = ? AND {scope_match()}",
        [resource_id, *scope_params(scope)],
    ).fetchall()[0]
    keys = ("billed_name", "billed_type", "billed_service", "billed_region", "billed_provider", "billed_account_id",
            "billed_account_name", "first_billed_month", "last_billed_month")  # fmt: skip
    record.update({k: v for k, v in zip(keys, billed, strict=True) if v is not None})
    return record


def resource_parts(record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(fields as text, tags, metrics) from a `resource_record`."""
    tags = _json(record.pop("tags", None))
    metrics = _json(record.pop("utilization", None))
    return {k: _text(v) for k, v in record.items()}, tags, metrics


def resource_history(cur: duckdb.DuckDBPyConnection, scope: ViewScope, resource_id: str) -> list[ResourceMonth]:
    rows = cur.execute(
        f"SELECT ChargeMonth, sum({metric_column(scope.metric)})::DOUBLE FROM cost_resource_monthly "
        f"WHERE ResourceId = ? AND {scope_match()} GROUP BY 1 ORDER BY 1",
        [resource_id, *scope_params(scope)],
    ).fetchall()
    return [ResourceMonth(month=r[0], cost=float(r[1] or 0)) for r in rows]


def resource_findings(cur: duckdb.DuckDBPyConnection, resource_id: str) -> tuple[pa.Table, pa.Table]:
    """(anomalies whose drivers name the resource, optimizations for it)."""
    anomalies = cur.sql(
        "SELECT anomaly_id, severity, start_date, end_date, service_name AS service, "
        "(actual_cost - expected_cost)::DOUBLE AS impact, currency, root_cause, status FROM anomalies "
        "WHERE contains(coalesce(CAST(drivers AS VARCHAR), ''), ?) OR contains(coalesce(root_cause, ''), ?) "
        "ORDER BY start_date DESC",
        params=[resource_id, resource_id],
    ).to_arrow_table()
    optimizations = cur.sql(
        "SELECT optimization_id, optimization_type AS type, description, estimated_savings::DOUBLE AS "
        "monthly_savings, currency, status, action FROM optimizations WHERE resource_id = ? "
        "ORDER BY estimated_savings DESC NULLS LAST",
        params=[resource_id],
    ).to_arrow_table()
    return anomalies, optimizations


_BUDGET_DIMENSIONS: dict[str, DrillDimension] = {
    "ServiceName": "service",
    "SubAccountId": "account",
    "RegionId": "region",
    "ProviderName": "provider",
    "ServiceCategory": "service_category",
    "ChargeCategory": "charge_category",
}


def budget_filters(cur: duckdb.DuckDBPyConnection, budget_id: str) -> list[CostFilter]:
    """The cost a budget counts, as drill filters (none for a budget over all spend)."""
    found = cur.execute(
        "SELECT filter_dimension, filter_values FROM budgets WHERE budget_id = ?", [budget_id]
    ).fetchall()
    row = found[0] if found else None
    if row is None or row[0] is None or row[0] not in _BUDGET_DIMENSIONS:
        return []
    return [CostFilter(dimension=_BUDGET_DIMENSIONS[row[0]], values=tuple(row[1] or ()))]
