"""The optimization rules, as data: what each one matches, how sure and how risky it is, what to run.

A rule names the facts query that finds its candidates (cache/rule_facts.py: the SQL, with the
thresholds of config.RuleThresholds as parameters), how its monthly saving is estimated, and the
AWS CLI command that would act on it. The command is shown, never run. Adding a rule is adding a
record here and, when no existing facts query finds its candidates, one query in rule_facts.py.

Savings come from the resource's own cost in the cache (EffectiveCost of its latest month, scaled
to a whole month when that month is partial). Without cost rows, a rule with a list price falls
back to it and says so in `savings_basis`; a rule without one leaves the saving empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Risk = Literal["low", "medium", "high"]
Effort = Literal["low", "medium", "high"]
Needs = Literal["inventory", "billing"]


@dataclass(frozen=True)
class Rule:
    rule_id: str
    title: str
    optimization_type: str
    needs: Needs  # inventory (from `refresh`) or billing rows alone (ingested exports)
    facts: str  # the facts query in cache/rule_facts.py that finds the candidates
    matches: str  # what a candidate is, for people; {name} fields come from the thresholds
    risk: Risk
    confidence: float  # 0-1: how often acting on a match is right
    effort: Effort
    action: str  # AWS CLI command; {resource_id} (the id, an ARN's tail), {arn}, {region}, {name}, {target}
    saving_share: float | str = 1.0  # of the resource's own cost; a str names the threshold holding it
    list_price: str | None = None  # key of LIST_PRICES_USD used when the cache holds no cost for it


# Public us-east-1 list prices (USD, 2025), used only when the cache has no cost for the resource;
# savings_basis then says the figure is a list-price estimate, not the resource's bill.
LIST_PRICES_USD: dict[str, float] = {
    "ebs_gp2_gib_month": 0.10,
    "ebs_gp3_gib_month": 0.08,
    "ebs_io1_gib_month": 0.125,
    "ebs_io2_gib_month": 0.125,
    "ebs_st1_gib_month": 0.045,
    "ebs_sc1_gib_month": 0.015,
    "ebs_standard_gib_month": 0.05,
    "snapshot_gib_month": 0.05,
    "eip_month": 0.005 * 730,  # $0.005 per public IPv4 address-hour
    "nat_month": 0.045 * 730,  # $0.045 per NAT gateway-hour, before data processed
    "load_balancer_month": 0.0225 * 730,  # $0.0225 per ALB/NLB-hour, before capacity units
}

# Previous-generation EC2 families: successor and the share of the price it saves at the same size
# (us-east-1 Linux On-Demand list, e.g. m4.large $0.100/h vs m5.large $0.096/h). None: the successor
# costs about the same or more per hour, so the gain is performance, not money.
PREVIOUS_GENERATION: dict[str, tuple[str, float | None]] = {
    "t1": ("t3", 0.48),
    "t2": ("t3", 0.10),
    "m1": ("m5", 0.45),
    "m2": ("r5", None),
    "m3": ("m5", 0.28),
    "m4": ("m5", 0.04),
    "c1": ("c5", 0.35),
    "c3": ("c5", 0.19),
    "c4": ("c5", 0.15),
    "r3": ("r5", 0.24),
    "r4": ("r5", 0.05),
    "i2": ("i3", 0.63),
    "d2": ("d3", 0.28),
    "g2": ("g4dn", None),
    "g3": ("g4dn", None),
    "p2": ("p3", None),
    "x1": ("x2idn", None),
}

_NOTE_SNAPSHOT = "aws ec2 create-snapshot --volume-id {resource_id} --region {region} --description 'before delete'"

# Stopping, retyping and starting an instance: the action of both previous-generation rules.
MODERNISE_EC2 = (
    "aws ec2 stop-instances --instance-ids {resource_id} --region {region} && "
    "aws ec2 modify-instance-attribute --instance-id {resource_id} --instance-type Value={target} "
    "--region {region} && aws ec2 start-instances --instance-ids {resource_id} --region {region}"
)

RULES: tuple[Rule, ...] = (
    Rule(
        "idle-ec2",
        "Idle EC2 instance",
        "idle resource (stop)",
        "inventory",
        "idle_instances",
        "EC2 instance running with CPU max below {idle_cpu_max_percent}% over the 14-day window",
        "medium",
        0.8,
        "low",
        "aws ec2 stop-instances --instance-ids {resource_id} --region {region}",
    ),
    Rule(
        "stopped-instance-volumes",
        "Stopped instance still paying for its volumes",
        "stopped instance (terminate)",
        "inventory",
        "stopped_instances",
        "EC2 instance stopped, with EBS volumes attached that are billed every month",
        "medium",
        0.6,
        "medium",
        "aws ec2 create-image --instance-id {resource_id} --name {resource_id}-final --region {region} && "
        "aws ec2 terminate-instances --instance-ids {resource_id} --region {region}",
    ),
    Rule(
        "unattached-ebs",
        "Unattached EBS volume",
        "unattached volume (delete)",
        "inventory",
        "unattached_volumes",
        "EBS volume in state 'available' (attached to nothing)",
        "medium",
        0.85,
        "low",
        _NOTE_SNAPSHOT + " && aws ec2 delete-volume --volume-id {resource_id} --region {region}",
        list_price="ebs_volume",
    ),
    Rule(
        "old-snapshot",
        "Old EBS snapshot",
        "old snapshot (delete)",
        "inventory",
        "old_snapshots",
        "EBS snapshot older than {snapshot_max_age_days} days",
        "medium",
        0.5,
        "low",
        "aws ec2 delete-snapshot --snapshot-id {resource_id} --region {region}",
        list_price="snapshot",
    ),
    Rule(
        "unassociated-eip",
        "Unassociated Elastic IP",
        "unused address (release)",
        "inventory",
        "unassociated_addresses",
        "Elastic IP not associated with an instance or network interface",
        "low",
        0.95,
        "low",
        "aws ec2 release-address --allocation-id {resource_id} --region {region}",
        list_price="eip_month",
    ),
    Rule(
        "gp2-to-gp3",
        "gp2 volume: move to gp3",
        "gp2 → gp3 (modify)",
        "inventory",
        "gp2_volumes",
        "EBS volume of type gp2; gp3 costs less per GiB with the same baseline performance",
        "low",
        0.9,
        "low",
        "aws ec2 modify-volume --volume-id {resource_id} --volume-type gp3 --region {region}",
        saving_share="gp3_saving_share",
        list_price="gp3_saving",
    ),
    Rule(
        "previous-generation-ec2",
        "Previous-generation instance type",
        "previous generation (modernise)",
        "inventory",
        "previous_generation_instances",
        "EC2 instance of a previous-generation family (m4, c4, r4, t2, …)",
        "medium",
        0.7,
        "medium",
        MODERNISE_EC2,
        saving_share="family",
    ),
    Rule(
        "idle-rds",
        "Idle RDS instance",
        "idle resource (stop)",
        "inventory",
        "idle_databases",
        "RDS instance with 0 database connections over the 14-day window",
        "medium",
        0.8,
        "low",
        "aws rds stop-db-instance --db-instance-identifier {name} --region {region}",
    ),
    Rule(
        "idle-load-balancer",
        "Idle load balancer",
        "idle resource (delete)",
        "inventory",
        "idle_load_balancers",
        "Load balancer with 0 requests (ALB) or 0 new flows (NLB) over the 14-day window",
        "medium",
        0.8,
        "low",
        "aws elbv2 delete-load-balancer --load-balancer-arn {arn} --region {region}",
        list_price="load_balancer_month",
    ),
    Rule(
        "idle-nat-gateway",
        "Idle NAT gateway",
        "idle resource (delete)",
        "inventory",
        "idle_nat_gateways",
        "NAT gateway that sent 0 bytes over the 14-day window",
        "medium",
        0.8,
        "low",
        "aws ec2 delete-nat-gateway --nat-gateway-id {resource_id} --region {region}",
        list_price="nat_month",
    ),
    # -- rules that need billing rows only (ingested CUR/FOCUS exports, no inventory) --------------
    Rule(
        "billed-gp2",
        "gp2 storage in the bill: move to gp3",
        "gp2 → gp3 (modify)",
        "billing",
        "billed_gp2_volumes",
        "a resource billed for gp2 storage (usage or description names gp2) that inventory does not list",
        "low",
        0.85,
        "low",
        "aws ec2 modify-volume --volume-id {resource_id} --volume-type gp3 --region {region}",
        saving_share="gp3_saving_share",
    ),
    Rule(
        "billed-previous-generation",
        "Previous-generation instance type in the bill",
        "previous generation (modernise)",
        "billing",
        "billed_previous_generation",
        "a resource billed for instance hours of a previous-generation family that inventory does not list",
        "medium",
        0.65,
        "medium",
        MODERNISE_EC2,
        saving_share="family",
    ),
    Rule(
        "billed-idle-nat-gateway",
        "NAT gateway billed for hours but processing no data",
        "idle resource (delete)",
        "billing",
        "billed_idle_nat_gateways",
        "a NAT gateway with NAT Gateway-Hours charges and no data-processed charges in its latest month",
        "medium",
        0.6,
        "low",
        "aws ec2 delete-nat-gateway --nat-gateway-id {resource_id} --region {region}",
    ),
    Rule(
        "billed-idle-address",
        "Idle Elastic IP in the bill",
        "unused address (release)",
        "billing",
        "billed_idle_addresses",
        "a charge for an Elastic IP address not attached to a running instance (usage IdleAddress)",
        "low",
        0.9,
        "low",
        "aws ec2 release-address --allocation-id {resource_id} --region {region}",
    ),
    Rule(
        "nonprod-always-on",
        "Non-production compute running around the clock",
        "schedule (stop out of hours)",
        "billing",
        "nonprod_always_on",
        "compute tagged {nonprod_tag_keys} = {nonprod_tag_values}, billed on each of the last "
        "{nonprod_days_billed} days",
        "low",
        0.5,
        "medium",
        "aws ec2 stop-instances --instance-ids {resource_id} --region {region}  "
        "# out of hours; schedule with AWS Instance Scheduler",
        saving_share="schedule",
    ),
    Rule(
        "untagged-spend",
        "Untagged spend",
        "allocation (tag)",
        "billing",
        "untagged_spend",
        "an account's spend on a service, on resources without any tag, of at least "
        "{untagged_min_monthly_cost} a month",
        "low",
        0.9,
        "low",
        "aws resourcegroupstaggingapi tag-resources --region {region} --resource-arn-list {target} --tags owner=<team>",
        saving_share=0.0,
    ),
)

RULES_BY_ID: dict[str, Rule] = {r.rule_id: r for r in RULES}
