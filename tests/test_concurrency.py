"""Two real processes: an open reader keeps working through writes; a writer killed mid-write loses nothing.

These tests wait on events, never on clocks: each child process prints a line when it reaches the
point the test cares about (holds the lock, has written half its data, has seen a commit), and the
test reads that line before it takes its next step. The only timeouts are hang guards.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from finops_tui.cache import files
from finops_tui.cache.local_reader import LocalCache
from finops_tui.sources.ingest import ingest_paths

ROOT = Path(__file__).resolve().parents[1]
HANG_GUARD = 60.0  # seconds; only reached when a child hangs, never part of what a test asserts


def _csv(path: Path, account: str, rows: int = 5) -> Path:
    lines = [
        "BilledCost,EffectiveCost,ChargePeriodStart,BillingPeriodStart,BillingCurrency,ProviderName,BillingAccountId"
    ]
    lines += [f"1,1,2025-03-{i + 1:02d}T00:00:00Z,2025-03-01T00:00:00Z,USD,Acme,{account}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def _rows(result) -> list[dict]:
    return result.table.rows()


def _query(cache: Path, sql: str) -> list[dict]:
    reader = LocalCache(cache)
    try:
        return _rows(reader.run_sql(sql, 100))
    finally:
        reader.close()


def _count(cache: Path) -> int:
    return _query(cache, "SELECT count(*) AS n FROM costs")[0]["n"]


class Child:
    """A Python child process whose stdout lines arrive on a queue, so a test waits for a line, not a clock."""

    def __init__(self, code: str, args: list[str], stderr_path: Path) -> None:
        self.stderr_path = stderr_path
        with open(stderr_path, "w") as stderr:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", code, *args],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                cwd=ROOT,
            )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def _why(self) -> str:
        return f"stdout so far {self.lines}; stderr:\n{self.stderr_path.read_text()}"

    def expect(self, wanted: str) -> None:
        """Block until the child prints exactly `wanted` (other lines are kept in `self.lines`)."""
        deadline = time.monotonic() + HANG_GUARD
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"hang guard: no line {wanted!r} from the child within {HANG_GUARD:.0f} s; {self._why()}")
            if line is None:
                self.proc.wait(HANG_GUARD)
                pytest.fail(f"the child exited ({self.proc.returncode}) before printing {wanted!r}; {self._why()}")
            self.lines.append(line)
            if line == wanted:
                return

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def wait(self) -> int:
        """The exit code; the timeout is a hang guard."""
        return self.proc.wait(HANG_GUARD)


@pytest.fixture
def spawn(tmp_path) -> Iterator:
    """Start `Child`ren; any still running when the test ends (a failed test) is killed."""
    children: list[Child] = []

    def start(code: str, *args: object) -> Child:
        child = Child(code, [str(a) for a in args], tmp_path / f"child-{len(children)}.stderr")
        children.append(child)
        return child

    yield start
    for child in children:
        if child.proc.poll() is None:
            child.proc.kill()
            child.proc.wait(HANG_GUARD)


READER = """
import sys, threading
from pathlib import Path
from finops_tui.cache.local_reader import LocalCache
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.readline(), stop.set()), daemon=True).start()
reader = LocalCache(Path(sys.argv[1]))
seen = []
while not stop.is_set():
    if reader.has_changed():
        reader.reload()
    count = reader.run_sql("SELECT count(*) FROM costs", 1).table.table.column(0)[0].as_py()
    if not seen or seen[-1] != count:
        seen.append(count)
        print("count", count, flush=True)
    stop.wait(0.01)  # pacing, so the poll does not take a whole core; nothing waits on it
