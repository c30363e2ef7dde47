"""Turning one rule's facts into recommendations: saving, its basis, evidence, the exact command.

Pure: no SQL (the facts come from cache/rule_facts.py), no Textual. Every figure is traceable:
`savings_basis` says which cost it came from (the resource's own EffectiveCost and its month, or a
named list price when the cache holds no cost for it) and `evidence` holds the metrics or billing
rows that made the rule fire. Ids are `<rule_id>:<resource_id>`, so evaluating again finds the
same recommendation instead of adding another.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from finops_tui.analysis.optimization_rules import LIST_PRICES_USD, PREVIOUS_GENERATION, Rule
from finops_tui.config import RuleThresholds

ORIGIN = "computed"


def optimization_id(rule: Rule, resource_id: str) -> str:
    return f"{rule.rule_id}:{resource_id}"


def _share(rule: Rule, fact: dict[str, Any], thresholds: RuleThresholds) -> tuple[float | None, str]:
    """The share of the resource's cost the action saves, and why."""
    if isinstance(rule.saving_share, float):
        return rule.saving_share, "all of" if rule.saving_share == 1 else f"{rule.saving_share:.0%} of"
    if rule.saving_share == "family":
        family = str(fact.get("evidence_type") or "").split(".")[0]
        successor, share = PREVIOUS_GENERATION.get(family, (None, None))
        if share is None:
            return None, f"{family}→{successor}: about the same price per hour (the gain is performance), so"
        return share, f"{family}→{successor}: {share:.0%} lower list price per hour at the same size, of"
    if rule.saving_share == "schedule":
        share = 1 - thresholds.office_hours_per_week / 168
        return share, f"running {thresholds.office_hours_per_week:g} of 168 hours a week saves {share:.0%} of"
    value = float(getattr(thresholds, rule.saving_share))
    return value, f"{value:.0%} of"


def _month_label(fact: dict[str, Any]) -> str:
    month = fact.get("cost_month")
    days, length = fact.get("cost_days"), fact.get("month_days")
    if not isinstance(month, date):
        return f"the last {days} days, scaled to {length}" if days and days > 1 else "its volumes' latest month"
    if days is not None and length is not None and days < length:
        return f"{month:%b %Y} days 1–{days}, scaled to {length} days"
    return f"{month:%b %Y}"


def _list_estimate(rule: Rule, fact: dict[str, Any], volumes: list[dict[str, Any]]) -> tuple[float, str] | None:
    """A list-price estimate (USD) when the cache has no cost for the resource; None when there is no price."""
    key = rule.list_price
    if key is None and rule.rule_id == "stopped-instance-volumes":
        priced = [
            (v["size_gib"] or 0) * LIST_PRICES_USD.get(f"ebs_{v['volume_type']}_gib_month", 0.10) for v in volumes
        ]
        total = sum(priced)
        return (total, "list price of its volumes' GiB (us-east-1, USD)") if total else None
    if key in ("ebs_volume", "snapshot", "gp3_saving"):
        size = fact.get("size_gib")
        if not size:
            return None
        if key == "snapshot":
            price = LIST_PRICES_USD["snapshot_gib_month"]
            return size * price, f"{size:g} GiB × ${price}/GiB-month snapshot list price (us-east-1, full size)"
        if key == "gp3_saving":
            gp2, gp3 = LIST_PRICES_USD["ebs_gp2_gib_month"], LIST_PRICES_USD["ebs_gp3_gib_month"]
            return size * (gp2 - gp3), f"{size:g} GiB × (${gp2} gp2 − ${gp3} gp3)/GiB-month list price (us-east-1)"
        per_gib = LIST_PRICES_USD.get(f"ebs_{fact.get('volume_type')}_gib_month")
        if per_gib is None:
            return None
        return size * per_gib, f"{size:g} GiB × ${per_gib}/GiB-month {fact.get('volume_type')} list price (us-east-1)"
    if key in LIST_PRICES_USD:
        return LIST_PRICES_USD[key], f"${LIST_PRICES_USD[key]:.2f}/month list price (us-east-1, 730 hours)"
    return None


