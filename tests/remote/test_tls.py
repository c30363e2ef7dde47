"""TLS verification is on by default: a self-signed backend is refused unless --ca-bundle names its CA."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from finops_tui.cache.local_reader import LocalCache
from finops_tui.cli import main
from finops_tui.contract.scope import ViewScope
from finops_tui.errors import ConfigError
from finops_tui.remote.failures import BackendTrustError
from finops_tui.remote.rest_reader import RestReader
from tests.contract.conftest import NOW
from tests.remote.certificates import self_signed
from tests.remote.mini_backend import MiniBackend


@pytest.fixture
def tls_backend(remote_cache: Path, tmp_path: Path) -> Iterator[tuple[MiniBackend, Path]]:
    cert, key = self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    reader = LocalCache(remote_cache, clock=lambda: NOW)
    backend = MiniBackend(reader, tls=context).start()
    yield backend, cert
    backend.stop()
    reader.close()


def test_a_self_signed_backend_is_refused_without_a_ca_bundle(tls_backend: tuple[MiniBackend, Path]) -> None:
    backend, _ = tls_backend
    reader = RestReader(backend.url, None)
    with pytest.raises(BackendTrustError, match="not trusted .*--ca-bundle"):
        reader.overview()
    assert backend.seen == []  # the request never got past the handshake
    assert reader.connection().state == "live"  # a trust problem is not an outage: no STALE data instead


def test_the_ca_bundle_makes_it_trusted(tls_backend: tuple[MiniBackend, Path]) -> None:
    backend, cert = tls_backend
    reader = RestReader(backend.url, None, ca_bundle=cert)
    assert backend.url.startswith("https://")
    assert reader.kpi_view(ViewScope(currency="USD")).summary is not None


def test_query_over_tls_with_and_without_the_bundle(
    tls_backend: tuple[MiniBackend, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    backend, cert = tls_backend
    assert main(["query", "--backend", backend.url, "SELECT 42 AS answer", "--format", "csv"]) == 2
    assert "--ca-bundle" in capsys.readouterr().err
    rc = main(["query", "--backend", backend.url, "--ca-bundle", str(cert), "SELECT 42 AS answer", "--format", "csv"])
    assert rc == 0 and capsys.readouterr().out.splitlines() == ["answer", "42"]


def test_a_missing_ca_bundle_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        RestReader("https://127.0.0.1:1", None, ca_bundle=tmp_path / "nope.pem")
