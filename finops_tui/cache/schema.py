"""Every table of the cache, declared once: column names, DuckDB types and what each column means.

Migrations generate their CREATE TABLE from these declarations, collectors take their Arrow
schemas from them, and the dataset writer checks incoming rows against them (see tables.py for
how). Cost line items use FOCUS 1.2 column names; `x_` columns are ours. The rollup tables
`cost_daily` and `cost_resource_monthly` are not declared here: their shape is their SELECT in
migrations.py. docs/cache-schema.md explains the tables for people; a test keeps it naming every
column declared here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping

from finops_tui.cache.tables import DATASET_ID, Column, Table
from finops_tui.contract.vocabulary import DATASET_KINDS, METRICS

__all__ = ["COST_METRICS", "DATASET_KINDS", "TABLES", "Column", "Table"]

MONEY = "DECIMAL(38,12)"

# FOCUS 1.2 columns in spec order, with the type the cache stores them as.
FOCUS_COLUMNS: dict[str, str] = {
    "AvailabilityZone": "VARCHAR",
    "BilledCost": MONEY,
    "BillingAccountId": "VARCHAR",
    "BillingAccountName": "VARCHAR",
    "BillingAccountType": "VARCHAR",
    "BillingCurrency": "VARCHAR",
    "BillingPeriodEnd": "TIMESTAMP",
    "BillingPeriodStart": "TIMESTAMP",
    "CapacityReservationId": "VARCHAR",
    "CapacityReservationStatus": "VARCHAR",
    "ChargeCategory": "VARCHAR",
    "ChargeClass": "VARCHAR",
    "ChargeDescription": "VARCHAR",
    "ChargeFrequency": "VARCHAR",
    "ChargePeriodEnd": "TIMESTAMP",
    "ChargePeriodStart": "TIMESTAMP",
    "CommitmentDiscountCategory": "VARCHAR",
    "CommitmentDiscountId": "VARCHAR",
    "CommitmentDiscountName": "VARCHAR",
    "CommitmentDiscountQuantity": MONEY,
    "CommitmentDiscountStatus": "VARCHAR",
    "CommitmentDiscountType": "VARCHAR",
    "CommitmentDiscountUnit": "VARCHAR",
    "ConsumedQuantity": MONEY,
    "ConsumedUnit": "VARCHAR",
    "ContractedCost": MONEY,
    "ContractedUnitPrice": MONEY,
    "EffectiveCost": MONEY,
    "InvoiceId": "VARCHAR",
    "InvoiceIssuerName": "VARCHAR",
    "ListCost": MONEY,
    "ListUnitPrice": MONEY,
    "PricingCategory": "VARCHAR",
    "PricingCurrency": "VARCHAR",
    "PricingCurrencyContractedUnitPrice": MONEY,
    "PricingCurrencyEffectiveCost": MONEY,
    "PricingCurrencyListUnitPrice": MONEY,
    "PricingQuantity": MONEY,
    "PricingUnit": "VARCHAR",
    "ProviderName": "VARCHAR",
    "PublisherName": "VARCHAR",
    "RegionId": "VARCHAR",
    "RegionName": "VARCHAR",
    "ResourceId": "VARCHAR",
    "ResourceName": "VARCHAR",
    "ResourceType": "VARCHAR",
    "ServiceCategory": "VARCHAR",
    "ServiceName": "VARCHAR",
    "ServiceSubcategory": "VARCHAR",
    "SkuId": "VARCHAR",
    "SkuMeter": "VARCHAR",
    "SkuPriceDetails": "JSON",
    "SkuPriceId": "VARCHAR",
    "SubAccountId": "VARCHAR",
    "SubAccountName": "VARCHAR",
    "SubAccountType": "VARCHAR",
    "Tags": "JSON",
}

COST_METRICS = METRICS

VARCHAR, JSON, TIMESTAMP, DATE = "VARCHAR", "JSON", "TIMESTAMP", "DATE"
_DATASET_ID = Column(DATASET_ID, VARCHAR, "the dataset the row belongs to (see cache/dataset_ids.py)")

COSTS = Table(
    "costs",
    1,
    tuple(Column(name, kind, "FOCUS 1.2") for name, kind in FOCUS_COLUMNS.items())
    + (  # provenance: which dataset, file and format each row came from
        Column("x_DatasetId", VARCHAR, "costs:<provider>:<billing account>:<YYYY-MM>, or costs-ce:… from the API"),
        Column("x_SourceKind", VARCHAR, "FILE, API or DEMO"),
        Column("x_SourceFile", VARCHAR, "path, archive.zip!member or s3://bucket/key"),
        Column("x_FocusVersion", VARCHAR, "<format>/<version> detected, e.g. focus/1.2, aws-cur2/2.0"),
        Column("x_Extensions", JSON, "input columns FOCUS 1.2 does not name, kept verbatim"),
    ),
    "cost line items",
)
COST_COLUMNS: dict[str, str] = {c.name: c.type for c in COSTS.columns}
PROVENANCE_COLUMNS: dict[str, str] = {name: kind for name, kind in COST_COLUMNS.items() if name not in FOCUS_COLUMNS}
MONEY_COLUMNS = tuple(name for name, kind in FOCUS_COLUMNS.items() if kind == MONEY)
TIME_COLUMNS = tuple(name for name, kind in FOCUS_COLUMNS.items() if kind == "TIMESTAMP")

# From schema v7 `costs` is a VIEW, not a table: the rows live in one table per layout (the set of `costs`
# columns an append gave, and the values every row of it shares), and the view projects each onto every
# column above: absent ones as typed NULLs, shared ones as typed constants. A narrow file (the 21 mandatory
# FOCUS columns) then stores 23 columns, not 62 with 37 of them NULL on every row: appending those NULLs,
# and the same source kind and format label on each of 10M rows, cost more than parsing the file
# (benchmarks/README.md, "Narrow files"). cost_layouts.py creates the tables and the view; `cost_layouts`
# (below) records each table's columns and constants.
LAYOUT_VERSION = 7
LAYOUT_PREFIX = "costs_"


def layout_table_name(columns: Iterable[str], constants: Mapping[str, str] | None = None) -> str:
    """The table holding rows with exactly these `costs` columns (and these shared values): `costs_` and a hash
    of the sorted set, so the same layout always lands in the same table, in this cache and in any copy of it."""
    key = ",".join(sorted(columns))
    if constants:
        key += "|" + json.dumps(sorted(constants.items()))
    digest = hashlib.sha256(key.encode()).hexdigest()
    return f"{LAYOUT_PREFIX}{digest[:12]}"


META = Table(
    "meta",
    1,
    (
        Column("key", VARCHAR, "source_label, demo_end, written_on, written_by, snapshot_of, …"),
        Column("value", VARCHAR),
    ),
    "facts about the file itself",
)
DATASETS = Table(
    "datasets",
    1,
    (
        Column("dataset_id", VARCHAR),
        Column("kind", VARCHAR, "one of contract.vocabulary.DATASET_KINDS"),
        Column("source_kind", VARCHAR, "FILE, API or DEMO"),
        Column("source", VARCHAR, "what was read, for people"),
        Column("files", JSON, "path, sha256, size, format, format_version, rows per file"),
        Column("format", VARCHAR, "focus, aws-cur, aws-cur2, azure, gcp, oci"),
        Column("format_version", VARCHAR),
        Column("provider", VARCHAR),
        Column("account_id", VARCHAR),
        Column("billing_period", DATE),
        Column("row_count", "BIGINT"),
        Column("totals", JSON, "per currency: BilledCost, EffectiveCost"),
        Column("loaded_at", TIMESTAMP),
        Column("data_from", TIMESTAMP),
        Column("data_through", TIMESTAMP),
        Column("warnings", JSON),
    ),
    "provenance of every dataset",
)
RESOURCES = Table(
    "resources",
    1,
    (
        Column("resource_id", VARCHAR, "what billing data calls ResourceId: instance id, ARN, bucket name"),
        Column("resource_type", VARCHAR),
        Column("resource_name", VARCHAR),
        Column("service_name", VARCHAR),
        Column("provider_name", VARCHAR),
        Column("region_id", VARCHAR),
        Column("sub_account_id", VARCHAR),
        Column("state", VARCHAR),
        Column("current_cost", MONEY, "EffectiveCost of the latest month, joined from cost data"),
        Column("currency", VARCHAR),
        Column("utilization", JSON, '14-day metric summaries, e.g. {"cpu": {"avg": 0.8, "max": 3.1}}'),
        Column("is_idle", "BOOLEAN"),
        Column("idle_reason", VARCHAR),
        Column("tags", JSON),
        Column("created_at", TIMESTAMP),
        Column("observed_at", TIMESTAMP),
        _DATASET_ID,
    ),
    "inventory",
)
BUDGETS = Table(
    "budgets",
    1,
    (
        Column("budget_id", VARCHAR),
        Column("budget_name", VARCHAR),
        Column("budget_type", VARCHAR, "COST or USAGE"),
        Column("time_unit", VARCHAR, "MONTHLY, QUARTERLY, ANNUALLY"),
        Column("budget_amount", MONEY),
        Column("currency", VARCHAR),
        Column("parent_budget_id", VARCHAR),
        Column("filter_dimension", VARCHAR, "the cost column filtered on, or NULL for all spend"),
        Column("filter_values", "VARCHAR[]"),
        Column("tags", JSON),
        _DATASET_ID,
        Column("origin", VARCHAR, "where the budget comes from: aws (AWS Budgets) or file (the budgets file)", 5),
        Column("filters", JSON, 'every filter, e.g. {"provider": ["AWS"], "tag": {"team": "data"}}', 5),
    ),
    "budgets; actual spend is computed from cost_daily, never stored",
)
ANOMALIES = Table(
    "anomalies",
    1,
    (
        Column("anomaly_id", VARCHAR),
        Column("anomaly_type", VARCHAR),
        Column("severity", VARCHAR, "low, medium, high"),
        Column("start_date", DATE),
        Column("end_date", DATE),
        Column("actual_cost", MONEY),
        Column("expected_cost", MONEY),
        Column("currency", VARCHAR),
        Column("provider_name", VARCHAR),
        Column("sub_account_id", VARCHAR),
        Column("service_name", VARCHAR),
        Column("region_id", VARCHAR),
        Column("root_cause", VARCHAR),
        Column("status", VARCHAR),
        Column("detected_at", TIMESTAMP),
        _DATASET_ID,
        Column("impact", MONEY, "actual_cost - expected_cost over the anomaly's days", 5),
        Column("origin", VARCHAR, "computed (detected here from the cache) or aws (Cost Anomaly Detection)", 5),
        Column("drivers", JSON, "what explains the delta: [{dimension, value, delta, share}], largest first", 5),
        Column("series_key", VARCHAR, "the series judged, e.g. AWS|123456789012|Amazon EC2|USD", 5),
    ),
    "cost anomalies",
)
OPTIMIZATIONS = Table(
    "optimizations",
    1,
    (
        Column("optimization_id", VARCHAR),
        Column("resource_id", VARCHAR),
        Column("optimization_type", VARCHAR),
        Column("description", VARCHAR),
        Column("estimated_savings", MONEY, "per month"),
        Column("currency", VARCHAR),
        Column("risk_level", VARCHAR),
        Column("confidence_score", "DOUBLE", "0–1"),
        Column("effort", VARCHAR),
        Column("status", VARCHAR),
        Column("provider_name", VARCHAR),
        Column("region_id", VARCHAR),
        Column("sub_account_id", VARCHAR),
        Column("detected_at", TIMESTAMP),
        _DATASET_ID,
        Column("rule_id", VARCHAR, "the local rule that fired, or NULL for a provider's recommendation", 5),
        Column("evidence", JSON, "the metrics and costs behind it, with their window", 5),
        Column("action", VARCHAR, "the exact command that would act on it (never run by finops-tui)", 5),
        Column("savings_basis", VARCHAR, "how estimated_savings was worked out", 5),
        Column("origin", VARCHAR, "computed (a local rule) or aws (AWS's own recommendation)", 5),
    ),
    "savings recommendations",
)
REFRESH_RUNS = Table(
    "refresh_runs",
    3,
    (
        Column("run_id", VARCHAR),
        Column("started_at", TIMESTAMP),
        Column("finished_at", TIMESTAMP),
        Column("source", VARCHAR, "profile and account labels"),
        Column("accounts", "VARCHAR[]"),
        Column("regions", "VARCHAR[]"),
        Column("status", VARCHAR, "ok, partial, failed"),
        Column("api_calls", JSON, "calls per service.operation"),
        Column("ce_requests", "INTEGER", "billed Cost Explorer pages"),
        Column("ce_cost_usd", "DECIMAL(18,2)"),
        Column("collectors", JSON, "collector, region, account, rows, status"),
        Column("failures", JSON, "messages with advice"),
    ),
    "what each live refresh did",
)
API_REQUEST_CACHE = Table(
    "api_request_cache",
    3,
    (
        Column("request_hash", VARCHAR),
        Column("service", VARCHAR),
        Column("operation", VARCHAR),
        Column("account_id", VARCHAR),
        Column("request", JSON),
        Column("response", JSON, "the answer's pages"),
        Column("pages", "INTEGER"),
        Column("fetched_at", TIMESTAMP),
    ),
    "API answers a refresh may reuse instead of paying for them again",
)
COST_FORECASTS = Table(
    "cost_forecasts",
    3,
    (
        Column("account_id", VARCHAR),
        Column("metric", VARCHAR),
        Column("currency", VARCHAR),
        Column("period_start", DATE),
        Column("period_end", DATE),
        Column("mean", MONEY),
        Column("lower_bound", MONEY),
        Column("upper_bound", MONEY),
        Column("fetched_at", TIMESTAMP),
        _DATASET_ID,
    ),
    "the provider's own forecast for the rest of the month",
)
BUDGET_HISTORY = Table(
    "budget_history",
    4,
    (
        Column("budget_id", VARCHAR),
        Column("period_start", DATE),
        Column("period_end", DATE),
        Column("budgeted", MONEY),
        Column("actual", MONEY),
        Column("currency", VARCHAR),
        _DATASET_ID,
    ),
    "budgeted and actual amounts of past periods",
)
ANOMALY_FEEDBACK = Table(
    "anomaly_feedback",
    5,
    (
        Column("anomaly_id", VARCHAR),
        Column("series_key", VARCHAR, "muting applies to the series: later anomalies of it are muted too"),
        Column("status", VARCHAR, "acknowledged or muted"),
        Column("note", VARCHAR),
        Column("updated_at", TIMESTAMP),
    ),
    "what users said about anomalies; not a dataset, so refresh and re-ingest never replace it",
)
COST_LAYOUTS = Table(
    "cost_layouts",
    LAYOUT_VERSION,
    (
        Column("table_name", VARCHAR, "costs_<hash of the sorted column set>: the table holding these rows"),
        Column("columns", JSON, "the `costs` columns the table has, in the declared order"),
        Column("constants", JSON, 'columns every row of the table shares, e.g. {"x_SourceKind": "FILE"}'),
    ),
    "the tables behind the `costs` view, one per set of columns appended; query `costs`, not them",
)
SCHEMA_MIGRATIONS = Table(
    "schema_migrations",
    0,  # created before any migration runs: it records them
    (Column("version", "INTEGER"), Column("description", VARCHAR), Column("applied_at", TIMESTAMP)),
    "every schema version applied to the file",
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        SCHEMA_MIGRATIONS,
        COSTS,
        META,
        DATASETS,
        RESOURCES,
        BUDGETS,
        ANOMALIES,
        OPTIMIZATIONS,
        REFRESH_RUNS,
        API_REQUEST_CACHE,
        COST_FORECASTS,
        BUDGET_HISTORY,
        ANOMALY_FEEDBACK,
        COST_LAYOUTS,
    )
}
# The table each dataset kind lives in (a kind is its table's name).
DATASET_TABLES: dict[str, Table] = {kind: TABLES[kind] for kind in DATASET_KINDS}
