"""Reading anomalies for the contract: both origins, with each one's status after users' feedback.

A user's feedback wins over the stored status, and a muted series mutes every anomaly of it,
whatever was said about each. Computed anomalies read "computed here", Cost Explorer's "AWS". A
provider's total series shows "(all accounts)" and "(all services)".
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from finops_tui.contract.scope import ViewScope

_LISTING = """
SELECT a.severity, a.anomaly_type AS type, a.start_date, a.end_date,
       coalesce(a.service_name, CASE WHEN a.series_key LIKE '%|*|*|%' THEN '(all services)' END) AS service,
       coalesce(a.sub_account_id, CASE WHEN a.series_key LIKE '%|*|*|%' THEN '(all accounts)' END) AS account,
       a.region_id AS region, a.actual_cost::DOUBLE AS actual,
       a.expected_cost::DOUBLE AS expected,
       coalesce(a.impact, a.actual_cost - a.expected_cost)::DOUBLE AS impact, a.currency, a.root_cause,
       CASE WHEN f.status = 'muted' OR a.series_key IN (SELECT series_key FROM anomaly_feedback WHERE status = 'muted')
            THEN 'muted' ELSE coalesce(f.status, a.status) END AS status,
       a.anomaly_id,
       CASE WHEN a.origin = 'computed' THEN 'computed here' ELSE 'AWS' END AS origin,
       a.drivers::VARCHAR AS drivers, a.series_key
FROM anomalies a LEFT JOIN anomaly_feedback f USING (anomaly_id)
WHERE ? IS NULL OR a.provider_name = ?
ORDER BY a.start_date DESC, impact DESC NULLS LAST, a.anomaly_id
"""


def listing(cur: duckdb.DuckDBPyConnection, scope: ViewScope) -> pa.Table:
    return cur.sql(_LISTING, params=[scope.provider, scope.provider]).to_arrow_table()
