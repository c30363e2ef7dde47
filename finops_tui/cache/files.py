"""Opening the cache file: read-only for readers, copy-and-swap for writers.

DuckDB lets one process hold a read-write connection and then blocks every other process,
readers included. So readers only ever open read-only, and a writer never touches the live
file: under an exclusive lock it copies the file, changes the copy, checkpoints and closes
it, then `os.replace`s it over the original. An open cockpit keeps reading its old inode
until it reopens; a writer killed at any point leaves the original file untouched.

`scratch_session` opens a throwaway database with the same settings and schema, for work that
must see what a load would store without touching any cache (`ingest --check`).

Everything a writer puts on disk besides the cache itself (its copy, DuckDB's spill files) lives in
one private folder `<cache>.tmp-<pid>/` (0700) beside the cache, removed when the write ends and, if
the writer was killed, by the next writer. A rewritten cache keeps the mode of the file it replaces;
a new one is 0600. Disk-full and unwritable-folder failures are one-line CacheErrors.
"""

from __future__ import annotations

import errno
import fcntl
import glob
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO

import duckdb

from finops_tui import locations
from finops_tui.cache import migrations
from finops_tui.errors import CacheError
from finops_tui.logs import logged

READ_CONFIG: dict[str, str | bool | int | float | list[str]] = {
    # The reader is a sandbox too: no file access, no ATTACH/COPY/INSTALL, settings locked.
    "enable_external_access": False,
    "autoload_known_extensions": False,
    "autoinstall_known_extensions": False,
    # No spill folder: DuckDB lets SQL read and write its temp_directory even with external access
    # off, so a shared `<cache>.tmp/` let one reader's query copy data out or read another's spill.
    # A query that needs more than duckdb_memory_limit fails instead of spilling.
    "temp_directory": "",
    # Hand memory freed after each query back to the system: without it the cockpit kept ~10 MB of
    # freed query memory for ever after painting the KPIs (benchmarks/compare_harlequin.py, idle RSS).
    "allocator_background_threads": True,
}
# After the file is open, no SQL may reach the local disk at all; with external access off DuckDB still
# allows the database's own files (read_blob of the cache, ATTACH of it) and the temp folder.
_NO_LOCAL_FILES = "SET GLOBAL disabled_filesystems = 'LocalFileSystem'"
_PRIVATE_COPIES: set[Path] = set()  # upgraded snapshot copies, deleted once a reader has them open


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


def _writer_defaults(con: duckdb.DuckDBPyConnection, memory_limit: str | None, spill: Path) -> None:
    """Settings of every read-write connection: the session defaults plus what big loads need.

    `spill` must be inside a private folder of this process: spill files hold cost data.
    """
    _session_defaults(con, memory_limit)
    con.execute(f"SET temp_directory = {_sql_text(str(spill))}")
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
            con.execute(_NO_LOCAL_FILES)
            con.execute("SET lock_configuration = true")
        migrations.check_readable(migrations.file_version(con), path)
    except BaseException:
        con.close()
        raise
    finally:
        if path in _PRIVATE_COPIES:  # open now (or refused): nothing of it needs to stay on disk
            _PRIVATE_COPIES.discard(path)
            shutil.rmtree(path.parent, ignore_errors=True)
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


