"""Unreadable inputs, unwritable folders and a full disk end in one line of advice (issue 10, point 9).

What a user sees is the promise, so these run the real CLI: exit 1, one line on stderr, never a
traceback, and nothing half-written left behind. Permission tests drop root's right to ignore file
modes in the child (so they mean the same as root and as a user); disk-full tests fill a small tmpfs
when this machine lets them mount one, and simulate ENOSPC in-process otherwise as well.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from finops_tui.cache import files
from finops_tui.errors import CacheError
from finops_tui.sources.ingest import ingest_paths

ROOT = Path(__file__).resolve().parents[2]
HEADER = "BilledCost,EffectiveCost,ChargePeriodStart,BillingPeriodStart,BillingCurrency,ProviderName,BillingAccountId"
_PR_CAPBSET_DROP, _CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH = 24, 1, 2


@pytest.fixture(autouse=True)
def _own_temp_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FINOPS_TUI_TEMP_DIR", str(tmp_path / "_temp"))


def _csv(path: Path, month: str = "03", rows: int = 5) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [HEADER]
    lines += [
        f"{i % 97}.{i % 89:02d},1,2025-{month}-{i % 28 + 1:02d}T00:00:00Z,2025-{month}-01T00:00:00Z,USD,Acme,acct-{i}"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _as_a_user() -> Callable[[], None] | None:
    """For root: drop the capabilities that let it read and write whatever the file modes say."""
    if os.geteuid() != 0:
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def drop() -> None:
        for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH):
            if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return drop


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finops_tui", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env if env is not None else dict(os.environ),
        preexec_fn=_as_a_user(),
        timeout=120,
    )


def _one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("finops-tui: error: "), result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    return result.stderr


@pytest.fixture
def locked() -> Iterator[list[Path]]:
    """Paths a test chmods shut; opened again afterwards so pytest can clean up."""
    paths: list[Path] = []
    yield paths
    for path in paths:
        os.chmod(path, 0o700)


# -- unreadable inputs ------------------------------------------------------------------------------
def test_an_unreadable_input_file_is_one_line(tmp_path, locked):
    csv = _csv(tmp_path / "a.csv")
    os.chmod(csv, 0o000)
    locked.append(csv)
    _one_line_error(_cli("ingest", "--cache", str(tmp_path / "c.duckdb"), str(csv)), str(csv), "cannot read")
    assert not (tmp_path / "c.duckdb").exists()


def test_an_unreadable_input_folder_is_one_line(tmp_path, locked):
    folder = _csv(tmp_path / "exports" / "a.csv").parent
    os.chmod(folder, 0o000)
    locked.append(folder)
    _one_line_error(_cli("ingest", "--cache", str(tmp_path / "c.duckdb"), str(folder)), str(folder), "cannot read")


def test_an_unreadable_folder_inside_the_input_folder_stops_the_load(tmp_path, locked):
    """Loading the rest would silently leave out a month; the load is all or nothing."""
    root = _csv(tmp_path / "exports" / "2025-03" / "a.csv").parent.parent
    shut = _csv(root / "2025-04" / "b.csv", month="04").parent
    os.chmod(shut, 0o000)
    locked.append(shut)
    _one_line_error(_cli("ingest", "--cache", str(tmp_path / "c.duckdb"), str(root)), str(shut), "cannot read")
    assert not (tmp_path / "c.duckdb").exists()


# -- unwritable folders -------------------------------------------------------------------------------
@pytest.mark.parametrize("existing", [True, False], ids=["existing-cache", "new-cache"])
def test_ingest_into_a_read_only_folder_is_one_line(tmp_path, locked, existing):
    folder = tmp_path / "ro"
    folder.mkdir()
    cache = folder / "c.duckdb"
    if existing:
        ingest_paths([str(_csv(tmp_path / "a.csv"))], cache)
    before = cache.read_bytes() if existing else None
    os.chmod(folder, 0o555)
    locked.append(folder)
    result = _cli("ingest", "--cache", str(cache), str(_csv(tmp_path / "b.csv", month="04")))
    _one_line_error(result, f"Cannot write in {folder}")
    assert (cache.read_bytes() if existing else None) == before
    assert sorted(p.name for p in folder.iterdir()) == (["c.duckdb", "c.duckdb.lock"] if existing else [])


def _home_env(home: Path) -> dict[str, str]:
    """The environment of a user whose HOME is `home`: no finops-tui or XDG overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FINOPS_TUI_", "XDG_"))}
    return {**env, "HOME": str(home)}


