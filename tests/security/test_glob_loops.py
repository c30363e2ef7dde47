"""A folder or `**` glob search ends, whatever symlinks it meets (issue 10, point 8).

Each real folder is searched once (device + inode) and at most 32 levels down; what was skipped is
one note line. A `**` glob over a folder with symlink loops used to run for minutes at 895 MB.
"""

from __future__ import annotations

import glob
import subprocess
import sys
from pathlib import Path

import pytest

from finops_tui.sources import input_files

ROOT = Path(__file__).resolve().parents[2]
HANG_GUARD = 30.0  # seconds; the search finishes in well under one (the old one ran for 300 s)
HEADER = "BilledCost,EffectiveCost,ChargePeriodStart,BillingPeriodStart,BillingCurrency,ProviderName,BillingAccountId"


@pytest.fixture(autouse=True)
def _own_temp_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("FINOPS_TUI_TEMP_DIR", str(tmp_path / "_temp"))


def _csv(path: Path, month: str = "03", rows: int = 4) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [HEADER] + [
        f"1,1,2025-{month}-{i + 1:02d}T00:00:00Z,2025-{month}-01T00:00:00Z,USD,Acme,a{month}" for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def looped(tmp_path) -> Path:
    """exports/ with one real CSV and symlinks that lead back round: to itself, its parent and the root."""
    root = tmp_path / "exports"
    _csv(root / "2025" / "march.csv")
    (root / "2025" / "self").symlink_to(".")
    (root / "2025" / "up").symlink_to("..")
    (root / "again").symlink_to(root)
    (root / "alias").symlink_to("2025")
    return root


def _ingest(cache: Path, *paths: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finops_tui", "ingest", "--cache", str(cache), *paths],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=HANG_GUARD,
    )


def _notes(stdout: str) -> list[str]:
    return [line.strip() for line in stdout.splitlines() if line.strip().startswith("note:")]


def test_a_double_star_glob_over_symlink_loops_ends_and_loads_the_csv_once(looped, tmp_path):
    result = _ingest(tmp_path / "c.duckdb", f"{looped}/**/*.csv")
    assert result.returncode == 0, result.stderr
    assert "Loaded 4 rows from 1 file(s)" in result.stdout
    assert f"{looped}/2025/march.csv" in result.stdout  # by its real path, not through a link
    assert "skipped duplicate" not in result.stdout
    (note,) = _notes(result.stdout)
    assert note.startswith(f"note: {looped}: skipped") and "symlink loop" in note


def test_a_folder_with_symlink_loops_loads_the_csv_once(looped, tmp_path):
    result = _ingest(tmp_path / "c.duckdb", str(looped))
    assert result.returncode == 0, result.stderr
    assert "Loaded 4 rows from 1 file(s)" in result.stdout


def test_a_folder_reached_through_a_symlink_is_searched(tmp_path):
    """Exports often sit on another disk, linked in; the old folder search silently skipped them."""
    root = tmp_path / "exports"
    root.mkdir()
    elsewhere = _csv(tmp_path / "big-disk" / "2025-04" / "april.csv", month="04").parent
    (root / "2025-04").symlink_to(elsewhere)
    _csv(root / "2025-03" / "march.csv")
    result = _ingest(tmp_path / "c.duckdb", str(root))
    assert result.returncode == 0, result.stderr
    assert "Loaded 8 rows from 2 file(s)" in result.stdout


def test_the_search_stops_32_levels_down_and_says_so(tmp_path):
    root = tmp_path / "deep"
    _csv(root / "march.csv")
    folder = root.joinpath(*[f"d{i}" for i in range(40)])
    _csv(folder / "april.csv", month="04")
    notes: list[str] = []
    found = input_files._local_tree(root, notes)
    assert found == [root / "march.csv"]
    assert notes == [f"{root}: skipped 1 folder(s) more than {input_files.MAX_DEPTH} levels down"]


def test_glob_patterns_still_match_what_python_glob_matches(tmp_path, monkeypatch):
    root = tmp_path / "g"
    for name in ("a.csv", "b.parquet", ".hidden.csv", "x/c.csv", "x/y/d.csv", ".git/e.csv", "z/f.txt", "z/[1].csv"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x")
    monkeypatch.chdir(tmp_path)
    patterns = ["g/*.csv", "g/**/*.csv", "g/x/**", "g/*/c.csv", "g/.*.csv", "g/[ab].*", f"{root}/**/*.txt", "g/**"]
    for pattern in patterns:
        notes: list[str] = []
        expected = sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
        assert sorted(input_files._expand_local(pattern, notes)) == expected, pattern
        assert notes == []
