"""The FastAPI application: the route table mounted over a reader pool, behind tokens, roles and rate limits.

Every handler does the same few steps in a worker thread (DuckDB calls block): authenticate the bearer
token, spend one request of its rate, check its role, pick the reader for its accounts, then answer:
from the ETag (304), from the short-lived answer cache, or by calling the reader. Errors of any kind
leave as the error envelope (envelope.py); no header, token or traceback reaches a log line.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from finops_tui.auth.tokens import Role, TokenInfo, TokenStore
from finops_tui.cache.local_reader import LocalCache
from finops_tui.contract import CONTRACT_VERSION
from finops_tui.contract.reader import CostReader
from finops_tui.contract.vocabulary import DATASET_KINDS
from finops_tui.errors import FinopsError
from finops_tui.server import derived, push, sql_lab
from finops_tui.server.binding import Parameter, bind, parameters_of
from finops_tui.server.envelope import ApiError, error_body, from_finops_error, from_unexpected, success_body
from finops_tui.server.rate_limit import RateLimiter
from finops_tui.server.readers import ReaderPool
from finops_tui.server.response_cache import ResponseCache, etag_for, matches
from finops_tui.server.routes import ROUTES, Route, allowed

log = logging.getLogger("finops_tui.server")
T = TypeVar("T")
JSON = "application/json"


@dataclass(frozen=True)
class ServerConfig:
    cache: Path
    auth_db: Path | None = None
    memory_limit: str | None = None
    rate_per_second: float = 20.0
    rate_burst: int = 200
    sql_timeout_seconds: float = 30.0
    sql_row_limit: int = 10_000
    cache_seconds: float = 30.0
    now: datetime | None = None  # a fixed clock (tests, conformance); None: the real one


@dataclass(frozen=True)
class Call:
    """One request as the worker thread sees it (plain data: no Starlette object crosses the thread)."""

    authorization: str | None
    path: str
    path_params: Mapping[str, str]
    query: Mapping[str, list[str]]
    body: bytes
    if_none_match: str | None


class Server:
    """State shared by every request: the readers, the tokens, the rate buckets, the answer cache."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.pool = ReaderPool(config.cache, config.memory_limit, config.now)
        self.tokens = TokenStore(config.auth_db)
        self.limiter = RateLimiter(config.rate_per_second, config.rate_burst)
        self.answers = ResponseCache(config.cache_seconds)

    def caller(self, call: Call, role: Role) -> TokenInfo:
        header = call.authorization or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "Send a token as 'Authorization: Bearer <token>'; an admin makes one with "
                                "`finops-tui token create --role viewer` on the server.")  # fmt: skip
        info = self.tokens.verify(token.strip())
        if info is None:
            raise ApiError(401, "The token is unknown, expired or revoked; ask an admin for a new one "
                                "(`finops-tui token list` on the server shows which are active).")  # fmt: skip
        wait = self.limiter.take(info.token_id)
        if wait:
            retry = RateLimiter.retry_after(wait)
            raise ApiError(
                429,
                f"Too many requests with this token ({self.config.rate_burst} at once, "
                f"{self.config.rate_per_second:g} per second); retry in {retry} s.",
                headers={"Retry-After": retry},
            )
        if not allowed(info.role, role):
            raise ApiError(403, f"A {info.role} token may not do this; it needs the {role} role or above "
                                f"({_ROLE_HELP}).")  # fmt: skip
        return info

    def get(
        self, call: Call, role: Role, compute: Callable[[LocalCache], bytes], info: TokenInfo | None = None
    ) -> Response:
        """A GET answer with its ETag: 304 when the client has it, the kept answer when fresh, else computed."""
        info = info or self.caller(call, role)
        reader = self.pool.reader_for(info.accounts)
        etag = _etag(reader, call, info)
        headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
        if matches(call.if_none_match, etag):
            return Response(status_code=304, headers=headers)
        body = self.answers.get_or_compute(etag, lambda: success_body(compute(reader)))
        return Response(body, media_type=JSON, headers=headers)

    def quick_get(self, call: Call, role: Role) -> Response | TokenInfo:
        """On the event loop: a 304 or a kept answer when one is ready, else the caller for `get` in a thread.

        Only in-memory work and a stat or two happen here; reloads, scoped builds and queries never do."""
        info = self.caller(call, role)
        reader = self.pool.ready_reader(info.accounts)
        if reader is None:
            return info
        etag = _etag(reader, call, info)
        headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
        if matches(call.if_none_match, etag):
            return Response(status_code=304, headers=headers)
        body = self.answers.get(etag)
        return info if body is None else Response(body, media_type=JSON, headers=headers)


