"""Bounds on what one query result may hold, enforced inside DuckDB before a value reaches Python.

DuckDB's memory_limit covers its own operators, not the Arrow and Python copies of a result. A
single cell can hold a list of 100M values or a 2 GB string; fetching it would take several times
that outside the limit. So a user query is wrapped in a projection that raises a clear error for
any cell over the cap (DuckDB's `error()`), and results are fetched in bounded Arrow batches.
"""

from __future__ import annotations

import duckdb

MAX_CELL_CHARS = 1_000_000  # characters of text (or bytes of a blob) in one cell
MAX_CELL_VALUES = 100_000  # elements of a list or map in one cell
MAX_RESULT_BYTES = 512 * 1024 * 1024  # one materialised result (the SQL pane): Arrow bytes
BATCH_ROWS = 10_000  # rows per streamed batch


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _guard(name: str, kind: str) -> str | None:
    """A projection that raises when `name`'s value is over the cap, or None for bounded types."""
    column = _quote(name)
    if kind in ("VARCHAR", "BLOB", "BIT", "JSON"):
        size, cap, unit = f"octet_length({column}::BLOB)", MAX_CELL_CHARS, "bytes"
    elif kind == "LIST":
        size, cap, unit = f"len({column})", MAX_CELL_VALUES, "values"
    elif kind == "MAP":
        size, cap, unit = f"cardinality({column})", MAX_CELL_VALUES, "values"
    else:
        return None
    message = (
        f"a value in column {name} holds more than {cap:,} {unit}, more than a result cell may hold; "
        "aggregate it, or select a slice (e.g. list_slice, left())"
    )
    return f"CASE WHEN {size} > {cap} THEN error({_literal(message)}) ELSE {column} END AS {column}"


def bounded(relation: duckdb.DuckDBPyRelation) -> duckdb.DuckDBPyRelation:
    """`relation` with every unbounded column checked against the cell caps, same columns and types."""
    guards = []
    changed = False
    for name, kind in zip(relation.columns, relation.types, strict=True):
        guard = _guard(name, str(getattr(kind, "id", kind)).upper())
        changed = changed or guard is not None
        guards.append(guard or _quote(name))
    if not changed or len(set(relation.columns)) != len(relation.columns):
        return relation  # duplicate names cannot be projected by name; batches are still bounded
    return relation.project(", ".join(guards))
