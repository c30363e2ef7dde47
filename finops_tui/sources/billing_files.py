"""Finding billing files and telling what kind of file each one is, before any parsing.

Sniffing reads the first bytes, so a Parquet file named .csv or a zip named .gz still gets the
right reader, and binary garbage gets a clear message instead of a parser stack trace.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from finops_tui.errors import IngestError

# Hashing a file for its provenance runs beside the load (hashlib and DuckDB both work without the GIL):
# ~0.2 s of a 160 MB file that the ingest no longer waits for (benchmarks/bench_ingest.py).
_HASHING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="finops-sha256")


@dataclass(frozen=True)
class BillingFile:
    path: Path
    kind: str  # "csv", "csv.gz", "json", "json.gz" or "parquet"
    size: int
    digest: Future[str] = field(repr=False, compare=False)

    @property
    def sha256(self) -> str:
        """The content's SHA-256, waited for when first needed (dedupe of equal sizes, provenance)."""
        return self.digest.result()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _gzip_starts_with_brace(path: Path) -> bool:
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read(4096).lstrip().startswith(b"{")
    except (OSError, EOFError):
        return False  # a broken gzip is reported by the reader with its own message


def _refuse_non_utf8(path: Path, head: bytes) -> None:
    """Name the line of the first byte that is not UTF-8 (DuckDB only says 'CSV Error on Line')."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        line = head[: exc.start].count(b"\n") + 1
        raise IngestError(
            f"{path}: line {line} is not UTF-8 text (byte 0x{head[exc.start]:02x}); the file is probably "
            "Latin-1 or Windows-1252. Convert it (for example `iconv -f LATIN1 -t UTF-8 in.csv > out.csv`) "
            "or re-export it as UTF-8."
        ) from None


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
        kind = "json.gz" if _gzip_starts_with_brace(path) else "csv.gz"
    elif head.startswith(b"PK\x03\x04"):
        raise IngestError(f"{path}: a zip archive inside a zip archive. Unzip it and ingest the files inside.")
    elif b"\x00" in head:
        raise IngestError(
            f"{path}: this is a binary file, not CSV or Parquet. "
            "finops-tui reads billing exports as CSV (plain or gzip) or Parquet."
        )
    elif head.lstrip().startswith(b"{"):
        kind = "json"  # newline-delimited JSON, as BigQuery exports it
    else:
        kind = "csv"
        _refuse_non_utf8(path, head)
    return BillingFile(path=path.resolve(), kind=kind, size=size, digest=_HASHING.submit(_sha256, path))
