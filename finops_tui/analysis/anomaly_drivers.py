"""Root cause of an anomaly: which resources, usage types and regions explain the rise, and how much of it.

For each value of a dimension (a ResourceId, a usage type, a region) the cache sums its cost over
the anomaly's days and over the `BASELINE_DAYS` days before them. Its delta is the first minus
what its daily average before would have cost over the same days; its share is that delta over
the sum of every value's delta in the dimension, so "i-0abc 82%" reads as "this instance
explains 82% of the rise". Values that fell have negative deltas and are never named.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from finops_tui.money import format_money

BASELINE_DAYS = 28
DIMENSIONS = ("resource", "usage type", "region")
_TOP = 3  # values named per dimension
_MIN_SHARE = 0.05  # a value explaining less than this is noise, not a cause


@dataclass(frozen=True)
class DriverCost:
    """What the cache sums for one value of one dimension of one anomaly."""

    dimension: str
    value: str | None
    during: float  # over the anomaly's days
    before: float  # over the BASELINE_DAYS days before them


@dataclass(frozen=True)
class Driver:
    dimension: str
    value: str
    delta: float
    share: float

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def drivers(costs: Iterable[DriverCost], days: int) -> list[Driver]:
    """The values that explain most of the rise, largest delta first, at most three per dimension."""
    by_dimension: dict[str, list[tuple[str, float]]] = {}
    for c in costs:
        delta = c.during - c.before / BASELINE_DAYS * days
        by_dimension.setdefault(c.dimension, []).append((c.value or "(none)", delta))
    found: list[Driver] = []
    for dimension in DIMENSIONS:
        values = by_dimension.get(dimension, [])
        total = sum(delta for _, delta in values)
        if total <= 0:
            continue
        ranked = sorted(values, key=lambda v: (-v[1], v[0]))[:_TOP]
        found += [Driver(dimension, value, d, d / total) for value, d in ranked if d / total >= _MIN_SHARE]
    return sorted(found, key=lambda d: (DIMENSIONS.index(d.dimension), -d.delta))


def short_id(resource_id: str) -> str:
    """An ARN's own resource id (`arn:aws:ec2:…:instance/i-0abc` → `i-0abc`); any other id as it is.

    The row already says the account and service; the full id stays in `drivers`."""
    if not resource_id.startswith("arn:"):
        return resource_id
    return resource_id.split(":", 5)[-1].replace(":", "/").rsplit("/", 1)[-1] or resource_id


def root_cause(found: list[Driver], currency: str | None) -> str:
    """One readable line: the top resources, usage types and regions, each with its delta and share."""
    parts = []
    for dimension in DIMENSIONS:
        named = [d for d in found if d.dimension == dimension][:2]
        if named:
            values = ", ".join(
                f"{short_id(d.value) if dimension == 'resource' else d.value} +{format_money(d.delta, currency)} "
                f"({d.share:.0%})"
                for d in named
            )
            parts.append(f"{dimension}: {values}")
    return "; ".join(parts) if parts else "no single resource, usage type or region explains the rise"
