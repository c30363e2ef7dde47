"""Structured JSON-lines logging to a file, never to the terminal the TUI draws on.

Every record carries service, operation, status, duration_ms and error, so a log line answers
"what ran, did it work, how long, why not" without reading code.

The log holds paths and account names, so its folder is 0700 and the file 0600. Logging never
stops a command: when the log cannot be opened (read-only HOME) or written (disk full), records
are dropped without a word on the terminal.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from finops_tui import locations

LOGGER = logging.getLogger("finops_tui")
LOGGER.addHandler(logging.NullHandler())  # nothing reaches the terminal until configured
LOGGER.propagate = False
_FIELDS = ("service", "operation", "status", "duration_ms", "error")


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "message": record.getMessage(),
        }
        for key in _FIELDS:
            entry[key] = getattr(record, key, None)
        extra = getattr(record, "details", None)
        if extra:
            entry["details"] = extra
        return json.dumps(entry, default=str)


class _QuietFileHandler(logging.FileHandler):
    """A record that cannot be written (disk full, file removed) is dropped, never a traceback on stderr."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass


def configure_logging(level: str = "INFO", path: Path | None = None) -> Path | None:
    """Send finops_tui logs to a JSON-lines file; returns its path, or None when it cannot be opened. Idempotent."""
    path = path or locations.log_file()
    for old in list(LOGGER.handlers):
        LOGGER.removeHandler(old)
        old.close()
    LOGGER.setLevel(level)
    LOGGER.propagate = False
    try:
        locations.make_private_dir(path.parent)
        _create_private(path)
        handler: logging.Handler = _QuietFileHandler(path, encoding="utf-8")
    except OSError:
        LOGGER.addHandler(logging.NullHandler())
        return None
    handler.setFormatter(JsonLineFormatter())
    LOGGER.addHandler(handler)
    return path


def _create_private(path: Path) -> None:
    """Create the log file as 0600 whatever the umask; an existing one keeps its mode."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def log_event(
    service: str,
    operation: str,
    status: str,
    duration_ms: float | None = None,
    error: str | None = None,
    **details: object,
) -> None:
    level = logging.ERROR if status == "error" else logging.INFO
    LOGGER.log(
        level,
        f"{service}.{operation} {status}",
        extra={
            "service": service,
            "operation": operation,
            "status": status,
            "duration_ms": None if duration_ms is None else round(duration_ms, 2),
            "error": error,
            "details": details or None,
        },
    )


@contextmanager
def logged(service: str, operation: str, **details: object) -> Iterator[dict[str, object]]:
    """Time a block and log it once, as ok or error (the exception still propagates).

    The yielded dict collects details the block learns while it runs (row counts, …).
    """
    start = time.perf_counter()
    found: dict[str, object] = dict(details)
    try:
        yield found
    except BaseException as exc:
        elapsed = (time.perf_counter() - start) * 1000
        log_event(service, operation, "error", elapsed, f"{type(exc).__name__}: {exc}", **found)
        raise
    log_event(service, operation, "ok", (time.perf_counter() - start) * 1000, None, **found)
