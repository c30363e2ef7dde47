"""Helpers for refresh tests: seed moto with resources and Cost Explorer answers; inject faults."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from finops_tui.sources.aws.clients import AwsAccount, ClientSettings
from finops_tui.sources.aws.refresh import RefreshOptions

NOW = datetime(2026, 11, 24, 9, 30)
FAST = ClientSettings(max_attempts=2, connect_timeout=1, read_timeout=2)


def ce_answer(day: date, rows: list[tuple[str, str, str, str]], estimated: bool = True) -> dict:
    """One GetCostAndUsage page for one day: rows of (service, region, unblended, amortized)."""
    return {"ResultsByTime": [{
        "TimePeriod": {"Start": day.isoformat(), "End": (day + timedelta(days=1)).isoformat()}, "Total": {},
        "Groups": [{"Keys": [s, r], "Metrics": {"UnblendedCost": {"Amount": u, "Unit": "USD"},
                                                "AmortizedCost": {"Amount": a, "Unit": "USD"}}}
                   for s, r, u, a in rows],
        "Estimated": estimated}]}


def options(**overrides) -> RefreshOptions:
    base = {"regions": ["us-east-1", "eu-west-1"], "client_settings": FAST, "now": lambda: NOW, "workers": 4}
    base.update(overrides)
    return RefreshOptions(**base)


@pytest.fixture
def seeded(moto_server):
    """Two regions of resources, a budget, and 13 months of Cost Explorer answers queued."""
    for region in ("us-east-1", "eu-west-1"):
        ec2 = boto3.client("ec2", region_name=region)
        ec2.run_instances(ImageId="ami-12345678", MinCount=2, MaxCount=2, InstanceType="t3.micro")
        ec2.create_volume(AvailabilityZone=f"{region}a", Size=50)  # unattached
    boto3.client("ec2", region_name="us-east-1").allocate_address(Domain="vpc")
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="logs-bucket")
    account = boto3.client("sts").get_caller_identity()["Account"]
    boto3.client("budgets", region_name="us-east-1").create_budget(AccountId=account, Budget={
        "BudgetName": "team-web", "BudgetLimit": {"Amount": "500", "Unit": "USD"}, "TimeUnit": "MONTHLY",
        "BudgetType": "COST"})
    answers = [ce_answer(date(2026, 11, 1) - timedelta(days=31 * back),
                         [("Amazon Elastic Compute Cloud - Compute", "us-east-1", "10.5", "9.5"),
                          ("Amazon Simple Storage Service", "eu-west-1", "2.25", "2.25")])
               for back in range(12, -1, -1)]
    moto_server.inject_cost_and_usage(answers)
    return moto_server


def fail_with(account_client, match, status: int, code: str, message: str = "injected"):
    """Make every HTTP attempt of clients matching (service, region) answer `status`/`code` (before-send hook)."""
    def wrapper(self: AwsAccount, service: str, region: str = "us-east-1"):
        client = account_client(self, service, region)
        if match(service, region) and not getattr(client, "_finops_fault", False):
            body = (f'<ErrorResponse><Error><Code>{code}</Code><Message>{message}</Message></Error></ErrorResponse>'
                    if service not in ("ce", "budgets", "organizations") else
                    f'{{"__type": "{code}", "message": "{message}"}}')

            def answer(request, **_):
                return AWSResponse(request.url, status, {"x-amzn-ErrorType": code}, _Raw(body.encode()))
            client.meta.events.register_first("before-send.*.*", answer)
            client._finops_fault = True
        return client
    return wrapper


class _Raw:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_):
        yield self._data

    def read(self, *_):
        data, self._data = self._data, b""
        return data
