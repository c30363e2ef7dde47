"""Scoring detection against known events: precision, recall and root-cause accuracy.

The DEMO injects known spikes and level shifts (sources/demo_catalog.py); tests and the benchmark
score the detector on them. A detection matches an event when it is of the event's series (or
its provider's total) and its days overlap the event's first two weeks (a level shift runs to the
end of the data, but is reported where it starts). The root cause is right when the top resource
driver is the resource that moved, or, for an event over a whole region, the top region driver is
that region.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

_MATCH_DAYS = 14


@dataclass(frozen=True)
class KnownEvent:
    event_id: str
    provider: str
    account: str
    service: str
    first_day: date
    last_day: date
    resource_id: str | None
    region: str


@dataclass(frozen=True)
class Score:
    detections: int
    true_detections: int
    events: int
    found_events: int
    right_causes: int
    missed: list[str]
    unexplained: list[str]  # anomaly ids that match no event

    @property
    def precision(self) -> float:
        return self.true_detections / self.detections if self.detections else 1.0

    @property
    def recall(self) -> float:
        return self.found_events / self.events if self.events else 1.0

    @property
    def root_cause_accuracy(self) -> float:
        return self.right_causes / self.found_events if self.found_events else 1.0


def _matches(row: dict[str, Any], event: KnownEvent) -> bool:
    if row["provider_name"] != event.provider:
        return False
    total = row["sub_account_id"] is None and row["service_name"] is None
    if not total and (row["sub_account_id"], row["service_name"]) != (event.account, event.service):
        return False
    last = min(event.last_day, event.first_day + timedelta(days=_MATCH_DAYS - 1))
    return bool(row["start_date"] <= last and row["end_date"] >= event.first_day - timedelta(days=1))


def _right_cause(row: dict[str, Any], event: KnownEvent) -> bool:
    named = json.loads(row["drivers"] or "[]")
    wanted = ("resource", event.resource_id) if event.resource_id else ("region", event.region)
    top = next((d["value"] for d in named if d["dimension"] == wanted[0]), None)
    return top == wanted[1]


def score(rows: Sequence[dict[str, Any]], events: Sequence[KnownEvent], explained: Sequence[KnownEvent] = ()) -> Score:
    """`rows`: computed anomalies with the cache's column names (drivers as JSON text). Recall is over
    `events`; a detection matching one of `events` or of `explained` (real changes in the data that
    are not required to be found, such as a resource launched mid-year) is a true detection."""
    true_rows = [r for r in rows if any(_matches(r, e) for e in (*events, *explained))]
    found, right, missed = 0, 0, []
    for event in events:
        hits = [r for r in rows if _matches(r, event)]
        if not hits:
            missed.append(event.event_id)
            continue
        found += 1
        own = [r for r in hits if r["sub_account_id"] is not None] or hits
        right += any(_right_cause(r, event) for r in own)
    return Score(
        detections=len(rows),
        true_detections=len(true_rows),
        events=len(events),
        found_events=found,
        right_causes=right,
        missed=missed,
        unexplained=[r["anomaly_id"] for r in rows if r not in true_rows],
    )
