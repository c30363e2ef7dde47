"""Files that hold cost data are private whatever the umask (issue 10, point 4).

The cache, its lock, the log and a snapshot are created 0600 and the folders finops-tui creates for
them 0700; a cache rewritten by an ingest keeps the mode its owner gave it.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from finops_tui.sources.ingest import ingest_paths

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _own_temp_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FINOPS_TUI_TEMP_DIR", str(tmp_path / "_temp"))


def _csv(path: Path, rows: int = 5) -> Path:
    lines = [
        "BilledCost,EffectiveCost,ChargePeriodStart,BillingPeriodStart,BillingCurrency,ProviderName,BillingAccountId"
    ]
    lines += [f"1,1,2025-03-{i + 1:02d}T00:00:00Z,2025-03-01T00:00:00Z,USD,Acme,a1" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _cli(umask: int, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "finops_tui", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        preexec_fn=lambda: os.umask(umask),  # only the child's umask
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.mark.parametrize("umask", [0o000, 0o022], ids=["umask-000", "umask-022"])
def test_cache_lock_log_and_their_new_folders_are_private(tmp_path, umask):
    cache = tmp_path / "new" / "data" / "c.duckdb"
    logs = tmp_path / "state" / "logs"
    _cli(umask, "ingest", "--cache", str(cache), str(_csv(tmp_path / "a.csv")), env={"FINOPS_TUI_LOG_DIR": str(logs)})
    modes = {
        "cache": _mode(cache),
        "lock": _mode(cache.with_name("c.duckdb.lock")),
        "cache folder": _mode(cache.parent),
        "its new parent": _mode(cache.parent.parent),
        "log file": _mode(logs / "finops-tui.jsonl"),
        "log folder": _mode(logs),
        "its new parent ": _mode(logs.parent),
    }
    expected = {name: 0o600 if name in ("cache", "lock", "log file") else 0o700 for name in modes}
    assert {k: oct(v) for k, v in modes.items()} == {k: oct(v) for k, v in expected.items()}


@pytest.mark.parametrize("umask", [0o000, 0o022], ids=["umask-000", "umask-022"])
def test_a_snapshot_and_its_new_folder_are_private(tmp_path, umask):
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(_csv(tmp_path / "a.csv"))], cache)
    os.chmod(cache, 0o644)  # a shared cache: the snapshot handed to a colleague is private all the same
    out = tmp_path / "handover" / "s.duckdb"
    _cli(umask, "snapshot", "--cache", str(cache), str(out))
    assert (oct(_mode(out)), oct(_mode(out.parent))) == (oct(0o600), oct(0o700))


@pytest.mark.parametrize(
    ("umask", "mode"),
    [(0o022, 0o600), (0o022, 0o640), (0o000, 0o640)],
    ids=["umask-022-0o600", "umask-022-0o640", "umask-000-0o640"],
)
def test_an_ingest_keeps_the_mode_of_the_cache_it_replaces(tmp_path, umask, mode):
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(_csv(tmp_path / "a.csv"))], cache)
    os.chmod(cache, mode)
    inode = cache.stat().st_ino
    _cli(umask, "ingest", "--cache", str(cache), str(_csv(tmp_path / "b.csv", rows=3)))
    assert cache.stat().st_ino != inode  # really swapped in a new file
    assert oct(_mode(cache)) == oct(mode)


def test_a_new_cache_in_an_existing_folder_leaves_the_folder_as_it_was(tmp_path):
    shared = tmp_path / "team"
    shared.mkdir()
    os.chmod(shared, 0o755)
    _cli(0o022, "ingest", "--cache", str(shared / "c.duckdb"), str(_csv(tmp_path / "a.csv")))
    assert oct(_mode(shared)) == oct(0o755)
    assert oct(_mode(shared / "c.duckdb")) == oct(0o600)
