"""AWS Cost and Usage Report: legacy CUR (`lineItem/UnblendedCost`) and CUR 2.0 / Data Exports
(`line_item_unblended_cost`, MAP columns `product`, `resource_tags`, `cost_category`, `discount`).

One mapping serves both: it is written with legacy names, and CUR 2.0 names follow from them by
rule (`lineItem/UnblendedCost` -> `line_item_unblended_cost`, `savingsPlan/SavingsPlanARN` ->
`savings_plan_savings_plan_a_r_n`); product attributes CUR 2.0 keeps only in its `product` MAP are
read from there. The FOCUS mapping follows the FinOps Foundation's focus_converters rules for AWS
and AWS's own FOCUS export; docs/formats/aws-cur.md lists it column by column.
"""

from __future__ import annotations

import re

from finops_tui.cache.schema import MONEY
from finops_tui.sources.formats import values
from finops_tui.sources.formats.base import BillingFormat
from finops_tui.sources.formats.columns import SourceColumns, literal

_PREFIXES = {
    "identity": "identity",
    "bill": "bill",
    "lineItem": "line_item",
    "product": "product",
    "pricing": "pricing",
    "reservation": "reservation",
    "savingsPlan": "savings_plan",
    "discount": "discount",
    "splitLineItem": "split_line_item",
}
USAGE_TYPES = ("Usage", "DiscountedUsage", "SavingsPlanCoveredUsage", "SavingsPlanNegation")
CREDIT_TYPES = (
    "Credit",
    "Refund",
    "EdpDiscount",
    "BundledDiscount",
    "PrivateRateDiscount",
    "Discount",
    "DistributorDiscount",
    "RiVolumeDiscount",
)
PURCHASE_TYPES = ("RIFee", "Fee", "SavingsPlanRecurringFee", "SavingsPlanUpfrontFee")
# Product code -> FOCUS ServiceCategory, for the services that carry most spend; the rest are 'Other'.
SERVICE_CATEGORIES = {
    "AmazonEC2": "Compute",
    "AWSLambda": "Compute",
    "AmazonECS": "Compute",
    "AmazonEKS": "Compute",
    "AWSFargate": "Compute",
    "AmazonLightsail": "Compute",
    "AmazonS3": "Storage",
    "AmazonEFS": "Storage",
    "AmazonFSx": "Storage",
    "AWSBackup": "Storage",
    "AmazonGlacier": "Storage",
    "AmazonRDS": "Databases",
    "AmazonDynamoDB": "Databases",
    "AmazonElastiCache": "Databases",
    "AmazonDocDB": "Databases",
    "AmazonNeptune": "Databases",
    "AmazonRedshift": "Analytics",
    "AmazonAthena": "Analytics",
    "AWSGlue": "Analytics",
    "AmazonKinesis": "Analytics",
    "AmazonES": "Analytics",
    "AmazonVPC": "Networking",
    "AmazonCloudFront": "Networking",
    "AmazonRoute53": "Networking",
    "AWSELB": "Networking",
    "AWSDataTransfer": "Networking",
    "AWSDirectConnect": "Networking",
    "AmazonApiGateway": "Web",
    "AmazonCloudWatch": "Management and Governance",
    "AWSCloudTrail": "Management and Governance",
    "AWSConfig": "Management and Governance",
    "AWSCostExplorer": "Management and Governance",
    "awskms": "Security",
    "AWSSecretsManager": "Security",
    "AmazonGuardDuty": "Security",
    "AWSWAF": "Security",
    "AmazonCognito": "Identity",
    "AmazonSNS": "Integration",
    "AWSQueueService": "Integration",
    "AmazonSQS": "Integration",
    "AWSEvents": "Integration",
    "AmazonSageMaker": "AI and Machine Learning",
    "AmazonBedrock": "AI and Machine Learning",
    "AWSCodeBuild": "Developer Tools",
}
# Native columns worth keeping beside the FOCUS ones (x_Extensions); the other ~100 are dropped for speed.
KEEP = (
    "identity/LineItemId",
    "lineItem/LineItemType",
    "lineItem/UsageType",
    "lineItem/Operation",
    "bill/BillType",
    "lineItem/BlendedCost",
    "lineItem/NetUnblendedCost",
    "reservation/ReservationARN",
    "savingsPlan/SavingsPlanARN",
    "lineItem/ProductCode",
    "cost_category",
    "discount",
)


def cur2_name(legacy: str) -> str:
    """`lineItem/UnblendedCost` -> `line_item_unblended_cost` (the CUR 2.0 spelling)."""
    prefix, _, field = legacy.partition("/")
    if not field:
        return legacy
    snake = re.sub(r"(?<!^)([A-Z])", r"_\1", field).lower()
    return f"{_PREFIXES.get(prefix, prefix)}_{snake}"


