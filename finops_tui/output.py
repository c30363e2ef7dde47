"""Writing Arrow results for scripts and people: aligned table, CSV or a JSON array of objects."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from decimal import Decimal
from typing import IO

import pyarrow as pa


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


def write_json(table: pa.Table, out: IO[str]) -> None:
    rows = [{k: _plain(v) for k, v in row.items()} for row in table.to_pylist()]
    json.dump(rows, out, default=str, indent=None)
    out.write("\n")


def write_csv(table: pa.Table, out: IO[str]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.column_names)
    for batch in table.to_batches(10_000):
        for row in zip(*(col.to_pylist() for col in batch.columns), strict=True):
            writer.writerow([_text(v) for v in row])


def write_table(table: pa.Table, out: IO[str], max_width: int = 48) -> None:
    header = table.column_names
    rows = [[_text(v)[:max_width] for v in row.values()] for row in table.to_pylist()]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    numeric = [
        pa.types.is_integer(f.type) or pa.types.is_floating(f.type) or pa.types.is_decimal(f.type) for f in table.schema
    ]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    out.write(line(header) + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in rows:
        out.write(line(row) + "\n")
