"""`finops-tui doctor --test-connection`: does each credential work, and which APIs may it call?

STS GetCallerIdentity per credential, then one cheap read per API the refresh uses. Every probe is
free except Cost Explorer, which has no free call: it is probed with a one-day GetCostAndUsage
($0.01) only when `include_paid` is set; otherwise it is listed as not checked, with why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from finops_tui.errors import FinopsError
from finops_tui.sources.aws.clients import ClientSettings, network_advice, open_account
from finops_tui.sources.aws.guards import Guards
from finops_tui.sources.aws.outcome import is_network_error


@dataclass(frozen=True)
class Probe:
    api: str  # IAM action it needs
    call: Callable[[Callable[[str], Any]], Any]
    paid: bool = False


def _ce_probe(client: Callable[[str], Any]) -> Any:
    end = datetime.now(UTC).date()
    return client("ce").get_cost_and_usage(
        TimePeriod={"Start": (end - timedelta(days=1)).isoformat(), "End": end.isoformat()},
        Granularity="DAILY",
        Metrics=["UnblendedCost"],
    )


PROBES = (
    Probe("ce:GetCostAndUsage", _ce_probe, paid=True),
    Probe(
        "budgets:ViewBudget",
        lambda c: c("budgets").describe_budgets(AccountId=c("sts").get_caller_identity()["Account"], MaxResults=1),
    ),
    Probe("organizations:ListAccounts", lambda c: c("organizations").list_accounts(MaxResults=1)),
    Probe("ec2:DescribeInstances", lambda c: c("ec2").describe_instances(MaxResults=5)),
    Probe("ec2:DescribeVolumes", lambda c: c("ec2").describe_volumes(MaxResults=5)),
    Probe("rds:DescribeDBInstances", lambda c: c("rds").describe_db_instances(MaxRecords=20)),
    Probe("lambda:ListFunctions", lambda c: c("lambda").list_functions(MaxItems=1)),
    Probe("elasticloadbalancing:DescribeLoadBalancers", lambda c: c("elbv2").describe_load_balancers(PageSize=1)),
    Probe("s3:ListAllMyBuckets", lambda c: c("s3").list_buckets()),
    Probe("cloudwatch:GetMetricData", lambda c: c("cloudwatch").list_metrics(Namespace="AWS/EC2")),
)


def test_connections(
    profiles: list[str | None], include_paid: bool = False, settings: ClientSettings | None = None
) -> tuple[list[str], bool]:
    """Report lines, and whether every credential works with every probed API."""
    lines, ok = [], True
    settings = settings or ClientSettings(max_attempts=2, read_timeout=10)
    for profile in profiles:
        name = profile or "default credentials"
        try:
            account = open_account(profile, Guards(), settings)
        except FinopsError as exc:  # credentials, network, or a malformed shared config file
            lines.append(f"  {name}: FAILED: {exc}")
            ok = False
            continue
        lines.append(f"  {name}: account {account.account_id} as {account.arn}")
        for probe in PROBES:
            if probe.paid and not include_paid:
                lines.append(
                    f"    {probe.api}: not checked (Cost Explorer has no free call; "
                    "`doctor --test-connection --include-paid` spends $0.01 to check it)"
                )
                continue
            try:
                probe.call(account.client)
                lines.append(f"    {probe.api}: allowed")
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code", "")
                denied = "Denied" in code or code in ("UnauthorizedOperation", "AuthorizationError")
                ok = False
                lines.append(
                    f"    {probe.api}: {'DENIED: add ' + probe.api + ' to the policy' if denied else code}"
                    f"{'' if denied else ': ' + str(exc)}"
                )
            except BotoCoreError as exc:
                ok = False
                lines.append(f"    {probe.api}: FAILED: {network_advice(exc) if is_network_error(exc) else exc}")
    return lines, ok
