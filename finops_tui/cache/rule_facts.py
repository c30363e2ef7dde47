"""The SQL that finds each optimization rule's candidates: one query per facts name in the rules.

Every query returns the same columns, so the rule engine (analysis/optimizations.py) treats them
alike: resource_id, resource_name, provider_name, region_id, sub_account_id, currency, month_cost,
cost_month, cost_days, month_days (the resource's own EffectiveCost in its latest month and how
many days of that month the cache holds), target (a successor type or a list of ARNs), size_gib,
volume_type, evidence (JSON: the metrics or billing rows behind the match, with their window).

Inventory queries read `resources` (utilization JSON written by sources/aws/inventory.py), billing
queries read the latest two months of `costs` only. Billing rules skip resources inventory lists: the inventory
rule for the same finding has better evidence.
"""

from __future__ import annotations

from typing import Any

import duckdb

from finops_tui.analysis.optimization_rules import PREVIOUS_GENERATION
from finops_tui.config import RuleThresholds

COLUMNS = (
    "resource_id", "resource_name", "provider_name", "region_id", "sub_account_id", "currency", "month_cost",
    "cost_month", "cost_days", "month_days", "target", "size_gib", "volume_type", "evidence",
)  # fmt: skip

# Each resource's latest month of cost, and how much of that month the cache holds.
_RESOURCE_COST = """
CREATE OR REPLACE TEMP TABLE rule_resource_cost AS
WITH months AS (
    SELECT date_trunc('month', ChargeDate)::DATE AS m, max(ChargeDate) AS last_day FROM cost_daily GROUP BY 1
), per AS (  -- a resource not billed in the latest two months has nothing left to save
    SELECT ResourceId, ChargeMonth, BillingCurrency, sum(EffectiveCost)::DOUBLE AS cost
    FROM cost_resource_monthly
    WHERE ChargeMonth >= (SELECT max(ChargeMonth) - INTERVAL 1 MONTH FROM cost_resource_monthly)
    GROUP BY ResourceId, ChargeMonth, BillingCurrency
    QUALIFY row_number() OVER (PARTITION BY ResourceId ORDER BY ChargeMonth DESC, cost DESC) = 1
)
SELECT p.ResourceId, p.BillingCurrency AS currency, p.cost AS month_cost, p.ChargeMonth AS cost_month,
       date_diff('day', p.ChargeMonth, coalesce(m.last_day, last_day(p.ChargeMonth))) + 1 AS cost_days,
       day(last_day(p.ChargeMonth)) AS month_days
FROM per p LEFT JOIN months m ON m.m = p.ChargeMonth
"""

_KIND = """CASE
    WHEN resource_type LIKE 'Instance%' OR (resource_type = 'Virtual Machine'
         AND service_name = 'Amazon Elastic Compute Cloud') THEN 'instance'
    WHEN resource_type LIKE 'Volume%' THEN 'volume'
    WHEN resource_type LIKE 'Snapshot%' THEN 'snapshot'
    WHEN resource_type = 'Elastic IP' THEN 'address'
    WHEN resource_type LIKE 'DB %' OR resource_type = 'DB Instance' THEN 'database'
    WHEN resource_type ILIKE 'Load balancer%' THEN 'load_balancer'
    WHEN resource_type ILIKE 'NAT gateway' THEN 'nat'
END"""

_INVENTORY = f"""
WITH inv AS (
    SELECT *, {_KIND} AS kind,
           coalesce(utilization->>'instance_type', nullif(regexp_extract(resource_type, '^Instance (\\S+)', 1), ''))
               AS instance_type,
           coalesce(utilization->>'volume_type', nullif(regexp_extract(resource_type, '^Volume (\\S+)', 1), ''))
               AS vol_type,
           coalesce(TRY_CAST(utilization->>'size_gib' AS DOUBLE),
                    TRY_CAST(regexp_extract(resource_type, '(\\d+) GiB', 1) AS DOUBLE)) AS gib,
           '14 days to ' || strftime(observed_at, '%Y-%m-%d') AS window
    FROM resources
)
SELECT i.resource_id, i.resource_name, i.provider_name, i.region_id, i.sub_account_id,
       coalesce(c.currency, i.currency) AS currency, c.month_cost, c.cost_month, c.cost_days, c.month_days,
       {{target}} AS target, i.gib AS size_gib, i.vol_type AS volume_type, {{evidence}} AS evidence
FROM inv i LEFT JOIN rule_resource_cost c ON c.ResourceId = i.resource_id
WHERE {{where}}
"""


