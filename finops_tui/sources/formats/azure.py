"""Azure cost details exports, EA and MCA, actual and amortized (CSV).

Detected by `CostInBillingCurrency` (MCA, newer EA) or `Cost` beside `ChargeType` and
`MeterCategory` (older EA); names are matched case-insensitively, so MCA's camelCase works too.

Actual or amortized is told from the data, not the columns (`for_file`): an amortized export
spreads reservation and savings-plan purchases onto the usage they cover (covered usage has a
cost, `UnusedReservation`/`UnusedSavingsPlan` rows appear, purchases are absent); an actual export
bills the purchase and shows covered usage at 0. One file gives one of the two views, so:
- actual: BilledCost = cost; EffectiveCost = cost, except commitment purchases, which FOCUS
  amortises (EffectiveCost 0: the amortized export carries that cost on usage);
- amortized: EffectiveCost = cost; BilledCost = cost, except commitment-covered usage and unused
  commitment rows, which are not invoiced (BilledCost 0: the purchase is invoiced instead).
Both views of one billing period are the same slice, so loading one replaces the other and the
period is never counted twice. Mapping per column: docs/formats/azure.md.
"""

from __future__ import annotations

import duckdb

from finops_tui.sources.formats import values
from finops_tui.sources.formats.base import BillingFormat
from finops_tui.sources.formats.columns import SourceColumns, literal

COMMITMENT_MODELS = "('Reservation', 'SavingsPlan')"
UNUSED = "('UnusedReservation', 'UnusedSavingsPlan')"
SERVICE_CATEGORIES = {
    "compute": "Compute",
    "storage": "Storage",
    "networking": "Networking",
    "databases": "Databases",
    "analytics": "Analytics",
    "security": "Security",
    "web": "Web",
    "integration": "Integration",
    "internet of things": "Internet of Things",
    "iot": "Internet of Things",
    "management and governance": "Management and Governance",
    "developer tools": "Developer Tools",
    "identity": "Identity",
    "ai + machine learning": "AI and Machine Learning",
    "ai and machine learning": "AI and Machine Learning",
    "containers": "Compute",
    "media": "Media",
    "migration": "Migration",
    "mobile": "Mobile",
}
KEEP = (
    "ChargeType",
    "PricingModel",
    "MeterCategory",
    "MeterSubCategory",
    "MeterName",
    "MeterRegion",
    "ResourceGroup",
    "ResourceGroupName",
    "CostCenter",
    "AdditionalInfo",
    "BillingProfileId",
    "InvoiceSectionId",
    "Product",
    "ConsumedService",
    "ReservationName",
)


