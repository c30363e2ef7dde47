"""How one declaration of a cache table becomes everything else: its DDL, its Arrow schema, and the
check that rows handed to a writer fit it.

A column names its DuckDB type only; the Arrow type is derived from it, so the two can never
disagree. Every column is nullable: data a source did not give is NULL, never invented.
A column added after its table was first created says so (`added_in`), and the migration of
that version adds it, so an old cache and a fresh one end up with the same columns in the same
order. The declarations themselves are in cache/schema.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

import pyarrow as pa

DATASET_ID = "x_dataset_id"  # filled by the dataset writer from its dataset id, never by a collector

_SIMPLE_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "JSON": pa.string(),  # DuckDB parses the text when it is stored
    "BOOLEAN": pa.bool_(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),  # UTC, without a zone, as everywhere in the cache
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")


def arrow_type(duckdb_type: str) -> pa.DataType:
    """The Arrow type DuckDB reads back as `duckdb_type` (JSON excepted: Arrow carries it as text)."""
    if duckdb_type.endswith("[]"):
        return pa.list_(arrow_type(duckdb_type[:-2]))
    if decimal := _DECIMAL.fullmatch(duckdb_type):
        return pa.decimal128(int(decimal[1]), int(decimal[2]))
    try:
        return _SIMPLE_TYPES[duckdb_type]
    except KeyError:
        raise ValueError(
            f"no Arrow type is declared for DuckDB type {duckdb_type!r}; add it to _SIMPLE_TYPES"
        ) from None


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type, spelled as DESCRIBE prints it (the schema test compares the two)
    doc: str = ""
    added_in: int | None = None  # schema version that added it to an existing table; None: with the table

    @property
    def arrow_type(self) -> pa.DataType:
        return arrow_type(self.type)

    @property
    def ddl(self) -> str:
        return f'"{self.name}" {self.type}'


@dataclass(frozen=True)
class Table:
    """One cache table: its columns in storage order and the schema version that creates it."""

    name: str
    created_in: int
    columns: tuple[Column, ...]
    doc: str = ""

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")

    def columns_at(self, version: int) -> tuple[Column, ...]:
        """The columns the table has at schema `version`."""
        return tuple(c for c in self.columns if c.added_in is None or c.added_in <= version)

    def create_sql(self, version: int | None = None) -> str:
        """CREATE TABLE for the shape at `version` (default: the latest)."""
        columns = self.columns if version is None else self.columns_at(version)
        return f"CREATE TABLE {self.name} (\n    " + ",\n    ".join(c.ddl for c in columns) + "\n)"

    def add_column_sql(self, version: int) -> list[str]:
        """ALTER TABLE statements for the columns schema `version` adds to this existing table."""
        return [f"ALTER TABLE {self.name} ADD COLUMN {c.ddl}" for c in self.columns if c.added_in == version]

    def arrow_schema(self, names: Iterable[str] | None = None) -> pa.Schema:
        """Arrow schema of `names` (default: every column), in the order given."""
        chosen = self.columns if names is None else tuple(self.column(n) for n in names)
        return pa.schema([(c.name, c.arrow_type) for c in chosen])

    @cached_property
    def row_schema(self) -> pa.Schema:
        """What a collector fills: every column except the dataset id, which the writer sets."""
        return self.arrow_schema(n for n in self.names if n != DATASET_ID)

    def conform(self, rows: pa.Table) -> pa.Table:
        """`rows` with each column cast to its declared type; ValueError naming the first that does not fit.

        Casts are safe (overflow and lost digits are refused) and only within a family: any number to
        a number, text to text, a date or time to a timestamp, a date to a date, lists element-wise.
        An all-null column fits anything."""
        unknown = [n for n in rows.column_names if n not in self.names]
        if unknown:
            raise ValueError(
                f"{self.name}: columns {unknown} are not in the cache schema; the table has {', '.join(self.names)} "
                "(declared in finops_tui/cache/schema.py)"
            )
        fields = []
        for field in rows.schema:
            column = self.column(field.name)
            expected = column.arrow_type
            if field.type != expected and not _compatible(field.type, expected):
                raise ValueError(
                    f"{self.name}.{field.name}: expected {expected} (DuckDB {column.type}), got {field.type}; "
                    f"build the column as {expected} (the schema in finops_tui/cache/schema.py)"
                )
            fields.append(pa.field(field.name, expected))
        try:
            return rows.cast(pa.schema(fields), safe=True)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise ValueError(f"{self.name}: a value does not fit its declared column type: {exc}") from None


_FAMILIES: tuple[tuple[Callable[[pa.DataType], bool], Callable[[pa.DataType], bool]], ...] = (
    # (the incoming type, the declared types it may be cast to)
    (
        lambda t: pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t),
        lambda t: pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t),
    ),
    (lambda t: pa.types.is_string(t) or pa.types.is_large_string(t), pa.types.is_string),
    (lambda t: pa.types.is_timestamp(t) or pa.types.is_date(t), pa.types.is_timestamp),
    (pa.types.is_date, pa.types.is_date),
)


def _compatible(actual: pa.DataType, expected: pa.DataType) -> bool:
    if pa.types.is_null(actual):
        return True
    if pa.types.is_list(actual) or pa.types.is_large_list(actual):
        return pa.types.is_list(expected) and _compatible(actual.value_type, expected.value_type)
    return any(incoming(actual) and declared(expected) for incoming, declared in _FAMILIES)
