"""`RestReader`: the read contract over a `finops-tui serve` backend, with the last good data when it is down.

Each call is one request (routes.py), sent with the ETag of the answer kept for it, so an
unchanged view costs a 304 and no parsing. When the backend cannot answer (refused, timeout,
5xx, circuit open) the call returns the last good answer from disk and the reader turns STALE
(`overview().connection` says since when); with no earlier answer it raises, never inventing
data. `has_changed()` is a conditional GET of the status endpoint: it reports new data and every
change between live and STALE, so the cockpit's poll reloads and recovers by itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import httpx
from pydantic import BaseModel, RootModel, ValidationError

from finops_tui.contract import CONTRACT_VERSION
from finops_tui.contract.details import CostFilter, CostRowsPage, DimensionDetail, ResourceDetail
from finops_tui.contract.paging import PageRequest
from finops_tui.contract.provenance import BackendConnection, ConnectionState, Overview
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.sql import SqlResult
from finops_tui.contract.views import (
    AnomaliesView,
    AnomalyStatus,
    BudgetsView,
    KpiView,
    OptimizationsView,
    ResourcesView,
)
from finops_tui.errors import QueryError, SourceError
from finops_tui.logs import log_event
from finops_tui.remote import credentials
from finops_tui.remote.backend_client import Answer, BackendClient, normalise_url
from finops_tui.remote.failures import BackendRefused, BackendUnreachable, NoLastGoodAnswer
from finops_tui.remote.last_good import LastGoodStore, SavedAnswer, request_key
from finops_tui.remote.routes import (
    ROUTES,
    SQL,
    STATUS,
    QueryValue,
    Route,
    filter_params,
    page_params,
    scope_params,
)
from finops_tui.remote.sql_answer import sql_result

M = TypeVar("M", bound=BaseModel)


class CostFilters(RootModel[tuple[CostFilter, ...]]):
    """`budget_filters`' answer: a JSON list of the contract's filters."""


class NoAnswer(RootModel[None]):
    """A write's answer: `null`."""


class Feedback(BaseModel):
    """`set_anomaly_feedback`'s body, as the server binds it."""

    status: AnomalyStatus
    note: str | None = None


