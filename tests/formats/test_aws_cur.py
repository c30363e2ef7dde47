"""AWS CUR (legacy CSV) and CUR 2.0 (Parquet with MAP columns, and CSV) load with totals that match
independent sums over the raw files, per line-item type."""

from __future__ import annotations

import csv
import gzip
import json
from collections import defaultdict
from decimal import Decimal

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from finops_tui.errors import IngestError
from finops_tui.sources.ingest import ingest_paths

CATEGORY = {
    "Usage": "Usage",
    "DiscountedUsage": "Usage",
    "SavingsPlanCoveredUsage": "Usage",
    "SavingsPlanNegation": "Usage",
    "Tax": "Tax",
    "Credit": "Credit",
    "Refund": "Credit",
    "RIFee": "Purchase",
    "SavingsPlanRecurringFee": "Purchase",
}


def cache_totals(cache, by="ChargeCategory"):
    with duckdb.connect(str(cache), read_only=True) as con:
        rows = con.execute(
            f"SELECT {by}, count(*), sum(BilledCost), sum(EffectiveCost) FROM costs GROUP BY 1"
        ).fetchall()
    return {r[0]: (r[1], Decimal(str(r[2])), Decimal(str(r[3]))) for r in rows}


def test_legacy_cur_sample_totals_per_line_item_type_equal_raw_sums(shared_data, tmp_path):
    sample = shared_data / "aws_cur" / "sample-anonymous-aws-export-dataset.csv"
    raw: dict[str, list] = defaultdict(lambda: [0, Decimal(0)])
    with open(sample, newline="") as handle:
        for row in csv.DictReader(handle):
            raw[row["lineItem/LineItemType"]][0] += 1
            raw[row["lineItem/LineItemType"]][1] += Decimal(row["lineItem/UnblendedCost"] or "0")
    cache = tmp_path / "c.duckdb"
    report = ingest_paths([str(sample)], cache)
    assert [(f.format, f.format_version) for f in report.files] == [("aws-cur", "legacy")]
    with duckdb.connect(str(cache), read_only=True) as con:
        got = dict(
            (
                (t, (n, Decimal(str(s))))
                for t, n, s in con.execute(
                    "SELECT x_Extensions->>'lineItem/LineItemType', count(*), sum(BilledCost) FROM costs GROUP BY 1"
                ).fetchall()
            )
        )
        provider, account, period = con.execute(
            "SELECT DISTINCT ProviderName, BillingAccountId, strftime(BillingPeriodStart, '%Y-%m') FROM costs"
        ).fetchall()[0]
    assert got == {t: (n, s) for t, (n, s) in raw.items()}
    assert sum(s for _, s in got.values()) == sum(s for _, s in raw.values())  # the invoice total
    assert (provider, account, period) == ("AWS", "123412340534", "2023-11")
    first = cache_totals(cache)
    ingest_paths([str(sample)], cache)
    assert cache_totals(cache) == first


CUR2_COLUMNS = [
    "identity_line_item_id",
    "bill_payer_account_id",
    "bill_billing_period_start_date",
    "bill_billing_period_end_date",
    "line_item_usage_account_id",
    "line_item_line_item_type",
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_product_code",
    "line_item_usage_type",
    "line_item_resource_id",
    "line_item_currency_code",
    "line_item_usage_amount",
    "line_item_unblended_cost",
    "line_item_net_unblended_cost",
    "pricing_public_on_demand_cost",
    "pricing_term",
    "pricing_unit",
    "product_region_code",
    "product_servicecode",
    "reservation_reservation_a_r_n",
    "reservation_effective_cost",
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_recurring_fee",
    "savings_plan_savings_plan_a_r_n",
    "savings_plan_savings_plan_effective_cost",
    "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment",
]