def _metric(name: str, stat: str) -> str:
    return f"TRY_CAST(i.utilization->'{name}'->>'{stat}' AS DOUBLE)"


def _family_case(column: str) -> str:
    """SQL: the successor type of a previous-generation instance type in `column`, else NULL."""
    arms = " ".join(
        f"WHEN split_part({column}, '.', 1) = '{old}' THEN '{new}.' || split_part({column}, '.', 2)"
        for old, (new, _) in PREVIOUS_GENERATION.items()
    )
    return f"CASE {arms} END"


_INVENTORY_RULES: dict[str, tuple[str, str, str]] = {  # facts name: (where, target, evidence)
    "idle_instances": (
        f"i.kind = 'instance' AND i.state = 'running' AND {_metric('cpu', 'max')} < $cpu_max",
        "NULL",
        f"json_object('metric', 'CPUUtilization', 'max_percent', {_metric('cpu', 'max')}, "
        f"'avg_percent', {_metric('cpu', 'avg')}, 'threshold_percent', $cpu_max, 'window', i.window)",
    ),
    "stopped_instances": (
        "i.kind = 'instance' AND i.state = 'stopped' AND i.resource_id IN (SELECT unnest(attached) FROM volumes)",
        "NULL",
        "json_object('state', 'stopped', 'observed', strftime(i.observed_at, '%Y-%m-%d'))",
    ),
    "unattached_volumes": (
        "i.kind = 'volume' AND i.state = 'available'",
        "NULL",
        "json_object('state', 'available', 'size_gib', i.gib, 'volume_type', i.vol_type, "
        "'observed', strftime(i.observed_at, '%Y-%m-%d'))",
    ),
    "old_snapshots": (
        "i.kind = 'snapshot' AND i.created_at < i.observed_at - to_days($snapshot_days)",
        "NULL",
        "json_object('created', strftime(i.created_at, '%Y-%m-%d'), "
        "'age_days', date_diff('day', i.created_at, i.observed_at), 'threshold_days', $snapshot_days, "
        "'size_gib', i.gib)",
    ),
    "unassociated_addresses": (
        "i.kind = 'address' AND i.state = 'unassociated'",
        "NULL",
        "json_object('state', 'unassociated', 'observed', strftime(i.observed_at, '%Y-%m-%d'))",
    ),
    "gp2_volumes": (
        "i.kind = 'volume' AND i.vol_type = 'gp2'",
        "'gp3'",
        "json_object('volume_type', 'gp2', 'size_gib', i.gib, 'state', i.state)",
    ),
    "previous_generation_instances": (
        f"i.kind = 'instance' AND {_family_case('i.instance_type')} IS NOT NULL",
        _family_case("i.instance_type"),
        f"json_object('instance_type', i.instance_type, 'successor', {_family_case('i.instance_type')}, "
        "'state', i.state)",
    ),
    "idle_databases": (
        f"i.kind = 'database' AND {_metric('connections', 'max')} = 0",
        "NULL",
        f"json_object('metric', 'DatabaseConnections', 'max', {_metric('connections', 'max')}, 'window', i.window)",
    ),
    "idle_load_balancers": (
        f"i.kind = 'load_balancer' AND coalesce({_metric('requests', 'sum')}, {_metric('new_flows', 'sum')}) = 0",
        "NULL",
        "json_object('metric', CASE WHEN (i.utilization->'requests') IS NOT NULL THEN 'RequestCount' "
        f"ELSE 'NewFlowCount' END, 'sum', coalesce({_metric('requests', 'sum')}, {_metric('new_flows', 'sum')}), "
        "'window', i.window)",
    ),
    "idle_nat_gateways": (
        f"i.kind = 'nat' AND i.state = 'available' AND {_metric('bytes_out', 'sum')} = 0",
        "NULL",
        f"json_object('metric', 'BytesOutToDestination', 'sum', {_metric('bytes_out', 'sum')}, 'window', i.window)",
    ),
}

