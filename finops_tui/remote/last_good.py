"""The last good answer of every request, kept on disk per backend, so a dead backend still shows real data.

One folder per backend URL (named by its hash, 0700) under `locations.backends_dir()`, one 0600
JSON file per request (path + query), holding the envelope's data, its ETag and when it was
fetched; `contact.json` says when the backend last answered. No token is ever written here.
Files are replaced atomically, so a killed cockpit leaves the previous answer, never half of one.
A damaged file is treated as missing: better no answer than a wrong one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from finops_tui import locations
from finops_tui.remote.routes import QueryValue

CONTACT_EVERY_SECONDS = 30  # how often a live backend's "last answered" time is written


@dataclass(frozen=True)
class SavedAnswer:
    data: Any
    etag: str | None
    fetched_at: datetime  # naive UTC


def request_key(path: str, params: Mapping[str, QueryValue]) -> str:
    canonical = json.dumps([path, sorted((k, str(v)) for k, v in params.items())])
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _write_private(path: Path, payload: Any) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(payload, out, default=str)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    os.replace(temp, path)


class LastGoodStore:
    """Memory in front of disk: a 304 reuses the parsed body without reading the file again."""

    def __init__(self, backend_url: str, root: Path | None = None) -> None:
        self.backend_url = backend_url
        name = hashlib.sha256(backend_url.encode()).hexdigest()[:24]
        self.folder = (root or locations.backends_dir()) / name
        self._memory: dict[str, SavedAnswer] = {}
        self._lock = threading.Lock()
        self._contact_written: datetime | None = None

    def _ensure_folder(self) -> bool:
        try:
            locations.make_private_dir(self.folder)
            readme = self.folder / "backend.json"
            if not readme.exists():
                _write_private(readme, {"backend": self.backend_url})
        except OSError:
            return False
        return True

    def load(self, key: str) -> SavedAnswer | None:
        with self._lock:
            known = self._memory.get(key)
        if known is not None:
            return known
        try:
            raw = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            saved = SavedAnswer(raw["data"], raw.get("etag"), datetime.fromisoformat(raw["fetched_at"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        with self._lock:
            self._memory[key] = saved
        return saved

    def save(self, key: str, saved: SavedAnswer, request: str) -> None:
        """Keep `saved` in memory, and on disk when the disk allows (a full disk only loses the fallback)."""
        with self._lock:
            self._memory[key] = saved
        if not self._ensure_folder():
            return
        payload = {"request": request, "etag": saved.etag, "fetched_at": saved.fetched_at, "data": saved.data}
        with contextlib.suppress(OSError):
            _write_private(self.folder / f"{key}.json", payload)

    def last_contact(self) -> datetime | None:
        try:
            raw = json.loads((self.folder / "contact.json").read_text(encoding="utf-8"))
            return datetime.fromisoformat(raw["answered_at"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def record_contact(self, when: datetime, *, force: bool = False) -> None:
        """Written at most every CONTACT_EVERY_SECONDS while live, and at once on a state change."""
        last = self._contact_written
        if not force and last is not None and (when - last).total_seconds() < CONTACT_EVERY_SECONDS:
            return
        self._contact_written = when
        if self._ensure_folder():
            with contextlib.suppress(OSError):
                _write_private(self.folder / "contact.json", {"answered_at": when})