def _etag(reader: LocalCache, call: Call, info: TokenInfo) -> str:
    query = "&".join(f"{k}={v}" for k, vs in sorted(call.query.items()) for v in vs)
    return etag_for(reader.path, f"{call.path}?{query}|{','.join(info.accounts or ())}")


_ROLE_HELP = "viewer reads, analyst also runs SQL, admin manages tokens, collector only pushes"


def _guarded(work: Callable[[], T]) -> T:
    try:
        return work()
    except ApiError:
        raise
    except FinopsError as exc:
        raise from_finops_error(exc) from None
    except Exception as exc:
        raise from_unexpected(exc) from None


async def _call(request: Request, with_body: bool) -> Call:
    return Call(
        authorization=request.headers.get("authorization"),
        path=request.url.path,
        path_params={k: str(v) for k, v in request.path_params.items()},
        query={k: request.query_params.getlist(k) for k in request.query_params},
        body=await request.body() if with_body else b"",
        if_none_match=request.headers.get("if-none-match"),
    )


def _reader_endpoint(server: Server, route: Route) -> Callable[[Request], Any]:
    params, returns = _checked(route)
    adapter: TypeAdapter[Any] = TypeAdapter(route.response)

    def answer(reader: LocalCache, call: Call) -> bytes:
        result = getattr(reader, route.method)(**bind(params, route.verb, call.path_params, call.query, call.body))
        return adapter.dump_json(route.pick(result) if route.pick else result)

    def work(call: Call, info: TokenInfo | None) -> Response:
        if route.verb == "GET":
            return server.get(call, route.role, lambda reader: answer(reader, call), info)
        info = server.caller(call, route.role)
        return Response(success_body(answer(server.pool.reader_for(info.accounts), call)), media_type=JSON)

    async def endpoint(request: Request) -> Response:
        call = await _call(request, route.verb == "POST")
        info = None
        if route.verb == "GET":
            quick = _guarded(lambda: server.quick_get(call, route.role))
            if isinstance(quick, Response):
                return quick
            info = quick
        return await run_in_threadpool(_guarded, lambda: work(call, info))

    return endpoint


def _checked(route: Route) -> tuple[list[Parameter], Any]:
    method = getattr(CostReader, route.method, None) or getattr(LocalCache, route.method, None)
    if method is None:
        raise RuntimeError(f"route {route.path}: no reader method {route.method!r}")
    params, returns = parameters_of(method)
    if route.pick is None and returns != route.response:
        raise RuntimeError(f"route {route.path}: {route.method} returns {returns}, the route says {route.response}")
    return params, returns


def create_app(config: ServerConfig) -> FastAPI:
    server = Server(config)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        server.pool.close()

    app = FastAPI(
        title="finops-tui",
        version=CONTRACT_VERSION,
        description="The finops-tui read contract over HTTP; see docs/rest-api.md.",
        lifespan=lifespan,
    )
    app.state.server = server
    for route in ROUTES:
        app.add_api_route(
            route.path, _reader_endpoint(server, route), methods=[route.verb], summary=f"{route.method} ({route.role})"
        )
    _add_fixed_routes(app, server)
    _add_error_handlers(app)
    return app


