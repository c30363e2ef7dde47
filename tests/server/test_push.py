"""Collectors push datasets: the round trip, idempotent resends, and invalid payloads that change nothing,
through the HTTP API and through `ingest --backend-url`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from finops_tui.contract.tables import TableData
from finops_tui.contract.views import ResourcesView
from finops_tui.sources.push_payload import PushPayload
from tests.server.live_server import LiveServer, live_server


@pytest.fixture(scope="module")
def push_server(tmp_path_factory: pytest.TempPathFactory, server_cache: Path) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("push-server")
    cache = root / "pushed.duckdb"
    shutil.copyfile(server_cache, cache)
    with live_server(root, cache) as live:
        yield live


def sql(server: LiveServer, query: str) -> list[list[Any]]:
    with server.client(server.token("analyst")) as client:
        body = client.post("/api/sql-lab/execute", json={"sql": query}).json()
    assert body["success"], body
    return list(body["data"]["rows"])


def push(server: LiveServer, kind: str, payload: dict[str, Any] | bytes) -> Any:
    with server.client(server.token("collector")) as client:
        if isinstance(payload, bytes):
            return client.post(f"/api/push/{kind}", content=payload)
        return client.post(f"/api/push/{kind}", json=payload)


def resources_payload(ids: list[str], dataset_id: str = "resources:aws:a9") -> dict[str, Any]:
    table = pa.table(
        {
            "resource_id": ids,
            "service_name": ["EC2"] * len(ids),
            "sub_account_id": ["a9"] * len(ids),
            "is_idle": [True] * len(ids),
            "observed_at": pa.array([None] * len(ids), pa.timestamp("us")),
        }
    )
    payload = PushPayload(dataset_id=dataset_id, source="collector test", provider="AWS", account_id="a9",
                          table=TableData(table=table))  # fmt: skip
    return payload.model_dump(mode="json")


def stamp(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_ino, st.st_mtime_ns


def test_a_pushed_dataset_is_served_and_a_resend_replaces_it(push_server: LiveServer) -> None:
    response = push(push_server, "resources", resources_payload(["i-90", "i-91"]))
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"dataset_id": "resources:aws:a9", "kind": "resources", "rows": 2}
    with push_server.client(push_server.token("viewer")) as client:
        view = ResourcesView.model_validate(client.get("/api/resources", params={"currency": "USD"}).json()["data"])
    assert {"i-90", "i-91"} <= set(view.table.table["resource_id"].to_pylist())
    for _ in range(2):  # resending, twice, changes nothing
        assert push(push_server, "resources", resources_payload(["i-90", "i-91"])).status_code == 200
    assert sql(push_server, "SELECT count(*) FROM resources WHERE x_dataset_id = 'resources:aws:a9'") == [[2]]
    assert sql(push_server, "SELECT count(*) FROM datasets WHERE dataset_id = 'resources:aws:a9'") == [[1]]
    assert push(push_server, "resources", resources_payload(["i-92"])).status_code == 200  # a new answer replaces
    assert sql(push_server, "SELECT resource_id FROM resources WHERE x_dataset_id = 'resources:aws:a9'") == [["i-92"]]
    assert sql(push_server, "SELECT count(*) FROM resources WHERE x_dataset_id = 'resources:test'") == [[3]]


def _with_column(name: str, column: dict[str, str], values: list[Any]) -> dict[str, Any]:
    payload = resources_payload(["i-1"])
    payload["table"]["columns"].append(column)
    for row, value in zip(payload["table"]["rows"], values, strict=True):
        row.append(value)
    return payload


@pytest.mark.parametrize(
    ("kind", "payload", "words"),
    [
        ("resources", b"{not json", "json"),
        ("resources", {"dataset_id": "x", "source": "s"}, "table"),
        ("resources", {**resources_payload(["i-1"]), "surprise": 1}, "surprise"),
        ("resources", _with_column("bogus", {"name": "bogus", "type": "string"}, ["x"]), "bogus"),
        ("resources", _with_column("x_dataset_id", {"name": "x_dataset_id", "type": "string"}, ["y"]), "x_dataset_id"),
        ("resources", _with_column("created_at", {"name": "created_at", "type": "string"}, ["soon"]), "created_at"),
        ("resources", {**resources_payload(["i-1"]), "source_kind": "GUESS"}, "source_kind"),
        ("costs", resources_payload(["i-1"]), "x_DatasetId"),
        ("anomalies", resources_payload(["i-1"]), "resource_id"),
    ],
)  # fmt: skip
def test_an_invalid_payload_gets_422_naming_it_and_changes_nothing(push_server: LiveServer, kind, payload, words):
    before = stamp(push_server.cache)
    response = push(push_server, kind, payload)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"]["code"] == "invalid_request" and words.lower() in body["error"]["message"].lower()
    assert "Nothing was changed" in body["error"]["message"]
    assert stamp(push_server.cache) == before


def test_an_unknown_kind_is_404(push_server: LiveServer) -> None:
    response = push(push_server, "secrets", resources_payload(["i-1"]))
    assert response.status_code == 404 and "resources" in response.json()["error"]["message"]


def test_a_cost_dataset_whose_rows_name_another_dataset_is_refused(push_server: LiveServer) -> None:
    table = pa.table({"x_DatasetId": ["costs:AWS:p:2025-03", "costs:AWS:q:2025-03"], "BilledCost": [1.0, 2.0]})
    payload = PushPayload(dataset_id="costs:AWS:p:2025-03", source="t", table=TableData(table=table))
    response = push(push_server, "costs", payload.model_dump(mode="json"))
    assert response.status_code == 422 and "1 row(s) have an x_DatasetId other than" in response.text


def _ingest_push(server: LiveServer, csv: Path, token: str | None) -> subprocess.CompletedProcess[str]:
    env = {**server.env, **({"FINOPS_TUI_TOKEN": token} if token else {})}
    return subprocess.run(
        [sys.executable, "-m", "finops_tui", "ingest", "--backend-url", server.url, str(csv)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def test_ingest_backend_url_pushes_cost_slices_and_a_resend_does_not_double(push_server: LiveServer, tmp_path):
    csv = tmp_path / "more.csv"
    csv.write_text(
        "BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,BillingPeriodStart,"
        "ProviderName,BillingAccountId,SubAccountId,ServiceName,RegionId,ResourceId\n"
        "7,7,USD,2025-03-04T00:00:00Z,2025-03-05T00:00:00Z,2025-03-01T00:00:00Z,AWS,z,z1,EC2,us-east-1,i-z\n"
        "3,3,CHF,2025-03-04T00:00:00Z,2025-03-05T00:00:00Z,2025-03-01T00:00:00Z,AWS,z,z1,S3,us-east-1,\n"
    )
    before = sql(push_server, "SELECT count(*), sum(EffectiveCost)::DOUBLE FROM costs")[0]
    for _ in range(2):
        result = _ingest_push(push_server, csv, push_server.token("collector"))
        assert result.returncode == 0, result.stderr
        assert "pushed costs costs:AWS:z:2025-03: 2 rows" in result.stdout
        after = sql(push_server, "SELECT count(*), sum(EffectiveCost)::DOUBLE FROM costs")[0]
        assert after == [before[0] + 2, before[1] + 10]
    assert sql(push_server, "SELECT sum(EffectiveCost)::DOUBLE FROM cost_daily WHERE BillingAccountId = 'z'") == [
        [10.0]
    ]
    source = sql(push_server, "SELECT source_kind, format FROM datasets WHERE dataset_id = 'costs:AWS:z:2025-03'")
    assert source == [["FILE", "focus"]]


def test_ingest_backend_url_without_a_token_or_with_a_viewer_token_says_what_to_do(push_server: LiveServer, tmp_path):
    csv = tmp_path / "one.csv"
    csv.write_text("BilledCost,BillingCurrency,ChargePeriodStart,ProviderName\n1,USD,2025-03-04T00:00:00Z,AWS\n")
    missing = _ingest_push(push_server, csv, None)
    assert missing.returncode == 2 and "FINOPS_TUI_TOKEN" in missing.stderr and "collector" in missing.stderr
    viewer = _ingest_push(push_server, csv, push_server.token("viewer"))
    assert viewer.returncode == 1 and "HTTP 403" in viewer.stderr and "collector" in viewer.stderr
