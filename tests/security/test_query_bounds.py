"""`finops-tui query` holds bounded memory, stops on time, and Ctrl-C ends it with one line.

Each test runs the real CLI in a child process, as a user or a cron job would, and measures the
child (peak RSS through a small wrapper, exit code, stderr) rather than trusting the code's word.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from finops_tui.sources.ingest import ingest_paths

MB = 1024 * 1024
RSS_WRAPPER = (
    "import json, resource, subprocess, sys\n"
    "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "print(json.dumps({'rc': p.returncode, 'stdout_bytes': len(p.stdout), 'stdout_head': p.stdout[:300],\n"
    "                  'stderr': p.stderr, 'max_rss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))\n"
)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    src = tmp_path / "costs.csv"
    src.write_text(
        "BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,BillingPeriodStart,ProviderName,BillingAccountId\n"
        "1,1,USD,2026-10-01T00:00:00Z,2026-10-01T00:00:00Z,AWS,1\n"
    )
    path = tmp_path / "c.duckdb"
    ingest_paths([str(src)], path)
    return path


def _measured(args: list[str], env: dict[str, str] | None = None) -> dict:
    cmd = [sys.executable, "-c", RSS_WRAPPER, sys.executable, "-m", "finops_tui", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300)
    return json.loads(out.stdout)


def test_a_huge_cell_is_refused_inside_duckdb_and_memory_stays_under_the_limit(cache: Path) -> None:
    # 20M values in one cell: the old path turned it into Python objects, several GB outside DuckDB's limit.
    run = _measured(
        ["query", "--cache", str(cache), "SELECT list(range) AS l FROM range(20000000)"],
        env={"FINOPS_TUI_DUCKDB_MEMORY_LIMIT": "512MB"},
    )
    assert run["rc"] == 1
    assert "holds more than 100,000 values" in run["stderr"] and "Traceback" not in run["stderr"]
    assert len(run["stderr"].strip().splitlines()) == 1
    assert run["max_rss_kb"] * 1024 < 512 * MB + 350 * MB  # DuckDB's limit plus the interpreter, nothing more


@pytest.mark.parametrize(("fmt", "rows"), [("csv", 250_000), ("json", 50_000), ("table", 50_000)])
def test_a_long_result_streams_to_stdout_in_bounded_memory(cache: Path, fmt: str, rows: int) -> None:
    # 250 MB of text as CSV: fetched whole (Arrow + Python strings) it took well over 500 MB. The JSON and
    # table writers are slower per row, so they get a smaller result that still spans many batches.
    sql = f"SELECT range AS n, repeat('x', 1000) AS s FROM range({rows})"
    run = _measured(["query", "--cache", str(cache), sql, "--format", fmt, "--timeout", "0"])
    assert run["rc"] == 0, run["stderr"]
    cell = 48 if fmt == "table" else 1000  # the table shows the first 48 characters of a cell
    assert run["stdout_bytes"] > rows * cell
    assert run["max_rss_kb"] * 1024 < 350 * MB


def test_timeout_stops_the_query_with_advice(cache: Path) -> None:
    started = time.monotonic()
    run = _measured(
        ["query", "--cache", str(cache), "SELECT sum(hash(range)) FROM range(100000000000)", "--timeout", "1"]
    )
    assert run["rc"] == 1
    assert "timed out after 1 s" in run["stderr"] and "--timeout" in run["stderr"]
    assert "Traceback" not in run["stderr"]
    assert time.monotonic() - started < 60  # a hang guard: it stops at once, not after the query


def test_the_default_timeout_comes_from_the_config(cache: Path) -> None:
    run = _measured(
        ["query", "--cache", str(cache), "SELECT sum(hash(range)) FROM range(100000000000)"],
        env={"FINOPS_TUI_QUERY_TIMEOUT_SECONDS": "1"},
    )
    assert run["rc"] == 1 and "timed out after 1 s" in run["stderr"]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_ctrl_c_cancels_a_running_query_with_one_line_and_exit_130(cache: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "finops_tui", "query", "--cache", str(cache), "--timeout", "0",
         "SELECT sum(hash(range)) FROM range(100000000000)"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        for _ in range(6000):  # wait until the query is burning CPU (imports take well under 2 s of it)
            if proc.poll() is not None or _cpu_seconds(proc.pid) > 2.0:
                break
            time.sleep(0.01)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    # "query cancelled" once the query runs; a signal landing a moment earlier gets the CLI's own line
    assert err.strip() in ("finops-tui: query cancelled", "finops-tui: cancelled (Ctrl-C)"), err


def test_negative_limit_and_timeout_are_usage_errors(cache: Path) -> None:
    for flags in (["--limit", "-1"], ["--timeout", "-5"]):
        run = _measured(["query", "--cache", str(cache), "SELECT 1", *flags])
        assert run["rc"] == 2 and "Traceback" not in run["stderr"], flags


def test_an_error_met_while_streaming_is_one_line(cache: Path) -> None:
    # The first 500k rows stream out before the cast fails; Arrow's reader reports it as an OSError.
    sql = "SELECT CASE WHEN range > 500000 THEN (range::VARCHAR || 'x')::INT END AS v FROM range(1000000)"
    run = _measured(["query", "--cache", str(cache), sql, "--format", "csv"])
    assert run["rc"] == 1
    assert run["stderr"].strip().splitlines() == ["finops-tui: error: Conversion Error: Could not convert string "
                                                  "'500001x' to INT32"]  # fmt: skip
