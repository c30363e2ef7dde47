"""`finops-tui snapshot OUT` is all or nothing (issue 10, point 7).

A snapshot killed at any moment leaves no file named OUT (so nobody hands over half a cache), and
running it again succeeds instead of refusing "already exists".
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from finops_tui.cache.local_reader import LocalCache
from finops_tui.sources.ingest import ingest_paths

ROOT = Path(__file__).resolve().parents[2]
HANG_GUARD = 60.0  # seconds; reached only when a child hangs


@pytest.fixture(autouse=True)
def _own_temp_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FINOPS_TUI_TEMP_DIR", str(tmp_path / "_temp"))


@pytest.fixture
def cache(tmp_path) -> Path:
    path = tmp_path / "c.duckdb"
    csv = tmp_path / "a.csv"
    header = (
        "BilledCost,EffectiveCost,ChargePeriodStart,BillingPeriodStart,BillingCurrency,ProviderName,BillingAccountId"
    )
    rows = [f"2,2,2025-03-{i + 1:02d}T00:00:00Z,2025-03-01T00:00:00Z,USD,Acme,a1" for i in range(7)]
    csv.write_text("\n".join([header, *rows]) + "\n")
    ingest_paths([str(csv)], path)
    return path


# The real CLI, stopped where a snapshot does its slow work: once the copy is made and while its
# origin is being stamped in (the write session). A kill -9 there used to leave OUT behind.
KILLED_SNAPSHOT = """
import os, sys
from contextlib import contextmanager
from finops_tui import cli
from finops_tui.cache import files

real = files.write_session

@contextmanager
def held(path, *args, **kwargs):
    with real(path, *args, **kwargs) as con:
        print("inside", flush=True)
        os.read(0, 1)  # held here until killed
        os._exit(3)
        yield con

files.write_session = held
sys.exit(cli.main(sys.argv[1:]))
"""


def _snapshot(cache: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finops_tui", "snapshot", "--cache", str(cache), str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=HANG_GUARD,
    )


def test_a_snapshot_killed_midway_leaves_no_file_at_out_and_a_rerun_succeeds(cache, tmp_path):
    out = tmp_path / "handover" / "s.duckdb"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_SNAPSHOT, "snapshot", "--cache", str(cache), str(out)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "inside", child.stderr
    assert not os.path.lexists(out)  # being written, but not under its final name
    child.kill()
    child.wait(timeout=HANG_GUARD)
    assert not os.path.lexists(out)

    result = _snapshot(cache, out)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.parent.iterdir()) == ["s.duckdb"]  # the killed run's partial is gone
    reader = LocalCache(out, snapshot=True)
    try:
        info = reader.source_info()
        total = reader.run_sql("SELECT sum(BilledCost)::INT AS s FROM costs", 10).table.table.column(0)[0].as_py()
    finally:
        reader.close()
    assert total == 14
    assert info.kind == "SNAPSHOT"


def test_a_failed_snapshot_leaves_nothing_and_says_so_in_one_line(cache, tmp_path, monkeypatch, capsys):
    from finops_tui import cli, logs

    out = tmp_path / "s.duckdb"

    def copy_until_the_disk_is_full(source, target, **kwargs):
        Path(target).write_bytes(Path(source).read_bytes()[:4096])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", copy_until_the_disk_is_full)
    monkeypatch.setattr(logs, "configure_logging", lambda *args, **kwargs: None)
    assert cli.main(["snapshot", "--cache", str(cache), str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"finops-tui: error: Cannot write {out}: the disk is full"), err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("s.duckdb")) == []


def test_a_snapshot_never_replaces_an_existing_file(cache, tmp_path):
    out = tmp_path / "s.duckdb"
    out.write_text("someone's file")
    result = _snapshot(cache, out)
    assert result.returncode == 2 and "already exists" in result.stderr
    assert out.read_text() == "someone's file"