print("seen", seen, flush=True)
"""


def test_an_open_reader_keeps_working_while_another_process_ingests(tmp_path, spawn):
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(_csv(tmp_path / "a.csv", "a1"))], cache)
    reader = spawn(READER, cache)
    reader.expect("count 5")  # it is open and polling
    ingest_paths([str(_csv(tmp_path / "b.csv", "b1"))], cache)
    reader.expect("count 10")  # it noticed the swap and reloaded, still in the same process
    ingest_paths([str(_csv(tmp_path / "c.csv", "c1"))], cache)
    reader.expect("count 15")
    reader.send("stop")
    reader.expect("seen [5, 10, 15]")  # old data, then each commit in order; never an error or half a write
    assert reader.wait() == 0, reader._why()


KILLED_WRITER = """
import os, sys
from pathlib import Path
from finops_tui.cache import cost_layouts, files
with files.write_session(Path(sys.argv[1])) as con:
    for table in cost_layouts.registered(con):  # `costs` is a view over these
        con.execute(f"DELETE FROM {table}")
    table, _ = cost_layouts.ensure(con, cost_layouts.Layout.of(["BilledCost", "x_DatasetId"]))
    con.execute(f"INSERT INTO {table} (BilledCost, x_DatasetId) SELECT 9, 'half' FROM range(100000)")
    print("inside", flush=True)
    os.read(0, 1)  # held here until killed; if the test itself dies, stdin closes ...
    os._exit(3)  # ... and this leaves without committing
"""


def test_a_writer_killed_mid_write_leaves_the_previous_data_readable(tmp_path, spawn):
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(_csv(tmp_path / "a.csv", "a1"))], cache)
    writer = spawn(KILLED_WRITER, cache)
    writer.expect("inside")  # it holds the lock and has changed its private copy
    assert list(tmp_path.glob("c.duckdb.tmp-*"))
    assert _count(cache) == 5  # readable while the writer holds its lock
    os.kill(writer.proc.pid, signal.SIGKILL)
    assert writer.wait() == -signal.SIGKILL
    assert _count(cache) == 5
    ingest_paths([str(_csv(tmp_path / "b.csv", "b1"))], cache)  # lock released, stale copy cleaned
    assert _count(cache) == 10
    assert not list(tmp_path.glob("c.duckdb.tmp-*"))


WRITER = """
import fcntl, sys
from pathlib import Path
from finops_tui.sources.ingest import ingest_paths
real_flock, told = fcntl.flock, []
def flock(fd, operation):
    if not operation & fcntl.LOCK_UN and not told:  # once, before its first try: it is now at the lock
        told.append(True)
        print("taking the writer lock", flush=True)
    return real_flock(fd, operation)
fcntl.flock = flock
ingest_paths([sys.argv[1]], Path(sys.argv[2]))
print("committed", flush=True)
"""


def test_two_writers_at_once_keep_both_datasets(tmp_path, spawn):
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(_csv(tmp_path / "a.csv", "a1"))], cache)
    with files.writer_lock(cache):  # held until both writers are inside ingest, trying to take it
        writers = [spawn(WRITER, _csv(tmp_path / f"{n}.csv", n, 7), cache) for n in ("w1", "w2")]
        for writer in writers:
            writer.expect("taking the writer lock")
    for writer in writers:  # released: the two now run at once, and the lock serialises them
        writer.expect("committed")
        assert writer.wait() == 0, writer._why()
    rows = _query(cache, "SELECT BillingAccountId AS a, count(*) AS n FROM costs GROUP BY a ORDER BY a")
    assert rows == [{"a": "a1", "n": 5}, {"a": "w1", "n": 7}, {"a": "w2", "n": 7}]


@pytest.mark.parametrize("n", [1])
def test_reader_sees_a_swap_only_after_reload(tmp_path, n):
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(_csv(tmp_path / "a.csv", "a1"))], cache)
    reader = LocalCache(cache)
    ingest_paths([str(_csv(tmp_path / "b.csv", "b1"))], cache)
    assert reader.has_changed()
    assert _rows(reader.run_sql("SELECT count(*) AS n FROM costs", 1)) == [{"n": 5}]
    reader.reload()
    assert not reader.has_changed()
    assert _rows(reader.run_sql("SELECT count(*) AS n FROM costs", 1)) == [{"n": 10}]
    reader.close()
