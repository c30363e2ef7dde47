"""Opening the cache file: read-only for readers, copy-and-swap for writers.

DuckDB lets one process hold a read-write connection and then blocks every other process,
readers included. So readers only ever open read-only, and a writer never touches the live
file: under an exclusive lock it copies the file, changes the copy, checkpoints and closes
it, then `os.replace`s it over the original. An open cockpit keeps reading its old inode
until it reopens; a writer killed at any point leaves the original file untouched.

`scratch_session` opens a throwaway database with the same settings and schema, for work that
must see what a load would store without touching any cache (`ingest --check`).
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import duckdb

from finops_tui.cache import migrations
from finops_tui.errors import CacheError
from finops_tui.logs import logged

READ_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    # The reader is a sandbox too: no file access, no ATTACH/COPY/INSTALL, settings locked.
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
}


def _session_defaults(con: duckdb.DuckDBPyConnection, memory_limit: str | None) -> None:
    con.execute("SET GLOBAL TimeZone = 'UTC'")
    if memory_limit:
        try:
            con.execute(f"SET GLOBAL memory_limit = '{_checked_size(memory_limit)}'")
        except duckdb.Error as exc:  # letters and digits, but not a size DuckDB knows ('lots')
            raise _bad_size(memory_limit, str(exc).strip().splitlines()[0]) from None


def _checked_size(value: str) -> str:
    """Only letters, digits, '.' and ' ' reach SQL: the value is interpolated, so nothing can close the quote."""
    if not value.replace(".", "").replace(" ", "").isalnum():
        raise _bad_size(value)
    return value


def _bad_size(value: str, why: str = "") -> CacheError:
    detail = f" ({why})" if why else ""
    return CacheError(
        f"Invalid DuckDB memory limit {value!r}{detail}; set duckdb_memory_limit to a size such as '2GB'."
    )


def _writer_defaults(con: duckdb.DuckDBPyConnection, memory_limit: str | None) -> None:
    """Settings of every read-write connection: the session defaults plus what big loads need."""
    _session_defaults(con, memory_limit)
    con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/finops-tui-spill'")
    # Row order in the cache carries no meaning; not preserving it lets big loads run in parallel.
    con.execute("SET preserve_insertion_order = false")


def connect_read_only(path: Path, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A sandboxed, read-only connection whose schema this build understands."""
    if not path.exists():
        raise CacheError(f"No cache file at {path}. Create one with `finops-tui ingest FILE` or use --demo.")
    try:
        con = duckdb.connect(str(path), read_only=True, config=READ_CONFIG)
    except duckdb.IOException as exc:
        raise CacheError(f"Cannot open {path} read-only: {exc}. Is another program holding it for writing?") from None
    except duckdb.Error as exc:
        raise CacheError(f"{path} is not a readable DuckDB file ({exc}). Check the path.") from None
    try:
        # DuckDB shares one instance per file within a process: a second open finds it already set up.
        if not con.execute("SELECT current_setting('lock_configuration')").fetchall()[0][0]:
            _session_defaults(con, memory_limit)
            con.execute("SET lock_configuration = true")
        migrations.check_readable(migrations.file_version(con), path)
    except BaseException:
        con.close()
        raise
    return con


def schema_version(path: Path) -> int:
    con = connect_read_only(path)
    try:
        return migrations.file_version(con)
    finally:
        con.close()


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _remove(path: Path) -> None:
    with suppress(FileNotFoundError):
        path.unlink()


@contextmanager
def writer_lock(path: Path, wait_seconds: float = 30.0) -> Iterator[None]:
    """One writer per cache file across processes (flock; released if the process dies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() > deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown"
                    raise CacheError(
                        f"Another finops-tui process (pid {holder}) is writing {path}. "
                        "Wait for it to finish, then run this again."
                    ) from None
                time.sleep(0.1)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_copies(path: Path) -> None:
    """Copies left by a writer that was killed; safe because we hold the writer lock."""
    for stale in path.parent.glob(path.name + ".tmp-*"):
        _remove(stale)


def _fold_stale_wal(path: Path) -> None:
    """A .wal beside the live file means someone wrote it directly; checkpoint so the copy is whole."""
    if path.exists() and _wal(path).exists():
        con = duckdb.connect(str(path))
        try:
            con.execute("CHECKPOINT")
        finally:
            con.close()
        _remove(_wal(path))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def write_session(path: Path, memory_limit: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a private copy of the cache, swapped in only if the block succeeds.

    The copy is migrated to the latest schema first. Any exception discards the copy and
    leaves the live file exactly as it was.
    """
    path = path.expanduser()
    with writer_lock(path), logged("cache", "write_session", path=str(path)):
        _remove_stale_copies(path)
        _fold_stale_wal(path)
        work = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        if path.exists():
            shutil.copyfile(path, work)
        try:
            con = duckdb.connect(str(work))
        except duckdb.Error as exc:
            _remove(work)
            raise CacheError(f"{path} is not a DuckDB file this build can open ({exc}).") from None
        try:
            _writer_defaults(con, memory_limit)
            migrations.migrate(con, path)
            yield con
            con.execute("CHECKPOINT")
        except BaseException:
            con.close()
            _remove(work)
            _remove(_wal(work))
            raise
        con.close()
        _remove(_wal(work))
        _fsync(work)
        os.replace(work, path)
        _fsync(path.parent)


SCRATCH_MARK = "scratch_database"  # meta key present only in a scratch_session's database


@contextmanager
def scratch_session(memory_limit: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a new, empty, migrated database in a temporary folder, deleted on exit.

    Configured exactly like a write session (memory limit validated the same way), so work done
    here behaves as it would on the cache; no cache file is ever opened. Its `meta` holds
    SCRATCH_MARK, so code that may only run on a throwaway database can tell.
    """
    with tempfile.TemporaryDirectory(prefix="finops-tui-scratch-") as folder:
        path = Path(folder) / "scratch.duckdb"
        con = duckdb.connect(str(path))
        try:
            _writer_defaults(con, memory_limit)
            migrations.migrate(con, path)
            con.execute("INSERT INTO meta VALUES (?, 'true')", [SCRATCH_MARK])
            yield con
        finally:
            con.close()


def is_scratch(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether `con` is a scratch_session's database (and so never a cache)."""
    return bool(con.execute("SELECT count(*) FROM meta WHERE key = ?", [SCRATCH_MARK]).fetchall()[0][0])


def ensure_cache(path: Path, memory_limit: str | None = None) -> None:
    """Create an empty cache, or upgrade an older one, so it can be opened read-only."""
    if path.exists():
        version = schema_version(path)
        migrations.check_readable(version, path)
        if version == migrations.LATEST_VERSION:
            return
    with write_session(path, memory_limit):
        pass


def upgraded_private_copy(path: Path) -> Path:
    """For snapshots of an older schema: migrate a temporary copy, never the file itself."""
    target = Path(tempfile.mkdtemp(prefix="finops-tui-snapshot-")) / path.name
    shutil.copyfile(path, target)
    with write_session(target):
        pass
    return target
