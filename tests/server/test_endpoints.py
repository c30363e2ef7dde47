"""Every endpoint over a live server answers the success envelope holding the contract model the local
reader returns for the same call, and failures answer the error envelope with the right status."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter

from finops_tui.cache.local_reader import LocalCache
from finops_tui.contract.provenance import DatasetInfo, Overview
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.sql import SqlResult
from finops_tui.contract.tables import RankedTable, TableData
from finops_tui.contract.views import AnomaliesView, BudgetsView, KpiSummary, KpiView, OptimizationsView, ResourcesView
from tests.server.live_server import NOW, LiveServer

USD = {"currency": "USD"}


@pytest.fixture(scope="module")
def local(server_cache: Path) -> Iterator[LocalCache]:
    reader = LocalCache(server_cache, clock=lambda: datetime.fromisoformat(NOW))
    yield reader
    reader.close()


def data(server: LiveServer, path: str, params: dict[str, str] | None = None) -> Any:
    with server.client(server.token("viewer")) as client:
        response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True and set(body) == {"success", "data"}
    return body["data"]


def test_health_needs_no_token_and_names_no_dataset(server: LiveServer) -> None:
    with server.client() as client:
        body = client.get("/health").json()
    assert body["success"] and body["data"]["status"] == "ok" and body["data"]["contract_version"] == "1.0"
    kinds = {d["kind"]: d for d in body["data"]["datasets"]}
    assert kinds["costs"]["count"] == 3 and kinds["costs"]["age_seconds"] >= 0
    assert "a1" not in str(body) and "costs:" not in str(body)


@pytest.mark.parametrize(
    ("path", "model", "call"),
    [
        ("/api/integration/status", Overview, lambda r, s: r.overview()),
        ("/api/datasets", list[DatasetInfo], lambda r, s: r.overview().datasets),
        ("/api/dashboard/kpis", KpiView, lambda r, s: r.kpi_view(s)),
        ("/api/dashboard/spend-summary", KpiSummary | None, lambda r, s: r.kpi_view(s).summary),
        ("/api/dashboard/service-costs", RankedTable, lambda r, s: r.kpi_view(s).services),
        ("/api/dashboard/account-costs", RankedTable, lambda r, s: r.kpi_view(s).accounts),
        ("/api/resources", ResourcesView, lambda r, s: r.resources_view(s)),
        ("/api/budgets", BudgetsView, lambda r, s: r.budgets_view(s)),
        ("/api/anomalies", AnomaliesView, lambda r, s: r.anomalies_view(s)),
        ("/api/optimizations", OptimizationsView, lambda r, s: r.optimizations_view(s)),
    ],
)
def test_each_view_is_the_local_readers_answer(server: LiveServer, local: LocalCache, path, model, call) -> None:
    scoped = path not in ("/api/integration/status", "/api/datasets")  # overview() takes no scope
    served = TypeAdapter(model).validate_python(data(server, path, USD if scoped else None))
    expected = call(local, ViewScope(currency="USD"))
    if isinstance(expected, Overview):  # the same file, read by another process: only the loaded-at ages move
        assert served.model_dump(exclude={"source"}) == expected.model_dump(exclude={"source"})
    else:
        assert TypeAdapter(model).dump_python(served, mode="json") == TypeAdapter(model).dump_python(
            expected, mode="json"
        )


def test_scope_parameters_choose_currency_metric_and_provider(server: LiveServer) -> None:
    eur = KpiView.model_validate(data(server, "/api/dashboard/kpis", {"currency": "EUR"}))
    assert eur.scope.currency == "EUR" and eur.summary and eur.summary.month_to_date == 999
    billed = KpiView.model_validate(data(server, "/api/dashboard/kpis", {"currency": "USD", "metric": "BilledCost"}))
    assert billed.summary and billed.summary.month_to_date == 275  # 200+20+5+10+40 billed; effective is 255
    gcp = KpiView.model_validate(data(server, "/api/dashboard/kpis", {"currency": "USD", "provider": "Google Cloud"}))
    assert gcp.summary and gcp.summary.month_to_date == 40
    none = KpiView.model_validate(data(server, "/api/dashboard/kpis"))
    assert none.scope.currency is None and none.summary is None


def test_dashboard_anomalies_are_the_open_ones(server: LiveServer) -> None:
    every = AnomaliesView.model_validate(data(server, "/api/anomalies", USD))
    open_ = AnomaliesView.model_validate(data(server, "/api/dashboard/anomalies", USD))
    assert sorted(every.table.table["anomaly_id"].to_pylist()) == ["an-1", "an-2", "an-3"]
    assert sorted(open_.table.table["anomaly_id"].to_pylist()) == ["an-1", "an-3"]


def test_savings_are_totalled_per_currency_never_across(server: LiveServer) -> None:
    totals = data(server, "/api/savings", USD)["totals"]
    assert totals == [
        {"currency": "EUR", "monthly_savings": 300.0, "count": 1},
        {"currency": "USD", "monthly_savings": 65.0, "count": 2},
    ]


def test_sql_lab_answer_rebuilds_the_contracts_sql_result(server: LiveServer, local: LocalCache) -> None:
    sql = "SELECT SubAccountId, sum(EffectiveCost)::DOUBLE AS cost FROM costs GROUP BY 1 ORDER BY 1"
    with server.client(server.token("analyst")) as client:
        answer = client.post("/api/sql-lab/execute", json={"sql": sql, "limit": 2}).json()["data"]
    assert set(answer) == {"columns", "rows", "row_count", "truncated", "elapsed_ms"}
    rebuilt = SqlResult(
        table=TableData.model_validate({"table": {"columns": answer["columns"], "rows": answer["rows"]}}),
        total_rows=answer["row_count"],
        truncated=answer["truncated"],
        elapsed_ms=answer["elapsed_ms"],
    )
    expected = local.run_sql(sql, 2)
    assert rebuilt.table.table.equals(expected.table.table)
    assert (rebuilt.total_rows, rebuilt.truncated) == (expected.total_rows, expected.truncated) == (4, True)


def test_sql_templates_are_listed_and_each_runs(server: LiveServer) -> None:
    templates = data(server, "/api/sql-lab/templates")
    assert len(templates) >= 4
    with server.client(server.token("analyst")) as client:
        for template in templates:
            response = client.post("/api/sql-lab/execute", json={"sql": template["sql"]})
            assert response.status_code == 200, (template["name"], response.text)


def test_openapi_lists_every_route(server: LiveServer) -> None:
    with server.client() as client:
        paths = client.get("/openapi.json").json()["paths"]
    for path in ("/health", "/api/dashboard/kpis", "/api/sql-lab/execute", "/api/push/{kind}", "/api/savings"):
        assert path in paths


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "code", "words"),
    [
        ("get", "/api/nowhere", {}, 404, "not_found", "openapi.json"),
        ("get", "/api/dashboard/kpis", {"params": {"currency": "USD", "metric": "Cheap"}}, 422, "invalid_request",
         "metric"),
        ("get", "/api/dashboard/kpis", {"params": {"curency": "USD"}}, 422, "invalid_request", "curency"),
        ("post", "/api/sql-lab/execute", {"json": {"sql": "SELEC 1"}}, 400, "query_error", "syntax error"),
        ("post", "/api/sql-lab/execute", {"json": {"query": "SELECT 1"}}, 422, "invalid_request", "sql"),
        ("post", "/api/sql-lab/execute", {"content": b"{not json"}, 422, "invalid_request", "json"),
    ],
)  # fmt: skip
def test_failures_answer_the_error_envelope(server: LiveServer, method, path, kwargs, status, code, words) -> None:
    with server.client(server.token("analyst")) as client:
        response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and body["error"]["code"] == code
    assert words.lower() in body["error"]["message"].lower()
    assert "Traceback" not in response.text
