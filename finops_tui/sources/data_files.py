"""What every input path turns into, and which file names hold billing data.

Shared by local inputs (input_files.py) and S3 exports (s3_exports.py), so neither imports the
other for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from finops_tui.sources import report_versions

DATA_SUFFIXES = (
    ".csv",
    ".csv.gz",
    ".parquet",
    ".gz",
    ".txt",
    ".json",
    ".jsonl",
    ".ndjson",
    ".json.gz",
    ".jsonl.gz",
    ".ndjson.gz",
    ".zip",
)


@dataclass(frozen=True)
class InputFile:
    path: Path  # local file to read
    origin: str  # what to call it in messages and provenance: the path, `archive.zip!member` or `s3://…`


def is_data_file(name: str) -> bool:
    """A billing file by its name (a report manifest is not one, though it is JSON)."""
    lower = name.lower()
    return lower.endswith(DATA_SUFFIXES) and not report_versions.is_manifest(lower)
