"""Writing query results for scripts and people: aligned table, CSV or a JSON array of objects.

Every writer takes Arrow batches and writes as they come, so a result of any length passes
through in bounded memory. Two protections:
- terminal: control characters in the data (an `ESC ]0;…` title change, `ESC [31m` colours)
  never reach a terminal raw; the table writer always shows them escaped (`\\x1b`), CSV does
  when it writes to a terminal, JSON escapes them by its own rules.
- spreadsheets: a CSV text cell that starts with `=`, `+`, `-`, `@`, tab or CR is prefixed with
  `'` so a spreadsheet shows it instead of running it (OWASP CSV injection); `guard=False` turns
  that off for machine consumers.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import pyarrow as pa

from finops_tui.terminal_text import escape_controls

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return value


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f").rstrip("0")
    return str(_plain(value))


def _rows(batches: Iterable[pa.RecordBatch]) -> Iterator[list[Any]]:
    for batch in batches:
        yield from zip(*(column.to_pylist() for column in batch.columns), strict=True)


def _is_number(field: pa.Field) -> bool:
    return bool(pa.types.is_integer(field.type) or pa.types.is_floating(field.type) or pa.types.is_decimal(field.type))


def _is_text(field: pa.Field) -> bool:
    return bool(pa.types.is_string(field.type) or pa.types.is_large_string(field.type))


def write_json(schema: pa.Schema, batches: Iterable[pa.RecordBatch], out: IO[str]) -> None:
    """A JSON array of objects, written row by row."""
    names = schema.names
    out.write("[")
    first = True
    for row in _rows(batches):
        out.write("" if first else ", ")
        json.dump({k: _plain(v) for k, v in zip(names, row, strict=True)}, out, default=str)
        first = False
    out.write("]\n")


def write_csv(
    schema: pa.Schema, batches: Iterable[pa.RecordBatch], out: IO[str], *, guard: bool = True, terminal: bool = False
) -> None:
    text_columns = [_is_text(f) for f in schema]

    def cell(value: object, is_text: bool) -> str:
        text = _text(value)
        if guard and is_text and text.startswith(_FORMULA_START):
            text = "'" + text
        return escape_controls(text) if terminal else text

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([escape_controls(n) if terminal else n for n in schema.names])
    for row in _rows(batches):
        writer.writerow([cell(v, t) for v, t in zip(row, text_columns, strict=True)])


def write_table(
    schema: pa.Schema, batches: Iterable[pa.RecordBatch], out: IO[str], max_width: int = 48, sample_rows: int = 1000
) -> None:
    """An aligned text table; column widths come from the first `sample_rows` rows."""
    header = [escape_controls(n) for n in schema.names]
    numeric = [
        pa.types.is_integer(f.type) or pa.types.is_floating(f.type) or pa.types.is_decimal(f.type) for f in schema
    ]
    rows = _rows(batches)
    sample: list[list[str]] = []
    for row in rows:
        sample.append([escape_controls(_text(v))[:max_width] for v in row])
        if len(sample) >= sample_rows:
            break
    widths = [max([len(h)] + [len(r[i]) for r in sample]) for i, h in enumerate(header)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    out.write(line(header) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for cells in sample:
        out.write(line(cells) + "\n")
    for row in rows:
        out.write(line([escape_controls(_text(v))[:max_width] for v in row]) + "\n")
