"""The response envelope and the one place errors become HTTP answers.

`{"success": true, "data": ...}` or `{"success": false, "error": {"code", "message"}}`. A FinopsError keeps its
message (it already says what to do); any other exception is a 500 whose message holds no traceback.
"""

from __future__ import annotations

import json
import logging

from finops_tui.errors import CacheError, ConfigError, FinopsError, IngestError, QueryError, SourceError

log = logging.getLogger("finops_tui.server")

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An answer other than success: HTTP status, error code, message, optional headers (Retry-After)."""

    def __init__(self, status: int, message: str, *, code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = message
        self.headers = headers or {}


def success_body(data_json: bytes) -> bytes:
    """The success envelope around `data_json`, already JSON: the data is serialised once, by pydantic."""
    return b'{"success":true,"data":' + data_json + b"}"


def error_body(code: str, message: str) -> bytes:
    return json.dumps({"success": False, "error": {"code": code, "message": message}}).encode()


def from_finops_error(exc: FinopsError) -> ApiError:
    """The HTTP status a FinopsError stands for; its message goes out unchanged."""
    message = str(exc)
    if isinstance(exc, QueryError):
        return ApiError(400, message, code="query_error")
    if isinstance(exc, ConfigError):
        return ApiError(400, message)
    if isinstance(exc, IngestError):
        return ApiError(422, message)
    if isinstance(exc, CacheError) and "is writing" in message:
        return ApiError(409, message)
    if isinstance(exc, CacheError | SourceError):
        return ApiError(503, message)
    return ApiError(500, message)


def from_unexpected(exc: BaseException) -> ApiError:
    log.error("request failed: %s: %s", type(exc).__name__, exc)
    return ApiError(500, "The server failed on this request; the server's log says why. Try again or report it.")