def cur2_rows() -> list[dict]:
    """One month of a payer account: on-demand, RI and Savings Plan usage with their fees, tax, credit, refund."""
    base = {c: None for c in CUR2_COLUMNS}
    ri, sp = "arn:aws:ec2:us-east-1:1:reserved-instances/r-1", "arn:aws:savingsplans::1:savingsplan/sp-1"

    def row(n, kind, cost, day=2, **extra):
        return {
            **base,
            "identity_line_item_id": f"li-{n}",
            "bill_payer_account_id": "999988887777",
            "bill_billing_period_start_date": "2026-03-01T00:00:00Z",
            "bill_billing_period_end_date": "2026-04-01T00:00:00Z",
            "line_item_usage_account_id": "111122223333",
            "line_item_line_item_type": kind,
            "line_item_usage_start_date": f"2026-03-{day:02d}T00:00:00Z",
            "line_item_usage_end_date": f"2026-03-{day:02d}T01:00:00Z",
            "line_item_product_code": "AmazonEC2",
            "line_item_currency_code": "USD",
            "line_item_unblended_cost": cost,
            "product_region_code": "us-east-1",
            "line_item_usage_type": "BoxUsage:m5.large",
            "pricing_unit": "Hrs",
            "line_item_usage_amount": "1",
            **extra,
        }

    return [
        row(
            1,
            "Usage",
            "0.096",
            pricing_term="OnDemand",
            pricing_public_on_demand_cost="0.096",
            line_item_resource_id="i-0abc",
        ),
        row(
            2,
            "Usage",
            "0.0416",
            day=3,
            line_item_usage_type="SpotUsage:m5.large",
            pricing_term="",
            line_item_resource_id="i-0spot",
        ),
        row(
            3,
            "DiscountedUsage",
            "0",
            pricing_term="Reserved",
            reservation_reservation_a_r_n=ri,
            reservation_effective_cost="0.0604",
            pricing_public_on_demand_cost="0.096",
            line_item_resource_id="i-0ri",
        ),
        row(
            4,
            "RIFee",
            "43.80",
            day=1,
            reservation_reservation_a_r_n=ri,
            reservation_unused_amortized_upfront_fee_for_billing_period="5.10",
            reservation_unused_recurring_fee="2.40",
        ),
        row(
            5,
            "SavingsPlanCoveredUsage",
            "0.096",
            savings_plan_savings_plan_a_r_n=sp,
            savings_plan_savings_plan_effective_cost="0.071",
            line_item_resource_id="i-0sp",
        ),
        row(6, "SavingsPlanNegation", "-0.096", savings_plan_savings_plan_a_r_n=sp),
        row(
            7,
            "SavingsPlanRecurringFee",
            "52.56",
            day=1,
            savings_plan_savings_plan_a_r_n=sp,
            savings_plan_total_commitment_to_date="52.56",
            savings_plan_used_commitment="49.90",
        ),
        row(8, "Tax", "9.25", day=1, line_item_product_code="AWSSupportBusiness"),
        row(9, "Credit", "-10.00", day=1),
        row(10, "Refund", "-3.50", day=1),
    ]


def expected_by_category(rows: list[dict]) -> dict[str, tuple[int, Decimal, Decimal]]:
    """The amortisation rule of docs/formats/aws-cur.md, applied in Python to the raw rows."""
    d = lambda v: Decimal(v or "0")  # noqa: E731
    out: dict[str, list] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for r in rows:
        kind, billed = r["line_item_line_item_type"], d(r["line_item_unblended_cost"])
        effective = {
            "SavingsPlanCoveredUsage": d(r["savings_plan_savings_plan_effective_cost"]),
            "SavingsPlanRecurringFee": d(r["savings_plan_total_commitment_to_date"])
            - d(r["savings_plan_used_commitment"]),
            "SavingsPlanNegation": Decimal(0),
            "DiscountedUsage": d(r["reservation_effective_cost"]),
            "RIFee": d(r["reservation_unused_amortized_upfront_fee_for_billing_period"])
            + d(r["reservation_unused_recurring_fee"]),
        }.get(kind, billed)
        slot = out[CATEGORY[kind]]
        slot[0] += 1
        slot[1] += billed
        slot[2] += effective
    return {k: tuple(v) for k, v in out.items()}


def write_cur2_parquet(path, rows):
    typed = []
    for r in rows:
        t = dict(r)
        for c in CUR2_COLUMNS:
            if (
                c.endswith(("_cost", "_amount", "_fee", "_to_date", "_commitment", "_billing_period"))
                and t[c] is not None
            ):
                t[c] = float(t[c])
        typed.append(t)
    table = pa.Table.from_pylist(typed)
    maps = pa.map_(pa.string(), pa.string())
    table = table.append_column(
        "resource_tags",
        pa.array(
            [[("user_team", "web"), ("user_env", "prod")] if r["line_item_resource_id"] else None for r in rows], maps
        ),
    )
    table = table.append_column(
        "product",
        pa.array([[("product_name", "Amazon Elastic Compute Cloud"), ("region", "us-east-1")] for _ in rows], maps),
    )
    table = table.append_column("cost_category", pa.array([[("team", "platform")] for _ in rows], maps))
    pq.write_table(table, path)