@pytest.fixture
def cache(tmp_path) -> Path:
    path = tmp_path / "data" / "c.duckdb"
    ingest_paths([str(_csv(tmp_path / "a.csv"))], path)
    return path


@pytest.mark.parametrize("where", ["read-only HOME", "read-only log dir", "read-only log file"])
def test_query_works_when_the_log_cannot_be_written(tmp_path, cache, locked, where):
    home = tmp_path / "home"
    home.mkdir()
    env = _home_env(home)
    if where == "read-only log dir":
        env["FINOPS_TUI_LOG_DIR"] = str(home / "logs")
    elif where == "read-only log file":
        (home / "logs").mkdir()
        (home / "logs" / "finops-tui.jsonl").write_text("")
        os.chmod(home / "logs" / "finops-tui.jsonl", 0o444)
        env["FINOPS_TUI_LOG_DIR"] = str(home / "logs")
    os.chmod(home, 0o555)
    locked.append(home)
    result = _cli("query", "--cache", str(cache), "--format", "csv", "SELECT count(*) AS n FROM costs", env=env)
    assert (result.returncode, result.stdout.split(), result.stderr) == (0, ["n", "5"], "")


# -- disk full --------------------------------------------------------------------------------------
def _leftovers(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.parent.iterdir() if p.name.startswith(cache.name + ".tmp"))


def test_disk_full_while_copying_is_one_line_and_the_partial_copy_goes_at_once(cache, tmp_path, monkeypatch):
    before = cache.read_bytes()

    def copy_until_the_disk_is_full(source, target, **kwargs):
        Path(target).write_bytes(Path(source).read_bytes()[: len(before) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", copy_until_the_disk_is_full)
    with pytest.raises(CacheError) as err:
        ingest_paths([str(_csv(tmp_path / "b.csv", month="04"))], cache)
    assert "\n" not in str(err.value) and "the disk is full" in str(err.value)
    assert _leftovers(cache) == []
    assert cache.read_bytes() == before


def test_disk_full_while_checkpointing_is_one_line_and_the_partial_copy_goes_at_once(cache, tmp_path, monkeypatch):
    before = cache.read_bytes()

    def full(con: duckdb.DuckDBPyConnection) -> None:
        raise duckdb.IOException(f'IO Error: Could not write file "{cache}.tmp": No space left on device')

    monkeypatch.setattr(files, "_checkpoint", full)
    with pytest.raises(CacheError) as err:
        ingest_paths([str(_csv(tmp_path / "b.csv", month="04"))], cache)
    assert "\n" not in str(err.value) and "the disk is full" in str(err.value)
    assert _leftovers(cache) == []
    assert cache.read_bytes() == before


@pytest.fixture(scope="module")
def sizeable_cache(tmp_path_factory) -> Path:
    """A cache of a few MB, so a small tmpfs can hold it once but not twice."""
    folder = tmp_path_factory.mktemp("sizeable")
    path = folder / "c.duckdb"
    ingest_paths([str(_csv(folder / "big.csv", rows=30000))], path)
    return path


@pytest.fixture
def small_disk(tmp_path) -> Iterator[Callable[[int], Path]]:
    """mount(size) -> a fresh tmpfs of `size` bytes (root only), unmounted afterwards."""
    mounted: list[Path] = []

    def mount(size: int) -> Path:
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size // 1024}k,mode=0700", "tmpfs", str(point)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); the ENOSPC tests above simulate it")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", str(point)], check=False)


@pytest.mark.parametrize("phase", ["copy", "write"])
def test_a_full_disk_is_one_line_and_leaves_the_cache_and_nothing_else(sizeable_cache, small_disk, tmp_path, phase):
    size = sizeable_cache.stat().st_size
    # Room for the cache once and half a copy, or for two copies but not what the load adds.
    disk = small_disk(size * 3 // 2 if phase == "copy" else size * 2 + 256 * 1024)
    cache = disk / "c.duckdb"
    shutil.copyfile(sizeable_cache, cache)
    before = cache.read_bytes()
    more = _csv(tmp_path / "more.csv", month="04", rows=30000)
    _one_line_error(_cli("ingest", "--cache", str(cache), str(more)), f"Cannot write {cache}: the disk is full")
    assert cache.read_bytes() == before
    assert sorted(p.name for p in disk.iterdir()) == ["c.duckdb", "c.duckdb.lock"]
