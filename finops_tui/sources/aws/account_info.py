"""Budgets (DescribeBudgets) and account names (Organizations ListAccounts) for one AWS account."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pyarrow as pa
from botocore.exceptions import BotoCoreError, ClientError

from finops_tui.sources.aws.clients import AwsAccount
from finops_tui.sources.aws.outcome import CollectorResult, failure_from

# Budget cost-filter keys -> the cost column the Budgets tab filters on.
FILTER_DIMENSIONS = {"Service": "ServiceName", "LinkedAccount": "SubAccountId", "Region": "RegionId",
                     "ChargeType": "ChargeCategory"}
_NOT_IN_ORG = ("AWSOrganizationsNotInUseException", "AccessDeniedException", "AccessDenied")


def collect_budgets(account: AwsAccount) -> CollectorResult:
    result = CollectorResult("budgets.describe_budgets", None, None)
    rows: list[dict[str, Any]] = []
    try:
        for page in account.client("budgets").get_paginator("describe_budgets").paginate(AccountId=account.account_id):
            result.calls += 1
            for budget in page.get("Budgets", []):
                if budget.get("BudgetType") != "COST":
                    continue
                limit = budget.get("BudgetLimit", {})
                filters = budget.get("CostFilters", {}) or {}
                key = next(iter(filters), None)
                rows.append({
                    "budget_id": f"aws:{account.account_id}:{budget['BudgetName']}",
                    "budget_name": budget["BudgetName"], "budget_type": "COST",
                    "time_unit": budget.get("TimeUnit", "MONTHLY"),
                    "budget_amount": Decimal(str(limit.get("Amount", "0"))), "currency": limit.get("Unit", "USD"),
                    "filter_dimension": FILTER_DIMENSIONS.get(key) if key else None,
                    "filter_values": filters.get(key) if key else None,
                    "tags": json.dumps({"source": "AWS Budgets", "account": account.account_id}),
                })
    except (BotoCoreError, ClientError) as exc:
        result.failures.append(failure_from(exc, "budgets", None, "DescribeBudgets"))
        return result
    result.rows = pa.Table.from_pylist(rows, schema=pa.schema([
        ("budget_id", pa.string()), ("budget_name", pa.string()), ("budget_type", pa.string()),
        ("time_unit", pa.string()), ("budget_amount", pa.decimal128(38, 12)), ("currency", pa.string()),
        ("filter_dimension", pa.string()), ("filter_values", pa.list_(pa.string())), ("tags", pa.string())]))
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
