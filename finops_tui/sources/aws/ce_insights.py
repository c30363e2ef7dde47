"""Cost Explorer's own analyses for one account: the month-end forecast (GetCostForecast), cost anomalies
(GetAnomalies, with the monitors that find them) and EC2 rightsizing (GetRightsizingRecommendation).

Each request is billed like GetCostAndUsage ($0.01 per page) and their answers change a few
times a day, so a refresh asks at most once per data-latency window per account: the caller
passes the time of the last successful ask (from the request cache) and gets nothing new when
it is recent. moto implements none of these; tests stub them at botocore's before-call hook.

What AWS answers is stored in our terms: rightsizing names regions by display name ("US East
(N. Virginia)"), stored as the region code botocore's endpoint data gives it; an anomaly's
`Feedback` (YES, NO, PLANNED_ACTIVITY) is what a user said about it in AWS, kept in the root
cause text, while `status` stays our own state (open until AWS gives the anomaly an end date).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import botocore.session
import pyarrow as pa
from botocore.exceptions import BotoCoreError, ClientError, DataNotFoundError

from finops_tui.cache.schema import ANOMALIES, COST_FORECASTS, OPTIMIZATIONS
from finops_tui.periods import next_month_start
from finops_tui.sources.aws.clients import AwsAccount
from finops_tui.sources.aws.outcome import CollectorResult, failure_from


@dataclass
class InsightResult(CollectorResult):
    kind: str = ""  # anomalies, optimizations or cost_forecasts: the cache table it replaces
    pages: int = 0  # billed Cost Explorer pages
    notes: list[str] = field(default_factory=list)


def _d(value: Any) -> Decimal:
    return Decimal(str(value or "0"))


def forecast(account: AwsAccount, today: date, now: datetime) -> InsightResult:
    result = InsightResult("ce.forecast", None, None, kind="cost_forecasts")
    start = today + timedelta(days=1)
    end = next_month_start(today)
    if start >= end:  # the last day of the month: nothing left to forecast
        return result
    try:
        answer = account.client("ce").get_cost_forecast(
            TimePeriod={"Start": start.isoformat(), "End": end.isoformat()},
            Metric="UNBLENDED_COST",
            Granularity="MONTHLY",
            PredictionIntervalLevel=80,
            Filter={"Dimensions": {"Key": "LINKED_ACCOUNT", "Values": [account.account_id]}},
        )
    except (BotoCoreError, ClientError) as exc:
        result.failures.append(failure_from(exc, "ce", None, "GetCostForecast"))
        return result
    result.pages = 1
    total = answer.get("Total", {})
    periods = answer.get("ForecastResultsByTime", [])
    lower = sum((_d(p.get("PredictionIntervalLowerBound")) for p in periods), Decimal(0))
    upper = sum((_d(p.get("PredictionIntervalUpperBound")) for p in periods), Decimal(0))
    result.rows = pa.Table.from_pylist(
        [
            {
                "account_id": account.account_id,
                "metric": "UnblendedCost",
                "currency": total.get("Unit", "USD"),
                "period_start": start,
                "period_end": end,
                "mean": _d(total.get("Amount")),
                "lower_bound": lower,
                "upper_bound": upper,
                "fetched_at": now,
            }
        ],
        schema=COST_FORECASTS.row_schema,
    )
    return result


def _region_key(name: str) -> str:
    """A region display name compared loosely: case and spacing aside, and "EU (Ireland)" (Cost Explorer's
    and the price list's older name) equal to "Europe (Ireland)" (botocore's)."""
    key = re.sub(r"\s+", " ", name).strip().lower()
    return re.sub(r"^europe \(", "eu (", key)


@functools.cache
def _region_codes() -> dict[str, str]:
    """{region display name key or code: code} for every partition botocore knows (aws, aws-cn, GovCloud, ...)."""
    try:
        endpoints = botocore.session.get_session().get_data("endpoints")
    except DataNotFoundError:
        return {}
    codes: dict[str, str] = {}
    for partition in endpoints.get("partitions", []):
        for code, region in partition.get("regions", {}).items():
            codes[code] = code
            if region.get("description"):
                codes[_region_key(region["description"])] = code
    return codes


def region_code(name: str | None) -> str | None:
    """'us-east-1' for 'US East (N. Virginia)' (or for 'us-east-1'); None when botocore does not know it."""
    if not name:
        return None
    codes = _region_codes()
    return codes.get(name) or codes.get(_region_key(name))


_FEEDBACK = {
    "YES": "confirmed as an anomaly",
    "NO": "marked as not an anomaly",
    "PLANNED_ACTIVITY": "marked as planned activity",
}


def _root_cause(causes: list[dict[str, Any]], feedback: str | None) -> str | None:
    """The root causes as one line of text, with the user's feedback from AWS when there is some."""
    parts = []
    for cause in causes:
        account = cause.get("LinkedAccount")
        if account and cause.get("LinkedAccountName"):
            account = f"{account} ({cause['LinkedAccountName']})"
        where = [
            " in ".join(w for w in (cause.get("Service"), cause.get("Region")) if w),
            f"account {account}" if account else "",
            f"usage {cause['UsageType']}" if cause.get("UsageType") else "",
        ]
        parts.append(", ".join(w for w in where if w))
    if feedback:
        parts.append(f"feedback in AWS: {feedback} ({_FEEDBACK.get(feedback, 'user feedback')})")
    return "; ".join(p for p in parts if p) or None


