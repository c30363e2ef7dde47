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

from finops_tui.sources.aws import account_info, clients
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