def test_cur2_parquet_with_map_columns_amortises_commitments_per_the_rules(tmp_path):
    rows = cur2_rows()
    path = tmp_path / "data" / "BILLING_PERIOD=2026-03" / "cur2-00001.snappy.parquet"
    path.parent.mkdir(parents=True)
    write_cur2_parquet(path, rows)
    cache = tmp_path / "c.duckdb"
    report = ingest_paths([str(tmp_path / "data")], cache)
    assert [(f.format, f.format_version) for f in report.files] == [("aws-cur2", "2.0")]
    assert cache_totals(cache) == expected_by_category(rows)
    with duckdb.connect(str(cache), read_only=True) as con:
        tags = con.execute("SELECT Tags::VARCHAR FROM costs WHERE ResourceId = 'i-0abc'").fetchall()[0][0]
        service, pricing = con.execute(
            "SELECT ServiceName, list(DISTINCT PricingCategory ORDER BY PricingCategory) "
            "FROM costs WHERE ChargeCategory = 'Usage' GROUP BY 1"
        ).fetchall()[0]
        refund = con.execute("SELECT ChargeCategory, ChargeClass FROM costs WHERE BilledCost = -3.5").fetchall()
        commitment = con.execute(
            "SELECT DISTINCT CommitmentDiscountType FROM costs WHERE ResourceId = 'i-0ri'"
        ).fetchall()
        ext = con.execute("SELECT x_Extensions->>'cost_category' FROM costs LIMIT 1").fetchall()[0][0]
    assert json.loads(tags) == {"user_team": "web", "user_env": "prod"}
    assert service == "Amazon Elastic Compute Cloud"  # read from the product MAP
    assert pricing == ["Committed", "Dynamic", "Standard"]
    assert refund == [("Credit", "Correction")]
    assert commitment == [("Reserved Instance",)]
    assert json.loads(ext) == {"team": "platform"}


def test_cur2_csv_gives_the_same_totals_as_parquet(tmp_path):
    rows = cur2_rows()
    path = tmp_path / "cur2.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*CUR2_COLUMNS, "resource_tags", "product"])
        writer.writeheader()
        for r in rows:
            writer.writerow(
                {
                    **{k: ("" if v is None else v) for k, v in r.items()},
                    "resource_tags": json.dumps({"user_team": "web"}) if r["line_item_resource_id"] else "",
                    "product": json.dumps({"product_name": "Amazon Elastic Compute Cloud"}),
                }
            )
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(path)], cache)
    assert cache_totals(cache) == expected_by_category(rows)
    with duckdb.connect(str(cache), read_only=True) as con:
        assert con.execute("SELECT DISTINCT ServiceName FROM costs WHERE ChargeCategory = 'Usage'").fetchall() == [
            ("Amazon Elastic Compute Cloud",)
        ]


LEGACY_HEADER = (
    "identity/LineItemId,bill/PayerAccountId,bill/BillingPeriodStartDate,bill/BillingPeriodEndDate,"
    "lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,"
    "lineItem/ProductCode,lineItem/CurrencyCode,lineItem/UnblendedCost,resourceTags/user:team"
)


def _legacy_part(path, first_id, costs):
    lines = [LEGACY_HEADER] + [
        f"id{first_id + i},1,2026-03-01T00:00:00Z,2026-04-01T00:00:00Z,2,Usage,2026-03-0{i + 1}T00:00:00Z,"
        f"2026-03-0{i + 1}T01:00:00Z,AmazonS3,USD,{c},{'data' if i % 2 else ''}"
        for i, c in enumerate(costs)
    ]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))


def test_legacy_cur_split_into_numbered_gzip_files_loads_as_one_month(tmp_path):
    folder = tmp_path / "report" / "20260301-20260401" / "assembly-1"
    folder.mkdir(parents=True)
    _legacy_part(folder / "report-1.csv.gz", 0, ["1.10", "2.20"])
    _legacy_part(folder / "report-2.csv.gz", 10, ["3.30"])
    cache = tmp_path / "c.duckdb"
    report = ingest_paths([str(tmp_path / "report")], cache)
    assert len(report.files) == 2 and report.summary.datasets == ["costs:AWS:1:2026-03"]
    assert cache_totals(cache) == {"Usage": (3, Decimal("6.60"), Decimal("6.60"))}
    with duckdb.connect(str(cache), read_only=True) as con:
        tags = con.execute(
            "SELECT count(*) FILTER (WHERE Tags->>'user:team' = 'data'), count(Tags) FROM costs"
        ).fetchall()
    assert tags == [(1, 1)]


def test_a_bad_cost_in_a_cur_names_the_file_column_and_row(tmp_path):
    path = tmp_path / "report-1.csv.gz"
    _legacy_part(path, 0, ["1.10", "one dollar"])
    with pytest.raises(
        IngestError,
        match=r"report-1\.csv\.gz: column lineItem/UnblendedCost, data row 2: "
        r"'one dollar' is not a number",
    ):
        ingest_paths([str(path)], tmp_path / "c.duckdb")
