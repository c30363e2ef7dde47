"""Per-token rate limits (429 with Retry-After), ETags (304) and the answer cache following the cache file,
and the same API over TLS with a self-signed certificate made here."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from finops_tui.cache import files
from finops_tui.cache.cost_writes import set_meta
from tests.remote.certificates import self_signed
from tests.server.live_server import LiveServer, live_server


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory, server_cache: Path) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("limited")
    cache = root / "limited.duckdb"
    shutil.copyfile(server_cache, cache)
    settings = {"FINOPS_TUI_SERVER_RATE_BURST": "5", "FINOPS_TUI_SERVER_RATE_PER_SECOND": "0.01"}
    with live_server(root, cache, settings=settings) as live:
        yield live


def test_a_token_past_its_burst_gets_429_with_retry_after_and_others_do_not(limited: LiveServer) -> None:
    with limited.client(limited.token("viewer", name="greedy")) as client:
        answers = [client.get("/api/budgets", params={"currency": "USD"}) for _ in range(7)]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 2
    refused = answers[-1]
    assert refused.json()["error"]["code"] == "rate_limited" and "retry in" in refused.json()["error"]["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 100
    with limited.client(limited.token("viewer", name="patient")) as client:
        assert client.get("/api/budgets", params={"currency": "USD"}).status_code == 200


def test_etag_gives_304_until_the_cache_file_changes(limited: LiveServer) -> None:
    with limited.client(limited.token("viewer", name="etag")) as client:
        first = client.get("/api/dashboard/kpis", params={"currency": "USD"})
        etag = first.headers["ETag"]
        again = client.get("/api/dashboard/kpis", params={"currency": "USD"}, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
        other = client.get("/api/dashboard/kpis", params={"currency": "EUR"}, headers={"If-None-Match": etag})
        assert other.status_code == 200 and other.headers["ETag"] != etag  # another request, another tag
        with files.write_session(limited.cache) as con:  # a writer swaps in a new file
            set_meta(con, "touched_by", "test")
        changed = client.get("/api/dashboard/kpis", params={"currency": "USD"}, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["ETag"] != etag
        assert changed.json() == first.json()


def test_health_has_an_etag_too(limited: LiveServer) -> None:
    with limited.client() as client:
        etag = client.get("/health").headers["ETag"]
        assert client.get("/health", headers={"If-None-Match": etag}).status_code == 304


def test_kept_answers_are_dropped_when_the_file_changes(limited: LiveServer) -> None:
    with limited.client(limited.token("analyst", name="cache")) as client:
        before = client.get("/api/optimizations", params={"currency": "USD"}).json()["data"]
        with files.write_session(limited.cache) as con:
            con.execute("UPDATE optimizations SET description = 'changed' WHERE optimization_id = 'o-1'")
        after = client.get("/api/optimizations", params={"currency": "USD"}).json()["data"]
    assert "changed" not in str(before) and "changed" in str(after)


def test_tls_serves_the_api_and_an_untrusted_certificate_is_refused(tmp_path: Path, server_cache: Path) -> None:
    cert, key = self_signed(tmp_path)
    with live_server(tmp_path / "tls", server_cache, tls=(cert, key)) as live:
        assert live.url.startswith("https://")
        with live.client(live.token("viewer")) as client:  # trusts cert.pem as its CA bundle
            assert client.get("/api/dashboard/kpis", params={"currency": "USD"}).json()["success"] is True
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(f"{live.url}/health", timeout=10)  # default verification: the system's CAs only
        plain = live.url.replace("https://", "http://")
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{plain}/health", timeout=10)
