"""FOCUS CSV rows of generated daily spend, for the anomaly tests: a few resources, a spike where asked.

Messy on purpose: a second currency, a second provider, rows with no currency and a future-dated row.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

HEADER = (
    "BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,BillingPeriodStart,ProviderName,"
    "BillingAccountId,SubAccountId,ServiceName,RegionId,ResourceId,SkuId,ChargeCategory"
)
FIRST = date(2025, 1, 1)
DAYS = 120
SPIKE_DAY = FIRST + timedelta(days=100)
SPIKY = "i-0runaway"


def _row(day: date, cost: float, currency: str, provider: str, account: str, service: str, region: str,
         resource: str, sku: str, category: str = "Usage") -> str:  # fmt: skip
    month = day.replace(day=1)
    return (
        f"{cost:.4f},{cost:.4f},{currency},{day}T00:00:00Z,{day + timedelta(days=1)}T00:00:00Z,{month}T00:00:00Z,"
        f"{provider},payer,{account},{service},{region},{resource},{sku},{category}"
    )


def write_costs(path: Path, *, spike: float = 0.0, days: int = DAYS) -> Path:
    """Steady spend with a weekday pattern; `spike` extra on SPIKY on SPIKE_DAY (and the day after)."""
    lines = [HEADER]
    for i in range(days):
        day = FIRST + timedelta(days=i)
        weekend = day.weekday() >= 5
        wobble = 1 + ((i * 37) % 11 - 5) / 100  # ±5%, deterministic
        ec2 = 200 * wobble * (0.8 if weekend else 1)
        lines.append(_row(day, ec2, "USD", "AWS", "a1", "EC2", "us-east-1", "i-0steady", "BoxUsage:m5.large"))
        runaway = 60 * wobble + (spike if day in (SPIKE_DAY, SPIKE_DAY + timedelta(days=1)) else 0)
        lines.append(_row(day, runaway, "USD", "AWS", "a1", "EC2", "eu-west-1", SPIKY, "BoxUsage:c5.4xlarge"))
        lines.append(_row(day, 90 * wobble, "USD", "AWS", "a2", "S3", "us-east-1", "bucket-1", "TimedStorage"))
        lines.append(_row(day, 70 * wobble, "EUR", "Azure", "sub-1", "VMs", "westeurope", "vm-1", "D2s"))
        lines.append(_row(day, 5 * wobble, "", "AWS", "a3", "KMS", "us-east-1", "key-1", "Requests"))
        if day.day == 1:
            lines.append(_row(day, 500, "USD", "AWS", "a1", "EC2", "", "", "Tax", category="Tax"))
    lines.append(_row(date(2031, 1, 1), 99999, "USD", "AWS", "a1", "EC2", "us-east-1", "i-0steady", "future"))
    path.write_text("\n".join(lines) + "\n")
    return path