# The billing rows of the latest two months with a resource, for every billing rule (a view: each rule's
# filter then reads only what it needs); `usage` is every text that names what was used, `listed` says
# inventory has the resource.
_BILLED_ROWS = """
CREATE OR REPLACE TEMP VIEW rule_billed_rows AS
WITH latest AS (SELECT max(ChargeMonth) AS m FROM cost_resource_monthly)
SELECT ResourceId, RegionId, SubAccountId, ProviderName, ServiceName, ChargeCategory, ConsumedUnit, BillingCurrency,
       EffectiveCost::DOUBLE AS cost, date_trunc('month', ChargePeriodStart)::DATE AS month,
       ChargePeriodStart::DATE AS day, Tags,
       concat_ws(' ', x_Extensions->>'lineItem/UsageType', x_Extensions->>'line_item_usage_type',
                 ChargeDescription, SkuMeter) AS usage,
       ResourceId IN (SELECT resource_id FROM resources WHERE resource_id IS NOT NULL) AS listed
FROM costs
WHERE ResourceId IS NOT NULL AND ChargePeriodStart >= (SELECT m - INTERVAL 1 MONTH FROM latest)
"""

_BILLED = """
WITH rows AS (SELECT * FROM rule_billed_rows WHERE NOT listed AND ({prefilter})),
matched AS (
    SELECT ResourceId, month, BillingCurrency, any_value(RegionId) AS region, any_value(SubAccountId) AS account,
           any_value(ProviderName) AS provider, sum(cost) FILTER (WHERE {matches}) AS cost,
           {extra} AS detail
    FROM rows GROUP BY ResourceId, month, BillingCurrency
    HAVING {having}
)
SELECT x.ResourceId AS resource_id, x.ResourceId AS resource_name, x.provider AS provider_name,
       x.region AS region_id, x.account AS sub_account_id, x.BillingCurrency AS currency, x.cost AS month_cost,
       x.month AS cost_month,
       date_diff('day', x.month, coalesce((SELECT max(ChargeDate) FROM cost_daily
                                           WHERE date_trunc('month', ChargeDate) = x.month),
                                          last_day(x.month))) + 1 AS cost_days,
       day(last_day(x.month)) AS month_days, {target} AS target, NULL::DOUBLE AS size_gib,
       NULL AS volume_type, {evidence} AS evidence
FROM matched x
QUALIFY row_number() OVER (PARTITION BY x.ResourceId ORDER BY x.month DESC, x.cost DESC) = 1
"""

_INSTANCE_TYPE = "regexp_extract(usage, '(?:BoxUsage:|\\s)([a-z][a-z0-9]*\\.[0-9]*x?[a-z]*large|[a-z][a-z0-9]*\\.(?:medium|small|micro|nano))', 1)"  # noqa: E501

_BILLING_RULES: dict[str, dict[str, str]] = {
    "billed_gp2_volumes": {
        "prefilter": "usage ILIKE '%gp2%'",
        "matches": "usage ILIKE '%gp2%'",
        "extra": "any_value(usage) FILTER (WHERE usage ILIKE '%gp2%')",
        "having": "count(*) FILTER (WHERE usage ILIKE '%gp2%') > 0",
        "target": "'gp3'",
        "evidence": "json_object('billed_as', x.detail, 'month', strftime(x.month, '%Y-%m'), 'gp2_cost', x.cost)",
    },
    "billed_previous_generation": {
        "prefilter": "usage ILIKE '%large%' OR regexp_matches(usage, '\\.(medium|small|micro|nano)')",
        "matches": f"{_INSTANCE_TYPE} <> ''",
        "extra": f"any_value({_INSTANCE_TYPE}) FILTER (WHERE {_INSTANCE_TYPE} <> '')",
        "having": f"count(*) FILTER (WHERE {_family_case(_INSTANCE_TYPE)} IS NOT NULL) > 0",
        "target": _family_case("x.detail"),
        "evidence": "json_object('instance_type', x.detail, 'successor', "
        + _family_case("x.detail")
        + ", 'month', strftime(x.month, '%Y-%m'), 'instance_cost', x.cost)",
    },
    "billed_idle_nat_gateways": {
        "prefilter": "usage ILIKE '%NAT%' OR usage ILIKE '%NatGateway%'",
        "matches": "usage ILIKE '%NAT Gateway Hour%' OR usage ILIKE '%NatGateway-Hours%'",
        "extra": "sum(cost) FILTER (WHERE usage ILIKE '%Data Processed by NAT%' OR usage ILIKE '%NatGateway-Bytes%')",
        "having": "count(*) FILTER (WHERE usage ILIKE '%NAT Gateway Hour%' OR usage ILIKE '%NatGateway-Hours%') > 0 "
        "AND count(*) FILTER (WHERE usage ILIKE '%Data Processed by NAT%' OR usage ILIKE '%NatGateway-Bytes%') = 0",
        "target": "NULL",
        "evidence": "json_object('hours_cost', x.cost, 'data_processed_cost', 0, 'month', strftime(x.month, '%Y-%m'))",
    },
    "billed_idle_addresses": {
        "prefilter": "usage ILIKE '%IdleAddress%' OR usage ILIKE '%Elastic IP address not attached%'",
        "matches": "usage ILIKE '%IdleAddress%' OR usage ILIKE '%Elastic IP address not attached%'",
        "extra": "NULL",
        "having": "count(*) FILTER (WHERE usage ILIKE '%IdleAddress%' "
        "OR usage ILIKE '%Elastic IP address not attached%') > 0",
        "target": "NULL",
        "evidence": "json_object('idle_address_cost', x.cost, 'month', strftime(x.month, '%Y-%m'))",
    },
}