def _add_fixed_routes(app: FastAPI, server: Server) -> None:
    templates = TypeAdapter(list[sql_lab.SqlTemplate]).dump_json(sql_lab.TEMPLATES)

    @app.get("/health", summary="liveness, contract version, dataset ages, last refresh (no token needed)")
    async def health(request: Request) -> Response:
        if_none_match = request.headers.get("if-none-match")

        def work() -> Response:
            server.pool.refresh_if_changed()
            main = server.pool.main
            etag = etag_for(main.path, "/health")
            headers = {"ETag": etag, "Cache-Control": "no-cache"}
            if matches(if_none_match, etag):
                return Response(status_code=304, headers=headers)

            def compute() -> bytes:
                return success_body(derived.health(main.overview()).model_dump_json().encode())

            # Monitors poll this: kept like any answer, so it costs a query only when the file changed.
            return Response(server.answers.get_or_compute(etag, compute), media_type=JSON, headers=headers)

        return await run_in_threadpool(_guarded, work)

    @app.get("/api/sql-lab/templates", summary="ready-made SQL lab queries (viewer)")
    async def sql_templates(request: Request) -> Response:
        call = await _call(request, False)
        return await run_in_threadpool(_guarded, lambda: server.get(call, "viewer", lambda _: templates))

    @app.post("/api/sql-lab/execute", summary="run one read-only SQL statement (analyst)")
    async def sql_execute(request: Request) -> Response:
        call = await _call(request, True)

        def work() -> Response:
            info = server.caller(call, "analyst")
            params, _ = parameters_of(_sql_signature)
            sql_request = bind(params, "POST", {}, {}, call.body)["request"]
            reader = server.pool.reader_for(info.accounts)
            config = server.config
            result = sql_lab.execute(reader, sql_request, config.sql_row_limit, config.sql_timeout_seconds)
            body = sql_lab.SqlAnswer.model_validate(sql_lab.result_json(result)).model_dump_json().encode()
            return Response(success_body(body), media_type=JSON)

        return await run_in_threadpool(_guarded, work)

    @app.post("/api/push/{kind}", summary="replace one dataset with a collector's rows (collector)")
    async def push_dataset(request: Request, kind: str) -> Response:
        call = await _call(request, True)

        def work() -> Response:
            info = server.caller(call, "collector")
            if kind not in DATASET_KINDS:
                raise ApiError(404, f"No dataset kind {kind!r}; push one of {', '.join(DATASET_KINDS)}.")
            result = push.apply(server.config.cache, kind, call.body, server.config.memory_limit)
            log.info("push by token %s: %s %s, %d rows", info.token_id, kind, result.dataset_id, result.rows)
            server.pool.refresh_if_changed()
            return Response(success_body(result.model_dump_json().encode()), media_type=JSON)

        return await run_in_threadpool(_guarded, work)


def _sql_signature(request: sql_lab.SqlRequest) -> None:
    """The SQL lab's one argument, bound like a reader method's."""


def _add_error_handlers(app: FastAPI) -> None:
    async def api_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return Response(error_body(exc.code, exc.message), status_code=exc.status, media_type=JSON, headers=exc.headers)

    async def http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        error = ApiError(exc.status_code, str(exc.detail))
        if exc.status_code == 404:
            error = ApiError(404, "No such path; GET /openapi.json lists them (docs/rest-api.md explains them).")
        return Response(error_body(error.code, error.message), status_code=error.status, media_type=JSON)

    async def validation_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return Response(error_body("invalid_request", f"Invalid request: {problems}."), status_code=422,
                        media_type=JSON)  # fmt: skip

    async def unexpected(_: Request, exc: Exception) -> Response:
        error = from_unexpected(exc)
        return Response(error_body(error.code, error.message), status_code=500, media_type=JSON)

    app.add_exception_handler(ApiError, api_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected)
