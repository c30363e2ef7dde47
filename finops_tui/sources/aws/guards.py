"""What every AWS call goes through: a client-side rate limit, a circuit breaker, and a log line.

Attached to boto3 clients with botocore's event hooks (`before-call`, `after-call`,
`after-call-error`), so collectors use plain clients and cannot forget any of it. botocore's
own adaptive retries run inside one call; the breaker counts whole calls that failed after
retries (5xx, throttling, timeouts, connection errors), per service and region: after
`threshold` in a row it opens and further calls fail at once with CircuitOpen until `cooldown`
seconds pass, so a dead endpoint stops being hammered. Client errors (AccessDenied, validation)
do not open it: the endpoint is alive and said no.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError

from finops_tui.logs import log_event

_TRANSIENT_CODES = {
    "Throttling",
    "ThrottlingException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "ServiceUnavailable",
    "InternalError",
    "InternalFailure",
    "RequestTimeout",
    "SlowDown",
}
# Calls per second per (service, operation), from AWS's published limits with headroom; others get DEFAULT_RATE.
RATES = {("ce", "*"): 5.0, ("budgets", "*"): 5.0, ("organizations", "*"): 2.0, ("cloudwatch", "GetMetricData"): 10.0}
DEFAULT_RATE = 20.0


class CircuitOpenError(BotoCoreError):  # type: ignore[misc]  # botocore ships no type information
    fmt = "circuit open for {service} in {region}: {failures} calls in a row failed; not calling for {wait:.0f} s"


class RateLimiter:
    """Token bucket per key: at most `rate` calls per second, bursts of `rate` allowed."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # key -> (tokens, last refill)

    def acquire(self, service: str, operation: str) -> float:
        """Wait for a token; returns the seconds waited."""
        rate = RATES.get((service, operation), RATES.get((service, "*"), DEFAULT_RATE))
        key = (service, operation)
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                tokens, last = self._buckets.get(key, (rate, now))
                tokens = min(rate, tokens + (now - last) * rate)
                if tokens >= 1:
                    self._buckets[key] = (tokens - 1, now)
                    return waited
                self._buckets[key] = (tokens, now)
                delay = (1 - tokens) / rate
            self._sleep(delay)
            waited += delay


@dataclass
class _Circuit:
    failures: int = 0
    opened_at: float | None = None


@dataclass
class CircuitBreaker:
    threshold: int = 5
    cooldown: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _circuits: dict[tuple[str, str], _Circuit] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, service: str, region: str) -> None:
        with self._lock:
            circuit = self._circuits.get((service, region))
            if circuit is None or circuit.opened_at is None:
                return
            wait = circuit.opened_at + self.cooldown - self.clock()
            if wait > 0:
                raise CircuitOpenError(service=service, region=region, failures=circuit.failures, wait=wait)
            circuit.opened_at = None  # half-open: let one call through

    def record(self, service: str, region: str, ok: bool) -> None:
        with self._lock:
            circuit = self._circuits.setdefault((service, region), _Circuit())
            if ok:
                circuit.failures, circuit.opened_at = 0, None
            else:
                circuit.failures += 1
                if circuit.failures >= self.threshold:
                    circuit.opened_at = self.clock()

    def is_open(self, service: str, region: str) -> bool:
        circuit = self._circuits.get((service, region))
        return bool(circuit and circuit.opened_at is not None)


@dataclass
class CallCounter:
    """API calls made, per service.operation, for the refresh run's record and the CE bill."""

    counts: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, service: str, operation: str) -> None:
        with self._lock:
            key = f"{service}.{operation}"
            self.counts[key] = self.counts.get(key, 0) + 1


@dataclass
class Guards:
    limiter: RateLimiter = field(default_factory=RateLimiter)
    breaker: CircuitBreaker = field(default_factory=CircuitBreaker)
    calls: CallCounter = field(default_factory=CallCounter)

    def attach(self, client: Any, service: str, region: str) -> Any:
        events = client.meta.events

        def before(model: Any, context: dict[str, Any], **_: Any) -> None:
            self.breaker.check(service, region)
            self.limiter.acquire(service, model.name)
            context["finops_started"] = time.perf_counter()
            context["finops_operation"] = model.name

        def after(http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
            status = getattr(http_response, "status_code", 200)
            code = (parsed or {}).get("Error", {}).get("Code") if status >= 300 else None
            self.breaker.record(service, region, ok=status < 500 and code not in _TRANSIENT_CODES)
            self._log(
                service,
                model.name,
                region,
                context,
                "ok" if status < 300 else "error",
                f"HTTP {status} {code}" if code or status >= 300 else None,
                status,
            )

        def failed(exception: Exception, context: dict[str, Any], **_: Any) -> None:
            operation = context.get("finops_operation") or "?"
            self.breaker.record(service, region, ok=False)
            self._log(service, operation, region, context, "error", f"{type(exception).__name__}: {exception}", None)

        events.register("before-call.*.*", before)
        events.register("after-call.*.*", after)
        events.register("after-call-error.*.*", failed)
        return client

    def _log(
        self,
        service: str,
        operation: str,
        region: str,
        context: dict[str, Any],
        status: str,
        error: str | None,
        http_status: int | None,
    ) -> None:
        self.calls.add(service, operation)
        started = context.get("finops_started")
        elapsed = (time.perf_counter() - started) * 1000 if started else None
        log_event(
            "aws",
            f"{service}.{operation}",
            status,
            elapsed,
            error,
            region=region,
            response_time_ms=None if elapsed is None else round(elapsed, 1),
            http_status=http_status,
        )