def _remove_any(path: Path) -> None:
    """Remove a file, a symlink (never what it points to) or a folder tree."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        _remove(path)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _unwritable(folder: Path, exc: OSError) -> CacheError:
    return CacheError(
        f"Cannot write in {folder} ({exc.strerror or exc}): finops-tui writes a cache by replacing it, so its "
        "folder must be writable. Fix the folder's permissions, or choose another file with --cache FILE."
    )


def _disk_full(exc: BaseException | None) -> bool:
    """ENOSPC/EDQUOT, also as DuckDB reports it, and also behind the error it caused (a failed rollback)."""
    for _ in range(8):  # a short chain of __context__s, never a cycle
        if exc is None:
            return False
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(exc, duckdb.Error) and any(
            text in str(exc) for text in ("No space left on device", "Disk quota exceeded")
        ):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class _WriteFailed(CacheError):
    """A write session failed on the disk (full, or an I/O error); `why` says how in a few words."""

    def __init__(self, message: str, why: str) -> None:
        super().__init__(message)
        self.why = why


def _why(exc: BaseException) -> str:
    if _disk_full(exc):
        return "the disk is full"
    return str(getattr(exc, "strerror", None) or exc).strip().splitlines()[0]


def _write_failed(path: Path, phase: str, exc: BaseException) -> _WriteFailed:
    why = _why(exc)
    return _WriteFailed(
        f"Cannot write {path}: {why} while {phase}; {path} is unchanged and the partial copy was removed. "
        f"Free space in {path.parent} (a write needs room for a second copy of the cache), then run this again.",
        why,
    )


def copy_private(source: Path, target: Path) -> None:
    """Copy `source` to a new file `target` that only its owner can read (0600 whatever the umask)."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    shutil.copyfile(source, target)  # into the existing file: its mode stays


@contextmanager
def writer_lock(path: Path, wait_seconds: float = 30.0) -> Iterator[None]:
    """One writer per cache file across processes (flock; released if the process dies)."""
    try:
        locations.make_private_dir(path.parent)
        handle = _open_lock_file(path.with_name(path.name + ".lock"))
    except OSError as exc:
        raise _unwritable(path.parent, exc) from None
    with handle:
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


def _open_lock_file(lock_path: Path) -> TextIO:
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        os.fchmod(fd, 0o600)
    except FileExistsError:
        fd = os.open(lock_path, os.O_RDWR | os.O_NOFOLLOW)
    return os.fdopen(fd, "r+")


def _remove_stale_copies(path: Path) -> None:
    """What killed processes left beside the cache; safe because we hold the writer lock.

    `<cache>.tmp-<pid>` folders (and the plain copies of older versions) are only ever made by a
    writer holding this lock, and `<cache>.tmp/` is where readers of older versions spilled.
    """
    for stale in path.parent.glob(glob.escape(path.name) + ".tmp-*"):
        _remove_any(stale)
    old_spill = path.with_name(path.name + ".tmp")
    if old_spill.is_dir() and not old_spill.is_symlink():
        shutil.rmtree(old_spill, ignore_errors=True)


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


def _private_work_dir(path: Path) -> Path:
    """`<cache>.tmp-<pid>/`, 0700: the writer's copy and its spill files, on the cache's own filesystem."""
    folder = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    _remove_any(folder)
    try:
        os.mkdir(folder, 0o700)
        os.chmod(folder, 0o700)
    except OSError as exc:
        raise _unwritable(path.parent, exc) from None
    return folder


def _mode_for(path: Path) -> int:
    """The permission bits a rewritten `path` keeps: its own, or 0600 for a new cache."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return 0o600


def _checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CHECKPOINT")


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
        folder = _private_work_dir(path)
        try:
            yield from _write_in(folder, path, memory_limit)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _write_in(folder: Path, path: Path, memory_limit: str | None) -> Iterator[duckdb.DuckDBPyConnection]:
    work = folder / path.name
    mode = _mode_for(path)
    try:
        if path.exists():
            copy_private(path, work)
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)  # a partial copy can be most of a disk: not a moment longer
        raise _write_failed(path, "copying it", exc) from None
    try:
        con = duckdb.connect(str(work))
    except duckdb.Error as exc:
        raise CacheError(f"{path} is not a DuckDB file this build can open ({exc}).") from None
    try:
        _writer_defaults(con, memory_limit, folder / "spill")
        migrations.migrate(con, path)
        yield con
        _checkpoint(con)
    except BaseException as exc:
        with suppress(duckdb.Error):
            con.close()
        shutil.rmtree(folder, ignore_errors=True)
        if _disk_full(exc):
            raise _write_failed(path, "writing it", exc) from None
        raise
    try:
        con.close()
        _remove(_wal(work))
        os.chmod(work, mode)
        _fsync(work)
        os.replace(work, path)
        _fsync(path.parent)
    except (OSError, duckdb.Error) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise _write_failed(path, "saving it", exc) from None


def private_temp_dir() -> Path:
    """This process's private temporary folder (see locations.process_temp_dir), or a one-line CacheError."""
    try:
        return locations.process_temp_dir()
    except OSError as exc:
        raise CacheError(
            f"Cannot make a private temporary folder ({exc}). Set FINOPS_TUI_TEMP_DIR to a writable folder."
        ) from None


