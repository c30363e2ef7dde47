"""The client over a misbehaving backend: timeouts, retries, the breaker, ETags, STALE data and recovery."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import pytest

from finops_tui.contract.scope import ViewScope
from finops_tui.errors import QueryError
from finops_tui.remote.backend_client import BackendClient, RetryPolicy
from finops_tui.remote.breaker import CircuitBreaker
from finops_tui.remote.failures import BackendUnreachable, NoLastGoodAnswer
from finops_tui.remote.rest_reader import RestReader
from tests.remote.mini_backend import MiniBackend, silent_listener

USD = ViewScope(currency="USD", metric="BilledCost")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class TopOfRange(random.Random):
    """Jitter at its largest, so the waits show the exponential caps."""

    def uniform(self, a: float, b: float) -> float:
        return b


def reader_for(url: str, *, sleeps: list[float] | None = None, breaker: CircuitBreaker | None = None,
               max_wait: float | None = None, token: str | None = None) -> RestReader:  # fmt: skip
    waits = sleeps if sleeps is not None else []
    client = BackendClient(url, token, breaker=breaker, sleep=waits.append, rng=TopOfRange(), max_wait=max_wait,
                           connect_timeout=1.0)  # fmt: skip
    return RestReader(url, token, client=client)


def test_a_backend_that_never_answers_times_out_instead_of_hanging() -> None:
    sock, port = silent_listener()
    try:
        reader = reader_for(f"http://127.0.0.1:{port}", max_wait=0.3)
        start = time.monotonic()
        with pytest.raises(NoLastGoodAnswer, match=r"no answer within 0.3s"):
            reader.kpi_view(USD)
        assert time.monotonic() - start < 5  # 3 attempts of 0.3 s, not a hang
        reader.close()
    finally:
        sock.close()


def test_gets_are_retried_with_exponential_backoff_and_posts_are_sent_once(mini: MiniBackend) -> None:
    mini.fail_with = 503
    sleeps: list[float] = []
    reader = reader_for(mini.url, sleeps=sleeps, breaker=CircuitBreaker(threshold=10))
    with pytest.raises(BackendUnreachable, match="HTTP 503"):
        reader.kpi_view(USD)
    assert [s.method for s in mini.seen] == ["GET", "GET", "GET"]
    assert sleeps == [0.25, 0.5]  # base × 2^n at the top of the jitter range
    mini.seen.clear()
    with pytest.raises(BackendUnreachable):
        reader.run_sql("SELECT 1", 10)
    assert [s.method for s in mini.seen] == ["POST"]  # not idempotent: never repeated
    assert sleeps == [0.25, 0.5]


def test_full_jitter_stays_under_the_exponential_cap() -> None:
    policy, rng = RetryPolicy(base_delay=0.25, max_delay=1.0), random.Random(7)
    for retry in range(6):
        waits = {policy.delay(retry, rng) for _ in range(50)}
        assert all(0 <= w <= min(1.0, 0.25 * 2**retry) for w in waits) and len(waits) > 1


def test_500s_open_the_breaker_which_half_opens_and_closes_on_success(mini: MiniBackend) -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=2, reset_after=10, clock=clock)
    reader = reader_for(mini.url, breaker=breaker)
    mini.fail_with = 500
    for _ in range(2):
        with pytest.raises(BackendUnreachable, match="HTTP 500"):
            reader.kpi_view(USD)
    assert breaker.state == "open" and reader.connection().breaker == "open"
    sent = len(mini.seen)
    with pytest.raises(BackendUnreachable, match="circuit open"):
        reader.kpi_view(USD)
    assert len(mini.seen) == sent  # open: nothing went out
    clock.now += 10
    assert breaker.state == "half-open"
    with pytest.raises(BackendUnreachable, match="HTTP 500"):  # the trial fails: open again at once
        reader.kpi_view(USD)
    assert breaker.state == "open"
    clock.now += 10
    mini.fail_with = None
    assert reader.kpi_view(USD).summary is not None
    assert breaker.state == "closed" and reader.connection().state == "live"


def test_unchanged_data_costs_a_304_and_no_parsing(mini: MiniBackend) -> None:
    reader = reader_for(mini.url)
    first = reader.resources_view(USD)
    again = reader.resources_view(USD)
    assert mini.sent == [200, 304]
    assert "If-None-Match" not in mini.seen[0].headers and mini.seen[1].headers["If-None-Match"]
    assert again is first  # the parsed body reused as it was
    other = reader.resources_view(USD.model_copy(update={"metric": "EffectiveCost"}))
    assert mini.sent[-1] == 200 and other.scope.metric == "EffectiveCost"


def test_a_killed_backend_leaves_the_last_good_data_labelled_stale(mini: MiniBackend, isolated_backends: Path) -> None:
    live = reader_for(mini.url)
    kpis, overview = live.kpi_view(USD), live.overview()
    assert overview.connection is not None and overview.connection.state == "live"
    live.close()
    mini.stop()
    later = reader_for(mini.url)  # a new cockpit: nothing in memory, only the disk
    assert later.kpi_view(USD) == kpis
    stale = later.overview()
    assert stale.model_copy(update={"connection": None}) == overview.model_copy(update={"connection": None})
    conn = stale.connection
    assert conn is not None and conn.state == "stale" and conn.stale_since is not None
    assert "connection refused" in (conn.problem or "") and "(STALE)" in (conn.problem or "")
    with pytest.raises(NoLastGoodAnswer, match="nothing to show"):  # never fetched: nothing invented
        later.budgets_view(USD)


def test_it_recovers_by_itself_when_the_backend_returns(mini: MiniBackend) -> None:
    reader = reader_for(mini.url, breaker=CircuitBreaker(threshold=1, reset_after=0))
    reader.overview()
    assert not reader.has_changed()
    mini.stop()
    assert reader.has_changed() and reader.connection().state == "stale"
    reader.reload()
    assert not reader.has_changed()  # still stale: nothing new to show
    mini.start()  # same port
    assert reader.has_changed() and reader.connection().state == "live"
    reader.reload()
    assert reader.overview().connection is not None and reader.overview().connection.state == "live"


def test_last_good_files_are_private_and_hold_no_token(mini: MiniBackend, isolated_backends: Path) -> None:
    mini.token = "tok-SECRET-4242"
    reader = reader_for(mini.url, token="tok-SECRET-4242")
    reader.overview()
    reader.kpi_view(USD)
    files = [p for p in isolated_backends.rglob("*") if p.is_file()]
    assert len(files) >= 3  # two answers and the contact time (and the backend's name)
    for path in files:
        assert path.stat().st_mode & 0o777 == 0o600, path
        assert "tok-SECRET-4242" not in path.read_text()
    for folder in [isolated_backends, *(p for p in isolated_backends.rglob("*") if p.is_dir())]:
        if folder != isolated_backends:
            assert folder.stat().st_mode & 0o777 == 0o700, folder


def test_cancel_sql_returns_at_once_from_a_hung_query() -> None:
    sock, port = silent_listener()
    try:
        reader = reader_for(f"http://127.0.0.1:{port}", max_wait=60)
        failure: list[BaseException] = []

        def run() -> None:
            try:
                reader.run_sql("SELECT 1", 10)
            except BaseException as exc:
                failure.append(exc)

        worker = threading.Thread(target=run)
        worker.start()
        sock.settimeout(10)
        connection, _ = sock.accept()  # the query is on the wire, and will never be answered
        reader.cancel_sql()
        worker.join(5)
        assert not worker.is_alive() and isinstance(failure[0], QueryError) and "cancelled" in str(failure[0])
        connection.close()
    finally:
        sock.close()


def test_a_half_open_trial_that_ends_without_a_verdict_does_not_wedge_the_breaker() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=1, reset_after=5, clock=clock)
    breaker.record_failure()
    clock.now += 5
    assert breaker.allow() and not breaker.allow()  # one trial at a time
    breaker.release()
    assert breaker.allow()


def test_a_new_reader_method_is_one_route_with_its_id_quoted_in_the_path(
    mini: MiniBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    from finops_tui.contract.views import KpiView
    from finops_tui.remote import routes

    monkeypatch.setitem(routes.ROUTES, "kpi_detail", routes.Route("GET", "/api/dashboard/{part}"))
    assert routes.ROUTES["kpi_detail"].at(part="a/b c").path == "/api/dashboard/a%2Fb%20c"
    reader = reader_for(mini.url)
    view = reader._get("kpi_detail", KpiView, {"currency": "USD", "metric": "BilledCost"}, part="kpis")
    assert view == reader.kpi_view(USD) and mini.seen[0].path == "/api/dashboard/kpis"
