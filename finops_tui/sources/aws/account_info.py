"""Budgets (DescribeBudgets, DescribeBudgetPerformanceHistory) and account names (Organizations
ListAccounts) for one AWS account. Budgets are stored even when their history cannot be read: the
Budgets tab measures the current period from cost data; history only adds the last periods, so a
failed history call marks the history missing (the stored one is kept) instead of failing budgets."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pyarrow as pa
from botocore.exceptions import BotoCoreError, ClientError

from finops_tui.cache.schema import BUDGET_HISTORY, BUDGETS
from finops_tui.periods import add_months, month_start
from finops_tui.sources.aws.clients import AwsAccount
from finops_tui.sources.aws.outcome import CallFailure, CollectorResult, failure_from

# Budget cost-filter keys -> the cost column the Budgets tab filters on.
FILTER_DIMENSIONS = {
    "Service": "ServiceName",
    "LinkedAccount": "SubAccountId",
    "Region": "RegionId",
    "ChargeType": "ChargeCategory",
}
_NOT_IN_ORG = ("AWSOrganizationsNotInUseException", "AccessDeniedException", "AccessDenied")


@dataclass
class BudgetsResult(CollectorResult):
    history: pa.Table | None = None  # DescribeBudgetPerformanceHistory, last 12 periods per budget; None: missing
    history_failure: CallFailure | None = None  # why the history is missing; the budgets (rows) are still good

    def history_missing(self, label: str) -> str | None:
        """The run's failure line when the history could not be read, or None."""
        if self.history_failure is None:
            return None
        return f"{label}: budget history not refreshed (the stored history is kept): {self.history_failure.describe()}"


def _history(account: AwsAccount, budget: dict[str, Any], budget_id: str, today: date) -> list[dict[str, Any]]:
    """The budget's periods in the 12 months before this one, as AWS Budgets recorded them."""
    rows = []
    first, end = add_months(today, -12), month_start(today)
    paginator = account.client("budgets").get_paginator("describe_budget_performance_history")
    for page in paginator.paginate(
        AccountId=account.account_id,
        BudgetName=budget["BudgetName"],
        TimePeriod={"Start": datetime.combine(first, time()), "End": datetime.combine(end, time())},
    ):
        for period in page.get("BudgetPerformanceHistory", {}).get("BudgetedAndActualAmountsList", []):
            span = period.get("TimePeriod", {})
            rows.append(
                {
                    "budget_id": budget_id,
                    "period_start": span.get("Start").date() if span.get("Start") else None,
                    "period_end": span.get("End").date() if span.get("End") else None,
                    "budgeted": Decimal(str(period.get("BudgetedAmount", {}).get("Amount", "0"))),
                    "actual": Decimal(str(period.get("ActualAmount", {}).get("Amount", "0"))),
                    "currency": period.get("ActualAmount", {}).get("Unit", "USD"),
                }
            )
    return rows


def collect_budgets(account: AwsAccount, today: date | None = None) -> BudgetsResult:
    """Every COST budget, then each one's history. All budget pages are read before any history call,
    so failing history calls (which may open the Budgets circuit breaker) cannot lose the budgets."""
    today = today or datetime.now(UTC).date()
    result = BudgetsResult("budgets.describe_budgets", None, None)
    budgets: list[dict[str, Any]] = []
    try:
        for page in account.client("budgets").get_paginator("describe_budgets").paginate(AccountId=account.account_id):
            result.calls += 1
            budgets += [b for b in page.get("Budgets", []) if b.get("BudgetType") == "COST"]
    except (BotoCoreError, ClientError) as exc:
        result.failures.append(failure_from(exc, "budgets", None, "DescribeBudgets"))
        return result
    rows: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for budget in budgets:
        limit = budget.get("BudgetLimit", {})
        filters = budget.get("CostFilters", {}) or {}
        key = next(iter(filters), None)
        budget_id = f"aws:{account.account_id}:{budget['BudgetName']}"
        rows.append(
            {
                "budget_id": budget_id,
                "budget_name": budget["BudgetName"],
                "budget_type": "COST",
                "time_unit": budget.get("TimeUnit", "MONTHLY"),
                "budget_amount": Decimal(str(limit.get("Amount", "0"))),
                "currency": limit.get("Unit", "USD"),
                "filter_dimension": FILTER_DIMENSIONS.get(key) if key else None,
                "filter_values": filters.get(key) if key else None,
                "tags": json.dumps({"source": "AWS Budgets", "account": account.account_id}),
            }
        )
        if result.history_failure is not None:
            continue  # the history is missing anyway: one budget's would replace every budget's stored history
        try:
            history += _history(account, budget, budget_id, today)
            result.calls += 1
        except (BotoCoreError, ClientError) as exc:
            failure = failure_from(exc, "budgets", None, "DescribeBudgetPerformanceHistory")
            result.history_failure = replace(failure, message=f"{failure.message} (budget {budget['BudgetName']!r})")
    result.rows = pa.Table.from_pylist(rows, schema=BUDGETS.row_schema)
    if result.history_failure is None:
        result.history = pa.Table.from_pylist(history, schema=BUDGET_HISTORY.row_schema)
    return result


def account_names(account: AwsAccount) -> tuple[dict[str, str], str | None]:
    """{account id: name} from Organizations; ({}, note) when not allowed or not in an organization."""
    names: dict[str, str] = {}
    try:
        for page in account.client("organizations").get_paginator("list_accounts").paginate():
            names.update({a["Id"]: a["Name"] for a in page.get("Accounts", [])})
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in _NOT_IN_ORG:
            return {}, f"account names not available ({code}): accounts are shown by id"
        return {}, f"Organizations ListAccounts failed ({code}); accounts are shown by id"
    except BotoCoreError as exc:
        return {}, f"Organizations ListAccounts failed ({exc}); accounts are shown by id"
    return names, None
