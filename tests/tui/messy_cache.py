"""A cache the way real exports leave it: several providers and currencies, one currency made only of
zero-cost rows without a currency, and data that ended long before the tests' frozen today (2026-11-24).

Spend is arranged so that each wrong rule for the first view picks a different currency: CHF is first
by name, EUR holds the most spend over all time, USD the most in the latest month (Nov 2025).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from finops_tui.sources.ingest import ingest_paths

HEADER = (
    "BilledCost,EffectiveCost,ChargePeriodStart,ChargePeriodEnd,BillingPeriodStart,BillingCurrency,ProviderName,"
    "BillingAccountId,SubAccountId,ServiceName,RegionId"
)
LAST_DAY = date(2025, 11, 18)  # 371 days before the frozen today
EMPTY_CURRENCY_ROWS = 5


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _rows(
    provider: str, account: str, service: str, region: str, currency: str, cost: float, days: list[date]
) -> list[str]:
    return [
        f"{cost:.2f},{cost:.2f},{d}T00:00:00Z,{d + timedelta(days=1)}T00:00:00Z,{d.replace(day=1)}T00:00:00Z,"
        f"{currency},{provider},{account},{account},{service},{region}"
        for d in days
    ]


def build_messy_cache(folder: Path) -> Path:
    """Write the billing files into `folder`, ingest them, return the cache path."""
    oct_ = _days(date(2025, 10, 1), date(2025, 10, 31))
    nov = _days(date(2025, 11, 1), LAST_DAY)
    files = {
        "aws.csv": _rows("AWS", "111111111111", "Amazon EC2", "us-east-1", "USD", 10, oct_)
        + _rows("AWS", "111111111111", "Amazon EC2", "us-east-1", "USD", 12, nov)
        + _rows("AWS", "111111111111", "Amazon S3", "us-east-1", "USD", 1, nov),
        "oracle.csv": _rows("Oracle", "ocid-tenancy", "Compute", "eu-frankfurt-1", "USD", 2, nov),
        "azure-eur.csv": _rows(
            "Microsoft",
            "ms-eu",
            "Virtual Machines",
            "westeurope",
            "EUR",
            100,
            _days(date(2025, 9, 1), date(2025, 9, 30)),
        )
        + _rows(
            "Microsoft",
            "ms-eu",
            "Virtual Machines",
            "westeurope",
            "EUR",
            5,
            _days(date(2025, 11, 1), date(2025, 11, 10)),
        ),
        "azure-free.csv": _rows("Microsoft", "ms-free", "Azure DNS", "global", "", 0, nov[:EMPTY_CURRENCY_ROWS]),
        "gcp.csv": _rows("Google Cloud", "gcp-ba", "Compute Engine", "europe-west6", "CHF", 3, oct_ + nov),
    }
    paths = []
    for name, lines in files.items():
        path = folder / name
        path.write_text(HEADER + "\n" + "\n".join(lines) + "\n")
        paths.append(str(path))
    cache = folder / "messy.duckdb"
    ingest_paths(paths, cache)
    return cache
