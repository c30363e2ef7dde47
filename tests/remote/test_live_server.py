"""The REST client over the real `finops-tui serve`: the same answers as the local reader, and the
cockpit through a server that is killed and restarted (STALE, then live again, without a restart)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import Static

from finops_tui.cache.local_reader import LocalCache
from finops_tui.contract.scope import ViewScope
from finops_tui.logs import configure_logging
from finops_tui.remote.backend_client import BackendClient, RetryPolicy
from finops_tui.remote.breaker import CircuitBreaker
from finops_tui.remote.failures import BackendTrustError
from finops_tui.remote.rest_reader import RestReader
from tests.contract.conftest import build_cache
from tests.remote.certificates import self_signed
from tests.remote.live_server import LiveServer
from tests.tui.conftest import make_settings, notifications, settle, wait_until

SCOPES = [
    ViewScope(currency="USD", metric="BilledCost"),
    ViewScope(currency="USD", metric="EffectiveCost", provider="AWS"),
    ViewScope(currency="USD", metric="ListCost", provider="Google Cloud"),
    ViewScope(currency="EUR"),
    ViewScope(currency=None),
    ViewScope(currency="JPY", provider="nobody"),
]
VIEWS = ["kpi_view", "resources_view", "budgets_view", "anomalies_view", "optimizations_view"]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(build_cache(tmp_path_factory.mktemp("live"))).start()
    yield server
    server.stop()


def impatient_reader(server: LiveServer) -> RestReader:
    """One attempt per call and a breaker that trips at once and tries again at the next poll."""
    client = BackendClient(server.url, server.token, retry=RetryPolicy(attempts=1), connect_timeout=1.0,
                           breaker=CircuitBreaker(threshold=1, reset_after=0))  # fmt: skip
    return RestReader(server.url, server.token, client=client)


@pytest.mark.parametrize("scope", SCOPES, ids=lambda s: f"{s.currency}-{s.metric}-{s.provider}")
def test_every_view_over_rest_equals_the_local_readers(live: LiveServer, scope: ViewScope) -> None:
    local, remote = LocalCache(live.cache), RestReader(live.url, live.token)
    try:
        for view in VIEWS:
            assert getattr(remote, view)(scope) == getattr(local, view)(scope), view
        overview = remote.overview()
        assert overview.connection is not None and overview.connection.state == "live"
        assert overview.model_copy(update={"connection": None}) == local.overview()
        sql = "SELECT ServiceName, sum(BilledCost) AS c, min(ChargePeriodStart) AS t FROM costs GROUP BY 1 ORDER BY 1"
        assert remote.run_sql(sql, 3).table.table.equals(local.run_sql(sql, 3).table.table)
    finally:
        local.close()
        remote.close()


def test_budgets_command_over_the_backend_prints_what_it_prints_locally(
    live: LiveServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from finops_tui.cli import main

    assert main(["budgets", "--cache", str(live.cache), "--format", "csv"]) == 0
    local = capsys.readouterr().out
    monkeypatch.setenv("FINOPS_TUI_TOKEN", live.token)
    assert main(["budgets", "--backend", live.url, "--format", "csv"]) == 0
    assert capsys.readouterr().out == local and "EUR total" in local


def header(app: object) -> str:
    from finops_tui.app.widgets.source_bar import SourceBar

    rendered = app.query_one(SourceBar).render()  # type: ignore[attr-defined]
    return rendered.plain if isinstance(rendered, Text) else str(rendered)


def month_to_date(app: object) -> str:
    return str(app.query_one("#card-mtd", Static).content)  # type: ignore[attr-defined]


async def test_the_cockpit_keeps_the_last_good_data_labelled_stale_and_recovers(tmp_path: Path) -> None:
    from finops_tui.app.main_app import FinopsApp

    log = configure_logging("DEBUG", tmp_path / "app.jsonl")
    server = LiveServer(build_cache(tmp_path)).start()
    try:
        app = FinopsApp(impatient_reader(server), make_settings(), watch_interval=0.2)
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(pilot)
            live_figure = month_to_date(app)
            assert "€999.00" in live_figure and server.url in header(app) and "STALE" not in header(app)
            server.stop()
            await wait_until(pilot, lambda: "STALE" in header(app))
            await settle(pilot)
            line = header(app)
            assert server.url in line and "STALE since 20" in line and " UTC" in line
            assert month_to_date(app) == live_figure  # the same figures, still on screen
            assert any("unreachable" in m and "(STALE)" in m for m in notifications(app))
            await pilot.press("2")  # a tab never opened before: its last good answer does not exist
            await settle(pilot)
            assert any("nothing to show" in m for m in notifications(app))  # said, not invented
            server.start()  # same port
            await wait_until(pilot, lambda: "STALE" not in header(app))
            await settle(pilot)
            assert server.url in header(app) and month_to_date(app) == live_figure
            assert any("answers again" in m for m in notifications(app))
    finally:
        server.stop()
    assert log is not None
    text = log.read_text()
    assert '"service": "remote"' in text and '"operation": "connection"' in text
    assert server.token not in text and "Bearer" not in text  # no token in any log line


def test_real_serve_over_tls_is_verified(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    server = LiveServer(build_cache(tmp_path), tls=(cert, key)).start()
    try:
        with pytest.raises(BackendTrustError, match="--ca-bundle"):
            RestReader(server.url, server.token).overview()
        trusted = RestReader(server.url, server.token, ca_bundle=cert)
        assert trusted.kpi_view(ViewScope(currency="EUR")).summary is not None
        trusted.close()
    finally:
        server.stop()
