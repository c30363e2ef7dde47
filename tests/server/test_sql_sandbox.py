"""The SQL lab over HTTP: every way out of the read-only sandbox is refused, and the server's row cap and
timeout hold whatever the request asks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.live_server import LiveServer, live_server


@pytest.fixture(scope="module")
def sql_server(tmp_path_factory: pytest.TempPathFactory, server_cache: Path) -> Iterator[LiveServer]:
    settings = {"FINOPS_TUI_SERVER_SQL_TIMEOUT_SECONDS": "1", "FINOPS_TUI_SERVER_SQL_ROW_LIMIT": "3"}
    with live_server(tmp_path_factory.mktemp("sql-server"), server_cache, settings=settings) as live:
        yield live


def run(server: LiveServer, sql: str, **extra: object) -> tuple[int, dict]:
    with server.client(server.token("analyst")) as client:
        response = client.post("/api/sql-lab/execute", json={"sql": sql, **extra})
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("sql", "words"),
    [
        ("SELECT * FROM read_csv('/etc/passwd')", "sandboxed"),
        ("SELECT * FROM read_text('/etc/hostname')", "sandboxed"),
        ("SELECT * FROM '{cache}'", "sandboxed"),
        ("ATTACH '/tmp/x.duckdb' AS x", "sandboxed"),
        ("ATTACH '{cache}' AS again", "sandboxed"),
        ("COPY (SELECT 1) TO '/tmp/server-escape.csv'", "sandboxed"),
        ("COPY costs FROM '/etc/passwd'", ""),
        ("INSTALL httpfs", "sandboxed"),
        ("LOAD httpfs", "sandboxed"),
        ("SET enable_external_access = true", "sandboxed"),
        ("SET disabled_filesystems = ''", "sandboxed"),
        ("SELECT 1; SELECT * FROM read_csv('/etc/passwd')", "one statement"),
        ("SELECT 1; SELECT 2", "one statement"),
        ("CREATE TABLE x AS SELECT 1", "read-only"),
        ("DELETE FROM costs", "read-only"),
        ("DROP TABLE costs", "read-only"),
    ],
)
def test_sandbox_escapes_are_refused(sql_server: LiveServer, sql: str, words: str) -> None:
    status, body = run(sql_server, sql.format(cache=sql_server.cache))
    assert status == 400 and body["success"] is False and body["error"]["code"] == "query_error", body
    assert words in body["error"]["message"]
    assert not Path("/tmp/server-escape.csv").exists()


def test_the_server_row_cap_holds_whatever_limit_is_asked(sql_server: LiveServer) -> None:
    status, body = run(sql_server, "SELECT * FROM range(10)", limit=1000)
    assert status == 200 and len(body["data"]["rows"]) == 3
    assert body["data"]["row_count"] == 10 and body["data"]["truncated"] is True
    status, body = run(sql_server, "SELECT * FROM range(10)", limit=2)
    assert len(body["data"]["rows"]) == 2


def test_a_long_query_is_stopped_at_the_timeout(sql_server: LiveServer) -> None:
    status, body = run(sql_server, "SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3")
    assert status == 400 and "timed out after 1 s" in body["error"]["message"], body
    status, body = run(sql_server, "SELECT 42 AS answer")  # the server is still fine afterwards
    assert status == 200 and body["data"]["rows"] == [[42]]
