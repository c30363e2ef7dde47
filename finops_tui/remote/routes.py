"""Which HTTP request answers which `CostReader` call: data, so a new reader method is one line here.

The paths are the server's (docs/rest-api.md). Views take the `ViewScope` as query parameters;
a `None` currency or provider is left out (the server reads a missing one as None); an item's id
goes in the path (`Route.at`). Only GETs are idempotent, so only they are retried, ETag-checked
and answered from the last good data when the backend is down.

A reader method added to the contract is then one route here and one line in `RestReader`:
`"anomaly_detail": Route("GET", "/api/anomalies/{anomaly_id}")` and
`return self._get("anomaly_detail", AnomalyDetail, scope_params(scope), anomaly_id=anomaly_id)`;
a write: `return self._post("set_anomaly_feedback", Feedback, body, anomaly_id=anomaly_id)`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal
from urllib.parse import quote

from pydantic import TypeAdapter

from finops_tui.contract.details import CostFilter
from finops_tui.contract.paging import PageRequest
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

    def at(self, **values: str) -> Route:
        """This route for one item: `{anomaly_id}` in the path filled in, quoted (a `/` in an id stays in it)."""
        if not values:
            return self
        return replace(self, path=self.path.format(**{k: quote(str(v), safe="") for k, v in values.items()}))


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
    "dimension_detail": Route("GET", "/api/costs/detail"),
    "cost_rows": Route("GET", "/api/costs/rows"),
    "resource_detail": Route("GET", "/api/resources/{resource_id}"),
    "budget_filters": Route("GET", "/api/budgets/{budget_id}/filters"),
    "set_anomaly_feedback": Route("POST", "/api/anomalies/{anomaly_id}/feedback"),
}


def page_params(page: PageRequest | None) -> dict[str, QueryValue]:
    """A page's fields as query parameters (the server's binding reads them back into a PageRequest)."""
    if page is None:
        return {}
    return {k: v for k, v in page.model_dump().items() if v is not None}


def filter_params(filters: tuple[CostFilter, ...]) -> dict[str, QueryValue]:
    """Drill filters travel as one JSON text parameter, as the server reads them."""
    return {"filters": _FILTERS.dump_json(filters).decode()}


_FILTERS: TypeAdapter[tuple[CostFilter, ...]] = TypeAdapter(tuple[CostFilter, ...])


def scope_params(scope: ViewScope | None) -> dict[str, QueryValue]:
    if scope is None:
        return {}
    params: dict[str, QueryValue] = {"metric": scope.metric}
    if scope.currency is not None:
        params["currency"] = scope.currency
    if scope.provider is not None:
        params["provider"] = scope.provider
    return params
