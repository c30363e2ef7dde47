"""FOCUS 1.0–1.3: the columns are already FOCUS, so the mapping is one cast per column.

Names are matched case-insensitively. FOCUS 1.3 renamed ProviderName to ServiceProviderName (and
added HostProviderName); the cache keeps the 1.2 names, so ServiceProviderName fills ProviderName
and both 1.3 columns are also kept verbatim in x_Extensions. Columns FOCUS does not name
(`x_…`, `oci_…`, a stray `Id`) are kept in x_Extensions too.
"""

from __future__ import annotations

from finops_tui.cache.schema import FOCUS_COLUMNS, MONEY
from finops_tui.sources.formats import values
from finops_tui.sources.formats.base import BillingFormat
from finops_tui.sources.formats.columns import SourceColumns

# Columns whose presence tells the FOCUS version (newest first).
_VERSION_MARKERS = (
    ("1.3", ("ServiceProviderName", "HostProviderName")),
    ("1.2", ("BillingAccountType", "SubAccountType", "InvoiceId", "PricingCurrency", "PricingCurrencyEffectiveCost")),
    (
        "1.1",
        (
            "ServiceSubcategory",
            "CapacityReservationId",
            "CapacityReservationStatus",
            "SkuMeter",
            "SkuPriceDetails",
            "CommitmentDiscountQuantity",
            "CommitmentDiscountUnit",
        ),
    ),
)
_RENAMED_IN_1_3 = {"ProviderName": "ServiceProviderName"}


class Focus(BillingFormat):
    name = "focus"
    label = "FOCUS"

    def matches(self, cols: SourceColumns) -> bool:
        # Either core column is enough to call it FOCUS; `required()` then names what is missing.
        return cols.has("BilledCost") or cols.has("ChargePeriodStart")

    def version(self, cols: SourceColumns) -> str:
        for version, markers in _VERSION_MARKERS:
            if any(cols.has(m) for m in markers):
                return version
        return "1.0"

    def required(self) -> tuple[str, ...]:
        return ("BilledCost", "ChargePeriodStart")

    def projection(self, cols: SourceColumns) -> dict[str, str]:
        out: dict[str, str] = {}
        for canonical, kind in FOCUS_COLUMNS.items():
            name = cols.first(canonical, _RENAMED_IN_1_3.get(canonical, canonical))
            if name is None:
                continue
            if kind == MONEY:
                out[canonical] = values.money(cols, name)
            elif kind == "TIMESTAMP":
                out[canonical] = values.timestamp(cols, name)
            elif kind == "JSON":
                out[canonical] = values.json_value(cols, name)
            else:
                out[canonical] = f"CAST({cols.ref(name)} AS VARCHAR)"
        return out

    def extension_columns(self, cols: SourceColumns) -> list[str]:
        renamed = {n.lower() for n in _RENAMED_IN_1_3.values()} | {"hostprovidername"}
        return [name for name, _ in cols.described if name not in cols.used or name.lower() in renamed]