SCRATCH_MARK = "scratch_database"  # meta key present only in a scratch_session's database


@contextmanager
def scratch_session(memory_limit: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a new, empty, migrated database in a temporary folder, deleted on exit.

    Configured exactly like a write session (memory limit validated the same way), so work done
    here behaves as it would on the cache; no cache file is ever opened. Its `meta` holds
    SCRATCH_MARK, so code that may only run on a throwaway database can tell.
    """
    with tempfile.TemporaryDirectory(prefix="finops-tui-scratch-", dir=private_temp_dir()) as folder:
        path = Path(folder) / "scratch.duckdb"
        con = duckdb.connect(str(path))
        try:
            _writer_defaults(con, memory_limit, Path(folder) / "spill")
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
    """For snapshots of an older schema: migrate a temporary copy, never the file itself.

    The copy is in this process's private temporary folder; `connect_read_only` deletes it as soon as
    it has opened it (DuckDB keeps reading the open file), and a killed run's copy goes at the next run.
    """
    folder = Path(tempfile.mkdtemp(prefix="snapshot-", dir=private_temp_dir()))
    target = folder / path.name
    try:
        copy_private(path, target)
        with write_session(target):
            pass
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise CacheError(f"Cannot copy {path} to upgrade it: {exc.strerror or exc}. Free space in {folder}.") from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _PRIVATE_COPIES.add(target)
    return target


@contextmanager
def published(target: Path) -> Iterator[Path]:
    """A private path to build a new file at; it appears as `target` only when the block succeeds.

    The work happens in `<target>.partial-<pid>/` (0700) in the target's folder, so a run killed at any
    moment never leaves a file under the final name; the finished file is fsynced and linked into place,
    never replacing a file that appeared meanwhile. Partials of dead runs are removed first.
    """
    try:
        locations.make_private_dir(target.parent)
        _remove_dead_partials(target)
        folder = target.with_name(f"{target.name}.partial-{os.getpid()}")
        _remove_any(folder)
        os.mkdir(folder, 0o700)
        os.chmod(folder, 0o700)
    except OSError as exc:
        raise _unwritable(target.parent, exc) from None
    work = folder / target.name
    try:
        yield work
        _fsync(work)
        _link_new(work, target)
        _fsync(target.parent)
    except (OSError, _WriteFailed) as exc:
        why = exc.why if isinstance(exc, _WriteFailed) else _why(exc)
        raise CacheError(
            f"Cannot write {target}: {why}; nothing was left under that name. "
            f"Free space in {target.parent} (this needs room for two copies of the cache), then run this again."
        ) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _link_new(source: Path, target: Path) -> None:
    try:
        os.link(source, target)  # atomic, and refuses to replace an existing file
    except FileExistsError:
        raise CacheError(f"{target} appeared while it was being written; choose a new file name.") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        if os.path.lexists(target):  # a filesystem without hard links: check, then rename
            raise CacheError(f"{target} appeared while it was being written; choose a new file name.") from None
        os.replace(source, target)


def _remove_dead_partials(target: Path) -> None:
    for stale in target.parent.glob(glob.escape(target.name) + ".partial-*"):
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not locations.process_alive(int(pid)):
            _remove_any(stale)
