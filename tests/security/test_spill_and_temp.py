"""Spill and temporary files: a reader's SQL reaches no file, writers and ingest keep their temporary
data in private folders, and what a killed run leaves behind is removed by the next one (issue 10,
points 1, 3 and 6)."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from finops_tui.cache import files, migrations
from finops_tui.cache.local_reader import LocalCache
from finops_tui.errors import QueryError
from finops_tui.sources import input_files
from finops_tui.sources.ingest import ingest_paths

ROOT = Path(__file__).resolve().parents[2]
HANG_GUARD = 60.0  # seconds; reached only when a child hangs


def _csv(path: Path, account: str = "a1", rows: int = 5, month: str = "03") -> Path:
    lines = [
        "BilledCost,EffectiveCost,ChargePeriodStart,BillingPeriodStart,BillingCurrency,ProviderName,BillingAccountId"
    ]
    lines += [
        f"1,1,2025-{month}-{i % 28 + 1:02d}T00:00:00Z,2025-{month}-01T00:00:00Z,USD,Acme,{account}" for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def temp_root(tmp_path, monkeypatch) -> Path:
    """finops-tui's private temporary root for this test, and a shared system temp dir that must stay unused."""
    root = tmp_path / "_temp"
    monkeypatch.setenv("FINOPS_TUI_TEMP_DIR", str(root))
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    monkeypatch.setenv("TMPDIR", str(shared))
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    return root


@pytest.fixture
def cache(tmp_path, temp_root) -> Path:
    path = tmp_path / "c.duckdb"
    ingest_paths([str(_csv(tmp_path / "a.csv"))], path)
    return path


def _shared_spill_folder(cache: Path) -> Path:
    """`<cache>.tmp/` as a spilling reader (or one killed mid-query) left it: another reader's spill file."""
    spill = cache.with_name(cache.name + ".tmp")
    spill.mkdir()
    (spill / "duckdb_temp_storage-0.tmp").write_text("BilledCost,BillingAccountId\n98765.43,someone-else\n")
    return spill


ESCAPES = {
    "copy into the spill folder": "COPY (SELECT * FROM costs) TO '{spill}/exfil.csv' (HEADER)",
    "list the spill folder": "SELECT * FROM glob('{spill}/*')",
    "read another reader's spill file": "SELECT * FROM read_csv('{spill}/duckdb_temp_storage-0.tmp')",
    "read the cache file's bytes": "SELECT octet_length(content) AS n FROM read_blob('{cache}')",
    "attach the cache file again": "ATTACH '{cache}' AS again",
}


@pytest.mark.parametrize("sql", ESCAPES.values(), ids=ESCAPES.keys())
def test_reader_sql_reaches_no_file_not_even_the_spill_folder_or_the_cache_itself(cache, sql):
    spill = _shared_spill_folder(cache)
    reader = LocalCache(cache)
    try:
        with pytest.raises(QueryError):
            reader.run_sql(sql.format(spill=spill, cache=cache), 10)
        assert reader.run_sql("SELECT count(*) AS n FROM costs", 10).table.table.column(0)[0].as_py() == 5
    finally:
        reader.close()
    assert not (spill / "exfil.csv").exists()


