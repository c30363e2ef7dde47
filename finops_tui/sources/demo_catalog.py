"""What the DEMO company runs: accounts, services, regions, resource templates and injected spikes.

Fixed tables, so the demo is the same on every machine; `demo.py` turns them into FOCUS files.
The injected events (SPIKES: spikes and level shifts) are the ground truth anomaly detection is measured
against (tests/test_anomaly_demo.py, benchmarks/bench_anomalies.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BILLING_ACCOUNT = ("111122223333", "DEMO Payer (generated data)")
ACCOUNTS = (
    ("210987654321", "demo-prod", 1.0),
    ("310987654321", "demo-staging", 0.35),
    ("410987654321", "demo-data-platform", 0.6),
    ("510987654321", "demo-sandbox", 0.15),
)
REGIONS = (
    ("us-east-1", "US East (N. Virginia)"),
    ("us-west-2", "US West (Oregon)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
)


@dataclass(frozen=True)
class ServiceTemplate:
    service: str
    category: str
    resource_type: str
    arn_kind: str  # e.g. "ec2:instance" -> arn:aws:ec2:REGION:ACCOUNT:instance/ID
    daily_cost: tuple[float, float]  # range of a resource's base daily cost, USD
    per_account: int  # resources per account (scaled by the account's weight)
    unit: str
    weekend_factor: float  # < 1 for things that scale down at weekends
    monthly_growth: float


SERVICES = (
    ServiceTemplate(
        "Amazon Elastic Compute Cloud",
        "Compute",
        "Virtual Machine",
        "ec2:instance",
        (4.0, 60.0),
        40,
        "Hours",
        0.8,
        0.020,
    ),
    ServiceTemplate(
        "Amazon Elastic Block Store", "Storage", "Volume", "ec2:volume", (0.5, 8.0), 30, "GB-Mo", 1.0, 0.015
    ),
    ServiceTemplate(
        "Amazon Relational Database Service", "Databases", "DB Instance", "rds:db", (12.0, 90.0), 6, "Hours", 1.0, 0.010
    ),
    ServiceTemplate(
        "Amazon Simple Storage Service", "Storage", "Bucket", "s3:bucket", (0.8, 25.0), 10, "GB-Mo", 1.0, 0.030
    ),
    ServiceTemplate("AWS Lambda", "Compute", "Function", "lambda:function", (0.05, 6.0), 15, "Requests", 0.6, 0.040),
    ServiceTemplate(
        "Elastic Load Balancing",
        "Networking",
        "Load Balancer",
        "elasticloadbalancing:loadbalancer",
        (0.6, 4.0),
        5,
        "LCU-Hours",
        0.85,
        0.010,
    ),
    ServiceTemplate(
        "Amazon Virtual Private Cloud", "Networking", "NAT Gateway", "ec2:natgateway", (1.1, 9.0), 3, "GB", 0.9, 0.012
    ),
    ServiceTemplate(
        "Amazon DynamoDB", "Databases", "Table", "dynamodb:table", (0.3, 14.0), 6, "ReadRequestUnits", 0.9, 0.025
    ),
    ServiceTemplate(
        "Amazon ElastiCache", "Databases", "Cache Cluster", "elasticache:cluster", (3.0, 20.0), 3, "Hours", 1.0, 0.005
    ),
    ServiceTemplate(
        "Amazon Elastic Kubernetes Service", "Compute", "Cluster", "eks:cluster", (2.4, 2.4), 2, "Hours", 1.0, 0.0
    ),
    ServiceTemplate(
        "Amazon CloudWatch", "Management and Governance", "Log Group", "logs:log-group", (0.1, 5.0), 8, "GB", 0.9, 0.030
    ),
    ServiceTemplate(
        "Amazon CloudFront", "Networking", "Distribution", "cloudfront:distribution", (0.5, 18.0), 2, "GB", 1.1, 0.020
    ),
    ServiceTemplate(
        "Amazon Simple Queue Service", "Integration", "Queue", "sqs:queue", (0.02, 1.5), 6, "Requests", 0.7, 0.020
    ),
    ServiceTemplate("AWS Key Management Service", "Security", "Key", "kms:key", (0.03, 0.2), 4, "Requests", 1.0, 0.0),
    ServiceTemplate(
        "Amazon Redshift", "Analytics", "Cluster", "redshift:cluster", (20.0, 75.0), 1, "Hours", 1.0, 0.010
    ),
)


@dataclass(frozen=True)
class Spike:
    """An injected cost event on top of the normal pattern: the ground truth anomaly detection is measured on.

    A spike lasts `duration_days`; a level shift starts `days_before_end` and runs to the last day.
    Without `resource`, every resource of (account, service, region) is multiplied by `multiplier`;
    with it, only that resource (by name) is, and `extra_daily` (USD) is added to it each day.
    """

    spike_id: str
    days_before_end: int  # first day of the event, counted back from the demo's last day
    duration_days: int
    account_id: str
    service: str
    region: str
    multiplier: float  # the affected resources' cost is multiplied by this on the event's days
    root_cause: str
    kind: Literal["spike", "level shift"] = "spike"
    resource: str | None = None  # the resource_name that moved, when one did
    extra_daily: float = 0.0

    @property
    def resource_id(self) -> str | None:
        """The ResourceId the root cause should name (the demo's ARN scheme), or None for a region-wide event."""
        if self.resource is None:
            return None
        template = next(s for s in SERVICES if s.service == self.service)
        code, kind = template.arn_kind.split(":")
        return f"arn:aws:{code}:{self.region}:{self.account_id}:{kind}/{self.resource}"


def _level_shift(
    spike_id: str, days_before_end: int, account_id: str, service: str, region: str, resource: str, extra: float,
    cause: str,
) -> Spike:  # fmt: skip
    return Spike(spike_id, days_before_end, days_before_end + 1, account_id, service, region, 1.0, cause,
                 "level shift", resource, extra)  # fmt: skip


SPIKES = (
    Spike(
        "demo-spike-1",
        2,
        2,
        "210987654321",
        "Amazon Elastic Compute Cloud",
        "us-east-1",
        4.0,
        "Auto Scaling group scaled to max after a bad deploy",
    ),
    Spike(
        "demo-spike-2",
        19,
        3,
        "410987654321",
        "Amazon Simple Storage Service",
        "eu-west-1",
        6.0,
        "Backfill job re-copied the data lake",
    ),
    Spike(
        "demo-spike-3",
        47,
        1,
        "310987654321",
        "AWS Lambda",
        "us-west-2",
        12.0,
        "Retry storm from a failing downstream API",
    ),
    Spike(
        "demo-spike-4",
        130,
        5,
        "210987654321",
        "Amazon Virtual Private Cloud",
        "us-east-1",
        5.0,
        "Cross-AZ traffic through NAT after a subnet change",
    ),
    Spike(
        "demo-spike-5",
        250,
        2,
        "410987654321",
        "Amazon Redshift",
        "us-east-1",
        3.0,
        "Concurrency scaling left on during a load test",
    ),
    Spike(
        "demo-spike-6",
        33,
        1,
        "210987654321",
        "Amazon CloudWatch",
        "us-east-1",
        1.0,
        "Debug logging left on for a day",
        resource="prod-log-group-006",
        extra_daily=350.0,
    ),
    _level_shift(
        "demo-shift-1",
        75,
        "210987654321",
        "Amazon DynamoDB",
        "us-east-1",
        "prod-table-003",
        120.0,
        "Table switched from provisioned to on-demand capacity",
    ),
    _level_shift(
        "demo-shift-2",
        200,
        "410987654321",
        "Amazon Elastic Compute Cloud",
        "us-east-1",
        "data-platform-instance-055",
        420.0,
        "Instance resized to a GPU type for model training and kept",
    ),
)

# Resources the demo inventory marks idle: (service, index within that service, reason).
IDLE = (
    ("Amazon Elastic Compute Cloud", 3, "CPU avg 0.8% / max 2.1% over 14 days"),
    ("Amazon Elastic Compute Cloud", 17, "CPU avg 1.2% / max 3.0% over 14 days"),
    ("Amazon Elastic Block Store", 5, "volume unattached for 41 days"),
    ("Amazon Elastic Block Store", 22, "volume unattached for 12 days"),
    ("Elastic Load Balancing", 2, "0 requests over 14 days"),
    ("Amazon Relational Database Service", 1, "0 connections over 14 days"),
    ("Amazon Virtual Private Cloud", 1, "NAT gateway processed 0 bytes over 14 days"),
    ("AWS Lambda", 9, "0 invocations over 14 days"),
)
