"""The readers the server answers from: one over the cache file, and one per account set over a scoped copy.

A request first checks whether the cache file was replaced (a push, an ingest, a refresh); if so the
main reader reopens it and the scoped copies are dropped, to be rebuilt from the new file when next asked.
Scoped copies live in this process's private temporary folder and go with it.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from finops_tui.cache import files
from finops_tui.cache.local_reader import LocalCache, utc_now
from finops_tui.contract.provenance import SourceInfo
from finops_tui.server import scoped_cache
from finops_tui.server.response_cache import file_stamp

log = logging.getLogger("finops_tui.server")


class ScopedCache(LocalCache):
    """A reader over a scoped copy that names the cache it was cut from, not the private copy's path."""

    def __init__(self, path: Path, origin: Path, accounts: Sequence[str], **kwargs: Any) -> None:
        self.origin = origin
        self.accounts = tuple(accounts)
        super().__init__(path, **kwargs)

    def source_info(self) -> SourceInfo:
        info = super().source_info()
        return info.model_copy(update={"location": str(self.origin), "note": f"accounts {', '.join(self.accounts)}"})


class ReaderPool:
    def __init__(self, cache: Path, memory_limit: str | None = None, now: datetime | None = None) -> None:
        self.cache = cache
        self.memory_limit = memory_limit
        self.clock: Callable[[], datetime] = (lambda: now) if now is not None else utc_now
        files.ensure_cache(cache, memory_limit)
        self.main = LocalCache(cache, memory_limit=memory_limit, clock=self.clock)
        self._scoped: dict[tuple[str, ...], tuple[str, LocalCache]] = {}  # accounts -> (main file's stamp, reader)
        self._building: dict[tuple[str, ...], threading.Lock] = {}
        self._lock = threading.Lock()
        self._folder = Path(tempfile.mkdtemp(prefix="scoped-", dir=files.private_temp_dir()))

    def refresh_if_changed(self) -> None:
        with self._lock:
            if not self.main.has_changed():
                return
            self.main.reload()
            old, self._scoped = self._scoped, {}
        for _, reader in old.values():  # requests still running on them finish; the files go now
            reader.path.unlink(missing_ok=True)

    def ready_reader(self, accounts: Sequence[str] | None) -> LocalCache | None:
        """The reader for `accounts` if it is open and current, else None (a reload or a build is due).

        Cheap (a stat or two), so the event loop may call it to answer from kept answers without a thread."""
        if self.main.has_changed():
            return None
        if not accounts:
            return self.main
        known = self._scoped.get(tuple(sorted(accounts)))
        return known[1] if known is not None and known[0] == file_stamp(self.cache) else None

    def reader_for(self, accounts: Sequence[str] | None) -> LocalCache:
        """The main reader, or the one over `accounts`' rows only (built on first use)."""
        self.refresh_if_changed()
        if not accounts:
            return self.main
        key = tuple(sorted(accounts))
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:  # one build per account set; other sets build meanwhile
            stamp = file_stamp(self.cache)
            with self._lock:
                known = self._scoped.get(key)
            if known is not None and known[0] == stamp:
                return known[1]
            name = hashlib.sha256("\0".join(key).encode()).hexdigest()[:16]
            target = self._folder / f"{name}-{stamp.replace(':', '-')}.duckdb"
            target.unlink(missing_ok=True)
            scoped_cache.build(self.cache, target, key, self.memory_limit)
            reader = ScopedCache(target, self.cache, key, memory_limit=self.memory_limit, clock=self.clock)
            log.info("built a scoped cache for %d account(s)", len(key))
            with self._lock:
                self._scoped[key] = (stamp, reader)
            if known is not None:
                known[1].path.unlink(missing_ok=True)
            return reader

    def close(self) -> None:
        self.main.close()
        for _, reader in self._scoped.values():
            reader.close()
        for path in self._folder.iterdir():
            path.unlink(missing_ok=True)
        self._folder.rmdir()
