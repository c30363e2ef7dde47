"""The optimization rules that need billing rows only, on a hand-made FOCUS export: each fires on its
positive case and stays silent on its near-miss; savings come from the resource's own cost."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from finops_tui.cache import dataset_writes, files, optimization_writes
from finops_tui.config import RuleThresholds
from finops_tui.sources.ingest import ingest_paths

COLUMNS = (
    "BilledCost", "EffectiveCost", "BillingCurrency", "ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart",
    "ProviderName", "BillingAccountId", "SubAccountId", "ServiceName", "ServiceCategory", "RegionId", "ResourceId",
    "ChargeDescription", "ChargeCategory", "ConsumedUnit", "Tags",
)  # fmt: skip
FIRST, LAST = date(2026, 10, 1), date(2026, 11, 10)  # a full October, then November 1-10
TEAM = {"team": "web"}
GP2 = "$0.10 per GB-month of General Purpose SSD (gp2) provisioned storage - US East (Northern Virginia)"
GP3 = "$0.08 per GB-month of General Purpose SSD (gp3) provisioned storage - US East (Northern Virginia)"
NAT_HOURS, NAT_BYTES = "$0.045 per NAT Gateway Hour", "$0.045 per GB Data Processed by NAT Gateways"
EC2 = "Amazon Elastic Compute Cloud"


def rows(resource: str, per_day: float, description: str, *, days: int | None = None, tags: dict | None = TEAM,
         account: str = "111", currency: str = "USD", unit: str = "Hours") -> list[dict[str, object]]:  # fmt: skip
    """One charge a day for `resource`, the last `days` days up to LAST (default: every day from FIRST)."""
    start = LAST - timedelta(days=days - 1) if days else FIRST
    out = []
    for n in range((LAST - start).days + 1):
        day = start + timedelta(days=n)
        out.append(
            {
                "BilledCost": per_day, "EffectiveCost": per_day, "BillingCurrency": currency,
                "ChargePeriodStart": f"{day}T00:00:00Z", "ChargePeriodEnd": f"{day + timedelta(days=1)}T00:00:00Z",
                "BillingPeriodStart": f"{day.replace(day=1)}T00:00:00Z", "ProviderName": "AWS",
                "BillingAccountId": "payer", "SubAccountId": account, "ServiceName": EC2, "ServiceCategory": "Compute",
                "RegionId": "us-east-1", "ResourceId": resource, "ChargeDescription": description,
                "ChargeCategory": "Usage", "ConsumedUnit": unit, "Tags": json.dumps(tags) if tags else "",
            }
        )  # fmt: skip
    return out


def export(path: Path, *groups: list[dict[str, object]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS)
        writer.writeheader()
        for group in groups:
            writer.writerows(group)
    return path


SAMPLE = (
    rows("vol-gp2", 1.0, GP2, unit="GB-Mo"),
    rows("vol-gp3", 1.0, GP3, unit="GB-Mo"),
    rows("vol-eur", 2.0, GP2, currency="EUR", account="999", unit="GB-Mo"),
    rows("i-m4", 2.4, "$0.10 per On Demand Linux m4.large Instance Hour"),
    rows("i-m5", 2.4, "$0.096 per On Demand Linux m5.large Instance Hour"),
    rows("nat-idle", 1.08, NAT_HOURS),
    rows("nat-busy", 1.08, NAT_HOURS) + rows("nat-busy", 0.5, NAT_BYTES, unit="GB"),
    rows("eipalloc-idle", 0.12, "$0.005 per Elastic IP address not attached to a running instance per hour"),
    rows("eipalloc-used", 0.12, "$0.005 per In-use public IPv4 address per hour"),
    rows("i-staging", 2.4, "$0.10 per On Demand Linux m5.large Instance Hour", tags={"env": "staging"}),
    rows("i-prod", 2.4, "$0.10 per On Demand Linux m5.large Instance Hour", tags={"env": "prod"}),
    rows(
        "i-staging-new",
        2.4,
        "$0.10 per On Demand Linux m5.large Instance Hour",
        tags={"Env": "x", "env": "dev"},
        days=20,
    ),  # fmt: skip
    rows("i-untagged", 1.5, "$0.10 per On Demand Linux m5.large Instance Hour", tags=None, account="222"),
    rows("i-untagged-small", 0.5, "$0.10 per On Demand Linux m5.large Instance Hour", tags=None, account="333"),
)


def found(cache: Path) -> dict[str, dict[str, object]]:
    with duckdb.connect(str(cache), read_only=True) as con:
        cursor = con.execute("SELECT * FROM optimizations WHERE origin = 'computed'")
        names = [d[0] for d in cursor.description]
        return {r["optimization_id"]: r for r in (dict(zip(names, row, strict=True)) for row in cursor.fetchall())}


@pytest.fixture(scope="module")
def billed(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("billing-rules")
    cache = root / "c.duckdb"
    ingest_paths([str(export(root / "focus.csv", *SAMPLE))], cache)
    return cache


def test_gp2_storage_in_the_bill_saves_a_fifth_of_its_own_cost_scaled_to_a_month(billed):
    recs = found(billed)
    gp2 = recs["billed-gp2:vol-gp2"]
    # November holds days 1-10 at 1.00 a day: 30.00 a month, of which gp3 saves 20%.
    assert float(gp2["estimated_savings"]) == pytest.approx(6.00) and gp2["currency"] == "USD"
    assert "Nov 2026 days 1–10, scaled to 30 days" in gp2["savings_basis"]
    assert gp2["action"] == "aws ec2 modify-volume --volume-id vol-gp2 --volume-type gp3 --region us-east-1"
    assert json.loads(gp2["evidence"])["billed_as"] == GP2
    assert gp2["risk_level"] == "low" and gp2["confidence_score"] == pytest.approx(0.85)
    assert float(recs["billed-gp2:vol-eur"]["estimated_savings"]) == pytest.approx(12.00)
    assert recs["billed-gp2:vol-eur"]["currency"] == "EUR"  # never converted, never summed with USD
    assert not any(k.endswith(":vol-gp3") for k in recs)


def test_previous_generation_instance_in_the_bill_names_its_successor(billed):
    recs = found(billed)
    m4 = recs["billed-previous-generation:i-m4"]
    assert float(m4["estimated_savings"]) == pytest.approx(72.0 * 0.04)
    assert "Value=m5.large" in m4["action"] and "m4→m5" in m4["savings_basis"]
    assert "billed-previous-generation:i-m5" not in recs


def test_nat_gateway_billed_for_hours_without_data_is_idle_but_one_moving_data_is_not(billed):
    recs = found(billed)
    assert float(recs["billed-idle-nat-gateway:nat-idle"]["estimated_savings"]) == pytest.approx(1.08 * 30)
    assert "billed-idle-nat-gateway:nat-busy" not in recs


def test_idle_elastic_ip_charge_fires_and_an_in_use_address_does_not(billed):
    recs = found(billed)
    assert float(recs["billed-idle-address:eipalloc-idle"]["estimated_savings"]) == pytest.approx(3.6)
    assert "billed-idle-address:eipalloc-used" not in recs


def test_non_production_compute_billed_every_day_is_worth_scheduling(billed):
    recs = found(billed)
    staging = recs["nonprod-always-on:i-staging"]
    # 28 days at 2.40, scaled to 30 days, running 60 of 168 hours a week.
    assert float(staging["estimated_savings"]) == pytest.approx(72.0 * (1 - 60 / 168), abs=0.01)
    assert json.loads(staging["evidence"])["environment"] == "staging"
    assert "nonprod-always-on:i-prod" not in recs  # production
    assert "nonprod-always-on:i-staging-new" not in recs  # billed 20 days only


def test_untagged_spend_is_reported_per_account_and_service_above_the_threshold(billed):
    recs = found(billed)
    untagged = recs[f"untagged-spend:222/{EC2}"]
    evidence = json.loads(untagged["evidence"])
    assert evidence["untagged_cost"] == pytest.approx(15.0) and evidence["largest"] == ["i-untagged"]
    assert untagged["estimated_savings"] is None and untagged["savings_basis"].startswith("not a saving")
    assert not any(k.startswith("untagged-spend:333/") for k in recs)  # 5.00 a month, under 10
    assert not any(k.startswith("untagged-spend:111/") for k in recs)  # everything there is tagged


def test_rules_leave_provenance_and_keep_ids_and_first_detection_across_reingest(billed, tmp_path):
    cache = tmp_path / "again.duckdb"
    files.copy_private(billed, cache)
    first = found(cache)
    ingest_paths([str(export(tmp_path / "focus.csv", *SAMPLE))], cache)
    again = found(cache)
    assert sorted(again) == sorted(first)
    assert all(again[k]["detected_at"] == first[k]["detected_at"] for k in first)
    with duckdb.connect(str(cache), read_only=True) as con:
        source_kind, source, through = con.execute(
            "SELECT source_kind, source, data_through FROM datasets WHERE kind = 'optimizations'"
        ).fetchall()[0]
    assert source_kind == "COMPUTED" and "cost rows through 2026-11-10" in source
    assert through == datetime(2026, 11, 10)


def test_an_inventory_resource_is_judged_by_its_inventory_rule_with_its_own_cost(billed, tmp_path):
    cache = tmp_path / "inv.duckdb"
    files.copy_private(billed, cache)
    resources = pa.table(
        {
            "resource_id": ["vol-gp2"],
            "resource_type": ["Volume gp2 300 GiB"],
            "service_name": ["Amazon Elastic Block Store"],
            "provider_name": ["AWS"],
            "region_id": ["us-east-1"],
            "sub_account_id": ["111"],
            "state": ["available"],
            "observed_at": [datetime(2026, 11, 10)],
        }
    )
    with files.write_session(cache) as con:
        dataset_writes.replace_dataset(con, "resources", "resources:aws:111", resources, source_kind="API", source="t")
        optimization_writes.write_local_optimizations(con, RuleThresholds())
    recs = found(cache)
    assert "billed-gp2:vol-gp2" not in recs  # inventory lists it: its inventory rules speak for it
    assert float(recs["unattached-ebs:vol-gp2"]["estimated_savings"]) == pytest.approx(30.0)
    assert float(recs["gp2-to-gp3:vol-gp2"]["estimated_savings"]) == pytest.approx(6.0)
    assert "list price" not in recs["unattached-ebs:vol-gp2"]["savings_basis"]


def test_thresholds_from_config_change_what_fires(billed, tmp_path):
    cache = tmp_path / "strict.duckdb"
    files.copy_private(billed, cache)
    with files.write_session(cache) as con:
        optimization_writes.write_local_optimizations(con, RuleThresholds(untagged_min_monthly_cost=20.0))
    assert not any(k.startswith("untagged-spend:") for k in found(cache))


def test_a_cost_load_commits_its_recommendations_with_its_rows_and_a_failed_one_neither(billed, tmp_path):
    from finops_tui.cache.cost_load import CostLoad

    cache = tmp_path / "load.duckdb"
    files.copy_private(billed, cache)
    before = found(cache)
    extra = export(tmp_path / "extra.csv", rows("vol-new", 5.0, GP2, unit="GB-Mo", days=5))
    with pytest.raises(RuntimeError), files.write_session(cache) as con, CostLoad(con, "FILE", "failing") as load:
        load.append(f"SELECT * FROM read_csv('{extra}', header=true)")
        raise RuntimeError("the source failed after appending")
    assert found(cache) == before
    ingest_paths([str(extra)], cache)  # a load that finishes: its rows and what the rules make of them, together
    # 25.00 over Nov 6-10, scaled by the 10 days the cache holds of November: conservative for a new volume
    assert float(found(cache)["billed-gp2:vol-new"]["estimated_savings"]) == pytest.approx(25.0 * 30 / 10 * 0.2)
