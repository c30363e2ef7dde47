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
    return {
        "ResultsByTime": [
            {
                "TimePeriod": {"Start": day.isoformat(), "End": (day + timedelta(days=1)).isoformat()},
                "Total": {},
                "Groups": [
                    {
                        "Keys": [s, r],
                        "Metrics": {
                            "UnblendedCost": {"Amount": u, "Unit": "USD"},
                            "AmortizedCost": {"Amount": a, "Unit": "USD"},
                        },
                    }
                    for s, r, u, a in rows
                ],
                "Estimated": estimated,
            }
        ]
    }


def options(**overrides) -> RefreshOptions:
    base = {"regions": ["us-east-1", "eu-west-1"], "client_settings": FAST, "now": lambda: NOW, "workers": 4}
    base.update(overrides)
    return RefreshOptions(**base)


@pytest.fixture
def ce_asked() -> list[str]:
    """The Cost Explorer analyses a test's refreshes asked for, in order."""
    return []


@pytest.fixture
def seeded(moto_server, monkeypatch, ce_asked):
    """Two regions of resources, a budget, 13 months of Cost Explorer answers queued, and the CE
    analyses moto lacks answered in-process (subprocess tests pass --no-ce-analyses instead)."""
    from finops_tui.sources.aws import clients

    monkeypatch.setattr(
        clients.AwsAccount,
        "client",
        answer_operations(clients.AwsAccount.client, ce_analyses_answers("123456789012"), ce_asked),
    )
    for region in ("us-east-1", "eu-west-1"):
        ec2 = boto3.client("ec2", region_name=region)
        ec2.run_instances(ImageId="ami-12345678", MinCount=2, MaxCount=2, InstanceType="t3.micro")
        ec2.create_volume(AvailabilityZone=f"{region}a", Size=50)  # unattached
    boto3.client("ec2", region_name="us-east-1").allocate_address(Domain="vpc")
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="logs-bucket")
    answers = [
        ce_answer(
            date(2026, 11, 1) - timedelta(days=31 * back),
            [
                ("Amazon Elastic Compute Cloud - Compute", "us-east-1", "10.5", "9.5"),
                ("Amazon Simple Storage Service", "eu-west-1", "2.25", "2.25"),
            ],
        )
        for back in range(12, -1, -1)
    ]
    moto_server.inject_cost_and_usage(answers)
    return moto_server


@pytest.fixture
def budget(seeded):
    """A monthly COST budget in AWS Budgets. Its performance history (which moto lacks) is answered
    in-process by `seeded`'s hook, so only in-process refreshes may use this fixture."""
    account = boto3.client("sts").get_caller_identity()["Account"]
    boto3.client("budgets", region_name="us-east-1").create_budget(
        AccountId=account,
        Budget={
            "BudgetName": "team-web",
            "BudgetLimit": {"Amount": "500", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
        },
    )
    return "team-web"


def fail_with(account_client, match, status: int, code: str, message: str = "injected"):
    """Make every HTTP attempt of clients matching (service, region) answer `status`/`code` (before-send hook)."""

    def wrapper(self: AwsAccount, service: str, region: str = "us-east-1"):
        client = account_client(self, service, region)
        if match(service, region) and not getattr(client, "_finops_fault", False):
            body = (
                f"<ErrorResponse><Error><Code>{code}</Code><Message>{message}</Message></Error></ErrorResponse>"
                if service not in ("ce", "budgets", "organizations")
                else f'{{"__type": "{code}", "message": "{message}"}}'
            )

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


def ce_analyses_answers(account: str) -> dict[str, dict]:
    """Realistic answers for the Cost Explorer analyses moto does not implement."""
    return {
        "GetCostForecast": {
            "Total": {"Amount": "395.25", "Unit": "USD"},
            "ForecastResultsByTime": [
                {
                    "TimePeriod": {"Start": "2026-11-25", "End": "2026-12-01"},
                    "MeanValue": "395.25",
                    "PredictionIntervalLowerBound": "350.10",
                    "PredictionIntervalUpperBound": "440.90",
                }
            ],
        },
        "GetAnomalyMonitors": {
            "AnomalyMonitors": [
                {
                    "MonitorArn": "arn:aws:ce::1:anomalymonitor/m-1",
                    "MonitorName": "services",
                    "MonitorType": "DIMENSIONAL",
                }
            ]
        },
        "GetAnomalies": {
            "Anomalies": [
                {
                    "AnomalyId": "anomaly-1",
                    "AnomalyStartDate": "2026-11-20",
                    "MonitorArn": "arn:aws:ce::1:anomalymonitor/m-1",
                    "RootCauses": [
                        {
                            "Service": "Amazon Elastic Compute Cloud - Compute",
                            "Region": "us-east-1",
                            "LinkedAccount": account,
                            "UsageType": "BoxUsage:m5.xlarge",
                        }
                    ],
                    "AnomalyScore": {"MaxScore": 0.9, "CurrentScore": 0.8},
                    "Impact": {
                        "MaxImpact": 120.0,
                        "TotalImpact": 150.0,
                        "TotalActualSpend": 200.0,
                        "TotalExpectedSpend": 50.0,
                        "TotalImpactPercentage": 300.0,
                    },
                }
            ]
        },
        "DescribeBudgetPerformanceHistory": {
            "BudgetPerformanceHistory": {
                "BudgetName": "team-web",
                "BudgetType": "COST",
                "TimeUnit": "MONTHLY",
                "BudgetedAndActualAmountsList": [
                    {
                        "BudgetedAmount": {"Amount": "500", "Unit": "USD"},
                        "ActualAmount": {"Amount": amount, "Unit": "USD"},
                        "TimePeriod": {"Start": datetime(2026, month, 1), "End": datetime(2026, month + 1, 1)},
                    }
                    for month, amount in ((9, "480.20"), (10, "530.75"))
                ],
            }
        },
        "GetRightsizingRecommendation": {
            "RightsizingRecommendations": [
                {
                    "AccountId": account,
                    "RightsizingType": "Modify",
                    "CurrentInstance": {
                        "ResourceId": "i-0abc",
                        "MonthlyCost": "140.16",
                        "ResourceDetails": {
                            "EC2ResourceDetails": {"InstanceType": "m5.xlarge", "Region": "US East (N. Virginia)"}
                        },
                    },
                    "ModifyRecommendationDetail": {
                        "TargetInstances": [
                            {
                                "EstimatedMonthlySavings": "70.08",
                                "CurrencyCode": "USD",
                                "ResourceDetails": {"EC2ResourceDetails": {"InstanceType": "m5.large"}},
                            }
                        ]
                    },
                }
            ]
        },
    }


def answer_operations(account_client, answers: dict[str, dict], asked: list[str] | None = None):
    """Answer the named Cost Explorer and Budgets operations from `answers` at botocore's before-call
    hook (as botocore.stub.Stubber does), leaving every other call to moto over HTTP."""

    def wrapper(self: AwsAccount, service: str, region: str = "us-east-1"):
        client = account_client(self, service, region)
        marker = f"_finops_answers_{id(answers)}"
        if service in ("ce", "budgets") and not getattr(client, marker, False):

            def answer(model, **_):
                if model.name not in answers:
                    return None
                if asked is not None:
                    asked.append(model.name)
                return AWSResponse("https://ce.us-east-1.amazonaws.com", 200, {}, _Raw(b"{}")), answers[model.name]

            client.meta.events.register_first("before-call.*.*", answer)
            setattr(client, marker, True)
        return client

    return wrapper
