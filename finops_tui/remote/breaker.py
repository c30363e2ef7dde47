"""A circuit breaker: after repeated failures, stop calling a dead backend for a while, then try once.

closed → (`threshold` failures in a row) → open → (`reset_after` seconds) → half-open: one trial
call is let through; its success closes the circuit, its failure opens it again. While open, a
call fails at once instead of waiting for a timeout, so a cockpit over a dead backend stays quick
and shows its last good data. Thread-safe: panes call from several worker threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from finops_tui.contract.provenance import BreakerState


class CircuitBreaker:
    def __init__(
        self, threshold: int = 3, reset_after: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = threshold
        self.reset_after = reset_after
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._state()

    def _state(self) -> BreakerState:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.reset_after:
            return "half-open"
        return "open"

    def allow(self) -> bool:
        """Whether a call may go out now; in half-open, only one trial at a time."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return True
            if state == "half-open" and not self._trial_running:
                self._trial_running = True
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_running = False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._trial_running or self._failures >= self.threshold:
                self._opened_at = self._clock()
            self._trial_running = False

    def release(self) -> None:
        """A call that ended neither way (e.g. an untrusted certificate): let the next trial go out."""
        with self._lock:
            self._trial_running = False

    def seconds_until_trial(self) -> float:
        with self._lock:
            if self._opened_at is None:
                return 0.0
            return max(0.0, self.reset_after - (self._clock() - self._opened_at))
