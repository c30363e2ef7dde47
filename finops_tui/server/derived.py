"""Answers made from contract views, for the endpoints the replaced platforms had: open anomalies,
savings totals, health. Pure functions of the views: nothing here reads the cache itself.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict

from finops_tui.contract import CONTRACT_VERSION
from finops_tui.contract.provenance import Overview
from finops_tui.contract.refresh import RunStatus
from finops_tui.contract.tables import AnomaliesTable
from finops_tui.contract.views import AnomaliesView, OptimizationsView

CLOSED_STATUSES = ("closed", "resolved", "muted", "acknowledged", "dismissed")


def open_anomalies(view: AnomaliesView) -> AnomaliesView:
    """The anomalies still open: status empty or not one of CLOSED_STATUSES (any case)."""
    status = pc.utf8_lower(view.table.table["status"])
    closed = pc.is_in(status, value_set=pa.array(CLOSED_STATUSES))
    keep = pc.invert(pc.fill_null(closed, False))
    return view.model_copy(update={"table": AnomaliesTable.of(view.table.table.filter(keep))})


class CurrencySavings(BaseModel):
    model_config = ConfigDict(frozen=True)

    currency: str | None
    monthly_savings: float
    count: int


class SavingsView(BaseModel):
    """Recommended monthly savings per currency (never summed across currencies), largest first."""

    model_config = ConfigDict(frozen=True)

    totals: list[CurrencySavings]


def savings(view: OptimizationsView) -> SavingsView:
    sums: dict[str | None, float] = defaultdict(float)
    counts: dict[str | None, int] = defaultdict(int)
    for row in view.table.rows():
        if str(row["status"] or "").lower() in CLOSED_STATUSES:
            continue
        sums[row["currency"]] += float(row["monthly_savings"] or 0)
        counts[row["currency"]] += 1
    totals = [CurrencySavings(currency=c, monthly_savings=round(v, 2), count=counts[c]) for c, v in sums.items()]
    return SavingsView(totals=sorted(totals, key=lambda t: -t.monthly_savings))


class KindAge(BaseModel):
    kind: str
    count: int
    newest_loaded_at: datetime | None
    age_seconds: float | None


class LastRefresh(BaseModel):
    status: RunStatus
    finished_at: datetime


class Health(BaseModel):
    """Unauthenticated, so it names no dataset or account: per kind, how many and how old the newest is."""

    status: str = "ok"
    contract_version: str = CONTRACT_VERSION
    datasets: list[KindAge]
    last_refresh: LastRefresh | None


def health(overview: Overview, now: datetime | None = None) -> Health:
    now = now or datetime.now(UTC).replace(tzinfo=None)
    by_kind: dict[str, list[datetime | None]] = defaultdict(list)
    for d in overview.datasets:
        by_kind[d.kind].append(d.loaded_at)
    kinds = []
    for kind, loaded in sorted(by_kind.items()):
        newest = max((t for t in loaded if t is not None), default=None)
        age = (now - newest).total_seconds() if newest else None
        kinds.append(KindAge(kind=kind, count=len(loaded), newest_loaded_at=newest, age_seconds=age))
    refresh = overview.refresh
    last = LastRefresh(status=refresh.status, finished_at=refresh.finished_at) if refresh else None
    return Health(datasets=kinds, last_refresh=last)
