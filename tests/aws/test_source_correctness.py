"""What the AWS collectors store is what AWS meant: budgets survive a failed history call,
rightsizing regions are region codes, and an anomaly's user feedback is not its status.

moto lacks Budgets performance history and Cost Explorer's rightsizing and anomalies, so those
are answered at botocore's before-call hook (botocore.stub.Stubber, or a small per-operation
answerer where the guards must see the calls); the refresh test runs against moto over HTTP.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import boto3
import duckdb
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from finops_tui.sources.aws import account_info, ce_insights, clients
from finops_tui.sources.aws.guards import Guards
from finops_tui.sources.aws.refresh import run_refresh
from tests.aws.conftest import _Raw, options

ACCOUNT = "123456789012"
NOW = datetime(2026, 11, 24, 9, 30)
TODAY = NOW.date()


def q(cache, sql):
    with duckdb.connect(str(cache), read_only=True) as con:
        return con.execute(sql).fetchall()


class Account:
    """What collectors use of AwsAccount: an account id and one client per service, with the refresh's
    guards attached (as clients.open_account does) and answers given at botocore's before-call hook."""

    account_id = ACCOUNT

    def __init__(self, answers: dict[str, list[dict[str, Any]]] | None = None) -> None:
        self.guards = Guards()
        self.answers = answers or {}
        self.asked: list[str] = []
        self.clients: dict[str, Any] = {}
        self.stubs: dict[str, Stubber] = {}

    def client(self, service: str, region: str = "us-east-1") -> Any:
        if service not in self.clients:
            client = boto3.client(
                service, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing"
            )
            self.guards.attach(client, service, region)  # first: its circuit breaker sees every call
            client.meta.events.register("before-call.*.*", self._answer)
            self.clients[service] = client
        return self.clients[service]

    def stub(self, service: str) -> Stubber:
        """A Stubber for a service whose calls are not in `answers` (checks each call's parameters)."""
        self.stubs[service] = Stubber(self.client(service))
        self.stubs[service].activate()
        return self.stubs[service]

    def _answer(self, model: Any, **_: Any) -> Any:
        if model.name not in self.answers:
            return None
        self.asked.append(model.name)
        parsed = self.answers[model.name].pop(0)
        status = parsed.get("ResponseMetadata", {}).get("HTTPStatusCode", 200)
        return AWSResponse("https://example.amazonaws.com", status, {}, _Raw(b"{}")), parsed


def budget(name: str) -> dict[str, Any]:
    return {
        "BudgetName": name,
        "BudgetType": "COST",
        "TimeUnit": "MONTHLY",
        "BudgetLimit": {"Amount": "5", "Unit": "USD"},
    }


