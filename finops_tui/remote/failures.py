"""What can go wrong talking to a backend, as FinopsError subclasses whose message says what to do.

The split matters to the reader: `BackendUnreachable` (no answer: refused, timed out, 5xx, circuit
open) falls back to the last good answer on disk; `BackendRefused` (the backend answered no: bad
token, wrong role, bad request) never does, because the last good data would hide the real problem.
"""

from __future__ import annotations

from finops_tui.errors import ConfigError, SourceError


class BackendUnreachable(SourceError):
    """No usable answer; the last good answer may stand in for it, labelled STALE."""

    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(f"backend {url} unreachable: {reason}. Check the URL or that `finops-tui serve` runs there.")


class BackendRefused(SourceError):
    """The backend answered with a refusal (4xx) that retrying would not change."""

    def __init__(
        self, message: str, *, status: int | None = None, code: str | None = None, server_message: str = ""
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.server_message = status, code, server_message


class BackendAuthError(BackendRefused, ConfigError):
    """401/403: the token is missing, wrong, expired or revoked, or its role may not do this (exit 2)."""

    exit_code = 2


class BackendTrustError(BackendRefused, ConfigError):
    """The backend's TLS certificate is not trusted: a private CA needs --ca-bundle (exit 2)."""

    exit_code = 2


class NoLastGoodAnswer(BackendUnreachable):
    """Unreachable, and nothing was ever fetched for this view: there is nothing honest to show."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url, reason)
        self.args = (
            f"backend {url} unreachable: {reason}; no earlier answer is saved for this view, so there is "
            "nothing to show. Check the URL or that `finops-tui serve` runs there.",
        )
