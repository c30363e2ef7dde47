"""The route table is data: arguments come from the reader method's signature, and a route that does not
match its method's return type stops the app at start-up instead of serving the wrong shape."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel, Field

from finops_tui.contract.scope import ViewScope
from finops_tui.contract.views import KpiView
from finops_tui.server import app as server_app
from finops_tui.server.binding import bind, parameters_of
from finops_tui.server.envelope import ApiError
from finops_tui.server.routes import ROUTES, Route, allowed


class Feedback(BaseModel):
    status: str = Field(pattern="^(acknowledged|muted)$")
    note: str | None = None


class Page(BaseModel):
    offset: int = 0
    limit: int = Field(100, le=1000)
    services: list[str] = Field(default_factory=list)


class FutureReader:
    """The shapes other helpers are adding to CostReader: a drill-down, a write, a paged view."""

    def anomaly_detail(self, anomaly_id: str, scope: ViewScope, since: date | None = None) -> KpiView: ...

    def set_anomaly_feedback(self, anomaly_id: str, feedback: Feedback) -> KpiView: ...

    def resources_page(self, scope: ViewScope, page: Page) -> KpiView: ...


def test_path_query_and_scope_arguments_come_from_the_signature() -> None:
    params, returns = parameters_of(FutureReader.anomaly_detail)
    args = bind(params, "GET", {"anomaly_id": "an-1"}, {"currency": ["USD"], "since": ["2025-03-01"]}, b"")
    assert args == {"anomaly_id": "an-1", "scope": ViewScope(currency="USD"), "since": date(2025, 3, 1)}
    assert returns is KpiView


def test_a_post_takes_its_model_from_the_json_body() -> None:
    params, _ = parameters_of(FutureReader.set_anomaly_feedback)
    args = bind(params, "POST", {"anomaly_id": "an-1"}, {}, b'{"status": "muted", "note": "known"}')
    assert args == {"anomaly_id": "an-1", "feedback": Feedback(status="muted", note="known")}
    with pytest.raises(ApiError, match="status") as refused:
        bind(params, "POST", {"anomaly_id": "an-1"}, {}, b'{"status": "deleted"}')
    assert refused.value.status == 422


def test_several_models_and_lists_from_the_query_string() -> None:
    params, _ = parameters_of(FutureReader.resources_page)
    query = {"currency": [""], "limit": ["50"], "services": ["EC2", "S3"]}
    args = bind(params, "GET", {}, query, b"")
    assert args["scope"] == ViewScope(currency=None) and args["page"] == Page(limit=50, services=["EC2", "S3"])
    with pytest.raises(ApiError, match="limit"):
        bind(params, "GET", {}, {"limit": ["5000"]}, b"")
    with pytest.raises(ApiError, match="Unknown query parameter"):
        bind(params, "GET", {}, {"limits": ["5"]}, b"")


def test_a_route_whose_model_is_not_what_the_method_returns_is_refused() -> None:
    with pytest.raises(RuntimeError, match="kpi_view returns"):
        server_app._checked(Route("GET", "/api/x", "kpi_view", ViewScope, "viewer"))
    with pytest.raises(RuntimeError, match="no reader method"):
        server_app._checked(Route("GET", "/api/x", "no_such_method", ViewScope, "viewer"))
    for route in ROUTES:  # and every route served today passes
        server_app._checked(route)


@pytest.mark.parametrize(
    ("caller", "needed", "expected"),
    [
        ("viewer", "viewer", True), ("viewer", "analyst", False), ("analyst", "viewer", True),
        ("admin", "analyst", True), ("collector", "viewer", False), ("collector", "collector", True),
        ("admin", "collector", False), ("viewer", "admin", False),
    ],
)  # fmt: skip
def test_role_order(caller, needed, expected) -> None:
    assert allowed(caller, needed) is expected
