"""Inventory per region: EC2 instances, EBS volumes and snapshots, Elastic IPs, RDS instances, Lambda
functions, load balancers, NAT gateways, S3 buckets; one CollectorResult per service, so one
failing service (AccessDenied, a region not enabled) does not stop the others.

Rows have the `resources` table's columns except current_cost, which the cache joins from cost
data. resource_id is what billing data uses as ResourceId (instance/volume/snapshot/NAT/EIP ids,
RDS/Lambda/ELB ARNs, bucket names), so costs and inventory meet. Idle flags come from
utilization.py; a resource without metric data is never called idle. Volumes also record their
type, size and the instances they are attached to in `utilization`, for the optimization rules.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pyarrow as pa
from botocore.exceptions import BotoCoreError, ClientError

from finops_tui.cache.schema import RESOURCES
from finops_tui.sources.aws import utilization
from finops_tui.sources.aws.outcome import CollectorResult, failure_from

SERVICES = ("ec2", "ebs", "snapshots", "eip", "rds", "lambda", "elb", "nat", "s3")
Row = dict[str, Any]  # one resources row, keyed by the column names declared in cache/schema.py


def _tags(items: list[dict[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in items or [] if "Key" in t}


def _naive(value: Any) -> datetime | None:
    return value.replace(tzinfo=None) if isinstance(value, datetime) else None


def _row(
    rid: str,
    rtype: str,
    name: str | None,
    service: str,
    state: str | None,
    tags: dict[str, str],
    created: Any,
    idle: tuple[bool, str | None] = (False, None),
    metrics: dict[str, Any] | None = None,
) -> Row:
    return {
        "resource_id": rid,
        "resource_type": rtype,
        "resource_name": name or rid,
        "service_name": service,
        "state": state,
        "utilization": json.dumps(metrics) if metrics else None,
        "is_idle": idle[0],
        "idle_reason": idle[1],
        "tags": json.dumps(tags) if tags else None,
        "created_at": _naive(created),
    }


def _ec2(client_for: Callable[[str], Any], now: datetime) -> list[Row]:
    instances = [
        i
        for page in client_for("ec2").get_paginator("describe_instances").paginate()
        for r in page.get("Reservations", [])
        for i in r.get("Instances", [])
    ]
    running = [i["InstanceId"] for i in instances if i.get("State", {}).get("Name") == "running"]
    cpu = utilization.metrics(client_for("cloudwatch"), "AWS/EC2", "InstanceId", running, "CPUUtilization", now)
    rows = []
    for i in instances:
        tags, state = _tags(i.get("Tags")), i.get("State", {}).get("Name")
        stats = cpu.get(i["InstanceId"])
        rows.append(
            _row(
                i["InstanceId"],
                f"Instance {i.get('InstanceType', '')}".strip(),
                tags.get("Name"),
                "Amazon Elastic Compute Cloud",
                state,
                tags,
                i.get("LaunchTime"),
                utilization.idle_ec2(state, stats),
                {"cpu": stats} if stats else None,
            )
        )
    return rows


def _ebs(client_for: Callable[[str], Any], now: datetime) -> list[Row]:
    rows = []
    for page in client_for("ec2").get_paginator("describe_volumes").paginate():
        for v in page.get("Volumes", []):
            tags = _tags(v.get("Tags"))
            unattached = v.get("State") == "available"
            # Facts the optimization rules need (gp2 → gp3, stopped instances paying for their volumes).
            facts = {
                "volume_type": v.get("VolumeType"),
                "size_gib": v.get("Size"),
                "attached_to": [a["InstanceId"] for a in v.get("Attachments", []) if a.get("InstanceId")],
            }
            rows.append(
                _row(
                    v["VolumeId"],
                    f"Volume {v.get('VolumeType', '')} {v.get('Size', '?')} GiB",
                    tags.get("Name"),
                    "Amazon Elastic Block Store",
                    v.get("State"),
                    tags,
                    v.get("CreateTime"),
                    (True, "unattached volume (state available)") if unattached else (False, None),
                    facts,
                )
            )
    return rows


def _snapshots(client_for: Callable[[str], Any], now: datetime) -> list[Row]:
    rows = []
    for page in client_for("ec2").get_paginator("describe_snapshots").paginate(OwnerIds=["self"]):
        for s in page.get("Snapshots", []):
            tags = _tags(s.get("Tags"))
            rows.append(
                _row(
                    s["SnapshotId"],
                    f"Snapshot {s.get('VolumeSize', '?')} GiB",
                    tags.get("Name"),
                    "Amazon Elastic Block Store",
                    s.get("State"),
                    tags,
                    s.get("StartTime"),
                )
            )
    return rows


def _eip(client_for: Callable[[str], Any], now: datetime) -> list[Row]:
    rows = []
    for a in client_for("ec2").describe_addresses().get("Addresses", []):
        tags = _tags(a.get("Tags"))
        free = not a.get("AssociationId")
        rows.append(
            _row(
                a.get("AllocationId") or a["PublicIp"],
                "Elastic IP",
                tags.get("Name") or a.get("PublicIp"),
                "Amazon Elastic Compute Cloud",
                "unassociated" if free else "associated",
                tags,
                None,
                (True, "Elastic IP not associated with anything") if free else (False, None),
            )
        )
    return rows


def _rds(client_for: Callable[[str], Any], now: datetime) -> list[Row]:
    dbs = [
        d
        for page in client_for("rds").get_paginator("describe_db_instances").paginate()
        for d in page.get("DBInstances", [])
    ]
    ids = [d["DBInstanceIdentifier"] for d in dbs]
    conns = utilization.metrics(
        client_for("cloudwatch"), "AWS/RDS", "DBInstanceIdentifier", ids, "DatabaseConnections", now
    )
    cpu = utilization.metrics(client_for("cloudwatch"), "AWS/RDS", "DBInstanceIdentifier", ids, "CPUUtilization", now)
    rows = []
    for d in dbs:
        key = d["DBInstanceIdentifier"]
        metrics = {k: v for k, v in (("connections", conns.get(key)), ("cpu", cpu.get(key))) if v}
        rows.append(
            _row(
                d.get("DBInstanceArn", key),
                f"DB {d.get('DBInstanceClass', '')} {d.get('Engine', '')}",
                key,
                "Amazon Relational Database Service",
                d.get("DBInstanceStatus"),
                _tags(d.get("TagList")),
                d.get("InstanceCreateTime"),
                utilization.idle_rds(conns.get(key)),
                metrics or None,
            )
        )
    return rows


def _lambda(client_for: Callable[[str], Any], now: datetime) -> list[Row]:
    functions = [
        f for page in client_for("lambda").get_paginator("list_functions").paginate() for f in page.get("Functions", [])
    ]
    calls = utilization.metrics(
        client_for("cloudwatch"),
        "AWS/Lambda",
        "FunctionName",
        [f["FunctionName"] for f in functions],
        "Invocations",
        now,
    )
    return [
        _row(
            f["FunctionArn"],
            f"Function {f.get('Runtime', '')}".strip(),
            f["FunctionName"],
            "AWS Lambda",
            "active",
            {},
            None,
            utilization.idle_zero(calls.get(f["FunctionName"]), "invocations"),
            {"invocations": calls.get(f["FunctionName"])} if calls.get(f["FunctionName"]) else None,
        )
        for f in functions
    ]


def _elb(client_for: Callable[[str], Any], now: datetime) -> list[Row]:
    lbs = [
        b
        for page in client_for("elbv2").get_paginator("describe_load_balancers").paginate()
        for b in page.get("LoadBalancers", [])
    ]
    # CloudWatch names a load balancer by the tail of its ARN: app/name/id.
    keys = {b["LoadBalancerArn"]: b["LoadBalancerArn"].split("loadbalancer/", 1)[-1] for b in lbs}
    cloudwatch = client_for("cloudwatch")
    by_type = {t: [keys[b["LoadBalancerArn"]] for b in lbs if b.get("Type") == t] for t in ("application", "network")}
    requests = utilization.metrics(
        cloudwatch, "AWS/ApplicationELB", "LoadBalancer", by_type["application"], "RequestCount", now
    )
    flows = utilization.metrics(cloudwatch, "AWS/NetworkELB", "LoadBalancer", by_type["network"], "NewFlowCount", now)
    rows = []
    for b in lbs:
        key, kind = keys[b["LoadBalancerArn"]], b.get("Type")
        stats = requests.get(key) if kind == "application" else flows.get(key)
        metric = "requests" if kind == "application" else "new_flows"
        idle = utilization.idle_zero(stats, metric.replace("_", " ")) if kind in by_type else (False, None)
        rows.append(
            _row(
                b["LoadBalancerArn"],
                f"Load balancer {b.get('Type', '')}",
                b.get("LoadBalancerName"),
                "Elastic Load Balancing",
                b.get("State", {}).get("Code"),
                {},
                b.get("CreatedTime"),
                idle,
                {metric: stats} if stats else None,
            )
        )
    return rows


def _nat(client_for: Callable[[str], Any], now: datetime) -> list[Row]:
    gateways = [
        n for page in client_for("ec2").get_paginator("describe_nat_gateways").paginate() for n in page["NatGateways"]
    ]
    live = [n["NatGatewayId"] for n in gateways if n.get("State") == "available"]
    sent = utilization.metrics(
        client_for("cloudwatch"), "AWS/NATGateway", "NatGatewayId", live, "BytesOutToDestination", now
    )
    rows = []
    for n in gateways:
        tags, stats = _tags(n.get("Tags")), sent.get(n["NatGatewayId"])
        rows.append(
            _row(
                n["NatGatewayId"],
                "NAT gateway",
                tags.get("Name"),
                "Amazon Virtual Private Cloud",
                n.get("State"),
                tags,
                n.get("CreateTime"),
                utilization.idle_zero(stats, "bytes sent"),
                {"bytes_out": stats} if stats else None,
            )
        )
    return rows


def _s3(client_for: Callable[[str], Any], now: datetime) -> list[Row]:
    """Buckets are global, their size metric is regional: CloudWatch is asked in each bucket's region."""
    s3 = client_for("s3")
    buckets = s3.list_buckets().get("Buckets", [])
    by_region: dict[str, list[str]] = {}
    for b in buckets:
        location = s3.get_bucket_location(Bucket=b["Name"]).get("LocationConstraint") or "us-east-1"
        by_region.setdefault(location, []).append(b["Name"])
    sizes: dict[str, dict[str, float]] = {}
    for region, names in by_region.items():
        cloudwatch = client_for(f"cloudwatch@{region}") if region != "us-east-1" else client_for("cloudwatch")
        sizes.update(
            utilization.metrics(
                cloudwatch, "AWS/S3", "BucketName", names, "BucketSizeBytes", now, {"StorageType": "StandardStorage"}
            )
        )
    region_of = {n: r for r, names in by_region.items() for n in names}
    rows = []
    for b in buckets:
        size = sizes.get(b["Name"])
        rows.append(
            _row(
                b["Name"],
                "Bucket",
                b["Name"],
                "Amazon Simple Storage Service",
                "active",
                {},
                b.get("CreationDate"),
                metrics={"size_bytes": size["max"], "region": region_of[b["Name"]]}
                if size and "max" in size
                else {"region": region_of[b["Name"]]},
            )
        )
    return rows