@pytest.mark.parametrize("sql", ESCAPES.values(), ids=ESCAPES.keys())
def test_query_command_reaches_no_file_not_even_the_spill_folder_or_the_cache_itself(cache, sql):
    spill = _shared_spill_folder(cache)
    result = subprocess.run(
        [sys.executable, "-m", "finops_tui", "query", "--cache", str(cache), "--format", "csv"]
        + [sql.format(spill=spill, cache=cache)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=HANG_GUARD,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.startswith("finops-tui: error:") and "Traceback" not in result.stderr
    assert "98765.43" not in result.stdout and "someone-else" not in result.stdout
    assert not (spill / "exfil.csv").exists()


def test_a_reader_has_no_spill_folder_for_sql_to_reach(cache):
    reader = LocalCache(cache)
    try:
        result = reader.run_sql("SELECT current_setting('temp_directory') AS t", 10)
    finally:
        reader.close()
    assert result.table.table.column(0)[0].as_py() == ""


def test_a_killed_spilling_query_leaves_nothing_beside_the_cache(cache):
    """A query bigger than the memory limit used to spill into `<cache>.tmp/`; killed, it left the data there."""
    before = sorted(p.name for p in cache.parent.glob("c.duckdb*"))
    child = subprocess.Popen(
        [sys.executable, "-m", "finops_tui", "query", "--cache", str(cache)]
        + ["SELECT count(*) FROM (SELECT i, random() AS r FROM range(30000000) t(i) ORDER BY r)"],
        env={**os.environ, "FINOPS_TUI_DUCKDB_MEMORY_LIMIT": "64MB"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    deadline = time.monotonic() + HANG_GUARD
    spill = cache.with_name(cache.name + ".tmp")
    while child.poll() is None and not spill.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    if child.poll() is None:
        time.sleep(0.2)  # let a spilling query write into the folder it made
        child.send_signal(signal.SIGKILL)
    child.communicate(timeout=HANG_GUARD)
    assert sorted(p.name for p in cache.parent.glob("c.duckdb*")) == before


def _spill_folder_of(con: duckdb.DuckDBPyConnection) -> Path:
    return Path(con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0])


def _assert_private(folder: Path) -> None:
    st = os.lstat(folder)
    assert not folder.is_symlink() and st.st_uid == os.geteuid() and st.st_mode & 0o777 == 0o700, oct(st.st_mode)


def test_a_writer_spills_into_its_private_folder_beside_the_cache_not_a_shared_tmp_path(tmp_path, temp_root):
    shared = Path(tempfile.gettempdir())
    planted = tmp_path / "someone-elses"
    planted.mkdir()
    (shared / "finops-tui-spill").symlink_to(planted)  # a local user got there first
    cache = tmp_path / "c.duckdb"
    with files.write_session(cache, memory_limit="100MB") as con:
        spill = _spill_folder_of(con)
        assert spill.parent.parent == cache.parent and spill.parent.name.startswith("c.duckdb.tmp-")
        _assert_private(spill.parent)
        # A window over 3M rows does not fit in 100 MB: DuckDB spills, into the private folder.
        con.execute("CREATE TABLE big AS SELECT i, random() AS r FROM range(3000000) t(i)")
        con.execute("SELECT max(n) FROM (SELECT row_number() OVER (ORDER BY r) AS n FROM big)").fetchall()
        assert list(spill.iterdir())
    assert list(planted.iterdir()) == []
    assert not spill.parent.exists()  # removed with the session
    with files.scratch_session() as con:
        spill = _spill_folder_of(con)
        assert temp_root in spill.parents and shared not in spill.parents
        _assert_private(spill.parent.parent)


def test_zip_members_are_unpacked_into_a_private_folder_of_this_process(tmp_path, temp_root):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(_csv(tmp_path / "m.csv"), "2025-03/m.csv")
    with input_files.resolved([str(archive)]) as inputs:
        (member,) = inputs.files
        assert temp_root in member.path.parents and Path(tempfile.gettempdir()) not in member.path.parents
        for folder in member.path.parents:
            if folder == temp_root:
                break
            _assert_private(folder)
    assert not member.path.exists()


def _old_schema_file(path: Path) -> Path:
    con = duckdb.connect(str(path))
    migrations.migrate(con, path, up_to=1)
    con.execute("INSERT INTO costs (BilledCost, x_DatasetId) VALUES (7, 'd')")
    con.close()
    return path


def test_an_upgraded_snapshot_copy_is_never_left_on_disk(tmp_path, temp_root):
    snapshot = _old_schema_file(tmp_path / "colleague.duckdb")
    reader = LocalCache(snapshot, snapshot=True)
    try:
        assert reader.run_sql("SELECT sum(BilledCost)::INT AS s FROM costs", 10).table.table.column(0)[0].as_py() == 7
        copies = [p for root in (temp_root, Path(tempfile.gettempdir())) for p in root.rglob("colleague.duckdb*")]
        assert copies == []  # open, and already gone from disk
    finally:
        reader.close()
    assert files.schema_version(snapshot) == 1  # the file itself is never upgraded


KILLED_INGEST = """
import os, sys
from contextlib import contextmanager
from pathlib import Path
from finops_tui.cache import files
from finops_tui.sources.ingest import ingest_paths

real = files.write_session

@contextmanager
def held(path, *args, **kwargs):
    with real(path, *args, **kwargs) as con:
        print("inside", flush=True)  # the zip is unpacked and the load is under way
        os.read(0, 1)  # held here until killed
        os._exit(3)
        yield con

files.write_session = held
ingest_paths([sys.argv[1]], Path(sys.argv[2]))
"""


def test_what_a_killed_ingest_unpacked_is_removed_by_the_next_run(tmp_path, temp_root):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(_csv(tmp_path / "m.csv", rows=20), "2025-03/unpacked-member.csv")
    cache = tmp_path / "c.duckdb"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_INGEST, str(archive), str(cache)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "inside"
    left = list(tmp_path.rglob("*unpacked-member.csv"))
    assert left, "the child should have unpacked the archive"
    child.kill()
    child.wait(timeout=HANG_GUARD)
    assert list(tmp_path.rglob("*unpacked-member.csv")) == left  # a kill leaves it; the next run must not
    result = subprocess.run(
        [sys.executable, "-m", "finops_tui", "ingest", "--cache", str(cache), str(_csv(tmp_path / "b.csv"))],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=HANG_GUARD,
    )
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.rglob("*unpacked-member.csv")) == []
    assert not list(cache.parent.glob("c.duckdb.tmp*"))  # nor the killed writer's copy


def test_temporary_folders_of_dead_processes_go_and_live_ones_stay(tmp_path, temp_root):
    gone = subprocess.Popen(["true"])
    gone.wait()
    alive = subprocess.Popen(["sleep", "30"])
    try:
        host = socket.gethostname()
        temp_root.mkdir(mode=0o700)
        stale = temp_root / f"pid-{gone.pid}@{host}" / "ingest-x"
        kept = temp_root / f"pid-{alive.pid}@{host}" / "ingest-y"
        for folder in (stale, kept):
            folder.mkdir(parents=True)
            (folder / "member.csv").write_text("cost data")
        result = subprocess.run(
            [sys.executable, "-m", "finops_tui", "ingest", "--cache", str(tmp_path / "c.duckdb")]
            + [str(_csv(tmp_path / "b.csv"))],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=HANG_GUARD,
        )
        assert result.returncode == 0, result.stderr
        assert not stale.parent.exists()
        assert (kept / "member.csv").exists()
        assert [p.name for p in temp_root.iterdir()] == [kept.parent.name]  # and the run removed its own
    finally:
        alive.kill()
        alive.wait()


def test_the_next_writer_removes_what_readers_of_older_versions_spilled_beside_the_cache(cache, tmp_path):
    spill = _shared_spill_folder(cache)
    ingest_paths([str(_csv(tmp_path / "b.csv", account="b1"))], cache)
    assert not spill.exists()


def _zip(tmp_path: Path) -> Path:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(_csv(tmp_path / "m.csv"), "2025-03/m.csv")
    return archive


def _env_with_read_only_home(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    os.chmod(home, 0o555)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FINOPS_TUI_TEMP_DIR", "FINOPS_TUI_LOG_DIR"))}
    return {k: v for k, v in env.items() if not k.startswith("XDG_")} | {"HOME": str(home)}


def _as_a_user() -> Callable[[], None] | None:
    """For root: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH in the child, so a read-only HOME is one."""
    if os.geteuid() != 0:
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def drop() -> None:
        for cap in (1, 2):
            if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return drop


def test_with_a_read_only_home_zip_members_go_to_a_private_folder_of_this_user_in_tmp(tmp_path, temp_root):
    shared = Path(tempfile.gettempdir())
    env = _env_with_read_only_home(tmp_path)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "finops_tui", "ingest", "--cache", str(tmp_path / "c.duckdb"), str(_zip(tmp_path))],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            preexec_fn=_as_a_user(),
            timeout=HANG_GUARD,
        )
    finally:
        os.chmod(tmp_path / "home", 0o700)
    assert result.returncode == 0, result.stderr
    own = shared / f"finops-tui-{os.geteuid()}"
    _assert_private(own)
    assert list(own.iterdir()) == []  # its per-process folder went at exit


def test_a_planted_temporary_folder_in_a_shared_tmp_is_refused_in_one_line(tmp_path, temp_root):
    shared = Path(tempfile.gettempdir())
    planted = tmp_path / "someone-elses"
    planted.mkdir()
    (shared / f"finops-tui-{os.geteuid()}").symlink_to(planted)
    env = _env_with_read_only_home(tmp_path)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "finops_tui", "ingest", "--cache", str(tmp_path / "c.duckdb"), str(_zip(tmp_path))],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            preexec_fn=_as_a_user(),
            timeout=HANG_GUARD,
        )
    finally:
        os.chmod(tmp_path / "home", 0o700)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and "private temporary folder" in result.stderr, result.stderr
    assert list(planted.iterdir()) == []
