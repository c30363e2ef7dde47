"""Reading the recommendations for the Optimizations tab, the KPI savings card and `finops-tui optimizations`.

Computed recommendations (origin `computed`, a local rule) and AWS's own (origin `aws`: rows
without a rule, written by the refresh from Cost Explorer rightsizing) are listed together, each
labelled. The savings total counts each resource once, at the largest saving any of its open
recommendations claims: stopping an idle instance and moving it to a newer type are not both saved.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pyarrow as pa

from finops_tui.contract.scope import ViewScope

_LABELLED = """
    SELECT *, coalesce(origin, CASE WHEN rule_id IS NULL THEN 'aws' ELSE 'computed' END) AS labelled_origin
    FROM optimizations
    WHERE $provider IS NULL OR provider_name = $provider
"""
_ORDER = "ORDER BY estimated_savings DESC NULLS LAST, optimization_id"


def view_rows(cur: duckdb.DuckDBPyConnection, scope: ViewScope) -> pa.Table:
    """The tab's table (contract OptimizationsTable columns), largest saving first."""
    return cur.sql(
        "SELECT optimization_type AS type, resource_id, description, "
        "estimated_savings::DOUBLE AS monthly_savings, currency, risk_level AS risk, "
        "confidence_score AS confidence, effort, status, region_id AS region, "
        "sub_account_id AS account, optimization_id, labelled_origin AS origin, rule_id AS rule, savings_basis, "
        f"action, evidence::VARCHAR AS evidence FROM ({_LABELLED}) {_ORDER}",
        params={"provider": scope.provider},
    ).to_arrow_table()


def savings_totals(cur: duckdb.DuckDBPyConnection, scope: ViewScope) -> list[dict[str, Any]]:
    """Per currency (largest first): monthly savings with each resource counted once, and the counts."""
    rows = cur.execute(
        f"""
        WITH open AS (SELECT * FROM ({_LABELLED}) WHERE coalesce(status, 'open') = 'open'),
        per_resource AS (
            SELECT currency, resource_id, max(estimated_savings)::DOUBLE AS saving FROM open
            WHERE estimated_savings IS NOT NULL GROUP BY ALL
        )
        SELECT o.currency, coalesce((SELECT sum(saving) FROM per_resource p
                                     WHERE p.currency IS NOT DISTINCT FROM o.currency), 0) AS monthly_savings,
               count(*) AS recommendations, count(DISTINCT resource_id) AS resources,
               count(*) FILTER (WHERE labelled_origin = 'computed') AS computed
        FROM open o GROUP BY o.currency ORDER BY monthly_savings DESC, o.currency
        """,
        {"provider": scope.provider},
    ).fetchall()
    keys = ("currency", "monthly_savings", "recommendations", "resources", "computed")
    return [dict(zip(keys, row, strict=True)) for row in rows]
