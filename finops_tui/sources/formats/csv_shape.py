"""The shape of a CSV export as Python's csv module reads it: the header's names, the first ragged row.

DuckDB parses the data; this is only for messages: a repeated header name, or a row with more or
fewer fields than the header, which can make DuckDB's sniffer take a data row for the header (the
file then looks like an unknown format) or stop with a bare "CSV Error on Line: N".
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

DELIMITERS = ",;\t|"


@dataclass(frozen=True)
class RaggedRow:
    number: int  # data row, 1 = the first after the header
    line: int  # physical line where the row starts, 1 = the header
    fields: int
    header_fields: int

    def describe(self) -> str:
        return (
            f"data row {self.number} (line {self.line}) has {self.fields} field{'s' if self.fields != 1 else ''} "
            f"where the header has {self.header_fields}"
        )


@contextmanager
def _text(path: Path, gzipped: bool) -> Iterator[IO[str]]:
    opener = gzip.open if gzipped else open
    with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
        yield handle


def _header(line: str) -> tuple[list[str], str]:
    delimiter = max(DELIMITERS, key=line.count)
    return next(csv.reader([line], delimiter=delimiter), []), delimiter


def header_names(path: Path, gzipped: bool) -> list[str]:
    """The header's field names, stripped; [] when the file cannot be read (the reader reports that)."""
    try:
        with _text(path, gzipped) as handle:
            return [name.strip() for name in _header(handle.readline())[0]]
    except (OSError, EOFError):
        return []


def repeated_names(names: list[str]) -> list[str]:
    """Header names that appear more than once, case-insensitively (DuckDB would rename one `X_1`)."""
    lowered = [n.lower() for n in names]
    return sorted({n for n in names if n and lowered.count(n.lower()) > 1})


def ragged_row(path: Path, gzipped: bool) -> RaggedRow | None:
    """The first data row with more or fewer fields than the header; None if there is none.

    A full pass over the file: call it only when DuckDB failed or disagreed with the header."""
    try:
        with _text(path, gzipped) as handle:
            header, delimiter = _header(handle.readline())
            if len(header) < 2:
                return None
            rows = csv.reader(handle, delimiter=delimiter)
            line, number = 1, 0
            for fields in rows:
                start, line = line + 1, rows.line_num + 1  # +1: the header was read before the reader
                if not fields:  # a blank line is skipped, as DuckDB does
                    continue
                number += 1
                if len(fields) != len(header):
                    return RaggedRow(number, start, len(fields), len(header))
    except (OSError, EOFError, csv.Error):
        return None  # unreadable or not CSV at all: the reader's own message says so
    return None
