"""Each file's SHA-256: recorded with its dataset, and how a copy of a file given twice is recognised.

The hash is computed beside the load (billing_files._HASHING); only files of the same size are hashed
before loading, to find copies."""

from __future__ import annotations

import hashlib
import json
import shutil

from finops_tui.cache import files
from finops_tui.sources.ingest import ingest_paths


def test_a_copy_is_skipped_and_each_loaded_file_is_recorded_with_its_sha256(tmp_path, shared_focus_csv):
    first, copy = tmp_path / "a.csv", tmp_path / "b-copy.csv"
    shutil.copy(shared_focus_csv, first)
    shutil.copy(shared_focus_csv, copy)
    report = ingest_paths([str(first), str(copy)], tmp_path / "c.duckdb")
    assert len(report.skipped_duplicates) == 1 and "same content as" in report.skipped_duplicates[0]
    con = files.connect_read_only(tmp_path / "c.duckdb")
    try:
        recorded = {
            f["sha256"]
            for (doc,) in con.execute("SELECT files FROM datasets WHERE kind = 'costs'").fetchall()
            for f in json.loads(doc)
        }
    finally:
        con.close()
    assert recorded == {hashlib.sha256(shared_focus_csv.read_bytes()).hexdigest()}


def test_files_of_different_sizes_are_both_loaded(tmp_path, shared_focus_csv):
    first, other = tmp_path / "a.csv", tmp_path / "b.csv"
    shutil.copy(shared_focus_csv, first)
    lines = shared_focus_csv.read_text(encoding="utf-8").splitlines(keepends=True)
    other.write_text("".join(lines[:-1]), encoding="utf-8")  # one row fewer: another size, another content
    report = ingest_paths([str(first), str(other)], tmp_path / "c.duckdb")
    assert report.skipped_duplicates == []
    assert {f.sha256 for f in report.files} == {
        hashlib.sha256(first.read_bytes()).hexdigest(),
        hashlib.sha256(other.read_bytes()).hexdigest(),
    }
