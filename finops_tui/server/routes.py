"""The route table: which path serves which reader method, as what model, to which role.

Adding a `CostReader` method to the API is one line here. Arguments come from the method's signature
(server/binding.py), and `create_app` checks that each route's response model is what the method returns
(or what its `pick` makes of it), so the table cannot drift from the contract.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Literal

from finops_tui.auth.tokens import Role
from finops_tui.contract.provenance import DatasetInfo, Overview
from finops_tui.contract.tables import RankedTable
from finops_tui.contract.views import (
    AnomaliesView,
    BudgetsView,
    KpiSummary,
    KpiView,
    OptimizationsView,
    ResourcesView,
)
from finops_tui.server import derived

Verb = Literal["GET", "POST"]


@dataclass(frozen=True)
class Route:
    verb: Verb
    path: str
    method: str  # the CostReader method that answers
    response: Any  # the model (or type) the envelope's `data` holds
    role: Role  # the least role allowed (viewer < analyst < admin; collector apart)
    pick: Callable[[Any], Any] | None = None  # the part of the method's answer this path serves


ROUTES: list[Route] = [
    Route("GET", "/api/integration/status", "overview", Overview, "viewer"),
    Route("GET", "/api/datasets", "overview", list[DatasetInfo], "viewer", attrgetter("datasets")),
    Route("GET", "/api/dashboard/kpis", "kpi_view", KpiView, "viewer"),
    Route("GET", "/api/dashboard/spend-summary", "kpi_view", KpiSummary | None, "viewer", attrgetter("summary")),
    Route("GET", "/api/dashboard/service-costs", "kpi_view", RankedTable, "viewer", attrgetter("services")),
    Route("GET", "/api/dashboard/account-costs", "kpi_view", RankedTable, "viewer", attrgetter("accounts")),
    Route("GET", "/api/dashboard/anomalies", "anomalies_view", AnomaliesView, "viewer", derived.open_anomalies),
    Route("GET", "/api/resources", "resources_view", ResourcesView, "viewer"),
    Route("GET", "/api/budgets", "budgets_view", BudgetsView, "viewer"),
    Route("GET", "/api/anomalies", "anomalies_view", AnomaliesView, "viewer"),
    Route("GET", "/api/optimizations", "optimizations_view", OptimizationsView, "viewer"),
    Route("GET", "/api/savings", "optimizations_view", derived.SavingsView, "viewer", derived.savings),
]

_RANK = {"viewer": 1, "analyst": 2, "admin": 3}


def allowed(caller: Role, needed: Role) -> bool:
    """Whether a token of role `caller` may use a route needing `needed`; collectors only push."""
    if needed == "collector" or caller == "collector":
        return caller == needed
    return _RANK[caller] >= _RANK[needed]