def saving(rule: Rule, fact: dict[str, Any], thresholds: RuleThresholds) -> tuple[float | None, str | None, str]:
    """(monthly saving, currency, basis). The resource's own cost first, a labelled list price second."""
    if rule.rule_id == "untagged-spend":
        return None, fact.get("currency"), "not a saving: spend no team is accountable for until it is tagged"
    share, why = _share(rule, fact, thresholds)
    cost, days, length = fact.get("month_cost"), fact.get("cost_days"), fact.get("month_days")
    if cost is not None:
        monthly = float(cost) * (length / days if days and length and days < length else 1)
        if share is None:
            return None, fact.get("currency"), f"not estimated: {why} no saving is claimed"
        return (
            round(monthly * share, 2),
            fact.get("currency"),
            f"{why} its own EffectiveCost, {_month_label(fact)} ({monthly:,.2f} {fact.get('currency') or ''})".strip(),
        )
    estimate = _list_estimate(rule, fact, fact.get("evidence_volumes") or [])
    if estimate is None or share is None:
        return None, fact.get("currency"), "not estimated: the cache holds no cost for this resource"
    value, basis = estimate
    scaled = value * (share if rule.list_price != "gp3_saving" else 1.0)
    return round(scaled, 2), "USD", f"estimate, no cost rows for it in the cache: {basis}"


def describe(rule: Rule, thresholds: RuleThresholds) -> str:
    """The rule's title and what it matches, with the thresholds in force (once per rule per evaluation)."""
    values = {k: "/".join(v) if isinstance(v, list) else f"{v:g}" for k, v in thresholds.model_dump().items()}
    return f"{rule.title}: {rule.matches.format(**values)}"


def worth_it(rule: Rule, fact: dict[str, Any], thresholds: RuleThresholds) -> bool:
    """False for a resource whose own cost is below `min_monthly_cost`: there is nothing to save.
    A resource without cost rows is kept (its saving is then a labelled estimate or left empty)."""
    cost = fact.get("month_cost")
    return rule.saving_share == 0.0 or cost is None or float(cost) >= thresholds.min_monthly_cost


def recommend(
    rule: Rule, fact: dict[str, Any], thresholds: RuleThresholds, now: datetime, description: str | None = None
) -> dict[str, Any]:
    """One `optimizations` row for a fact that matched `rule`; `description` is `describe(rule, thresholds)`."""
    evidence = json.loads(fact["evidence"]) if isinstance(fact.get("evidence"), str) else dict(fact["evidence"] or {})
    if fact.get("evidence_volumes"):
        evidence["volumes"] = fact["evidence_volumes"]
    fact = {**fact, "evidence_type": evidence.get("instance_type")}
    savings, currency, basis = saving(rule, fact, thresholds)
    if fact.get("month_cost") is not None and rule.rule_id != "untagged-spend":
        month = fact.get("cost_month")
        evidence["own_cost"] = {
            "effective_cost": round(float(fact["month_cost"]), 2),
            "month": f"{month:%Y-%m}" if isinstance(month, date) else None,
            "days": fact.get("cost_days"),
        }
    name = str(fact.get("resource_name") or fact["resource_id"])
    if rule.rule_id == "idle-rds" and name.startswith("arn:"):
        name = name.rsplit(":", 1)[-1]
    rid = str(fact["resource_id"])
    action = rule.action.format(
        resource_id=rid.rsplit("/", 1)[-1] if rid.startswith("arn:") else rid,
        arn=rid,
        region=fact.get("region_id") or "<region>",
        name=name,
        target=fact.get("target") or "<target>",
    )
    return {
        "optimization_id": optimization_id(rule, str(fact["resource_id"])),
        "resource_id": fact["resource_id"],
        "optimization_type": rule.optimization_type,
        "description": description or describe(rule, thresholds),
        "estimated_savings": None if savings is None else Decimal(f"{savings:.2f}"),
        "currency": currency,
        "risk_level": rule.risk,
        "confidence_score": rule.confidence,
        "effort": rule.effort,
        "status": "open",
        "provider_name": fact.get("provider_name"),
        "region_id": fact.get("region_id"),
        "sub_account_id": fact.get("sub_account_id"),
        "detected_at": now,
        "rule_id": rule.rule_id,
        "evidence": json.dumps(evidence, default=str, sort_keys=True),
        "action": action,
        "savings_basis": basis,
        "origin": ORIGIN,
    }
