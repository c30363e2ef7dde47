"""The inventory optimization rules on resources created in moto (a real HTTP server) and collected by
`finops-tui refresh`: each rule fires on its positive case and stays silent on its near-miss."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import duckdb
import pytest

from finops_tui.cache import dataset_writes, files, optimization_writes
from finops_tui.config import RuleThresholds
from finops_tui.sources.aws import inventory
from finops_tui.sources.aws.refresh import run_refresh
from tests.aws.conftest import options

REGION = "us-east-1"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def put(namespace: str, metric: str, dimension: str, key: str, values: list[float]) -> None:
    """Daily datapoints over the last days (CloudWatch is asked for the 14 days before now)."""
    boto3.client("cloudwatch", region_name=REGION).put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": metric,
                "Value": v,
                "Timestamp": _now() - timedelta(days=n + 1),
                "Dimensions": [{"Name": dimension, "Value": key}],
            }
            for n, v in enumerate(values)
        ],
    )


def instance(ec2, kind: str) -> str:
    return ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, InstanceType=kind)["Instances"][0][
        "InstanceId"
    ]


@pytest.fixture
def estate(seeded) -> dict[str, str]:
    """One positive case and one near-miss per inventory rule, in us-east-1."""
    ec2 = boto3.client("ec2", region_name=REGION)
    ids = {
        "idle": instance(ec2, "m5.large"),
        "busy": instance(ec2, "m5.large"),
        "stopped": instance(ec2, "m5.large"),
        "old_type": instance(ec2, "m4.large"),
    }
    put("AWS/EC2", "CPUUtilization", "InstanceId", ids["idle"], [1.0, 2.0, 1.5])
    put("AWS/EC2", "CPUUtilization", "InstanceId", ids["busy"], [2.0, 6.0, 1.0])  # max 6%: above 5%
    put("AWS/EC2", "CPUUtilization", "InstanceId", ids["old_type"], [40.0, 60.0])
    ec2.stop_instances(InstanceIds=[ids["stopped"]])
    ids["loose_gp3"] = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=20, VolumeType="gp3")["VolumeId"]
    ids["free_ip"] = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ids["used_ip"] = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=ids["used_ip"], InstanceId=ids["busy"])
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"{REGION}{az}")["Subnet"]["SubnetId"]
        for n, az in ((1, "a"), (2, "b"))
    ]
    for name, sent in (("idle_nat", [0.0, 0.0]), ("busy_nat", [0.0, 1000.0])):
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        ids[name] = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=allocation)["NatGateway"]["NatGatewayId"]
        put("AWS/NATGateway", "BytesOutToDestination", "NatGatewayId", ids[name], sent)
    elb = boto3.client("elbv2", region_name=REGION)
    for name, kind, metric, values in (
        ("idle-alb", "application", ("AWS/ApplicationELB", "RequestCount"), [0.0, 0.0]),
        ("busy-alb", "application", ("AWS/ApplicationELB", "RequestCount"), [0.0, 25.0]),
        ("idle-nlb", "network", ("AWS/NetworkELB", "NewFlowCount"), [0.0]),
    ):
        arn = elb.create_load_balancer(Name=name, Subnets=subnets, Type=kind)["LoadBalancers"][0]["LoadBalancerArn"]
        ids[name] = arn
        put(*metric, "LoadBalancer", arn.split("loadbalancer/", 1)[1], values)
    rds = boto3.client("rds", region_name=REGION)
    for name, connections in (("quiet-db", [0.0, 0.0]), ("busy-db", [0.0, 3.0])):
        ids[name] = rds.create_db_instance(
            DBInstanceIdentifier=name,
            DBInstanceClass="db.t3.micro",
            Engine="postgres",
            MasterUsername="admin_user",
            MasterUserPassword="not-a-real-password",
            AllocatedStorage=20,
        )["DBInstance"]["DBInstanceArn"]
        put("AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", name, connections)
    return ids


def recommendations(cache) -> dict[tuple[str, str], dict[str, object]]:
    with duckdb.connect(str(cache), read_only=True) as con:
        cursor = con.execute("SELECT * FROM optimizations WHERE origin = 'computed'")
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {(r["rule_id"], r["resource_id"]): r for r in rows}


@pytest.fixture
def refreshed(estate, tmp_path):
    cache = tmp_path / "c.duckdb"
    summary = run_refresh(cache, options(regions=[REGION], ce_analyses=False, now=_now))
    assert summary.run.status == "ok", summary.failures
    return recommendations(cache), estate


def volumes_of(instance_id: str) -> list[str]:
    found = boto3.client("ec2", region_name=REGION).describe_volumes()["Volumes"]
    return [v["VolumeId"] for v in found if any(a["InstanceId"] == instance_id for a in v.get("Attachments", []))]


def test_idle_ec2_fires_below_the_cpu_threshold_and_not_at_six_percent(refreshed):
    recs, ids = refreshed
    idle = recs[("idle-ec2", ids["idle"])]
    assert json.loads(idle["evidence"])["max_percent"] == 2.0
    assert "14 days to" in json.loads(idle["evidence"])["window"]
    assert idle["action"] == f"aws ec2 stop-instances --instance-ids {ids['idle']} --region {REGION}"
    assert idle["estimated_savings"] is None  # no cost rows for the instance: nothing invented
    assert ("idle-ec2", ids["busy"]) not in recs
    assert ("idle-ec2", ids["stopped"]) not in recs  # no CPU data is not idle


def test_stopped_instance_is_priced_by_its_attached_volumes(refreshed):
    recs, ids = refreshed
    stopped = recs[("stopped-instance-volumes", ids["stopped"])]
    root = volumes_of(ids["stopped"])
    assert [v["volume_id"] for v in json.loads(stopped["evidence"])["volumes"]] == root
    assert float(stopped["estimated_savings"]) == pytest.approx(8 * 0.10)  # moto's 8 GiB gp2 root volume
    assert "list price" in stopped["savings_basis"] and stopped["currency"] == "USD"
    assert ("stopped-instance-volumes", ids["busy"]) not in recs


def test_unattached_volume_fires_and_attached_root_volumes_do_not(refreshed):
    recs, ids = refreshed
    loose = recs[("unattached-ebs", ids["loose_gp3"])]
    assert float(loose["estimated_savings"]) == pytest.approx(20 * 0.08)
    assert f"delete-volume --volume-id {ids['loose_gp3']} --region {REGION}" in loose["action"]
    assert not any(("unattached-ebs", v) in recs for v in volumes_of(ids["busy"]))


def test_gp2_volumes_fire_and_gp3_volumes_do_not(refreshed):
    recs, ids = refreshed
    (root,) = volumes_of(ids["busy"])
    gp2 = recs[("gp2-to-gp3", root)]
    assert float(gp2["estimated_savings"]) == pytest.approx(8 * (0.10 - 0.08))
    assert gp2["action"] == f"aws ec2 modify-volume --volume-id {root} --volume-type gp3 --region {REGION}"
    assert ("gp2-to-gp3", ids["loose_gp3"]) not in recs


def test_unassociated_elastic_ip_fires_and_an_associated_one_does_not(refreshed):
    recs, ids = refreshed
    free = recs[("unassociated-eip", ids["free_ip"])]
    assert float(free["estimated_savings"]) == pytest.approx(3.65)
    assert free["action"] == f"aws ec2 release-address --allocation-id {ids['free_ip']} --region {REGION}"
    assert ("unassociated-eip", ids["used_ip"]) not in recs


def test_previous_generation_type_names_its_successor_and_a_current_type_is_left_alone(refreshed):
    recs, ids = refreshed
    old = recs[("previous-generation-ec2", ids["old_type"])]
    assert json.loads(old["evidence"])["successor"] == "m5.large" and "Value=m5.large" in old["action"]
    assert ("previous-generation-ec2", ids["busy"]) not in recs


def test_idle_rds_fires_on_zero_connections_only(refreshed):
    recs, ids = refreshed
    quiet = recs[("idle-rds", ids["quiet-db"])]
    assert quiet["action"] == f"aws rds stop-db-instance --db-instance-identifier quiet-db --region {REGION}"
    assert ("idle-rds", ids["busy-db"]) not in recs


def test_idle_load_balancers_fire_on_zero_requests_or_flows_only(refreshed):
    recs, ids = refreshed
    assert recs[("idle-load-balancer", ids["idle-alb"])]["action"].endswith(f"{ids['idle-alb']} --region {REGION}")
    assert json.loads(recs[("idle-load-balancer", ids["idle-nlb"])]["evidence"])["metric"] == "NewFlowCount"
    assert ("idle-load-balancer", ids["busy-alb"]) not in recs


def test_idle_nat_gateway_fires_on_zero_bytes_only(refreshed):
    recs, ids = refreshed
    nat = recs[("idle-nat-gateway", ids["idle_nat"])]
    assert float(nat["estimated_savings"]) == pytest.approx(0.045 * 730)
    assert ("idle-nat-gateway", ids["busy_nat"]) not in recs


def test_a_snapshot_older_than_the_threshold_fires_and_a_younger_one_does_not(moto_server, tmp_path):
    ec2 = boto3.client("ec2", region_name=REGION)
    volume = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=100)["VolumeId"]
    snapshot = ec2.create_snapshot(VolumeId=volume)["SnapshotId"]
    found = {}
    for days in (89, 91):  # observed that many days after the snapshot was taken
        [result] = inventory.collect_region_inventory(
            lambda s: boto3.client(s, region_name=REGION), REGION, "123456789012", {"snapshots"},
            _now() + timedelta(days=days),
        )  # fmt: skip
        cache = tmp_path / f"{days}.duckdb"
        with files.write_session(cache) as con:
            dataset_writes.replace_dataset(con, "resources", "resources:t", result.rows, source_kind="API", source="t")
            optimization_writes.write_local_optimizations(con, RuleThresholds(snapshot_max_age_days=90))
        found[days] = recommendations(cache)
    assert ("old-snapshot", snapshot) not in found[89]
    old = found[91][("old-snapshot", snapshot)]
    assert json.loads(old["evidence"])["age_days"] in (90, 91)
    assert float(old["estimated_savings"]) == pytest.approx(100 * 0.05)
    assert old["action"] == f"aws ec2 delete-snapshot --snapshot-id {snapshot} --region {REGION}"


def test_aws_rightsizing_is_listed_beside_the_computed_recommendations_labelled_aws(seeded, tmp_path):
    from finops_tui.cache.local_reader import LocalCache
    from finops_tui.contract.scope import ViewScope

    cache = tmp_path / "c.duckdb"
    run_refresh(cache, options(regions=[REGION], now=_now))  # Cost Explorer rightsizing answered by `seeded`
    reader = LocalCache(cache)
    view = reader.optimizations_view(ViewScope(currency="USD"))
    reader.close()
    rows = view.table.rows()
    aws = [r for r in rows if r["origin"] == "aws"]
    assert [(r["resource_id"], r["monthly_savings"], r["rule"]) for r in aws] == [("i-0abc", 70.08, None)]
    computed = [r for r in rows if r["origin"] == "computed"]
    assert computed and all(r["rule"] and r["action"].startswith("aws ") for r in computed)
    (usd,) = view.totals
    assert (usd.recommendations, usd.computed) == (len(rows), len(computed))
