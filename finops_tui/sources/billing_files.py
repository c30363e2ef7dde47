"""Finding billing files and telling what kind of file each one is, before any parsing.

Sniffing reads the first bytes, so a Parquet file named .csv or a zip named .gz still gets the
right reader, and binary garbage gets a clear message instead of a parser stack trace.
"""

from __future__ import annotations

import glob
import hashlib
from dataclasses import dataclass
from pathlib import Path

from finops_tui.errors import IngestError

_SUPPORTED = (".csv", ".csv.gz", ".parquet", ".gz", ".txt")


@dataclass(frozen=True)
class BillingFile:
    path: Path
    kind: str  # "csv", "csv.gz" or "parquet"
    size: int
    sha256: str


def expand_paths(args: list[str]) -> list[Path]:
    """Files, directories (recursive) and globs, in a stable order; an empty result is an error."""
    found: list[Path] = []
    for arg in args:
        path = Path(arg).expanduser()
        if any(ch in arg for ch in "*?["):
            matches = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
            if not matches:
                raise IngestError(f"{arg}: the pattern matches no file. Check the path and quoting.")
            found.extend(p for p in matches if p.is_file())
        elif path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file() and p.name.lower().endswith(_SUPPORTED))
            if not inside:
                raise IngestError(f"{path}: the directory holds no .csv, .csv.gz or .parquet file.")
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            raise IngestError(f"{path}: no such file or directory.")
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sniff(path: Path) -> BillingFile:
    """Identify the file by content; raise IngestError for empty, binary or unsupported files."""
    size = path.stat().st_size
    if size == 0:
        raise IngestError(f"{path}: the file is empty (0 bytes). Re-export it from the billing console.")
    with open(path, "rb") as handle:
        head = handle.read(65536)
    if head.startswith(b"PAR1"):
        kind = "parquet"
    elif head.startswith(b"\x1f\x8b"):
        kind = "csv.gz"
    elif head.startswith(b"PK\x03\x04"):
        raise IngestError(f"{path}: this is a zip archive. Unzip it and ingest the CSV or Parquet files inside.")
    elif b"\x00" in head:
        raise IngestError(
            f"{path}: this is a binary file, not CSV or Parquet. "
            "finops-tui reads billing exports as CSV (plain or gzip) or Parquet."
        )
    else:
        kind = "csv"
    return BillingFile(path=path.resolve(), kind=kind, size=size, sha256=_sha256(path))