_NONPROD = """
WITH last_day AS (SELECT max(day) AS d FROM rule_billed_rows),
rows AS (
    SELECT * FROM rule_billed_rows
    WHERE ChargeCategory = 'Usage' AND ConsumedUnit ILIKE 'Hour%'
      AND (ServiceName = 'Amazon Elastic Compute Cloud' OR ResourceId LIKE 'i-%'
           OR ResourceId LIKE 'arn:aws:ec2:%:instance/%')
      AND day >= (SELECT d - to_days($days - 1) FROM last_day)
), tagged AS (
    SELECT ResourceId, any_value(RegionId) AS region, any_value(SubAccountId) AS account,
           any_value(ProviderName) AS provider, BillingCurrency, sum(cost) AS cost, count(DISTINCT day) AS days,
           any_value(Tags) AS tags
    FROM rows GROUP BY ResourceId, BillingCurrency
    HAVING count(DISTINCT day) >= $days AND sum(cost) > 0
)
SELECT t.ResourceId AS resource_id, t.ResourceId AS resource_name, t.provider AS provider_name,
       t.region AS region_id, t.account AS sub_account_id, t.BillingCurrency AS currency,
       t.cost AS month_cost, NULL::DATE AS cost_month, t.days AS cost_days, 30 AS month_days,
       NULL AS target, NULL::DOUBLE AS size_gib, NULL AS volume_type,
       json_object('environment', env, 'days_billed', t.days, 'window_days', $days,
                   'cost_in_window', round(t.cost, 2)) AS evidence
FROM (SELECT *, (SELECT list_filter([lower(tags->>k) for k in $keys], lambda v: v IS NOT NULL)[1]) AS env
      FROM tagged) t
WHERE list_contains($values, env)
"""

