"""CloudWatch utilisation over the last 14 days, batched with GetMetricData, and the idle rules.

Idle rules (one place, shown to users as idle_reason):
- EC2 instance running with CPU max < 5% over 14 days;
- RDS instance with 0 connections over 14 days;
- Lambda function with 0 invocations, application load balancer with 0 requests, network load
  balancer with 0 new flows, available NAT gateway with 0 bytes sent (BytesOutToDestination), over 14 days;
- EBS volume unattached; Elastic IP not associated (inventory.py, no metric needed).
S3 bucket size (BucketSizeBytes, StandardStorage) is recorded, not judged: an unread bucket is not
necessarily unused.
A resource with no metric data is not idle: "no data" is not "unused", and the cockpit never
invents a finding.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

WINDOW = timedelta(days=14)
CPU_IDLE_MAX = 5.0
_BATCH = 500  # GetMetricData takes up to 500 queries per call


def metrics(
    cloudwatch: Any,
    namespace: str,
    dimension: str,
    ids: list[str],
    metric: str,
    now: datetime,
    extra: dict[str, str] | None = None,
) -> dict[str, dict[str, float]]:
    """{id: {"avg": …, "max": …, "sum": …}} of daily datapoints over 14 days; ids without data are absent.

    `extra` adds fixed dimensions (S3 sizes need StorageType beside BucketName)."""
    fixed = [{"Name": k, "Value": v} for k, v in (extra or {}).items()]
    out: dict[str, dict[str, float]] = {}
    for first in range(0, len(ids), _BATCH // 3):
        batch = ids[first : first + _BATCH // 3]
        queries: list[dict[str, Any]] = []
        for n, rid in enumerate(batch):
            for stat in ("Average", "Maximum", "Sum"):
                queries.append(
                    {
                        "Id": f"{stat[:3].lower()}{n}",
                        "ReturnData": True,
                        "MetricStat": {
                            "Metric": {
                                "Namespace": namespace,
                                "MetricName": metric,
                                "Dimensions": [{"Name": dimension, "Value": rid}, *fixed],
                            },
                            "Period": 86400,
                            "Stat": stat,
                        },
                    }
                )
        for response in cloudwatch.get_paginator("get_metric_data").paginate(
            MetricDataQueries=queries,
            StartTime=now - WINDOW,
            EndTime=now,
        ):
            for series in response.get("MetricDataResults", []):
                values = series.get("Values") or []
                if not values:
                    continue
                kind, n = series["Id"][:3], int(series["Id"][3:])
                stats = out.setdefault(batch[n], {})
                if kind == "avg":
                    stats["avg"] = round(sum(values) / len(values), 3)
                elif kind == "max":
                    stats["max"] = round(max(values), 3)
                else:
                    stats["sum"] = round(sum(values), 3)
    return out


def idle_ec2(state: str | None, cpu: dict[str, float] | None) -> tuple[bool, str | None]:
    if state != "running" or not cpu or "max" not in cpu:
        return False, None
    if cpu["max"] < CPU_IDLE_MAX:
        return True, f"CPU max {cpu['max']:.1f}% over 14 days"
    return False, None


def idle_rds(connections: dict[str, float] | None) -> tuple[bool, str | None]:
    if connections and connections.get("max", 1) == 0:
        return True, "0 database connections over 14 days"
    return False, None


def idle_zero(stats: dict[str, float] | None, what: str) -> tuple[bool, str | None]:
    if stats and stats.get("sum", 1) == 0:
        return True, f"0 {what} over 14 days"
    return False, None
