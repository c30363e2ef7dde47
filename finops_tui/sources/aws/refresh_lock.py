"""One refresh at a time per cache: a second one (another process, or cron overlapping a slow run)
is refused with a clear message instead of running twice and paying Cost Explorer twice."""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from finops_tui.errors import SourceError
from finops_tui.locations import make_private_dir


@contextmanager
def refresh_lock(cache_path: Path) -> Iterator[None]:
    path = cache_path.with_name(cache_path.name + ".refresh.lock")
    make_private_dir(path.parent)  # the cache's folder: 0700 whatever the umask, like the cache's own writers
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            raise SourceError(
                f"A refresh of {cache_path} is already running (pid {holder}); not starting a "
                "second one. Wait for it, or check `finops-tui doctor`."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
