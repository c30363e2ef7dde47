"""Google Cloud billing export in its three BigQuery shapes (Parquet, NDJSON, dotted CSV) loads with
BilledCost = cost + credits, equal to independent sums over the fixture."""

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


def record(
    n,
    cost,
    cost_type="regular",
    month="202603",
    day=2,
    project="web-prod",
    credits=(),
    labels=(),
    sku="N1 Predefined Instance Core running in Americas",
    resource=None,
):
    rec = {
        "billing_account_id": "01ABCD-234567-89EFGH",
        "service": {"id": "6F81-5844-456A", "description": "Compute Engine"},
        "sku": {"id": f"SKU-{n % 3}", "description": sku},
        "usage_start_time": f"{month[:4]}-{month[4:]}-{day:02d} 00:00:00 UTC",
        "usage_end_time": f"{month[:4]}-{month[4:]}-{day:02d} 01:00:00 UTC",
        "project": {
            "id": project,
            "number": "1234",
            "name": project.replace("-", " ").title(),
            "labels": [{"key": "cost-center", "value": "42"}],
        },
        "labels": [{"key": k, "value": v} for k, v in labels],
        "location": {"location": "us-central1", "country": "US", "region": "us-central1", "zone": "us-central1-a"},
        "cost": cost,
        "currency": "USD",
        "currency_conversion_rate": 1.0,
        "usage": {"amount": 3600.0, "unit": "seconds", "amount_in_pricing_units": 1.0, "pricing_unit": "hour"},
        "credits": [
            {"name": name, "amount": amount, "full_name": name, "id": f"c-{i}", "type": kind}
            for i, (name, amount, kind) in enumerate(credits)
        ],
        "invoice": {"month": month, "publisher_type": "GOOGLE"},
        "cost_type": cost_type,
        "cost_at_list": cost * 1.25,
    }
    if resource:
        rec["resource"] = {"name": resource, "global_name": f"//compute.googleapis.com/projects/{project}/{resource}"}
    return rec


def fixture(detailed=False) -> list[dict]:
    res = (lambda name: name) if detailed else (lambda name: None)
    return [
        record(
            1,
            12.5,
            credits=[("Sustained use discount", -2.5, "SUSTAINED_USAGE_DISCOUNT")],
            labels=[("env", "prod"), ("team", "web")],
            resource=res("instances/vm-1"),
        ),
        record(2, 0.75, credits=[("Free tier", -0.75, "FREE_TIER")], project="data-lab", resource=res("buckets/b")),
        record(
            3,
            30.0,
            day=3,
            credits=[("CUD", -10.0, "COMMITTED_USAGE_DISCOUNT"), ("SUD", -1.25, "SUSTAINED_USAGE_DISCOUNT")],
            resource=res("instances/vm-2"),
        ),
        record(4, 20.0, day=1, sku="Commitment v1: CPU in Americas for 1 Year"),
        record(5, 4.1, cost_type="tax", day=1, sku="Tax"),
        record(6, -1.0, cost_type="adjustment", day=4),
        record(7, 7.0, month="202602", day=27, labels=[("env", "dev")]),
        record(8, 0.0000001, cost_type="rounding_error", day=5),
    ]


def expected(records) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for r in records:
        out[r["cost_type"]] += Decimal(str(r["cost"])) + sum(Decimal(str(c["amount"])) for c in r["credits"])
    return dict(out)


def write_parquet(path, records):
    pq.write_table(pa.Table.from_pylist(records), path)


def write_ndjson(path, records, compress=False):
    text = "\n".join(json.dumps(r) for r in records) + "\n"
    (path.write_bytes(gzip.compress(text.encode())) if compress else path.write_text(text))


