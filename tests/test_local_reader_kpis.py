"""KPIs on a hand-made fixture whose answers are worked out by hand below."""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa
import pytest

from finops_tui.cache import dataset_writes, files
from finops_tui.cache.local_reader import LocalCache
from finops_tui.sources.ingest import ingest_paths

HEADER = (
    "BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,BillingPeriodStart,"
    "ProviderName,BillingAccountId,SubAccountId,ServiceName,RegionId,ResourceId"
)
ROWS = [
    # February 2025 (28 days)
    "100,90,USD,2025-02-03T00:00:00Z,2025-02-04T00:00:00Z,2025-02-01T00:00:00Z,AWS,p,a1,EC2,us-east-1,i-1",
    "50,50,USD,2025-02-10T00:00:00Z,2025-02-11T00:00:00Z,2025-02-01T00:00:00Z,AWS,p,a1,S3,us-east-1,b-1",
    "30,30,USD,2025-02-20T00:00:00Z,2025-02-21T00:00:00Z,2025-02-01T00:00:00Z,AWS,p,a2,EC2,eu-west-1,i-2",
    # March 2025, up to the 15th
    "200,180,USD,2025-03-01T00:00:00Z,2025-03-02T00:00:00Z,2025-03-01T00:00:00Z,AWS,p,a1,EC2,us-east-1,i-1",
    "20,20,USD,2025-03-05T00:00:00Z,2025-03-06T00:00:00Z,2025-03-01T00:00:00Z,AWS,p,a1,S3,us-east-1,b-1",
    "10,10,USD,2025-03-15T00:00:00Z,2025-03-16T00:00:00Z,2025-03-01T00:00:00Z,AWS,p,a2,EC2,eu-west-1,i-2",
    # a EUR row that must never be added to USD
    "999,999,EUR,2025-03-10T00:00:00Z,2025-03-11T00:00:00Z,2025-03-01T00:00:00Z,AWS,p,a3,EC2,eu-west-1,i-3",
]


@pytest.fixture
def reader(tmp_path):
    src = tmp_path / "f.csv"
    src.write_text(HEADER + "\n" + "\n".join(ROWS) + "\n")
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(src)], cache)
    with files.write_session(cache) as con:
        dataset_writes.replace_dataset(
            con,
            "budgets",
            "budgets:test",
            pa.table(
                {
                    "budget_id": ["all", "ec2", "s3"],
                    "budget_name": ["All", "EC2", "S3"],
                    "time_unit": ["MONTHLY"] * 3,
                    "budget_amount": [1000.0, 250.0, 30.0],
                    "currency": ["USD"] * 3,
                    "filter_dimension": [None, "ServiceName", "ServiceName"],
                    "filter_values": pa.array([None, ["EC2"], ["S3"]], pa.list_(pa.string())),
                }
            ),
            source_kind="FILE",
            source="test",
        )
    r = LocalCache(cache, clock=lambda: datetime(2025, 3, 15, 12))
    yield r
    r.close()


def test_month_to_date_previous_same_days_last_month_and_forecast(reader):
    k = reader.kpis("USD", "BilledCost")
    assert k.as_of == date(2025, 3, 15)
    assert k.month_to_date == 200 + 20 + 10  # March 1-15, USD only
    assert k.previous_month_same_days == 100 + 50  # February 1-15 (the 20th is outside)
    assert k.last_full_month == 100 + 50 + 30
    assert k.forecast == pytest.approx(230 / 15 * 31)
    assert reader.kpis("USD", "EffectiveCost").month_to_date == 180 + 20 + 10


def test_currencies_are_listed_and_never_mixed(reader):
    assert set(reader.currencies()) == {"USD", "EUR"}
    assert reader.kpis("EUR", "BilledCost").month_to_date == 999


def test_daily_costs_fill_missing_days_with_zero(reader):
    points = reader.daily_costs("USD", "BilledCost", 15)
    assert len(points) == 15 and points[0].day == date(2025, 3, 1) and points[-1].day == date(2025, 3, 15)
    assert [p.cost for p in points if p.cost] == [200, 20, 10]
    assert sum(1 for p in points if p.cost == 0) == 12


def test_top_services_with_deltas(reader):
    rows = {r["name"]: r for r in reader.top_movers("service", "USD", "BilledCost", None).to_pylist()}
    assert rows["EC2"]["month_to_date"] == 210 and rows["EC2"]["previous_same_days"] == 100
    assert rows["EC2"]["delta"] == 110 and rows["EC2"]["delta_pct"] == pytest.approx(110.0)
    assert rows["S3"]["delta"] == -30


def test_resources_this_month_and_last_month(reader):
    rows = {r["resource_id"]: r for r in reader.resources("USD", "BilledCost").to_pylist()}
    assert rows["i-1"]["this_month"] == 200 and rows["i-1"]["last_month"] == 100
    assert rows["i-2"]["this_month"] == 10 and rows["i-2"]["last_month"] == 30
    assert "i-3" not in rows  # EUR


def test_budgets_actual_used_and_status(reader):
    rows = {r["budget_id"]: r for r in reader.budgets("BilledCost").to_pylist()}
    assert rows["all"]["actual"] == 230 and rows["all"]["status"] == "OK"  # forecast 475.3 < 1000
    assert rows["ec2"]["actual"] == 210 and rows["ec2"]["used_pct"] == 84.0
    assert rows["ec2"]["status"] == "AT RISK"  # forecast 210/15*31 = 434 > 250
    assert rows["s3"]["actual"] == 20 and rows["s3"]["status"] == "AT RISK"  # 41.3 > 30
