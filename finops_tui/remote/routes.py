"""Which HTTP request answers which `CostReader` call: data, so a new reader method is one line here.

The paths are the server's (docs/rest-api.md). Views take the `ViewScope` as query parameters;
a `None` currency or provider is left out (the server reads a missing one as None). Only GETs are
idempotent, so only they are retried.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from finops_tui.contract.scope import ViewScope

QueryValue = str | int | float | bool


@dataclass(frozen=True)
class Route:
    method: Literal["GET", "POST"]
    path: str
    timeout: float = 15.0  # seconds to wait for the answer once connected

    @property
    def idempotent(self) -> bool:
        return self.method == "GET"


HEALTH = Route("GET", "/health")
STATUS = Route("GET", "/api/integration/status", timeout=5.0)
SQL = Route("POST", "/api/sql-lab/execute", timeout=300.0)

ROUTES: dict[str, Route] = {
    "overview": STATUS,
    "kpi_view": Route("GET", "/api/dashboard/kpis"),
    "resources_view": Route("GET", "/api/resources"),
    "budgets_view": Route("GET", "/api/budgets"),
    "anomalies_view": Route("GET", "/api/anomalies"),
    "optimizations_view": Route("GET", "/api/optimizations"),
    "run_sql": SQL,
}


def scope_params(scope: ViewScope | None) -> dict[str, QueryValue]:
    if scope is None:
        return {}
    params: dict[str, QueryValue] = {"metric": scope.metric}
    if scope.currency is not None:
        params["currency"] = scope.currency
    if scope.provider is not None:
        params["provider"] = scope.provider
    return params