def _in(values_: tuple[str, ...]) -> str:
    return "(" + ", ".join(literal(v) for v in values_) + ")"


class AwsCur(BillingFormat):
    provider = "AWS"

    def __init__(self, cur2: bool) -> None:
        self.cur2 = cur2
        self.name = "aws-cur2" if cur2 else "aws-cur"
        self.label = "AWS CUR"  # the version says legacy or 2.0

    # -- names ----------------------------------------------------------------------------
    def col(self, legacy: str) -> str:
        return cur2_name(legacy) if self.cur2 else legacy

    def matches(self, cols: SourceColumns) -> bool:
        return cols.has(self.col("lineItem/UnblendedCost")) and cols.has(self.col("lineItem/UsageStartDate"))

    def version(self, cols: SourceColumns) -> str:
        return "2.0" if self.cur2 else "legacy"

    def required(self) -> tuple[str, ...]:
        return tuple(
            self.col(c)
            for c in (
                "lineItem/UnblendedCost",
                "lineItem/UsageStartDate",
                "lineItem/LineItemType",
                "bill/PayerAccountId",
            )
        )

    def _text(self, cols: SourceColumns, legacy: str) -> str:
        name = self.col(legacy)
        if cols.has(name):
            return values.text(cols, name)
        if self.cur2 and legacy.startswith("product/") and cols.has("product"):
            return self._product_attribute(cols, cur2_name(legacy).removeprefix("product_"))
        return "CAST(NULL AS VARCHAR)"

    def _product_attribute(self, cols: SourceColumns, key: str) -> str:
        ref, kind = cols.ref("product"), cols.type_of("product")
        if kind.startswith("MAP"):
            return f"NULLIF(CAST({ref}[{literal(key)}] AS VARCHAR), '')"
        return f"NULLIF(json_extract_string({ref}, {literal('$.' + key)}), '')"

    def _money(self, cols: SourceColumns, legacy: str, default: str = "NULL") -> str:
        name = self.col(legacy)
        return values.money(cols, name) if cols.has(name) else f"CAST({default} AS {MONEY})"

    def _time(self, cols: SourceColumns, legacy: str) -> str:
        name = self.col(legacy)
        return values.timestamp(cols, name) if cols.has(name) else "CAST(NULL AS TIMESTAMP)"

    # -- mapping --------------------------------------------------------------------------
    def projection(self, cols: SourceColumns) -> dict[str, str]:
        def t(legacy: str) -> str:
            return self._text(cols, legacy)

        def m(legacy: str, default: str = "NULL") -> str:
            return self._money(cols, legacy, default)

        lit = t("lineItem/LineItemType")
        unblended = m("lineItem/UnblendedCost")
        reservation_arn = t("reservation/ReservationARN")
        sp_arn = t("savingsPlan/SavingsPlanARN")
        product_code = t("lineItem/ProductCode")
        categories = "MAP {" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in SERVICE_CATEGORIES.items()) + "}"
        return {
            "BillingAccountId": t("bill/PayerAccountId"),
            "BillingAccountName": t("bill/PayerAccountName"),
            "BillingCurrency": t("lineItem/CurrencyCode"),
            "BillingPeriodStart": self._time(cols, "bill/BillingPeriodStartDate"),
            "BillingPeriodEnd": self._time(cols, "bill/BillingPeriodEndDate"),
            "ChargePeriodStart": self._time(cols, "lineItem/UsageStartDate"),
            "ChargePeriodEnd": self._time(cols, "lineItem/UsageEndDate"),
            "SubAccountId": t("lineItem/UsageAccountId"),
            "SubAccountName": t("lineItem/UsageAccountName"),
            "BilledCost": unblended,
            "EffectiveCost": self._effective_cost(cols, lit, unblended),
            "ListCost": m("pricing/publicOnDemandCost"),
            "ListUnitPrice": m("pricing/publicOnDemandRate"),
            "ContractedCost": f"coalesce({m('lineItem/NetUnblendedCost')}, {unblended})",
            "ContractedUnitPrice": f"coalesce({m('lineItem/NetUnblendedRate')}, {m('lineItem/UnblendedRate')})",
            "ChargeCategory": (
                f"CASE WHEN {lit} IN {_in(USAGE_TYPES)} THEN 'Usage' WHEN {lit} = 'Tax' THEN 'Tax' "
                f"WHEN {lit} IN {_in(CREDIT_TYPES)} THEN 'Credit' "
                f"WHEN {lit} IN {_in(PURCHASE_TYPES)} THEN 'Purchase' ELSE 'Adjustment' END"
            ),
            "ChargeClass": f"CASE WHEN {lit} = 'Refund' THEN 'Correction' END",
            "ChargeFrequency": (
                f"CASE WHEN {lit} IN {_in(USAGE_TYPES)} THEN 'Usage-Based' "
                f"WHEN {lit} IN ('RIFee', 'SavingsPlanRecurringFee') THEN 'Recurring' "
                "ELSE 'One-Time' END"
            ),
            "ChargeDescription": t("lineItem/LineItemDescription"),
            "PricingCategory": (
                f"CASE WHEN {lit} IN ('DiscountedUsage', 'SavingsPlanCoveredUsage', "
                "'SavingsPlanNegation') THEN 'Committed' "
                f"WHEN {lit} NOT IN {_in(USAGE_TYPES)} THEN NULL "
                f"WHEN {t('lineItem/UsageType')} LIKE '%SpotUsage%' THEN 'Dynamic' "
                f"WHEN {t('pricing/term')} = 'OnDemand' THEN 'Standard' "
                f"WHEN {t('pricing/term')} = 'Reserved' THEN 'Committed' END"
            ),
            "CommitmentDiscountId": f"coalesce({reservation_arn}, {sp_arn})",
            "CommitmentDiscountType": (
                f"CASE WHEN {reservation_arn} IS NOT NULL THEN 'Reserved Instance' "
                f"WHEN {sp_arn} IS NOT NULL THEN 'Savings Plan' END"
            ),
            "CommitmentDiscountCategory": (
                f"CASE WHEN {reservation_arn} IS NOT NULL THEN 'Usage' WHEN {sp_arn} IS NOT NULL THEN 'Spend' END"
            ),
            "CommitmentDiscountStatus": (
                f"CASE WHEN {lit} IN ('DiscountedUsage', 'SavingsPlanCoveredUsage') THEN 'Used' END"
            ),
            "ConsumedQuantity": f"CASE WHEN {lit} IN {_in(USAGE_TYPES)} THEN {m('lineItem/UsageAmount')} END",
            "ConsumedUnit": f"CASE WHEN {lit} IN {_in(USAGE_TYPES)} THEN {t('pricing/unit')} END",
            "PricingQuantity": m("lineItem/UsageAmount"),
            "PricingUnit": t("pricing/unit"),
            "RegionId": f"coalesce({t('product/regionCode')}, {t('product/region')})",
            "RegionName": t("product/location"),
            "AvailabilityZone": t("lineItem/AvailabilityZone"),
            "ResourceId": t("lineItem/ResourceId"),
            "ServiceName": f"coalesce({t('product/ProductName')}, {product_code})",
            "ServiceCategory": f"coalesce({categories}[{product_code}], 'Other')",
            "SkuId": t("product/sku"),
            "SkuPriceId": t("pricing/RateId"),
            "InvoiceId": t("bill/InvoiceId"),
            "InvoiceIssuerName": t("bill/InvoicingEntity"),
            "PublisherName": f"coalesce({t('lineItem/LegalEntity')}, {t('bill/BillingEntity')})",
            "Tags": self._tags(cols),
        }

    def _effective_cost(self, cols: SourceColumns, lit: str, unblended: str) -> str:
        """Amortised cost: RI/SP fees spread onto the usage they cover; fee rows keep only the unused part."""

        def m(legacy: str) -> str:
            return self._money(cols, legacy, "0")

        def z(expr: str) -> str:
            return f"coalesce({expr}, 0)"

        reservation_arn = self._text(cols, "reservation/ReservationARN")
        return (
            f"CASE {lit} "
            f"WHEN 'SavingsPlanCoveredUsage' THEN {z(m('savingsPlan/SavingsPlanEffectiveCost'))} "
            f"WHEN 'SavingsPlanRecurringFee' THEN {z(m('savingsPlan/TotalCommitmentToDate'))} - "
            f"{z(m('savingsPlan/UsedCommitment'))} "
            "WHEN 'SavingsPlanNegation' THEN 0 WHEN 'SavingsPlanUpfrontFee' THEN 0 "
            f"WHEN 'DiscountedUsage' THEN {z(m('reservation/EffectiveCost'))} "
            f"WHEN 'RIFee' THEN {z(m('reservation/UnusedAmortizedUpfrontFeeForBillingPeriod'))} + "
            f"{z(m('reservation/UnusedRecurringFee'))} "
            f"ELSE CASE WHEN {lit} = 'Fee' AND {reservation_arn} IS NOT NULL THEN 0 ELSE {unblended} END END"
        )

    def _tags(self, cols: SourceColumns) -> str:
        if self.cur2:
            return values.json_value(cols, "resource_tags") if cols.has("resource_tags") else "CAST(NULL AS JSON)"
        return values.tags_from_columns(cols, "resourceTags/")

    def extension_columns(self, cols: SourceColumns) -> list[str]:
        keep = {self.col(k).lower() for k in KEEP} | {k.lower() for k in KEEP}
        return [
            name
            for name, _ in cols.described
            if name.lower() in keep or name.lower().startswith(("costcategory/", "cost_category/"))
        ]
