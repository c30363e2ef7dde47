"""Tokens, roles and account limits over a live server: who may do what, and what an account-limited token
can see (every endpoint and SQL), with no token ever reaching a log line."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys

import pytest

from finops_tui.auth.tokens import TokenStore
from finops_tui.contract.views import AnomaliesView, KpiView, OptimizationsView, ResourcesView
from tests.server.live_server import LiveServer


def error(response) -> tuple[int, str, str]:
    body = response.json()
    assert body["success"] is False
    return response.status_code, body["error"]["code"], body["error"]["message"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer"}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer ftk_nope"}],
)
def test_missing_or_malformed_tokens_get_401_with_advice(server: LiveServer, headers) -> None:
    with server.client() as client:
        status, code, message = error(client.get("/api/dashboard/kpis", headers=headers))
    assert (status, code) == (401, "unauthorized") and "token" in message


def test_a_wrong_secret_for_a_real_token_id_is_refused(server: LiveServer) -> None:
    real = server.token("viewer")
    forged = real[:-4] + ("AAAA" if not real.endswith("AAAA") else "BBBB")
    with server.client(forged) as client:
        assert error(client.get("/api/budgets"))[:2] == (401, "unauthorized")


def test_expired_and_revoked_tokens_are_refused_at_once(server: LiveServer) -> None:
    store = TokenStore(server.auth_db)
    expired, _ = store.create("viewer", name="short", expires_days=1e-9)
    live, info = store.create("viewer", name="to-revoke")
    with server.client(live) as client:
        assert client.get("/api/budgets").status_code == 200
        store.revoke(info.token_id)
        assert error(client.get("/api/budgets"))[:2] == (401, "unauthorized")
    with server.client(expired) as client:
        assert error(client.get("/api/budgets"))[:2] == (401, "unauthorized")


@pytest.mark.parametrize(
    ("role", "method", "path", "body", "allowed"),
    [
        ("viewer", "get", "/api/dashboard/kpis", None, True),
        ("viewer", "post", "/api/sql-lab/execute", {"sql": "SELECT 1"}, False),
        ("analyst", "post", "/api/sql-lab/execute", {"sql": "SELECT 1"}, True),
        ("admin", "post", "/api/sql-lab/execute", {"sql": "SELECT 1"}, True),
        ("collector", "get", "/api/dashboard/kpis", None, False),
        ("collector", "post", "/api/sql-lab/execute", {"sql": "SELECT 1"}, False),
        ("analyst", "post", "/api/push/resources", {}, False),
        ("admin", "post", "/api/push/resources", {}, False),
    ],
)
def test_roles(server: LiveServer, role, method, path, body, allowed) -> None:
    with server.client(server.token(role)) as client:
        response = client.post(path, json=body) if method == "post" else client.get(path)
    if allowed:
        assert response.status_code == 200, response.text
    else:
        status, code, message = error(response)
        assert (status, code) == (403, "forbidden") and f"A {role} token may not" in message


def test_an_account_limited_token_sees_only_its_accounts_everywhere(server: LiveServer) -> None:
    with server.client(server.token("analyst", accounts=["a1"])) as client:
        kpis = KpiView.model_validate(client.get("/api/dashboard/kpis", params={"currency": "USD"}).json()["data"])
        assert kpis.accounts.table["name"].to_pylist() == ["a1"]
        assert kpis.summary and kpis.summary.month_to_date == 205  # a1's March EffectiveCost: 180 + 20 + 5
        eur = KpiView.model_validate(client.get("/api/dashboard/kpis", params={"currency": "EUR"}).json()["data"])
        assert eur.summary is None  # a3's EUR row is not there at all
        overview = client.get("/api/integration/status").json()["data"]
        assert [c["currency"] for c in overview["currencies"]] == ["USD"] and overview["providers"] == ["AWS"]
        assert overview["source"]["location"] == str(server.cache) and overview["source"]["note"] == "accounts a1"
        for path, model, column in (
            ("/api/resources", ResourcesView, "account"),
            ("/api/anomalies", AnomaliesView, "account"),
            ("/api/optimizations", OptimizationsView, "account"),
        ):
            view = model.model_validate(client.get(path, params={"currency": "USD"}).json()["data"])
            assert set(view.table.table[column].to_pylist()) == {"a1"}, path
        budgets = client.get("/api/budgets", params={"currency": "USD"}).json()["data"]
        assert (
            budgets["table"]["table"]["rows"] == []
        )  # organisation-wide and service budgets would reveal others' spend
        savings = client.get("/api/savings").json()["data"]["totals"]
        assert savings == [{"currency": "USD", "monthly_savings": 40.0, "count": 1}]


def test_an_account_limited_token_sees_only_its_rows_in_sql(server: LiveServer) -> None:
    with server.client(server.token("analyst", accounts=["a1", "a2"])) as client:
        for sql, expected in (
            ("SELECT DISTINCT SubAccountId FROM costs ORDER BY 1", [["a1"], ["a2"]]),
            ("SELECT DISTINCT SubAccountId FROM cost_daily ORDER BY 1", [["a1"], ["a2"]]),
            ("SELECT DISTINCT sub_account_id FROM resources ORDER BY 1", [["a1"], ["a2"]]),
            ("SELECT count(*) FROM costs WHERE BillingCurrency = 'EUR'", [[0]]),
            ("SELECT count(*) FROM api_request_cache", [[0]]),
        ):
            answer = client.post("/api/sql-lab/execute", json={"sql": sql}).json()
            assert answer["success"] and answer["data"]["rows"] == expected, (sql, answer)
        # and the full cache file cannot be reached from the scoped one
        attach = client.post("/api/sql-lab/execute", json={"sql": f"ATTACH '{server.cache}' AS full_cache"})
        assert attach.status_code == 400


def test_an_unlimited_analyst_still_sees_every_account(server: LiveServer) -> None:
    with server.client(server.token("analyst")) as client:
        answer = client.post("/api/sql-lab/execute", json={"sql": "SELECT count(DISTINCT SubAccountId) FROM costs"})
    assert answer.json()["data"]["rows"] == [[4]]


def test_no_token_ever_reaches_the_servers_log(server: LiveServer) -> None:
    server.token("analyst")
    server.token("viewer", accounts=["a2"])
    tokens = list(server.tokens.values())
    with server.client(server.token("analyst")) as client:
        client.get("/api/dashboard/kpis", params={"currency": "USD"})
        client.post("/api/sql-lab/execute", json={"sql": "SELEC broken"})
    log = server.log_text(waiting_for='"POST /api/sql-lab/execute HTTP/1.1" 400')
    assert "GET /api/dashboard/kpis?currency=USD" in log  # the access log is there, and it is what we read
    for token in tokens:
        secret = token.split("_", 2)[2]
        assert token not in log and secret not in log


def test_token_cli_prints_the_token_last_stores_only_its_hash_and_revokes(server: LiveServer, tmp_path) -> None:
    db = tmp_path / "auth.sqlite3"

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "finops_tui", "token", "--auth-db", str(db), *args],
            capture_output=True, text=True, env=server.env, timeout=60,
        )  # fmt: skip

    made = cli("create", "--role", "viewer", "--accounts", "a1,a2", "--expires", "7", "--name", "laptop")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("ftk_")
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600
    raw = db.read_bytes()
    assert token.encode() not in raw and token.split("_", 2)[2].encode() not in raw
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT role, accounts FROM tokens").fetchall() == [("viewer", '["a1", "a2"]')]
    listed = cli("list").stdout
    assert "laptop" in listed and "active" in listed and "a1,a2" in listed and token not in listed
    assert "revoked" in cli("revoke", "laptop").stdout
    assert "revoked" in cli("list").stdout
    assert TokenStore(db).verify(token) is None
    bad = cli("create", "--role", "root")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
