"""ETags and a short-lived answer cache, both keyed by the cache file's identity and the request.

The ETag hashes the file's (inode, mtime) stamp, the day (views end at 'today'), the contract version and
the request (path, sorted query, account scope). A file swapped in by a write gets a new inode, so every
ETag and every kept answer changes with it; nothing has to be invalidated by hand.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from finops_tui.contract import CONTRACT_VERSION


def file_stamp(path: Path) -> str:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "missing"
    return f"{st.st_ino}:{st.st_mtime_ns}:{st.st_size}"


def etag_for(path: Path, request_key: str) -> str:
    today = datetime.now(UTC).date().isoformat()
    digest = hashlib.sha256(f"{file_stamp(path)}|{today}|{CONTRACT_VERSION}|{request_key}".encode()).hexdigest()
    return f'"{digest[:32]}"'


def matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return etag in tags or "*" in tags


class ResponseCache:
    """Answers (already-serialised envelopes) by ETag, each for `seconds`, at most `size` of them."""

    def __init__(self, seconds: float, size: int = 512) -> None:
        self.seconds = seconds
        self.size = size
        self._items: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[str, threading.Lock] = {}

    def get(self, etag: str) -> bytes | None:
        if self.seconds <= 0:
            return None
        with self._lock:
            item = self._items.get(etag)
            if item is None:
                return None
            if item[0] < time.monotonic():
                del self._items[etag]
                return None
            self._items.move_to_end(etag)
            return item[1]

    def get_or_compute(self, etag: str, compute: Callable[[], bytes]) -> bytes:
        """The kept answer, or `compute()` once however many requests for it arrive together (no stampede
        of identical dashboard queries when a new file lands or the server starts)."""
        body = self.get(etag)
        if body is not None or self.seconds <= 0:
            return body if body is not None else compute()
        with self._lock:
            flight = self._flights.setdefault(etag, threading.Lock())
        with flight:
            body = self.get(etag)
            if body is None:
                body = compute()
                self.put(etag, body)
        with self._lock:
            self._flights.pop(etag, None)
        return body

    def put(self, etag: str, body: bytes) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            self._items[etag] = (time.monotonic() + self.seconds, body)
            self._items.move_to_end(etag)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
