"""Follow-ups of the hardening issue.

- A failed query is one line on stderr with the right advice: the sandbox's file-system refusal, DuckDB
  running out of memory (readers never spill), and no `LINE 1:` echo with its caret.
- Every test gets its own FINOPS_TUI_TEMP_DIR (tests/conftest.py), never ~/.cache/finops-tui/tmp.
- The folders a first `refresh` lock and a first DEMO build create are 0700 whatever the umask.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from finops_tui import locations
from finops_tui.cache import files
from finops_tui.cache.user_sql import MEMORY_ADVICE, READ_ONLY_ADVICE, SANDBOX_ADVICE, clean_error, materialise
from finops_tui.errors import QueryError
from finops_tui.sources import demo
from finops_tui.sources.aws.refresh_lock import refresh_lock
from finops_tui.sources.ingest import ingest_paths

ROOT = Path(__file__).resolve().parents[2]
HEADER = "BilledCost,EffectiveCost,ChargePeriodStart,BillingPeriodStart,BillingCurrency,ProviderName,BillingAccountId"
# A hash aggregate of 20M groups: far beyond 16 MB, and DuckDB fails at once rather than slowly.
TOO_BIG = "SELECT range AS k, count(*) AS n FROM range(20000000) GROUP BY 1"


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    csv = tmp_path / "a.csv"
    csv.write_text(HEADER + "\n1.25,1.00,2025-03-01T00:00:00Z,2025-03-01T00:00:00Z,USD,Acme,a1\n")
    path = tmp_path / "cache.duckdb"
    ingest_paths([str(csv)], path)
    return path


def query(cache: Path, sql: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finops_tui", "query", "--cache", str(cache), sql],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env},
        timeout=120,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "LINE 1:" not in lines[0] and "^^" not in lines[0], lines[0]
    return lines[0]


# --- 1. failed queries: one line, DuckDB's message first, advice after it ---


@pytest.mark.parametrize(
    ("sql", "message", "advice"),
    [
        ("SELEC 1", 'Parser Error: syntax error at or near "SELEC"', None),
        ("SELECT no_such_column FROM costs", 'Binder Error: Referenced column "no_such_column" not found', None),
        ("COPY costs TO '{tmp}/out.csv'", "File system LocalFileSystem has been disabled", SANDBOX_ADVICE),
        ("ATTACH '{tmp}/other.duckdb'", "File system LocalFileSystem has been disabled", SANDBOX_ADVICE),
        ("SELECT * FROM read_csv('{tmp}/a.csv')", "File system LocalFileSystem has been disabled", SANDBOX_ADVICE),
        ("DELETE FROM cost_daily", 'Cannot execute statement of type "DELETE"', READ_ONLY_ADVICE),
        ("DELETE FROM costs", "Can only delete from base table", READ_ONLY_ADVICE),  # a view: refused before
        ("UPDATE costs SET BilledCost = 0", "Can only update base table", READ_ONLY_ADVICE),
        ("INSERT INTO costs (BilledCost) VALUES (1)", "costs is not an table", READ_ONLY_ADVICE),
    ],
    ids=[
        *("syntax", "unknown-column", "copy", "attach", "read_csv", "delete"),
        *("delete-view", "update-view", "insert-view"),
    ],
)
def test_a_failed_query_prints_one_line_with_its_advice(
    cache: Path, tmp_path: Path, sql: str, message: str, advice: str | None
) -> None:
    line = one_line(query(cache, sql.format(tmp=tmp_path)))
    assert line.startswith("finops-tui: error: ") and message in line, line
    if advice:
        assert line.endswith(advice), line
        assert line.index(message) < line.index(advice)
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "other.duckdb").exists()


def test_out_of_memory_says_how_to_narrow_the_query_or_raise_the_limit(cache: Path) -> None:
    line = one_line(query(cache, TOO_BIG, FINOPS_TUI_DUCKDB_MEMORY_LIMIT="16MB"))
    assert line.startswith("finops-tui: error: Out of Memory Error: "), line
    assert line.endswith(MEMORY_ADVICE), line
    for advice in ("ChargePeriodStart", "cost_daily", "fewer columns", "duckdb_memory_limit"):
        assert advice in line
    assert "FINOPS_TUI_DUCKDB_MEMORY_LIMIT" in line
    # DuckDB's own suggestions are for a writable, unlocked database: the sandboxed reader refuses them all.
    assert "temp_directory" not in line and "SET threads" not in line


def test_the_sql_pane_gets_the_same_single_line(cache: Path) -> None:
    con = files.connect_read_only(cache, memory_limit="16MB")
    try:
        for sql, advice in (
            ("SELECT * FROM read_text('/etc/hostname')", SANDBOX_ADVICE),
            (TOO_BIG, MEMORY_ADVICE),
            ("SELECT * FROM cost", 'Did you mean "costs"?'),
        ):
            with pytest.raises(QueryError) as caught:
                materialise(con.cursor(), sql, 10)
            text = str(caught.value)
            assert "\n" not in text and text.endswith(advice), text
    finally:
        con.close()


def test_the_file_system_refusal_is_a_sandbox_refusal_whatever_class_carries_it() -> None:
    con = duckdb.connect()
    con.execute("SET disabled_filesystems = 'LocalFileSystem'")
    with pytest.raises(duckdb.Error) as caught:
        con.sql("SELECT * FROM read_text('/etc/hostname')").fetchall()
    first = str(caught.value).splitlines()[0]
    assert clean_error(caught.value) == f"{first}. {SANDBOX_ADVICE}"
    # pyarrow hands an error met while streaming batches on as an OSError with DuckDB's text.
    assert clean_error(OSError(str(caught.value))) == f"{first}. {SANDBOX_ADVICE}"


def test_quoted_text_is_one_escaped_line_and_never_triggers_advice() -> None:
    con = duckdb.connect()
    with pytest.raises(duckdb.Error) as caught:
        con.sql("SELECT 'read-only\n\x1b]0;pwned\x07'::INTEGER").fetchall()
    text = clean_error(caught.value)
    assert "\n" not in text and "\x1b" not in text and "\x07" not in text, text
    assert "\\x1b]0;pwned\\x07" in text
    assert READ_ONLY_ADVICE not in text and SANDBOX_ADVICE not in text


# --- 2. every test has its own temporary root ---


def test_each_test_has_its_own_temp_root(tmp_path: Path) -> None:
    assert os.environ["FINOPS_TUI_TEMP_DIR"] == str(tmp_path / "_temp")
    assert locations.process_temp_dir().parent == tmp_path / "_temp"


# --- 3. folders made for the refresh lock and the DEMO are private whatever the umask ---


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _modes(*paths: Path) -> dict[str, str]:
    return {path.name: oct(stat.S_IMODE(os.lstat(path).st_mode)) for path in paths}


def test_a_first_refresh_lock_makes_private_folders(tmp_path: Path, umask_022: None) -> None:
    cache = tmp_path / "new" / "data" / "cache.duckdb"
    with refresh_lock(cache):
        pass
    lock = cache.with_name("cache.duckdb.refresh.lock")
    assert _modes(cache.parent.parent, cache.parent) == {"new": "0o700", "data": "0o700"}
    assert _modes(lock) == {lock.name: "0o600"}


def test_a_first_demo_build_makes_private_folders(
    tmp_path: Path, umask_022: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "new" / "demo" / "demo.duckdb"
    seen: dict[str, str] = {}

    def ingest_and_look(paths: list[str], *args: object, **kwargs: object) -> object:
        generated = Path(paths[0]).parent  # <demo>/build/focus, removed once the DEMO is built
        seen.update(_modes(generated.parent, generated))
        return ingest_paths(paths, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(demo, "ingest_paths", ingest_and_look)
    demo.ensure_demo_cache(date(2026, 3, 15), target)
    assert _modes(target.parent.parent, target.parent) == {"new": "0o700", "demo": "0o700"}
    assert seen == {"build": "0o700", "focus": "0o700"}