def error(code: str, status: int) -> dict[str, Any]:
    return {"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {"HTTPStatusCode": status}}


# -- b. budgets are stored when their history cannot be read ----------------------------------------


def test_failing_history_calls_cannot_lose_the_budgets_of_a_later_page():
    """Five history calls failing with 503 open the Budgets circuit breaker; asking history between
    DescribeBudgets pages then failed the next page, and with it every budget."""
    first = [budget(f"team-{n}") for n in range(5)]
    account = Account(
        {
            "DescribeBudgets": [{"Budgets": first, "NextToken": "p2"}, {"Budgets": [budget("team-5")]}],
            "DescribeBudgetPerformanceHistory": [error("ServiceUnavailable", 503) for _ in range(6)],
        }
    )
    result = account_info.collect_budgets(account, TODAY)
    assert result.failures == []  # the budgets collector succeeded
    assert result.rows.column("budget_name").to_pylist() == [f"team-{n}" for n in range(6)]
    assert result.history is None  # missing: the stored history stays
    assert result.history_failure.code == "ServiceUnavailable" and "'team-0'" in result.history_failure.message
    assert account.asked.count("DescribeBudgetPerformanceHistory") == 1  # no point asking the others
    missing = result.history_missing("prod (123456789012)")
    assert missing.startswith("prod (123456789012): budget history not refreshed (the stored history is kept): ")
    assert "DescribeBudgetPerformanceHistory: ServiceUnavailable" in missing


def deny_budget_history(account_client):
    def wrapper(self, service, region="us-east-1"):
        client = account_client(self, service, region)
        if service == "budgets" and not getattr(client, "_deny_history", False):

            def deny(**_):
                raise ClientError(error("AccessDeniedException", 400), "DescribeBudgetPerformanceHistory")

            client.meta.events.register_first("before-parameter-build.budgets.DescribeBudgetPerformanceHistory", deny)
            client._deny_history = True
        return client

    return wrapper


def test_a_refresh_whose_budget_history_is_denied_stores_the_budgets_and_keeps_the_old_history(
    seeded, budget, tmp_path, monkeypatch
):
    cache = tmp_path / "c.duckdb"
    assert run_refresh(cache, options()).run.status == "ok"
    history = q(cache, "SELECT budget_id, period_start, actual FROM budget_history ORDER BY 2")
    assert len(history) == 2
    boto3.client("budgets", region_name="us-east-1").create_budget(
        AccountId=ACCOUNT,
        Budget={"BudgetName": "team-data", "BudgetLimit": {"Amount": "90", "Unit": "USD"}, "TimeUnit": "MONTHLY",
                "BudgetType": "COST"},
    )  # fmt: skip
    monkeypatch.setattr(clients.AwsAccount, "client", deny_budget_history(clients.AwsAccount.client))
    summary = run_refresh(cache, options())
    assert q(cache, "SELECT budget_name FROM budgets ORDER BY 1") == [("team-data",), ("team-web",)]
    assert q(cache, "SELECT budget_id, period_start, actual FROM budget_history ORDER BY 2") == history
    [collector] = [c for c in summary.run.collectors if c["collector"].startswith("budgets")]
    assert collector["status"] == "ok" and collector["rows"] == 2
    assert summary.run.status == "partial"
    [failure] = summary.failures
    assert "budget history not refreshed (the stored history is kept)" in failure
    assert "DescribeBudgetPerformanceHistory: AccessDeniedException" in failure
    assert "grant the IAM permission budgets:DescribeBudgetPerformanceHistory" in failure


# -- c. rightsizing stores region codes --------------------------------------------------------------


def recommendation(instance: str, region: str) -> dict[str, Any]:
    return {
        "AccountId": ACCOUNT,
        "RightsizingType": "Terminate",
        "CurrentInstance": {
            "ResourceId": instance,
            "MonthlyCost": "10",
            "ResourceDetails": {"EC2ResourceDetails": {"InstanceType": "m5.large", "Region": region}},
        },
        "TerminateRecommendationDetail": {"EstimatedMonthlySavings": "10", "CurrencyCode": "USD"},
    }


def test_rightsizing_stores_the_region_code_for_the_display_name_cost_explorer_answers():
    account = Account()
    ce = account.stub("ce")
    regions = ["US East (N. Virginia)", "EU (Ireland)", "Europe (Frankfurt)", "Asia Pacific (Tokyo)", "Atlantis (Deep)"]
    recommendations = [recommendation(f"i-{n}", region) for n, region in enumerate(regions)]
    ce.add_response("get_rightsizing_recommendation", {"RightsizingRecommendations": recommendations})
    result = ce_insights.rightsizing(account, NOW)
    ce.assert_no_pending_responses()
    assert result.rows.column("region_id").to_pylist() == [
        "us-east-1",
        "eu-west-1",
        "eu-central-1",
        "ap-northeast-1",
        None,  # never a display name in region_id
    ]
    assert result.notes == [
        "rightsizing: region Atlantis (Deep) unknown to this botocore's endpoint data; stored without a region "
        "(upgrading boto3 may know it)"
    ]


def test_region_names_come_from_botocores_endpoint_data_in_every_partition():
    assert ce_insights.region_code("US West (Oregon)") == "us-west-2"
    assert ce_insights.region_code("AWS GovCloud (US-West)") == "us-gov-west-1"
    assert ce_insights.region_code("China (Ningxia)") == "cn-northwest-1"
    assert ce_insights.region_code("eu-west-3") == "eu-west-3"  # a code is already a code
    assert ce_insights.region_code(None) is None


# -- d. an anomaly's feedback is not its status ------------------------------------------------------


def anomaly(n: int, feedback: str | None, end: str | None) -> dict[str, Any]:
    found = {
        "AnomalyId": f"a-{n}",
        "AnomalyStartDate": "2026-11-20",
        "MonitorArn": "arn:aws:ce::1:anomalymonitor/m",
        "RootCauses": [
            {
                "Service": "Amazon Elastic Compute Cloud - Compute",
                "Region": "us-east-1",
                "LinkedAccount": ACCOUNT,
                "LinkedAccountName": "prod",
                "UsageType": "BoxUsage:m5.xlarge",
            }
        ],
        "AnomalyScore": {"MaxScore": 0.9, "CurrentScore": 0.8},
        "Impact": {"MaxImpact": 1.0, "TotalActualSpend": 200.0, "TotalExpectedSpend": 50.0},
    }
    if feedback:
        found["Feedback"] = feedback
    if end:
        found["AnomalyEndDate"] = end
    return found


def test_anomaly_feedback_goes_to_the_root_cause_and_status_stays_our_own_state():
    account = Account()
    ce = account.stub("ce")
    ce.add_response("get_anomaly_monitors", {"AnomalyMonitors": []})
    found = [anomaly(1, "PLANNED_ACTIVITY", None), anomaly(2, "YES", "2026-11-22"), anomaly(3, None, None)]
    ce.add_response("get_anomalies", {"Anomalies": found})
    result = ce_insights.anomalies(account, TODAY, NOW)
    ce.assert_no_pending_responses()
    assert result.rows.column("status").to_pylist() == ["open", "closed", "open"]
    cause = "Amazon Elastic Compute Cloud - Compute in us-east-1, account 123456789012 (prod), usage BoxUsage:m5.xlarge"
    assert result.rows.column("root_cause").to_pylist() == [
        f"{cause}; feedback in AWS: PLANNED_ACTIVITY (marked as planned activity)",
        f"{cause}; feedback in AWS: YES (confirmed as an anomaly)",
        cause,
    ]
