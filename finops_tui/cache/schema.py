"""Table layouts of the cache. FOCUS 1.2 column names for cost line items; `x_` columns are ours.

Column names for the other tables are documented in docs/cache-schema.md.
"""

from __future__ import annotations

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

# Provenance columns on every cost row: which dataset, file and format it came from.
PROVENANCE_COLUMNS: dict[str, str] = {
    "x_DatasetId": "VARCHAR",
    "x_SourceKind": "VARCHAR",  # FILE, API or DEMO
    "x_SourceFile": "VARCHAR",
    "x_FocusVersion": "VARCHAR",
    "x_Extensions": "JSON",  # columns of the input that FOCUS 1.2 does not name, kept verbatim
}

COST_COLUMNS: dict[str, str] = {**FOCUS_COLUMNS, **PROVENANCE_COLUMNS}
MONEY_COLUMNS = tuple(name for name, kind in FOCUS_COLUMNS.items() if kind == MONEY)
TIME_COLUMNS = tuple(name for name, kind in FOCUS_COLUMNS.items() if kind == "TIMESTAMP")
COST_METRICS = ("EffectiveCost", "BilledCost", "ListCost", "ContractedCost")

# Dataset kinds recorded in the `datasets` table.
DATASET_KINDS = ("costs", "resources", "budgets", "anomalies", "optimizations")


def columns_ddl(columns: dict[str, str]) -> str:
    return ",\n    ".join(f'"{name}" {kind}' for name, kind in columns.items())
