"""OCI cost reports: totals, one-column-per-tag tags, corrections, detection, bad values."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import duckdb
import pytest

from finops_tui.errors import IngestError
from finops_tui.sources.ingest import ingest_paths

HEADER = [
    "lineItem/referenceNo",
    "lineItem/tenantId",
    "lineItem/intervalUsageStart",
    "lineItem/intervalUsageEnd",
    "product/service",
    "product/resource",
    "product/compartmentId",
    "product/compartmentName",
    "product/region",
    "product/availabilityDomain",
    "product/resourceId",
    "usage/billedQuantity",
    "usage/billedQuantityOverage",
    "cost/subscriptionId",
    "cost/productSku",
    "product/Description",
    "cost/unitPrice",
    "cost/unitPriceOverage",
    "cost/myCost",
    "cost/myCostOverage",
    "cost/currencyCode",
    "cost/billingUnitReadable",
    "cost/skuUnitDescription",
    "cost/overageFlag",
    "lineItem/isCorrection",
    "lineItem/backreferenceNo",
    "tags/Oracle-Tags.CreatedBy",
    "tags/Oracle-Tags.CreatedOn",
    "tags/team",
]


def rows():
    def row(ref, cost, hour, service="COMPUTE", correction="", back="", team="web"):
        return {
            "lineItem/referenceNo": ref,
            "lineItem/tenantId": "ocid1.tenancy.oc1..aaaa",
            "lineItem/intervalUsageStart": f"2026-04-0{hour // 24 + 1}T{hour % 24:02d}:00Z",
            "lineItem/intervalUsageEnd": f"2026-04-0{hour // 24 + 1}T{hour % 24:02d}:59Z",
            "product/service": service,
            "product/resource": "PIC_COMPUTE_STANDARD_E4",
            "product/compartmentId": "ocid1.compartment.oc1..bbbb",
            "product/compartmentName": "prod",
            "product/region": "eu-frankfurt-1",
            "product/availabilityDomain": "AD-1",
            "product/resourceId": f"ocid1.instance.oc1.eu-frankfurt-1.{ref}",
            "usage/billedQuantity": "1",
            "usage/billedQuantityOverage": "0",
            "cost/subscriptionId": "123",
            "cost/productSku": "B93113",
            "product/Description": "Compute - Standard - E4 - OCPU",
            "cost/unitPrice": cost,
            "cost/unitPriceOverage": "0",
            "cost/myCost": cost,
            "cost/myCostOverage": "0",
            "cost/currencyCode": "EUR",
            "cost/billingUnitReadable": "OCPU Per Hour",
            "cost/skuUnitDescription": "OCPU Per Hour",
            "cost/overageFlag": "N",
            "lineItem/isCorrection": correction,
            "lineItem/backreferenceNo": back,
            "tags/Oracle-Tags.CreatedBy": "ops@example.com",
            "tags/Oracle-Tags.CreatedOn": "2026-01-01",
            "tags/team": team,
        }

    return [
        row("r1", "0.025", 0),
        row("r2", "0.025", 1),
        row("r3", "0.5", 25, service="BLOCK_STORAGE", team=""),
        row("r4", "-0.025", 2, correction="true", back="r1"),
    ]


def write(path, data):
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(data)
    return path


def test_oci_cost_report_totals_tags_and_corrections(tmp_path):
    data = rows()
    path = write(tmp_path / "reports_cost-csv_0001000000123456.csv", data)
    cache = tmp_path / "c.duckdb"
    report = ingest_paths([str(path)], cache)
    assert [(f.format, f.format_version) for f in report.files] == [("oci", "cost report")]
    assert report.warnings == []
    with duckdb.connect(str(cache), read_only=True) as con:
        by_service = dict(con.execute("SELECT ServiceName, sum(BilledCost) FROM costs GROUP BY 1").fetchall())
        corrections = con.execute(
            "SELECT ChargeCategory, ChargeClass, BilledCost FROM costs WHERE ChargeClass IS NOT NULL"
        ).fetchall()
        tags = [json.loads(t) for (t,) in con.execute("SELECT Tags FROM costs ORDER BY ChargePeriodStart").fetchall()]
        meta = con.execute(
            "SELECT DISTINCT ProviderName, BillingAccountId, SubAccountName, BillingCurrency, "
            "strftime(BillingPeriodStart, '%Y-%m') FROM costs"
        ).fetchall()
    raw = {}
    for r in data:
        raw[r["product/service"]] = raw.get(r["product/service"], Decimal(0)) + Decimal(r["cost/myCost"])
    assert {k: Decimal(str(v)) for k, v in by_service.items()} == raw
    assert corrections == [("Usage", "Correction", Decimal("-0.025"))]
    assert tags[0] == {"Oracle-Tags.CreatedBy": "ops@example.com", "Oracle-Tags.CreatedOn": "2026-01-01", "team": "web"}
    assert "team" not in tags[-1]  # a blank tag value is no tag
    assert meta == [("Oracle", "ocid1.tenancy.oc1..aaaa", "prod", "EUR", "2026-04")]
    first = by_service
    ingest_paths([str(path)], cache)
    with duckdb.connect(str(cache), read_only=True) as con:
        assert dict(con.execute("SELECT ServiceName, sum(BilledCost) FROM costs GROUP BY 1").fetchall()) == first


def test_a_bad_oci_cost_names_file_column_and_row(tmp_path):
    data = rows()
    data[2]["cost/myCost"] = "n/a"
    path = write(tmp_path / "oci.csv", data)
    with pytest.raises(IngestError, match=r"oci\.csv: column cost/myCost, data row 3: 'n/a' is not a number"):
        ingest_paths([str(path)], tmp_path / "c.duckdb")
