"""A test-only backend speaking the server's envelope over a LocalCache, with switches to misbehave.

For the client's own unit tests (500s, retries, ETags, TLS, restarts on the same port); the
conformance suite and the cockpit test run against the real `finops-tui serve` instead.
"""

from __future__ import annotations

import hashlib
import json
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from finops_tui.cache.local_reader import LocalCache
from finops_tui.contract.scope import ViewScope

Handler = Callable[[LocalCache, ViewScope], Any]
VIEWS: dict[str, Handler] = {
    "/api/integration/status": lambda r, s: r.overview(),
    "/api/dashboard/kpis": lambda r, s: r.kpi_view(s),
    "/api/resources": lambda r, s: r.resources_view(s),
    "/api/budgets": lambda r, s: r.budgets_view(s),
    "/api/anomalies": lambda r, s: r.anomalies_view(s),
    "/api/optimizations": lambda r, s: r.optimizations_view(s),
}


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class MiniBackend:
    reader: LocalCache
    tls: ssl.SSLContext | None = None
    fail_with: int | None = None  # answer every request with this status
    token: str | None = None  # when set, a request without `Bearer <token>` gets 401
    sent: list[int] = field(default_factory=list)  # the status of each answer
    seen: list[Seen] = field(default_factory=list)
    port: int = 0
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> MiniBackend:
        backend = self

        class Handle(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                backend.answer(self)

            def do_POST(self) -> None:
                backend.answer(self)

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handle)
        server.allow_reuse_address = True
        if self.tls is not None:
            server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def answer(self, h: BaseHTTPRequestHandler) -> None:
        self.seen.append(Seen(h.command, urlsplit(h.path).path, dict(h.headers.items())))
        if self.token is not None and h.headers.get("Authorization") != f"Bearer {self.token}":
            return self._send(h, 401, {"success": False, "error": {"code": "unauthorized", "message": "bad token"}})
        if self.fail_with is not None:
            return self._send(h, self.fail_with, {"success": False, "error": {"code": "x", "message": "broken"}})
        parts = urlsplit(h.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/api/sql-lab/execute":
            body = json.loads(h.rfile.read(int(h.headers["Content-Length"])))
            result = self.reader.run_sql(body["sql"], body["limit"])
            table = result.table.model_dump(mode="json")["table"]
            data = {**table, "row_count": result.total_rows, "truncated": result.truncated, "elapsed_ms": 1.0}
            return self._send(h, 200, {"success": True, "data": data})
        view = VIEWS.get(parts.path)
        if view is None:
            return self._send(h, 404, {"success": False, "error": {"code": "not_found", "message": parts.path}})
        scope = ViewScope.model_validate(query | {"currency": query.get("currency")})
        payload = {"success": True, "data": view(self.reader, scope).model_dump(mode="json")}
        etag = '"' + hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16] + '"'
        if h.headers.get("If-None-Match") == etag:
            return self._send(h, 304, None, etag)
        return self._send(h, 200, payload, etag)

    def _send(self, h: BaseHTTPRequestHandler, status: int, payload: Any, etag: str | None = None) -> None:
        self.sent.append(status)
        body = b"" if payload is None else json.dumps(payload).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        if etag:
            h.send_header("ETag", etag)
        h.end_headers()
        h.wfile.write(body)


def silent_listener() -> tuple[socket.socket, int]:
    """A socket that accepts connections (the kernel's backlog) and never answers: a hung backend."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    return sock, sock.getsockname()[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