def write_dotted_csv(path, records):
    rows = []
    for r in records:
        flat = {}
        for key, value in r.items():
            if isinstance(value, dict):
                for sub, v in value.items():
                    flat[f"{key}.{sub}"] = json.dumps(v) if isinstance(v, list) else v
            elif isinstance(value, list):
                flat[key] = json.dumps(value)
            else:
                flat[key] = value
        rows.append(flat)
    fields = sorted({k for row in rows for k in row})
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def totals(cache) -> dict[str, Decimal]:
    with duckdb.connect(str(cache), read_only=True) as con:
        rows = con.execute("SELECT x_Extensions->>'cost_type', sum(BilledCost) FROM costs GROUP BY 1").fetchall()
    return {k: Decimal(str(v)) for k, v in rows}


@pytest.mark.parametrize("shape", ["parquet", "ndjson", "ndjson.gz", "csv"])
def test_each_shape_loads_cost_plus_credits_per_cost_type(shape, tmp_path):
    records = fixture()
    path = tmp_path / f"billing.{shape.replace('ndjson', 'json')}"
    {
        "parquet": write_parquet,
        "ndjson": write_ndjson,
        "csv": write_dotted_csv,
        "ndjson.gz": lambda p, r: write_ndjson(p, r, compress=True),
    }[shape](path, records)
    cache = tmp_path / "c.duckdb"
    report = ingest_paths([str(path)], cache)
    assert [(f.format, f.format_version) for f in report.files] == [("gcp", "standard")]
    assert totals(cache) == expected(records)
    with duckdb.connect(str(cache), read_only=True) as con:
        slices = con.execute("SELECT DISTINCT x_DatasetId FROM costs ORDER BY 1").fetchall()
        categories = dict(
            con.execute(
                "SELECT x_Extensions->>'cost_type' || '/' || sku, ChargeCategory FROM "
                "(SELECT *, ChargeDescription AS sku FROM costs)"
            ).fetchall()
        )
        tags = con.execute("SELECT Tags FROM costs WHERE BilledCost = 10").fetchall()
        project = con.execute(
            "SELECT DISTINCT SubAccountId, SubAccountName, RegionId, ServiceName FROM costs "
            "WHERE SubAccountId = 'data-lab'"
        ).fetchall()
    assert slices == [
        ("costs:Google Cloud:01ABCD-234567-89EFGH:2026-02",),
        ("costs:Google Cloud:01ABCD-234567-89EFGH:2026-03",),
    ]
    assert categories["regular/Commitment v1: CPU in Americas for 1 Year"] == "Purchase"
    assert categories["tax/Tax"] == "Tax"
    assert {v for k, v in categories.items() if k.startswith("adjustment/")} == {"Credit"}
    assert json.loads(tags[0][0]) == {"env": "prod", "team": "web"}
    assert project == [("data-lab", "Data Lab", "us-central1", "Compute Engine")]
    first = totals(cache)
    ingest_paths([str(path)], cache)
    assert totals(cache) == first


def test_detailed_export_has_resources_and_is_told_apart(tmp_path):
    records = fixture(detailed=True)
    path = tmp_path / "detailed.parquet"
    write_parquet(path, records)
    cache = tmp_path / "c.duckdb"
    report = ingest_paths([str(path)], cache)
    assert report.files[0].format_version == "detailed"
    with duckdb.connect(str(cache), read_only=True) as con:
        rows = con.execute(
            "SELECT ResourceName, ResourceId FROM costs WHERE ResourceId IS NOT NULL ORDER BY 1"
        ).fetchall()
    assert rows[0] == ("buckets/b", "//compute.googleapis.com/projects/data-lab/buckets/b")
    assert len(rows) == 3


def test_a_bad_cost_in_a_dotted_csv_names_file_column_and_row(tmp_path):
    records = fixture()
    path = tmp_path / "billing.csv"
    write_dotted_csv(path, records)
    text = path.read_text().replace("30.0,", "thirty,", 1)
    path.write_text(text)
    with pytest.raises(IngestError, match=r"billing\.csv: column cost, data row 3: 'thirty' is not a number"):
        ingest_paths([str(path)], tmp_path / "c.duckdb")
