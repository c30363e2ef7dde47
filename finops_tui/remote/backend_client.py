"""One HTTP conversation with a backend: timeouts, retries with backoff, the circuit breaker, the envelope.

Every request has a timeout (connect and answer). Idempotent requests (GET) are retried on no
answer, 5xx and 429, with exponential backoff and full jitter; a POST is sent once. A call that
still fails counts once against the circuit breaker; while it is open, calls fail at once. The
server's envelope `{"success", "data" | "error"}` is unwrapped here, and failures become the
`failures` module's errors. The token travels only in the Authorization header: it is never
logged, never put in a message, never written to disk by this module.
"""

from __future__ import annotations

import random
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from finops_tui import __version__
from finops_tui.errors import ConfigError
from finops_tui.logs import log_event
from finops_tui.remote.breaker import CircuitBreaker
from finops_tui.remote.failures import BackendAuthError, BackendRefused, BackendTrustError, BackendUnreachable
from finops_tui.remote.routes import STATUS, QueryValue, Route

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Answer:
    """200 with the envelope's data, or 304 (data unchanged since `etag`: reuse the last body)."""

    status: int
    data: Any
    etag: str | None


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3  # in all, the first try included
    base_delay: float = 0.25
    max_delay: float = 4.0

    def delay(self, retry: int, rng: random.Random) -> float:
        """Full jitter: a random wait up to base × 2^retry, so many clients do not retry in step."""
        return rng.uniform(0, min(self.max_delay, self.base_delay * 2**retry))


def normalise_url(url: str) -> str:
    """`https://host:8080/` → `https://host:8080`; anything that is not an http(s) URL is a usage error."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"--backend {url!r}: give the backend's URL, such as https://finops.example.com:8080")
    if parts.username or parts.password:
        raise ConfigError("--backend: put no user or password in the URL; run `finops-tui login URL` for the token")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def trust(ca_bundle: Path | None) -> ssl.SSLContext | bool:
    """TLS verification is always on: the system's CAs, or only those in `ca_bundle` for a private CA."""
    if ca_bundle is None:
        return True
    path = ca_bundle.expanduser()
    if not path.is_file():
        raise ConfigError(f"--ca-bundle {path}: no such file. Give the PEM file of your private CA.")
    try:
        return ssl.create_default_context(cafile=str(path))
    except (ssl.SSLError, ValueError) as exc:
        raise ConfigError(f"--ca-bundle {path}: not a PEM certificate bundle ({exc}).") from None


def _tls_problem(exc: BaseException) -> str | None:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen.verify_message or str(seen)
        if "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return "certificate verify failed"
        seen = seen.__cause__ or seen.__context__
    return None


def _reason(exc: httpx.TransportError, timeout: float) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within {timeout:g}s ({type(exc).__name__})"
    text = str(exc) or type(exc).__name__
    if "refused" in text.lower():
        return "connection refused"
    return text


