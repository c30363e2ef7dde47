"""Azure cost details (EA and MCA, actual and amortized) load with totals equal to raw sums."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

import duckdb

from finops_tui.sources.ingest import ingest_paths


def close(a, b) -> bool:
    """Equal to within 1e-9: the cache keeps 12 decimal places; Azure writes up to 17 (far below a cent)."""
    return abs(Decimal(str(a)) - Decimal(str(b))) < Decimal("1e-9")


def raw(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def loaded(cache, sql):
    with duckdb.connect(str(cache), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_ea_actual_totals_per_charge_type_equal_raw_sums_and_dates_are_month_first(shared_data, tmp_path):
    path = shared_data / "azure" / "EA_ActualCost_Small.csv"
    rows = raw(path)
    expected: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        expected[r["ChargeType"]] += Decimal(r["Cost"])
    cache = tmp_path / "c.duckdb"
    report = ingest_paths([str(path)], cache)
    assert [(f.format, f.format_version) for f in report.files] == [("azure", "EA actual")]
    got = dict(loaded(cache, "SELECT x_Extensions->>'ChargeType', sum(BilledCost) FROM costs GROUP BY 1"))
    assert got.keys() == expected.keys() and all(close(got[k], expected[k]) for k in expected)
    # 9/21/2023 is 21 September, read month first; the billing period is September.
    days = {r["Date"] for r in rows}
    assert {d.strftime("%m/%d/%Y") for (d,) in loaded(cache, "SELECT DISTINCT ChargePeriodStart FROM costs")} == days
    assert loaded(cache, "SELECT DISTINCT BillingPeriodStart, BillingPeriodEnd FROM costs") == [
        (datetime(2023, 9, 1), datetime(2023, 10, 1))
    ]
    # The reservation purchase is billed, and amortised away from EffectiveCost (FOCUS).
    assert loaded(
        cache,
        "SELECT ChargeCategory, BilledCost, EffectiveCost FROM costs WHERE CommitmentDiscountType = 'Reservation'",
    ) == [("Purchase", Decimal("3.25"), Decimal("0"))]
    tags = loaded(cache, "SELECT Tags->>'CostCenter', Tags->>'env' FROM costs WHERE Tags IS NOT NULL LIMIT 1")
    assert tags == [("1234", "prod")]  # EA's brace-less tag fragment became a JSON object


def test_ea_amortized_spreads_commitments_so_effective_differs_from_billed(shared_data, tmp_path):
    path = shared_data / "azure" / "EA_AmortizedCost_Small.csv"
    rows = raw(path)
    total = sum(Decimal(r["Cost"]) for r in rows)
    committed = sum(Decimal(r["Cost"]) for r in rows if r["PricingModel"] in ("Reservation", "SavingsPlan"))
    assert committed > 0
    cache = tmp_path / "c.duckdb"
    report = ingest_paths([str(path)], cache)
    assert [f.format_version for f in report.files] == ["EA amortized"]
    billed, effective = loaded(cache, "SELECT sum(BilledCost), sum(EffectiveCost) FROM costs")[0]
    assert close(effective, total)
    assert close(billed, total - committed)  # covered usage is not invoiced; the purchase is
    assert effective != billed
    statuses = loaded(
        cache,
        "SELECT DISTINCT CommitmentDiscountStatus, PricingCategory FROM costs WHERE CommitmentDiscountType IS NOT NULL",
    )
    assert statuses == [("Used", "Committed")]


def test_actual_and_amortized_of_one_month_replace_each_other_never_add_up(shared_data, tmp_path):
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(shared_data / "azure" / "EA_ActualCost_Small.csv")], cache)
    ingest_paths([str(shared_data / "azure" / "EA_AmortizedCost_Small.csv")], cache)
    assert loaded(cache, "SELECT count(*), count(DISTINCT x_DatasetId) FROM costs") == [(28, 1)]
    first = loaded(cache, "SELECT sum(BilledCost), sum(EffectiveCost) FROM costs")
    ingest_paths([str(shared_data / "azure" / "EA_AmortizedCost_Small.csv")], cache)
    assert loaded(cache, "SELECT sum(BilledCost), sum(EffectiveCost) FROM costs") == first


MCA_HEADER = [
    "invoiceId",
    "billingAccountId",
    "billingAccountName",
    "billingPeriodStartDate",
    "billingPeriodEndDate",
    "billingProfileId",
    "billingProfileName",
    "invoiceSectionId",
    "invoiceSectionName",
    "subscriptionId",
    "subscriptionName",
    "date",
    "productOrderName",
    "meterCategory",
    "meterSubCategory",
    "meterName",
    "serviceFamily",
    "quantity",
    "unitOfMeasure",
    "effectivePrice",
    "costInBillingCurrency",
    "billingCurrency",
    "paygCostInBillingCurrency",
    "PayGPrice",
    "unitPrice",
    "resourceLocation",
    "resourceId",
    "resourceName",
    "tags",
    "chargeType",
    "frequency",
    "pricingModel",
    "publisherName",
    "benefitId",
    "benefitName",
]


def test_mca_camel_case_export_loads_with_matching_totals(tmp_path):
    def row(charge, cost, model="OnDemand", day="2026-02-03", **extra):
        base = dict.fromkeys(MCA_HEADER, "")
        base.update(
            invoiceId="G0001",
            billingAccountId="ba-mca:1234",
            billingAccountName="Contoso",
            billingPeriodStartDate="2026-02-01",
            billingPeriodEndDate="2026-02-28",
            billingProfileId="bp-1",
            invoiceSectionId="is-1",
            subscriptionId="sub-1",
            subscriptionName="prod",
            date=day,
            meterCategory="Virtual Machines",
            serviceFamily="Compute",
            quantity="24",
            unitOfMeasure="1 Hour",
            costInBillingCurrency=cost,
            billingCurrency="EUR",
            PayGPrice="0.5",
            unitPrice="0.4",
            resourceLocation="West Europe",
            resourceId="/subscriptions/sub-1/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/VM1",
            tags='{"env": "prod"}',
            chargeType=charge,
            frequency="UsageBased",
            pricingModel=model,
            publisherName="Microsoft",
        )
        base.update(extra)
        return base

    rows = [
        row("Usage", "9.60"),
        row("Usage", "7.20", day="2026-02-04"),
        row("Purchase", "120.00", model="SavingsPlan", frequency="Recurring", benefitId="sp-9"),
        row("Refund", "-1.50"),
        row("Tax", "3.10"),
    ]
    path = tmp_path / "mca.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=MCA_HEADER)
        writer.writeheader()
        writer.writerows(rows)
    cache = tmp_path / "c.duckdb"
    report = ingest_paths([str(path)], cache)
    assert [(f.format, f.format_version) for f in report.files] == [("azure", "MCA actual")]
    got = dict(loaded(cache, "SELECT ChargeCategory, sum(BilledCost) FROM costs GROUP BY 1"))
    assert {k: Decimal(str(v)) for k, v in got.items()} == {
        "Usage": Decimal("16.80"),
        "Purchase": Decimal("120.00"),
        "Credit": Decimal("-1.50"),
        "Tax": Decimal("3.10"),
    }
    assert loaded(cache, "SELECT DISTINCT BillingCurrency, RegionId, ProviderName FROM costs") == [
        ("EUR", "westeurope", "Microsoft")
    ]
    assert loaded(cache, "SELECT DISTINCT ResourceId FROM costs WHERE ChargeCategory = 'Usage'") == [
        ("/subscriptions/sub-1/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm1",)
    ]
    assert loaded(cache, "SELECT ListCost FROM costs WHERE ChargePeriodStart = '2026-02-04'") == [(Decimal("12"),)]
