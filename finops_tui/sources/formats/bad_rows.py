"""Finding the first offending row of a billing file, to name it in an error message.

These run only after a load failed or a check found something, each as one more query over the
file's reader (`read_csv(...)`), with rows numbered as in the file: data row 1 is the first after
the header. Slow is fine here; the load itself never pays for them.
"""

from __future__ import annotations

import re

import duckdb

from finops_tui.sources.formats import values
from finops_tui.sources.formats.columns import SourceColumns, quote

BEYOND_BOUND = f"beyond the bound: finops-tui refuses costs and prices of {values.BOUND_TEXT} or more"


def first_row(con: duckdb.DuckDBPyConnection, select: str, source: str, where: str) -> tuple[object, ...] | None:
    """The first row of `SELECT row_number() AS n, <select> FROM <source>` that matches `where`."""
    con.execute("SET preserve_insertion_order = true")  # row numbers follow the file
    try:
        rows = con.execute(
            f"SELECT * FROM (SELECT row_number() OVER () AS n, {select} FROM {source}) WHERE {where} LIMIT 1"
        ).fetchall()
    finally:
        con.execute("SET preserve_insertion_order = false")
    return rows[0] if rows else None


def _number(text: str) -> float | None:
    try:
        return float(text.strip().replace(",", "").lstrip("$€£¥"))
    except ValueError:
        return None


def bad_value(con: duckdb.DuckDBPyConnection, source: str, cols: SourceColumns, kind: str, name: str) -> str:
    """'column X, data row N: 'v' is not a number' for the first value of column `name` that does not parse."""
    parse, what = values.parser_for(kind)
    c = cols.ref(name)
    row = first_row(
        con, f"CAST({c} AS VARCHAR) AS v, {parse(f'CAST({c} AS VARCHAR)')} AS p", source, "v IS NOT NULL AND p IS NULL"
    )
    if not row:
        return f"column {name} has a value that cannot be parsed"
    number, value = row[0], str(row[1])
    if kind == "money" and abs(_number(value) or 0) >= values.MONEY_BOUND:  # too big for DECIMAL(38,12) even
        return f"column {cols.actual(name)}, data row {number}: {value!r} is {BEYOND_BOUND}"
    hint = ""
    if kind == "money" and re.fullmatch(r"\s*-?\d+,\d+\s*", value):
        hint = " (a decimal comma? export with '.' as the decimal separator)"
    return f"column {cols.actual(name)}, data row {number}: {value!r} is not {what}{hint}"


def beyond_bound(con: duckdb.DuckDBPyConnection, source: str, projected: dict[str, str]) -> str:
    """'column X, data row N: 9e+25 is beyond the bound …' for the first cost or price at or beyond it."""
    bounded = [c for c in values.BOUNDED_COLUMNS if c in projected]
    row = first_row(
        con,
        ", ".join(f"{projected[c]} AS {quote(c)}" for c in bounded),
        source,
        " OR ".join(values.beyond_bound(quote(c)) for c in bounded),
    )
    found = [(c, float(str(v))) for c, v in zip(bounded, row[1:] if row else (), strict=False) if v is not None]
    over = next(((c, v) for c, v in found if abs(v) >= values.MONEY_BOUND), None)
    if not row or over is None:
        return f"a cost or price is {BEYOND_BOUND}"
    return f"column {over[0]}, data row {row[0]}: {over[1]:.6g} is {BEYOND_BOUND}"


def undated(con: duckdb.DuckDBPyConnection, source: str, projected: dict[str, str]) -> object | None:
    """The number of the first row with a cost or a category but no ChargePeriodStart."""
    row = first_row(
        con,
        f"{projected['ChargePeriodStart']} AS start, {projected.get('BilledCost', 'NULL')} AS billed, "
        f"{projected.get('ChargeCategory', 'NULL')} AS category",
        source,
        "start IS NULL AND NOT (billed IS NULL AND category IS NULL)",
    )
    return row[0] if row else None