class BackendClient:
    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        ca_bundle: Path | None = None,
        connect_timeout: float = 3.0,
        max_wait: float | None = None,
        breaker: CircuitBreaker | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.url = normalise_url(url)
        self.breaker = breaker or CircuitBreaker()
        self.retry = retry or RetryPolicy()
        self._token = token
        self._verify = trust(ca_bundle)
        self._connect_timeout = connect_timeout
        self._max_wait = max_wait  # caps every route's answer timeout (tests; impatient scripts)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._http = self.session()

    def session(self) -> httpx.Client:
        """A new connection pool with the same trust and headers; the SQL call gets its own so it can be cut."""
        headers = {"User-Agent": f"finops-tui/{__version__}", "Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        return httpx.Client(
            base_url=self.url,
            verify=self._verify,
            headers=headers,
            timeout=httpx.Timeout(15.0, connect=self._connect_timeout),
            follow_redirects=False,  # a redirect could carry the token elsewhere
        )

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        route: Route,
        *,
        params: Mapping[str, QueryValue] | None = None,
        body: Any = None,
        etag: str | None = None,
        timeout: float | None = None,
        session: httpx.Client | None = None,
    ) -> Answer:
        """Send `route`; raises BackendUnreachable (no usable answer) or BackendRefused (a 4xx)."""
        if not self.breaker.allow():
            wait = self.breaker.seconds_until_trial()
            raise BackendUnreachable(self.url, f"circuit open after repeated failures, next try in {wait:.0f}s")
        wait_for = route.timeout if timeout is None else timeout
        if self._max_wait is not None:
            wait_for = min(wait_for, self._max_wait)
        http = session or self._http
        attempts = self.retry.attempts if route.idempotent else 1
        headers = {"If-None-Match": etag} if etag else {}
        reason = "no attempt made"
        for attempt in range(attempts):
            if attempt:
                self._sleep(self.retry.delay(attempt - 1, self._rng))
            start = time.perf_counter()
            try:
                response = http.request(
                    route.method,
                    route.path,
                    params=dict(params or {}),
                    json=body,
                    headers=headers,
                    timeout=httpx.Timeout(wait_for, connect=self._connect_timeout),
                )
            except httpx.TransportError as exc:
                tls = _tls_problem(exc)
                if tls is not None:
                    self.breaker.release()
                    self._log(route, "error", start, attempt, None, f"TLS: {tls}")
                    raise BackendTrustError(
                        f"backend {self.url}: its TLS certificate is not trusted ({tls}). If it is signed by a "
                        "private CA, pass --ca-bundle FILE with that CA's certificate."
                    ) from None
                reason = _reason(exc, wait_for)
                self._log(route, "error", start, attempt, None, reason)
                continue
            status = response.status_code
            if status != 304 or route.path != STATUS.path:  # the cockpit's 3-second "anything new?" stays quiet
                self._log(route, "ok" if status < 400 else "error", start, attempt, status, None)
            if status in RETRY_STATUS:
                reason = f"HTTP {status} ({self._error_message(response)})"
                if status == 429:
                    self.breaker.record_success()  # it answered: busy, not dead
                    if attempt + 1 == attempts:
                        raise BackendRefused(
                            f"backend {self.url} is rate limiting this token (429: {self._error_message(response)})."
                            " Wait a moment and try again."
                        )
                continue
            self.breaker.record_success()
            return self._answer(response)
        self.breaker.record_failure()
        raise BackendUnreachable(self.url, reason)

    def _answer(self, response: httpx.Response) -> Answer:
        etag = response.headers.get("etag")
        if response.status_code == 304:
            return Answer(304, None, etag)
        envelope = self._envelope(response)
        if response.status_code >= 400 or envelope.get("success") is not True:
            self._refuse(response, envelope)
        return Answer(response.status_code, envelope.get("data"), etag)

    def _envelope(self, response: httpx.Response) -> dict[str, Any]:
        try:
            envelope = response.json()
        except ValueError:
            envelope = None
        if not isinstance(envelope, dict) or "success" not in envelope:
            kind = response.headers.get("content-type", "no content type")
            raise BackendRefused(
                f"{self.url} did not answer as a finops-tui backend (HTTP {response.status_code}, {kind}). "
                "Check the URL: it should point at `finops-tui serve`."
            )
        return envelope

    def _error_message(self, response: httpx.Response) -> str:
        try:
            error = response.json().get("error") or {}
            return str(error.get("message") or response.reason_phrase)
        except (ValueError, AttributeError):
            return response.reason_phrase

    def _refuse(self, response: httpx.Response, envelope: dict[str, Any]) -> None:
        found = envelope.get("error")
        error: dict[str, Any] = found if isinstance(found, dict) else {}
        message = str(error.get("message") or response.reason_phrase)
        code = str(error.get("code") or response.status_code)
        status = response.status_code
        if status == 401:
            what = "refused the token" if self._token else "needs a token, and none is stored for it"
            raise BackendAuthError(
                f"backend {self.url} {what} (401: {message}). Run `finops-tui login {self.url}` "
                "or set FINOPS_TUI_TOKEN.",
                status=401,
                code=code,
                server_message=message,
            )
        if status == 403:
            raise BackendAuthError(
                f"backend {self.url}: this token may not do that (403: {message}). Ask an admin for a token "
                "with the right role (`finops-tui token create`).",
                status=403,
                code=code,
                server_message=message,
            )
        raise BackendRefused(
            f"backend {self.url} refused the request ({status} {code}: {message}).",
            status=status,
            code=code,
            server_message=message,
        )

    def _log(self, route: Route, status: str, start: float, attempt: int, http: int | None, error: str | None) -> None:
        log_event(
            "remote",
            f"{route.method} {route.path}",
            status,
            (time.perf_counter() - start) * 1000,
            error,
            backend=self.url,
            http_status=http,
            attempt=attempt + 1,
        )
