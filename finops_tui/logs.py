"""Structured JSON-lines logging to a file, never to the terminal the TUI draws on.

Every record carries service, operation, status, duration_ms and error, so a log line answers
"what ran, did it work, how long, why not" without reading code.
"""

from __future__ import annotations

import json
import logging
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


def configure_logging(level: str = "INFO", path: Path | None = None) -> Path:
    """Send finops_tui logs to a JSON-lines file; returns its path. Idempotent."""
    path = path or locations.log_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    for handler in list(LOGGER.handlers):
        LOGGER.removeHandler(handler)
        handler.close()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(JsonLineFormatter())
    LOGGER.addHandler(handler)
    LOGGER.setLevel(level)
    LOGGER.propagate = False
    return path


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