_COLLECTORS: dict[str, tuple[Callable[[Callable[[str], Any], datetime], list[Row]], str]] = {
    "ec2": (_ec2, "DescribeInstances"),
    "ebs": (_ebs, "DescribeVolumes"),
    "snapshots": (_snapshots, "DescribeSnapshots"),
    "eip": (_eip, "DescribeAddresses"),
    "rds": (_rds, "DescribeDBInstances"),
    "lambda": (_lambda, "ListFunctions"),
    "elb": (_elb, "DescribeLoadBalancers"),
    "nat": (_nat, "DescribeNatGateways"),
    "s3": (_s3, "ListBuckets"),
}


def collect_region_inventory(
    client_for: Callable[[str], Any], region: str, account_id: str, services: set[str] | None, now: datetime
) -> list[CollectorResult]:
    """Every requested service in one region. S3 buckets are global: listed with us-east-1 only.

    client_for(service) returns a client in `region`; `service@other-region` one in another region.
    """
    results = []
    for name, (collect, operation) in _COLLECTORS.items():
        if (services and name not in services) or (name == "s3" and region != "us-east-1"):
            continue
        result = CollectorResult(f"inventory.{name}", region, None)
        try:
            rows = collect(client_for, now)
        except (BotoCoreError, ClientError) as exc:
            result.failures.append(failure_from(exc, name, region, operation))
        else:
            for row in rows:
                row.update(
                    provider_name="AWS",
                    region_id="global" if name == "s3" else region,
                    sub_account_id=account_id,
                    observed_at=now,
                )
            result.rows = pa.Table.from_pylist(rows, schema=RESOURCES.row_schema)
        results.append(result)
    return results
