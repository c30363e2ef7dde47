"""Paged AWS answers are followed to the last page: botocore's paginators for GetAnomalies,
GetRightsizingRecommendation, DescribeBudgetPerformanceHistory and GetMetricData, the hand-written
pager for GetCostAndUsage (botocore has none). moto lacks the first three, so botocore's Stubber
answers here, checking that each next-page token is passed back."""

from __future__ import annotations

from datetime import date, datetime

import boto3
import pytest
from botocore.stub import ANY, Stubber

from finops_tui.sources.aws import account_info, ce_insights, cost_explorer, utilization

ACCOUNT = "123456789012"
NOW = datetime(2026, 11, 24, 9, 30)


class StubbedAccount:
    """What collectors use of AwsAccount: an account id and one client per service, here stubbed."""

    account_id = ACCOUNT

    def __init__(self) -> None:
        self.stubs: dict[str, Stubber] = {}

    def client(self, service: str, region: str = "us-east-1") -> object:
        if service not in self.stubs:
            client = boto3.client(
                service, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing"
            )
            self.stubs[service] = Stubber(client)
            self.stubs[service].activate()
        return self.stubs[service].client

    def stub(self, service: str) -> Stubber:
        self.client(service)
        return self.stubs[service]


@pytest.fixture
def account() -> StubbedAccount:
    return StubbedAccount()


def anomaly(n: int) -> dict:
    return {
        "AnomalyId": f"a-{n}",
        "AnomalyStartDate": "2026-11-20",
        "MonitorArn": "arn:aws:ce::1:anomalymonitor/m",
        "AnomalyScore": {"MaxScore": 0.9, "CurrentScore": 0.8},
        "Impact": {"MaxImpact": 1.0, "TotalActualSpend": 200.0, "TotalExpectedSpend": 50.0},
    }


def test_anomalies_follow_next_page_tokens(account):
    ce = account.stub("ce")
    ce.add_response("get_anomaly_monitors", {"AnomalyMonitors": []}, {"MaxResults": 100})
    interval = {"DateInterval": {"StartDate": "2026-08-26", "EndDate": "2026-11-24"}}
    ce.add_response("get_anomalies", {"Anomalies": [anomaly(1)], "NextPageToken": "p2"}, interval)
    ce.add_response("get_anomalies", {"Anomalies": [anomaly(2)]}, {**interval, "NextPageToken": "p2"})
    result = ce_insights.anomalies(account, date(2026, 11, 24), NOW)
    ce.assert_no_pending_responses()
    assert not result.failures
    assert result.rows.column("anomaly_id").to_pylist() == ["a-1", "a-2"]
    assert result.pages == 3  # monitors + two pages of anomalies, each billed


def rightsizing(instance: str) -> dict:
    return {
        "AccountId": ACCOUNT,
        "RightsizingType": "Terminate",
        "CurrentInstance": {"ResourceId": instance, "MonthlyCost": "10"},
        "TerminateRecommendationDetail": {"EstimatedMonthlySavings": "10", "CurrencyCode": "USD"},
    }


def test_rightsizing_follows_next_page_tokens(account):
    ce = account.stub("ce")
    ce.add_response(
        "get_rightsizing_recommendation", {"RightsizingRecommendations": [rightsizing("i-1")], "NextPageToken": "p2"}
    )
    ce.add_response(
        "get_rightsizing_recommendation",
        {"RightsizingRecommendations": [rightsizing("i-2")]},
        {"Service": "AmazonEC2", "Configuration": ANY, "NextPageToken": "p2"},
    )
    result = ce_insights.rightsizing(account, NOW)
    ce.assert_no_pending_responses()
    assert result.rows.column("resource_id").to_pylist() == ["i-1", "i-2"]
    assert result.pages == 2


def period(month: int, actual: str) -> dict:
    return {
        "BudgetedAmount": {"Amount": "500", "Unit": "USD"},
        "ActualAmount": {"Amount": actual, "Unit": "USD"},
        "TimePeriod": {"Start": datetime(2026, month, 1), "End": datetime(2026, month + 1, 1)},
    }


def test_budget_history_follows_next_tokens_over_the_twelve_months_before_this_one(account):
    budgets = account.stub("budgets")
    budget = {
        "BudgetName": "web",
        "BudgetType": "COST",
        "TimeUnit": "MONTHLY",
        "BudgetLimit": {"Amount": "5", "Unit": "USD"},
    }
    budgets.add_response("describe_budgets", {"Budgets": [budget]}, {"AccountId": ACCOUNT})
    asked = {
        "AccountId": ACCOUNT,
        "BudgetName": "web",
        "TimePeriod": {"Start": datetime(2025, 11, 1), "End": datetime(2026, 11, 1)},
    }
    history = {"BudgetName": "web", "BudgetType": "COST", "TimeUnit": "MONTHLY"}
    budgets.add_response(
        "describe_budget_performance_history",
        {"BudgetPerformanceHistory": {**history, "BudgetedAndActualAmountsList": [period(9, "480")]}, "NextToken": "t"},
        asked,
    )
    budgets.add_response(
        "describe_budget_performance_history",
        {"BudgetPerformanceHistory": {**history, "BudgetedAndActualAmountsList": [period(10, "530")]}},
        {**asked, "NextToken": "t"},
    )
    result = account_info.collect_budgets(account, date(2026, 11, 24))
    budgets.assert_no_pending_responses()
    assert not result.failures
    assert [str(a) for a in result.history.column("actual").to_pylist()] == ["480.000000000000", "530.000000000000"]


def test_metric_data_follows_next_tokens():
    client = boto3.client(
        "cloudwatch", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    with Stubber(client) as cloudwatch:
        first = [{"Id": "avg0", "Values": [1.0, 3.0]}, {"Id": "max0", "Values": [3.0]}]
        cloudwatch.add_response("get_metric_data", {"MetricDataResults": first, "NextToken": "t"})
        cloudwatch.add_response(
            "get_metric_data",
            {"MetricDataResults": [{"Id": "sum0", "Values": [4.0]}]},
            {"MetricDataQueries": ANY, "StartTime": ANY, "EndTime": ANY, "NextToken": "t"},
        )
        stats = utilization.metrics(client, "AWS/EC2", "InstanceId", ["i-1"], "CPUUtilization", NOW)
        cloudwatch.assert_no_pending_responses()
    assert stats == {"i-1": {"avg": 2.0, "max": 3.0, "sum": 4.0}}


def test_cost_and_usage_has_no_botocore_paginator_so_the_hand_written_pager_follows_its_tokens(account):
    assert not account.client("ce").can_paginate("get_cost_and_usage")
    ce = account.stub("ce")
    request = cost_explorer.request_for(ACCOUNT, date(2026, 11, 1), date(2026, 11, 25))
    page = {"ResultsByTime": [], "DimensionValueAttributes": []}
    ce.add_response("get_cost_and_usage", {**page, "NextPageToken": "p2"}, request)
    ce.add_response("get_cost_and_usage", page, {**request, "NextPageToken": "p2"})
    assert len(cost_explorer._pages(account.client("ce"), request)) == 2
    ce.assert_no_pending_responses()