def _severity(impact: dict[str, Any]) -> str:
    percent = float(impact.get("TotalImpactPercentage") or 0)
    return "high" if percent >= 100 else "medium" if percent >= 25 else "low"


def anomalies(account: AwsAccount, today: date, now: datetime) -> InsightResult:
    result = InsightResult("ce.anomalies", None, None, kind="anomalies")
    ce = account.client("ce")
    rows: list[dict[str, Any]] = []
    try:
        monitors = ce.get_anomaly_monitors(MaxResults=100).get("AnomalyMonitors", [])
        result.pages += 1
        if not monitors:
            result.notes.append(
                "no Cost Anomaly Detection monitor exists for this account: create one in the "
                "console (Cost Management > Cost Anomaly Detection) to get anomalies"
            )
        for page in ce.get_paginator("get_anomalies").paginate(
            DateInterval={"StartDate": (today - timedelta(days=90)).isoformat(), "EndDate": today.isoformat()},
        ):
            result.pages += 1
            for a in page.get("Anomalies", []):
                impact = a.get("Impact", {})
                cause = (a.get("RootCauses") or [{}])[0]
                rows.append(
                    {
                        "anomaly_id": a["AnomalyId"],
                        "anomaly_type": "AWS Cost Anomaly Detection",
                        "severity": _severity(impact),
                        "start_date": date.fromisoformat(a["AnomalyStartDate"][:10])
                        if a.get("AnomalyStartDate")
                        else None,
                        "end_date": date.fromisoformat(a["AnomalyEndDate"][:10]) if a.get("AnomalyEndDate") else None,
                        "actual_cost": _d(impact.get("TotalActualSpend")),
                        "expected_cost": _d(impact.get("TotalExpectedSpend")),
                        "currency": "USD",
                        "provider_name": "AWS",
                        "sub_account_id": cause.get("LinkedAccount") or account.account_id,
                        "service_name": cause.get("Service"),
                        "region_id": cause.get("Region"),
                        "root_cause": _root_cause(a.get("RootCauses") or [], a.get("Feedback")),
                        "status": "closed" if a.get("AnomalyEndDate") else "open",
                        "detected_at": now,
                    }
                )
    except (BotoCoreError, ClientError) as exc:
        result.failures.append(failure_from(exc, "ce", None, "GetAnomalies"))
        return result
    result.rows = pa.Table.from_pylist(rows, schema=ANOMALIES.row_schema)
    return result


def rightsizing(account: AwsAccount, now: datetime) -> InsightResult:
    result = InsightResult("ce.rightsizing", None, None, kind="optimizations")
    ce = account.client("ce")
    rows: list[dict[str, Any]] = []
    unknown_regions: set[str] = set()
    try:
        for page in ce.get_paginator("get_rightsizing_recommendation").paginate(
            Service="AmazonEC2",
            Configuration={"RecommendationTarget": "SAME_INSTANCE_FAMILY", "BenefitsConsidered": True},
        ):
            result.pages += 1
            for rec in page.get("RightsizingRecommendations", []):
                current = rec.get("CurrentInstance", {})
                details = current.get("ResourceDetails", {}).get("EC2ResourceDetails", {})
                kind = rec.get("RightsizingType", "Modify")
                if kind == "Terminate":
                    savings = _d(rec.get("TerminateRecommendationDetail", {}).get("EstimatedMonthlySavings"))
                    what = f"terminate {details.get('InstanceType', 'instance')} (idle)"
                    currency = rec.get("TerminateRecommendationDetail", {}).get("CurrencyCode", "USD")
                else:
                    target = (rec.get("ModifyRecommendationDetail", {}).get("TargetInstances") or [{}])[0]
                    savings = _d(target.get("EstimatedMonthlySavings"))
                    currency = target.get("CurrencyCode", "USD")
                    new_type = target.get("ResourceDetails", {}).get("EC2ResourceDetails", {}).get("InstanceType")
                    what = f"resize {details.get('InstanceType', '?')} to {new_type or '?'}"
                region = region_code(details.get("Region"))
                if details.get("Region") and region is None:
                    unknown_regions.add(details["Region"])
                rows.append(
                    {
                        "optimization_id": f"aws-rightsizing:{current.get('ResourceId')}:{kind.lower()}",
                        "resource_id": current.get("ResourceId"),
                        "optimization_type": f"rightsizing ({kind.lower()})",
                        "description": f"{what}; monthly cost now {current.get('MonthlyCost', '?')} {currency}",
                        "estimated_savings": savings,
                        "currency": currency,
                        "risk_level": "medium" if kind == "Terminate" else "low",
                        "confidence_score": None,
                        "effort": "low",
                        "status": "open",
                        "provider_name": "AWS",
                        "region_id": region,
                        "sub_account_id": rec.get("AccountId") or account.account_id,
                        "detected_at": now,
                    }
                )
    except (BotoCoreError, ClientError) as exc:
        result.failures.append(failure_from(exc, "ce", None, "GetRightsizingRecommendation"))
        return result
    if unknown_regions:
        result.notes.append(
            f"rightsizing: region {', '.join(sorted(unknown_regions))} unknown to this botocore's endpoint data; "
            "stored without a region (upgrading boto3 may know it)"
        )
    result.rows = pa.Table.from_pylist(rows, schema=OPTIMIZATIONS.row_schema)
    return result