SQL_REFUSALS = frozenset({400, 408, 413, 422})  # the query's fault: shown like the local engine's errors


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class RestReader:
    """Implements `finops_tui.contract.reader.CostReader` over HTTP(S)."""

    contract_version = CONTRACT_VERSION

    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        ca_bundle: Path | None = None,
        client: BackendClient | None = None,
        store: LastGoodStore | None = None,
        clock: Callable[[], datetime] = utc_now,
        on_stale: Callable[[str], None] | None = None,
    ) -> None:
        self.client = client or BackendClient(url, token, ca_bundle=ca_bundle)
        self.url = self.client.url
        self.store = store or LastGoodStore(self.url)
        self.clock = clock
        self.on_stale = on_stale  # told once per outage, e.g. a headless command's note on stderr
        self._lock = threading.Lock()
        self._parsed: dict[tuple[str, str | None, datetime], BaseModel] = {}
        self._state: ConnectionState = "live"
        self._problem: str | None = None
        self._last_contact = self.store.last_contact()
        self._status_tag: str | None = None
        self._shown: tuple[ConnectionState, str | None] | None = None
        self._sql_session: tuple[httpx.Client, threading.Event] | None = None

    @classmethod
    def connect(
        cls, url: str, ca_bundle: Path | None = None, on_stale: Callable[[str], None] | None = None
    ) -> RestReader:
        """The reader for `--backend URL`, with the token `credentials.token_for` finds (or none)."""
        url = normalise_url(url)
        return cls(url, credentials.token_for(url), ca_bundle=ca_bundle, on_stale=on_stale)

    # -- the contract's views: one line each ------------------------------------------------
    def overview(self) -> Overview:
        view = self._get("overview", Overview, {})
        with self._lock:
            if self._shown is None:
                self._shown = (self._state, self._status_tag)
        return view.model_copy(update={"connection": self.connection()})

    def kpi_view(self, scope: ViewScope) -> KpiView:
        return self._get("kpi_view", KpiView, scope_params(scope))

    def resources_view(self, scope: ViewScope, page: PageRequest | None = None) -> ResourcesView:
        return self._get("resources_view", ResourcesView, scope_params(scope) | page_params(page))

    def budgets_view(self, scope: ViewScope) -> BudgetsView:
        return self._get("budgets_view", BudgetsView, scope_params(scope))

    def anomalies_view(self, scope: ViewScope) -> AnomaliesView:
        return self._get("anomalies_view", AnomaliesView, scope_params(scope))

    def optimizations_view(self, scope: ViewScope) -> OptimizationsView:
        return self._get("optimizations_view", OptimizationsView, scope_params(scope))

    def dimension_detail(self, scope: ViewScope, filters: tuple[CostFilter, ...]) -> DimensionDetail:
        return self._get("dimension_detail", DimensionDetail, scope_params(scope) | filter_params(filters))

    def cost_rows(self, scope: ViewScope, filters: tuple[CostFilter, ...], page: PageRequest) -> CostRowsPage:
        params = scope_params(scope) | filter_params(filters) | page_params(page)
        return self._get("cost_rows", CostRowsPage, params)

    def resource_detail(self, scope: ViewScope, resource_id: str) -> ResourceDetail:
        return self._get("resource_detail", ResourceDetail, scope_params(scope), resource_id=resource_id)

    def budget_filters(self, budget_id: str) -> tuple[CostFilter, ...]:
        return self._get("budget_filters", CostFilters, {}, budget_id=budget_id).root

    def set_anomaly_feedback(self, anomaly_id: str, status: AnomalyStatus, note: str | None = None) -> None:
        self._post("set_anomaly_feedback", NoAnswer, Feedback(status=status, note=note), anomaly_id=anomaly_id)

    # -- connection state -------------------------------------------------------------------
    def connection(self) -> BackendConnection:
        with self._lock:
            stale = self._state == "stale"
            return BackendConnection(
                backend=self.url,
                state=self._state,
                stale_since=self._last_contact if stale else None,
                breaker=self.client.breaker.state,
                problem=self._problem if stale else None,
            )

    def _went_stale(self, reason: str) -> None:
        with self._lock:
            was = self._state
            self._state = "stale"
            since = f"{self._last_contact:%Y-%m-%d %H:%M} UTC" if self._last_contact else "an unknown time"
            self._problem = (
                f"backend {self.url} unreachable: {reason}; showing data from {since} (STALE). "
                "Check the URL or that `finops-tui serve` runs there."
            )
        if was == "live":
            log_event("remote", "connection", "error", None, reason, backend=self.url, state="stale")
            if self.on_stale is not None:
                self.on_stale(self._problem)

    def _went_live(self) -> None:
        now = self.clock()
        with self._lock:
            was = self._state
            self._state, self._problem, self._last_contact = "live", None, now
        self.store.record_contact(now, force=was == "stale")
        if was == "stale":
            log_event("remote", "connection", "ok", None, None, backend=self.url, state="live")

    # -- requests ---------------------------------------------------------------------------
    def _get(self, name: str, model: type[M], params: dict[str, QueryValue], **path: str) -> M:
        route = ROUTES[name].at(**path)
        key = request_key(route.path, params)
        saved = self.store.load(key)
        try:
            answer = self.client.request(route, params=params, etag=saved.etag if saved else None)
        except BackendUnreachable as exc:
            self._went_stale(exc.reason)
            if saved is None:
                raise NoLastGoodAnswer(self.url, exc.reason) from None
            return self._parse(key, model, saved, route)
        self._went_live()
        saved = self._keep(key, route, answer, saved)
        if route.path == STATUS.path:
            self._status_tag = saved.etag
        return self._parse(key, model, saved, route)

    def _post(self, name: str, model: type[M], body: BaseModel, **path: str) -> M:
        """A write: sent once, never answered from the last good data (it must reach the server or fail)."""
        route = ROUTES[name].at(**path)
        answer = self.client.request(route, body=body.model_dump(mode="json"))
        self._went_live()
        try:
            return model.model_validate(answer.data)
        except ValidationError as exc:
            raise SourceError(f"backend {self.url} answered {route.path} in a shape this client does not read: "
                              f"{exc.errors()[0]['msg']}. Upgrade finops-tui on one side.") from None  # fmt: skip

    def _keep(self, key: str, route: Route, answer: Answer, saved: SavedAnswer | None) -> SavedAnswer:
        """A 304 confirms the saved answer; a 200 replaces it (memory and disk)."""
        if answer.status == 304 and saved is not None:
            return saved
        if answer.status == 304:
            raise SourceError(f"backend {self.url} answered 304 to a request that sent no ETag ({route.path}).")
        fresh = SavedAnswer(answer.data, answer.etag, self.clock())
        self.store.save(key, fresh, f"{route.method} {route.path}")
        return fresh

    def _parse(self, key: str, model: type[M], saved: SavedAnswer, route: Route) -> M:
        memo = (key, saved.etag, saved.fetched_at)
        with self._lock:
            known = self._parsed.get(memo)
        if isinstance(known, model):
            return known
        try:
            view = model.model_validate(saved.data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise SourceError(
                f"backend {self.url} answered {route.path} in a shape this client does not read "
                f"({where}: {first['msg']}); client contract {CONTRACT_VERSION}. Upgrade finops-tui on one side."
            ) from None
        with self._lock:
            self._parsed = {k: v for k, v in self._parsed.items() if k[0] != key}  # one parsed answer per request
            self._parsed[memo] = view
        return view

    # -- new data ---------------------------------------------------------------------------
    def has_changed(self) -> bool:
        """A conditional GET of the status: True on new data, and whenever live ↔ STALE changed."""
        key = request_key(STATUS.path, {})
        saved = self.store.load(key)
        try:
            answer = self.client.request(STATUS, etag=saved.etag if saved else None)
        except BackendUnreachable as exc:
            self._went_stale(exc.reason)
        except BackendRefused as exc:  # e.g. a revoked token: the views will say so when they load
            log_event("remote", "has_changed", "error", None, str(exc), backend=self.url)
            return False
        else:
            self._went_live()
            self._status_tag = self._keep(key, STATUS, answer, saved).etag
        with self._lock:
            now = (self._state, self._status_tag)
            if self._shown is None:
                self._shown = now
            return now != self._shown

    def reload(self) -> None:
        """What is shown now is what `has_changed` compares against; the next requests revalidate by ETag."""
        with self._lock:
            self._shown = (self._state, self._status_tag)

    # -- SQL --------------------------------------------------------------------------------
    def run_sql(self, sql: str, limit: int, timeout: float | None = None) -> SqlResult:
        """Sent once (never retried: not idempotent by contract); never answered from the last good data.

        The request runs in its own thread and connection so `cancel_sql` can return at once.
        """
        session = self.client.session()
        done = threading.Event()
        outcome: list[Answer | BaseException] = []

        def send() -> None:
            try:
                outcome.append(self.client.request(SQL, body={"sql": sql, "limit": limit}, session=session,
                                                   timeout=timeout))  # fmt: skip
            except BaseException as exc:  # handed to the caller's thread
                outcome.append(exc)
            finally:
                done.set()

        with self._lock:
            self._sql_session = (session, done)
        threading.Thread(target=send, name="finops-sql", daemon=True).start()
        try:
            done.wait()
        finally:
            with self._lock:
                self._sql_session = None
        if not outcome:
            raise QueryError("Query cancelled.")
        result = outcome[0]
        if isinstance(result, BackendRefused) and result.status in SQL_REFUSALS:
            raise QueryError(result.server_message or str(result)) from None
        if isinstance(result, BaseException):
            raise result
        return sql_result(result.data)

    def cancel_sql(self) -> None:
        """Stop waiting for the running query at once; the server ends it at its own timeout."""
        with self._lock:
            running = self._sql_session
        if running is not None:
            session, done = running
            done.set()
            session.close()

    def close(self) -> None:
        self.client.close()
