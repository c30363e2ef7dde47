"""Google Cloud billing export (standard and detailed usage cost tables), as exported from BigQuery:
Parquet or newline-delimited JSON with nested records (`service.description`, `credits[]`), or CSV
with dotted column names (`service.description`) and repeated fields as JSON text.

`SourceColumns` resolves `service.description` through a STRUCT or as a literal dotted column, so
one mapping reads all three shapes. Following Google's FOCUS BigQuery view, credits stay on the
row they apply to: BilledCost = cost + sum(credits.amount) (credits are negative), which is what
the invoice charges, and `x_Extensions.credits` keeps the itemised credits. Mapping per column:
docs/formats/gcp.md.
"""

from __future__ import annotations

from finops_tui.cache.schema import MONEY
from finops_tui.sources.formats import values
from finops_tui.sources.formats.base import BillingFormat
from finops_tui.sources.formats.columns import SourceColumns

KEEP = (
    "credits",
    "cost_type",
    "invoice.month",
    "invoice",
    "system_labels",
    "project.ancestry_numbers",
    "adjustment_info",
    "transaction_type",
    "export_time",
    "currency_conversion_rate",
)


class GoogleCloud(BillingFormat):
    name = "gcp"
    label = "Google Cloud billing export"
    provider = "Google Cloud"

    def matches(self, cols: SourceColumns) -> bool:
        return cols.has("billing_account_id") and cols.has("cost") and cols.has("usage_start_time")

    def version(self, cols: SourceColumns) -> str:
        return "detailed" if cols.has("resource.name") or cols.has("resource.global_name") else "standard"

    def required(self) -> tuple[str, ...]:
        return ("billing_account_id", "cost", "usage_start_time", "currency")

    def _credits(self, cols: SourceColumns) -> str:
        if not cols.has("credits"):
            return f"CAST(0 AS {MONEY})"
        ref, kind = cols.ref("credits"), cols.type_of("credits")
        if kind.endswith("[]"):
            return f"coalesce(list_sum(list_transform({ref}, lambda c: CAST(c.amount AS {MONEY}))), 0)"
        return (
            f"coalesce(list_sum(CAST(json_extract(try_cast(NULLIF({ref}, '') AS JSON), '$[*].amount') "
            f"AS {MONEY}[])), 0)"
        )

    def _labels(self, cols: SourceColumns) -> str:
        if not cols.has("labels"):
            return "CAST(NULL AS JSON)"
        ref, kind = cols.ref("labels"), cols.type_of("labels")
        pairs = (
            ref
            if kind.endswith("[]")
            else f"CAST(try_cast(NULLIF({ref}, '') AS JSON) AS STRUCT(key VARCHAR, value VARCHAR)[])"
        )
        return f"CASE WHEN len({pairs}) > 0 THEN to_json(map_from_entries({pairs})) END"

    def projection(self, cols: SourceColumns) -> dict[str, str]:
        def t(*names: str) -> str:
            return values.first_text(cols, *names)

        def m(name: str) -> str:
            return values.first_money(cols, name)

        cost_type = f"lower({t('cost_type')})"
        sku = t("sku.description")
        month = t("invoice.month")
        period = f"CAST(strptime({month} || '01', '%Y%m%d') AS TIMESTAMP)"
        net = f"{m('cost')} + {self._credits(cols)}"
        return {
            "BillingAccountId": t("billing_account_id"),
            "BillingCurrency": t("currency"),
            "BillingPeriodStart": period,
            "BillingPeriodEnd": f"{period} + INTERVAL 1 MONTH",
            "ChargePeriodStart": values.timestamp(cols, "usage_start_time"),
            "ChargePeriodEnd": values.first_timestamp(cols, "usage_end_time"),
            "SubAccountId": t("project.id"),
            "SubAccountName": t("project.name"),
            "BilledCost": net,
            "EffectiveCost": net,
            "ListCost": m("cost_at_list"),
            "ContractedCost": m("cost"),
            "ChargeCategory": (
                f"CASE {cost_type} WHEN 'tax' THEN 'Tax' WHEN 'adjustment' THEN 'Credit' "
                "WHEN 'rounding_error' THEN 'Adjustment' "
                f"ELSE CASE WHEN {sku} ILIKE '%commitment%' AND {sku} NOT ILIKE '%usage%' "
                "THEN 'Purchase' ELSE 'Usage' END END"
            ),
            "ChargeClass": f"CASE WHEN {cost_type} = 'adjustment' THEN 'Correction' END",
            "ChargeFrequency": (
                f"CASE WHEN {cost_type} IN ('regular', '') OR {cost_type} IS NULL THEN 'Usage-Based' END"
            ),
            "ChargeDescription": sku,
            "ConsumedQuantity": m("usage.amount"),
            "ConsumedUnit": t("usage.unit"),
            "PricingQuantity": m("usage.amount_in_pricing_units"),
            "PricingUnit": t("usage.pricing_unit"),
            "RegionId": f"coalesce({t('location.region')}, {t('location.location')})",
            "RegionName": t("location.location"),
            "AvailabilityZone": t("location.zone"),
            "ResourceId": t("resource.global_name"),
            "ResourceName": t("resource.name"),
            "ServiceName": t("service.description"),
            "SkuId": t("sku.id"),
            "InvoiceIssuerName": "'Google'",
            "PublisherName": f"coalesce({t('seller_name')}, 'Google')",
            "Tags": self._labels(cols),
        }

    def extension_columns(self, cols: SourceColumns) -> list[str]:
        keep = {k.lower() for k in KEEP}
        return [name for name, _ in cols.described if name.lower() in keep]
