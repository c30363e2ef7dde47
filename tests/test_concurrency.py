"""Two real processes: an open reader keeps working through writes; a writer killed mid-write loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from finops_tui.cache.local_reader import LocalCache
from finops_tui.sources.ingest import ingest_paths

ROOT = Path(__file__).resolve().parents[1]


def _csv(path: Path, account: str, rows: int = 5) -> Path:
    lines = [
        "BilledCost,EffectiveCost,ChargePeriodStart,BillingPeriodStart,BillingCurrency,ProviderName,BillingAccountId"
    ]
    lines += [f"1,1,2025-03-{i + 1:02d}T00:00:00Z,2025-03-01T00:00:00Z,USD,Acme,{account}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _count(cache: Path) -> int:
    reader = LocalCache(cache)
    try:
        return reader.run_sql("SELECT count(*) FROM costs", 1).table.column(0)[0].as_py()
    finally:
        reader.close()


READER = """
import sys, time
from pathlib import Path
from finops_tui.cache.local_reader import LocalCache
reader = LocalCache(Path(sys.argv[1]))
seen, deadline = set(), time.time() + float(sys.argv[2])
while time.time() < deadline:
    if reader.has_changed():
        reader.reload()
    seen.add(reader.run_sql("SELECT count(*) FROM costs", 1).table.column(0)[0].as_py())
    time.sleep(0.01)
print(sorted(seen))
"""


def test_an_open_reader_keeps_working_while_another_process_ingests(tmp_path):
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(_csv(tmp_path / "a.csv", "a1"))], cache)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(cache), "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    time.sleep(1.0)
    ingest_paths([str(_csv(tmp_path / "b.csv", "b1"))], cache)
    time.sleep(0.5)
    ingest_paths([str(_csv(tmp_path / "c.csv", "c1"))], cache)
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    assert out.strip() == "[5, 10, 15]"  # old data, then each new commit, never an error or half a write


KILLED_WRITER = """
import sys, time
from pathlib import Path
from finops_tui.cache import files
with files.write_session(Path(sys.argv[1])) as con:
    con.execute("DELETE FROM costs")
    con.execute("INSERT INTO costs (BilledCost, x_DatasetId) SELECT 9, 'half' FROM range(100000)")
    Path(sys.argv[2]).write_text("inside")
    time.sleep(60)
"""


def test_a_writer_killed_mid_write_leaves_the_previous_data_readable(tmp_path):
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(_csv(tmp_path / "a.csv", "a1"))], cache)
    ready = tmp_path / "ready"
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(cache), str(ready)], cwd=ROOT)
    for _ in range(300):
        if ready.exists():
            break
        time.sleep(0.05)
    assert ready.exists()
    assert _count(cache) == 5  # readable while the writer holds its lock
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(10)
    assert _count(cache) == 5
    ingest_paths([str(_csv(tmp_path / "b.csv", "b1"))], cache)  # lock released, stale copy cleaned
    assert _count(cache) == 10
    assert not list(tmp_path.glob("c.duckdb.tmp-*"))


def test_two_writers_at_once_keep_both_datasets(tmp_path):
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(_csv(tmp_path / "a.csv", "a1"))], cache)
    code = (
        "import sys; from pathlib import Path; from finops_tui.sources.ingest import ingest_paths; "
        "ingest_paths([sys.argv[1]], Path(sys.argv[2]))"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(_csv(tmp_path / f"{n}.csv", n, 7)), str(cache)], cwd=ROOT)
        for n in ("w1", "w2")
    ]
    assert [p.wait(60) for p in procs] == [0, 0]
    assert _count(cache) == 5 + 7 + 7


@pytest.mark.parametrize("n", [1])
def test_reader_sees_a_swap_only_after_reload(tmp_path, n):
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(_csv(tmp_path / "a.csv", "a1"))], cache)
    reader = LocalCache(cache)
    ingest_paths([str(_csv(tmp_path / "b.csv", "b1"))], cache)
    assert reader.has_changed()
    assert reader.run_sql("SELECT count(*) FROM costs", 1).table.column(0)[0].as_py() == 5
    reader.reload()
    assert not reader.has_changed()
    assert reader.run_sql("SELECT count(*) FROM costs", 1).table.column(0)[0].as_py() == 10
    reader.close()