class Azure(BillingFormat):
    name = "azure"
    label = "Azure cost details"
    provider = "Microsoft"

    def __init__(self, view: str = "actual") -> None:
        self.view = view  # "actual" or "amortized"

    def matches(self, cols: SourceColumns) -> bool:
        return cols.has("CostInBillingCurrency") or (
            cols.has("Cost") and cols.has("ChargeType") and cols.has("MeterCategory")
        )

    def _cost(self, cols: SourceColumns) -> str:
        return cols.first("CostInBillingCurrency", "Cost", "PreTaxCost") or "Cost"

    def required(self) -> tuple[str, ...]:
        return ("ChargeType",)

    def version(self, cols: SourceColumns) -> str:
        agreement = (
            "MCA"
            if cols.has("BillingProfileId") and cols.has("InvoiceSectionId") and not cols.has("AccountOwnerId")
            else "EA"
        )
        return f"{agreement} {self.view}"

    def for_file(self, con: duckdb.DuckDBPyConnection, source_sql: str, cols: SourceColumns) -> BillingFormat:
        c, ct = cols.ref(self._cost(cols)), cols.ref("ChargeType")
        model = cols.ref("PricingModel") if cols.has("PricingModel") else "NULL"
        amortized = con.execute(
            f"SELECT bool_or({ct} IN {UNUSED} OR ({model} IN {COMMITMENT_MODELS} AND {ct} = 'Usage' "
            f"AND coalesce(try_cast({c} AS DOUBLE), 0) <> 0)) FROM {source_sql}"
        ).fetchall()[0][0]
        return Azure("amortized" if amortized else "actual")

    def projection(self, cols: SourceColumns) -> dict[str, str]:
        def t(*names: str) -> str:
            return values.first_text(cols, *names)

        def m(*names: str) -> str:
            return values.first_money(cols, *names)

        def ts(*names: str) -> str:
            return values.first_timestamp(cols, *names)

        cost, charge, model = m(self._cost(cols)), t("ChargeType"), t("PricingModel")
        quantity = m("Quantity")
        committed = f"{model} IN {COMMITMENT_MODELS}"
        if self.view == "amortized":
            billed = f"CASE WHEN {committed} AND ({charge} = 'Usage' OR {charge} IN {UNUSED}) THEN 0 ELSE {cost} END"
            effective = cost
        else:
            billed = cost
            effective = f"CASE WHEN {committed} AND {charge} = 'Purchase' THEN 0 ELSE {cost} END"
        day = ts("Date", "UsageDate")
        family = t("ServiceFamily")
        categories = "MAP {" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in SERVICE_CATEGORIES.items()) + "}"
        tags = cols.first("Tags")
        return {
            "BillingAccountId": t("BillingAccountId"),
            "BillingAccountName": t("BillingAccountName"),
            "BillingCurrency": t("BillingCurrency", "BillingCurrencyCode", "Currency"),
            "BillingPeriodStart": ts("BillingPeriodStartDate"),
            # Azure's end date is the period's last day; FOCUS ends are exclusive.
            "BillingPeriodEnd": f"{ts('BillingPeriodEndDate')} + INTERVAL 1 DAY",
            "ChargePeriodStart": day,
            "ChargePeriodEnd": f"{day} + INTERVAL 1 DAY",
            "SubAccountId": t("SubscriptionId", "SubscriptionGuid"),
            "SubAccountName": t("SubscriptionName"),
            "BilledCost": billed,
            "EffectiveCost": effective,
            "ListUnitPrice": m("PayGPrice"),
            "ListCost": f"{m('PayGPrice')} * {quantity}",
            "ContractedUnitPrice": m("UnitPrice"),
            "ContractedCost": f"{m('UnitPrice')} * {quantity}",
            "ChargeCategory": (
                f"CASE WHEN {charge} = 'Usage' OR {charge} IN {UNUSED} THEN 'Usage' "
                f"WHEN {charge} = 'Purchase' THEN 'Purchase' WHEN {charge} = 'Tax' THEN 'Tax' "
                f"WHEN {charge} = 'Refund' THEN 'Credit' ELSE 'Adjustment' END"
            ),
            "ChargeClass": f"CASE WHEN {charge} = 'Refund' THEN 'Correction' END",
            "ChargeFrequency": (
                f"CASE {t('Frequency')} WHEN 'OneTime' THEN 'One-Time' WHEN 'Recurring' "
                "THEN 'Recurring' WHEN 'UsageBased' THEN 'Usage-Based' END"
            ),
            "ChargeDescription": t("Product", "ProductName"),
            "PricingCategory": (
                f"CASE WHEN {charge} <> 'Usage' AND {charge} NOT IN {UNUSED} THEN NULL "
                f"WHEN {committed} THEN 'Committed' WHEN {model} = 'Spot' THEN 'Dynamic' "
                f"WHEN {model} = 'OnDemand' THEN 'Standard' END"
            ),
            "CommitmentDiscountId": f"CASE WHEN {committed} THEN coalesce({t('benefitId')}, {t('ReservationId')}) END",
            "CommitmentDiscountName": (
                f"CASE WHEN {committed} THEN coalesce({t('benefitName')}, {t('ReservationName')}) END"
            ),
            "CommitmentDiscountType": (
                f"CASE {model} WHEN 'Reservation' THEN 'Reservation' WHEN 'SavingsPlan' THEN 'Savings Plan' END"
            ),
            "CommitmentDiscountCategory": (
                f"CASE {model} WHEN 'Reservation' THEN 'Usage' WHEN 'SavingsPlan' THEN 'Spend' END"
            ),
            "CommitmentDiscountStatus": (
                f"CASE WHEN {charge} IN {UNUSED} THEN 'Unused' WHEN {committed} AND {charge} = 'Usage' THEN 'Used' END"
            ),
            "ConsumedQuantity": f"CASE WHEN {charge} = 'Usage' THEN {quantity} END",
            "ConsumedUnit": f"CASE WHEN {charge} = 'Usage' THEN {t('UnitOfMeasure')} END",
            "PricingQuantity": quantity,
            "PricingUnit": t("UnitOfMeasure"),
            "RegionId": f"lower(replace({t('ResourceLocation')}, ' ', ''))",
            "RegionName": t("ResourceLocation"),
            "AvailabilityZone": t("AvailabilityZone"),
            "ResourceId": f"lower({t('ResourceId', 'InstanceId')})",
            "ResourceName": t("ResourceName"),
            "ResourceType": t("ConsumedService"),
            "ServiceName": t("MeterCategory", "ServiceName"),
            "ServiceCategory": f"coalesce({categories}[lower({family})], 'Other')",
            "SkuId": t("PartNumber", "ProductId"),
            "SkuPriceId": t("MeterId"),
            "InvoiceId": t("InvoiceId"),
            "InvoiceIssuerName": "'Microsoft'",
            "PublisherName": t("PublisherName"),
            "Tags": self._tags(cols, tags) if tags else "CAST(NULL AS JSON)",
        }

    def _tags(self, cols: SourceColumns, name: str) -> str:
        """EA writes tags as a JSON object without its braces (`"env": "prod","team": "web"`)."""
        c = cols.ref(name)
        wrapped = f"CASE WHEN ltrim({c}) LIKE '{{%' THEN {c} ELSE '{{' || {c} || '}}' END"
        return (
            f"CASE WHEN {c} IS NULL OR trim({c}) = '' THEN NULL ELSE coalesce(try_cast({wrapped} AS JSON), "
            f"to_json({{'x_unparsed': {c}}})) END"
        )

    def extension_columns(self, cols: SourceColumns) -> list[str]:
        keep = {k.lower() for k in KEEP}
        return [name for name, _ in cols.described if name.lower() in keep]
