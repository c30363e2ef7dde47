"""Cost Explorer GetCostAndUsage: daily cost by service and region for one account, incrementally.

Cost Explorer bills $0.01 per request page and refreshes its data a few times a day, so:
- a month is fetched as one request series (pages follow NextPageToken): DAILY, metrics
  UnblendedCost (-> BilledCost) and AmortizedCost (-> EffectiveCost), GroupBy SERVICE and
  REGION, filtered to the account (LINKED_ACCOUNT), 13 months at most;
- a month is *settled* once its invoice is final (after the 5th of the next month): a settled
  month already in the request cache is never fetched again;
- an unsettled month (this month, and last month until the 5th) is fetched again only when its
  cached answer is older than the data-latency window (6 h by default), or its End moved (a new
  day began); an identical request inside the window is answered from the cache: zero requests.
The rows keep CE's `Estimated` flag (x_Extensions) and land in datasets
`costs-ce:AWS:<account>:<YYYY-MM>`; where billing-export rows cover the same account and day the
export wins in every figure (see cache/cost_slices.apply_export_precedence).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa
from botocore.exceptions import BotoCoreError, ClientError

from finops_tui.cache.dataset_ids import api_cost_slice
from finops_tui.cache.schema import COSTS
from finops_tui.periods import month_windows, next_month_start
from finops_tui.sources.aws.clients import AwsAccount
from finops_tui.sources.aws.outcome import CollectorResult, failure_from
from finops_tui.sources.aws.paging import pages

PRICE_PER_PAGE = Decimal("0.01")
MONTHS = 13
SETTLE_DAY = 5
LATENCY = timedelta(hours=6)
Request = dict[str, Any]  # GetCostAndUsage parameters, as sent and as hashed for the request cache


@dataclass(frozen=True)
class CachedAnswer:
    pages: list[dict[str, Any]]
    fetched_at: datetime


@dataclass
class CostExplorerPlan:
    """The requests a refresh would make (for --dry-run) and the ones it may answer from the cache."""

    requests: list[Request] = field(default_factory=list)  # to send
    reused: list[Request] = field(default_factory=list)  # answered from the cache

    @property
    def estimated_cost(self) -> Decimal:
        return PRICE_PER_PAGE * len(self.requests)  # at least one page each


def is_settled(start: date, today: date) -> bool:
    """Whether the month starting `start` has its final invoice (SETTLE_DAY days into the next month)."""
    return today >= next_month_start(start) + timedelta(days=SETTLE_DAY)


def request_for(account_id: str, start: date, end: date) -> Request:
    return {
        "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
        "Granularity": "DAILY",
        "Metrics": ["UnblendedCost", "AmortizedCost"],
        "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}, {"Type": "DIMENSION", "Key": "REGION"}],
        "Filter": {"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": [account_id]}},
    }


def request_hash(account_id: str, request: Request) -> str:
    return hashlib.sha256(json.dumps([account_id, request], sort_keys=True).encode()).hexdigest()


def plan(
    account_id: str, today: date, now: datetime, cache: dict[str, CachedAnswer], latency: timedelta = LATENCY
) -> CostExplorerPlan:
    out = CostExplorerPlan()
    for start, end in month_windows(today, MONTHS):
        request = request_for(account_id, start, end)
        cached = cache.get(request_hash(account_id, request))
        fresh = cached is not None and (is_settled(start, today) or now - cached.fetched_at < latency)
        (out.reused if fresh else out.requests).append(request)
    return out


def _pages(ce: Any, request: Request) -> list[dict[str, Any]]:
    return [
        {
            "ResultsByTime": page.get("ResultsByTime", []),
            "DimensionValueAttributes": page.get("DimensionValueAttributes", []),
        }
        for page in pages(ce.get_cost_and_usage, **request)
    ]


def rows_from_pages(account_id: str, pages: list[dict[str, Any]], fetched_at: datetime) -> list[dict[str, Any]]:
    rows = []
    for page in pages:
        for period in page["ResultsByTime"]:
            day = datetime.fromisoformat(period["TimePeriod"]["Start"])
            month = datetime(day.year, day.month, 1)
            estimated = bool(period.get("Estimated"))
            for group in period.get("Groups", []):
                service, region = (group.get("Keys", []) + ["", ""])[:2]
                metrics = group.get("Metrics", {})
                billed = metrics.get("UnblendedCost", {})
                amortized = metrics.get("AmortizedCost", {})
                rows.append(
                    {
                        "ProviderName": "AWS",
                        "BillingAccountId": account_id,
                        "SubAccountId": account_id,
                        "BillingCurrency": billed.get("Unit") or amortized.get("Unit"),
                        "BillingPeriodStart": month,
                        "ChargePeriodStart": day,
                        "ChargePeriodEnd": day + timedelta(days=1),
                        "ServiceName": service or None,
                        "RegionId": None if region in ("", "NoRegion", "global") else region,
                        "ChargeCategory": "Tax" if service == "Tax" else "Usage",
                        "BilledCost": Decimal(billed.get("Amount", "0")),
                        "EffectiveCost": Decimal(amortized.get("Amount", billed.get("Amount", "0"))),
                        "x_DatasetId": api_cost_slice("AWS", account_id, month),
                        "x_SourceKind": "API",
                        "x_SourceFile": f"ce:GetCostAndUsage@{fetched_at:%Y-%m-%dT%H:%MZ}",
                        "x_FocusVersion": "aws-ce/GetCostAndUsage",
                        "x_Extensions": json.dumps({"Estimated": estimated, "RegionKey": region}),
                    }
                )
    return rows


# The cost columns a Cost Explorer row fills; the rest of `costs` stays NULL.
COST_SCHEMA = COSTS.arrow_schema(
    (
        "ProviderName",
        "BillingAccountId",
        "SubAccountId",
        "BillingCurrency",
        "BillingPeriodStart",
        "ChargePeriodStart",
        "ChargePeriodEnd",
        "ServiceName",
        "RegionId",
        "ChargeCategory",
        "BilledCost",
        "EffectiveCost",
        "x_DatasetId",
        "x_SourceKind",
        "x_SourceFile",
        "x_FocusVersion",
        "x_Extensions",
    )
)


@dataclass
class CostExplorerResult(CollectorResult):
    answers: dict[str, tuple[Request, CachedAnswer]] = field(default_factory=dict)  # new answers to cache
    months: list[str] = field(default_factory=list)  # YYYY-MM fetched (their datasets are replaced)
    pages: int = 0


def collect(account: AwsAccount, today: date, now: datetime, cache: dict[str, CachedAnswer]) -> CostExplorerResult:
    """Fetch what the plan says; a failing month keeps its previous data (its dataset is not replaced)."""
    todo = plan(account.account_id, today, now, cache)
    result = CostExplorerResult("ce.cost_and_usage", None, None)
    ce = account.client("ce")
    rows: list[dict[str, Any]] = []
    for request in todo.requests:
        try:
            pages = _pages(ce, request)
        except (BotoCoreError, ClientError) as exc:
            result.failures.append(failure_from(exc, "ce", None, "GetCostAndUsage"))
            if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in (
                "AccessDeniedException",
                "AccessDenied",
                "ExpiredTokenException",
                "UnrecognizedClientException",
            ):
                break  # every other month would fail the same way: do not pay for the attempts
            continue
        result.pages += len(pages)
        answer = CachedAnswer(pages, now)
        result.answers[request_hash(account.account_id, request)] = (request, answer)
        result.months.append(request["TimePeriod"]["Start"][:7])
        rows.extend(rows_from_pages(account.account_id, pages, now))
    result.calls = result.pages
    result.rows = pa.Table.from_pylist(rows, schema=COST_SCHEMA) if result.months else None
    return result