_UNTAGGED = """
WITH untagged AS (
    SELECT ResourceId, BillingCurrency, any_value(month) AS month, sum(cost) AS cost,
           coalesce(any_value(SubAccountId), '(no account)') AS account,
           coalesce(any_value(ServiceName), '(no service)') AS service, any_value(ProviderName) AS provider
    FROM rule_billed_rows
    WHERE month = (SELECT max(month) FROM rule_billed_rows) AND (Tags IS NULL OR Tags::VARCHAR IN ('{}', 'null', ''))
    GROUP BY ResourceId, BillingCurrency
), ranked AS (
    SELECT *, row_number() OVER (PARTITION BY account, service, BillingCurrency ORDER BY cost DESC) AS rank
    FROM untagged
)
SELECT account || '/' || service AS resource_id, service AS resource_name, any_value(provider) AS provider_name,
       NULL AS region_id, account AS sub_account_id, BillingCurrency AS currency, 0.0 AS month_cost,
       any_value(month) AS cost_month, 1 AS cost_days, 1 AS month_days,
       string_agg(ResourceId, ' ' ORDER BY cost DESC) FILTER (WHERE rank <= 5) AS target,
       NULL::DOUBLE AS size_gib, NULL AS volume_type,
       json_object('untagged_cost', sum(cost), 'untagged_resources', count(*),
                   'month', strftime(any_value(month), '%Y-%m'),
                   'largest', list(ResourceId ORDER BY cost DESC) FILTER (WHERE rank <= 5),
                   'threshold', $min_cost) AS evidence
FROM ranked
GROUP BY account, service, BillingCurrency
HAVING sum(cost) >= $min_cost
"""


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Each resource's latest month of cost (a temp table) and the latest billing rows (a temp view),
    shared by every rule of one evaluation; `finish` drops them."""
    con.execute(_RESOURCE_COST)
    con.execute(_BILLED_ROWS)


def finish(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("DROP TABLE IF EXISTS rule_resource_cost")
    con.execute("DROP VIEW IF EXISTS rule_billed_rows")


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    used = {k: v for k, v in params.items() if f"${k}" in sql}
    cursor = con.execute(sql, used)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def gather(con: duckdb.DuckDBPyConnection, facts: str, thresholds: RuleThresholds) -> list[dict[str, Any]]:
    """The candidates of facts query `facts`, as dicts of COLUMNS; `prepare` must have run first."""
    params: dict[str, Any] = {
        "cpu_max": thresholds.idle_cpu_max_percent,
        "snapshot_days": thresholds.snapshot_max_age_days,
        "min_cost": thresholds.untagged_min_monthly_cost,
        "days": thresholds.nonprod_days_billed,
        "keys": thresholds.nonprod_tag_keys,
        "values": [v.lower() for v in thresholds.nonprod_tag_values],
    }
    if facts in _INVENTORY_RULES:
        where, target, evidence = _INVENTORY_RULES[facts]
        sql = _INVENTORY.format(where=where, target=target, evidence=evidence)
        if facts == "stopped_instances":
            return _stopped_instances(con, sql)
    elif facts in _BILLING_RULES:
        sql = _BILLED.format(**_BILLING_RULES[facts])
    elif facts == "nonprod_always_on":
        sql = _NONPROD
    elif facts == "untagged_spend":
        sql = _UNTAGGED
    else:
        raise ValueError(f"no facts query named {facts!r} in cache/rule_facts.py")
    return _rows(con, sql, params)


def _stopped_instances(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    """Stopped instances priced by the volumes attached to them (the instance itself costs nothing stopped)."""
    volumes = """
    volumes AS (
        SELECT v.resource_id, from_json(v.utilization->'attached_to', '["VARCHAR"]') AS attached,
               coalesce(v.utilization->>'volume_type', nullif(regexp_extract(v.resource_type, '^Volume (\\S+)', 1), ''))
                   AS vol_type,
               TRY_CAST(regexp_extract(v.resource_type, '(\\d+) GiB', 1) AS DOUBLE) AS gib,
               c.month_cost, c.currency, c.cost_days, c.month_days
        FROM resources v LEFT JOIN rule_resource_cost c ON c.ResourceId = v.resource_id
        WHERE v.resource_type LIKE 'Volume%' AND (v.utilization->'attached_to') IS NOT NULL
    ),"""
    full = sql.replace("WITH inv AS (", f"WITH {volumes} inv AS (", 1)
    rows = _rows(con, full, {})
    attached = _rows(
        con,
        f"WITH {volumes.rstrip(',')} SELECT unnest(attached) AS instance, resource_id, vol_type, gib, "
        "month_cost * month_days / cost_days AS monthly_cost, currency FROM volumes",
        {},
    )
    for row in rows:
        mine = [a for a in attached if a["instance"] == row["resource_id"]]
        costs = [a["monthly_cost"] for a in mine if a["monthly_cost"] is not None]
        row["month_cost"] = sum(costs) if costs and len(costs) == len(mine) else None
        row["cost_days"] = row["month_days"] = 1
        row["currency"] = next((a["currency"] for a in mine if a["currency"]), row["currency"])
        row["evidence_volumes"] = [
            {"volume_id": a["resource_id"], "volume_type": a["vol_type"], "size_gib": a["gib"]} for a in mine
        ]
    return rows
