"""Oracle Cloud Infrastructure cost reports (CSV: `lineItem/…`, `product/…`, `cost/myCost`, one `tags/…`
column per tag key).

OCI cost reports carry usage charges only, at the customer's price: BilledCost = EffectiveCost =
ContractedCost = cost/myCost; they have no list price (ListCost stays blank) and no billing-period
column (the period is the month of the usage interval, as OCI invoices monthly). Corrections
(`lineItem/isCorrection`) keep ChargeCategory Usage with ChargeClass Correction, as FOCUS asks.
Mapping per column: docs/formats/oci.md.
"""

from __future__ import annotations

from finops_tui.sources.formats import values
from finops_tui.sources.formats.base import BillingFormat
from finops_tui.sources.formats.columns import SourceColumns

KEEP = (
    "lineItem/referenceNo",
    "lineItem/backreferenceNo",
    "lineItem/isCorrection",
    "cost/subscriptionId",
    "cost/overageFlag",
    "cost/myCostOverage",
    "usage/billedQuantityOverage",
    "product/compartmentName",
)


class Oci(BillingFormat):
    name = "oci"
    label = "OCI cost report"
    provider = "Oracle"

    def matches(self, cols: SourceColumns) -> bool:
        return cols.has("cost/myCost") and cols.has("lineItem/intervalUsageStart")

    def version(self, cols: SourceColumns) -> str:
        return "cost report"

    def required(self) -> tuple[str, ...]:
        return ("cost/myCost", "lineItem/intervalUsageStart", "lineItem/tenantId", "cost/currencyCode")

    def projection(self, cols: SourceColumns) -> dict[str, str]:
        def t(name: str) -> str:
            return values.first_text(cols, name)

        def m(name: str) -> str:
            return values.first_money(cols, name)

        start = values.timestamp(cols, "lineItem/intervalUsageStart")
        cost = m("cost/myCost")
        correction = f"lower(coalesce({t('lineItem/isCorrection')}, 'false')) = 'true'"
        return {
            "BillingAccountId": t("lineItem/tenantId"),
            "BillingCurrency": t("cost/currencyCode"),
            "BillingPeriodStart": f"date_trunc('month', {start})",
            "BillingPeriodEnd": f"date_trunc('month', {start}) + INTERVAL 1 MONTH",
            "ChargePeriodStart": start,
            "ChargePeriodEnd": values.first_timestamp(cols, "lineItem/intervalUsageEnd"),
            "SubAccountId": t("product/compartmentId"),
            "SubAccountName": t("product/compartmentName"),
            "BilledCost": cost,
            "EffectiveCost": cost,
            "ContractedCost": cost,
            "ContractedUnitPrice": m("cost/unitPrice"),
            "ChargeCategory": "'Usage'",
            "ChargeClass": f"CASE WHEN {correction} THEN 'Correction' END",
            "ChargeFrequency": "'Usage-Based'",
            "ChargeDescription": t("product/Description"),
            "PricingCategory": "'Standard'",
            "ConsumedQuantity": m("usage/billedQuantity"),
            "ConsumedUnit": t("cost/skuUnitDescription"),
            "PricingQuantity": m("usage/billedQuantity"),
            "PricingUnit": t("cost/billingUnitReadable"),
            "RegionId": t("product/region"),
            "RegionName": t("product/region"),
            "AvailabilityZone": t("product/availabilityDomain"),
            "ResourceId": t("product/resourceId"),
            "ResourceType": t("product/resource"),
            "ServiceName": t("product/service"),
            "SkuId": t("cost/productSku"),
            "InvoiceIssuerName": "'Oracle'",
            "PublisherName": "'Oracle'",
            "Tags": values.tags_from_columns(cols, "tags/"),
        }

    def extension_columns(self, cols: SourceColumns) -> list[str]:
        keep = {k.lower() for k in KEEP}
        return [name for name, _ in cols.described if name.lower() in keep]
