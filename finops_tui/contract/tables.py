"""Tabular results that cross the contract: an Arrow table, optionally with a declared schema.

Locally the table stays Arrow end to end (the grid renders it without a copy). Serialised, it is
`{"columns": [{"name", "type"}], "rows": [[...], ...]}`, which any HTTP client can read, and it
parses back into the same Arrow table. A subclass that declares `SCHEMA` is held to it: the
columns, their order and their types are part of the contract.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Self

import pyarrow as pa
from pydantic import BaseModel, ConfigDict, field_serializer, field_validator

_SIMPLE_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "large_string": pa.large_string(),
    "bool": pa.bool_(),
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "uint8": pa.uint8(),
    "uint16": pa.uint16(),
    "uint32": pa.uint32(),
    "uint64": pa.uint64(),
    "float": pa.float32(),
    "double": pa.float64(),
    "date32[day]": pa.date32(),
    "null": pa.null(),
}
_NEEDS_CAST = (pa.types.is_temporal, pa.types.is_decimal)


def arrow_type(name: str) -> pa.DataType | None:
    """The Arrow type `str(type)` printed, for the flat types results hold; None for nested ones."""
    if name in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[name]
    if m := re.fullmatch(r"timestamp\[(s|ms|us|ns)(?:, tz=(.+))?\]", name):
        return pa.timestamp(m.group(1), tz=m.group(2))
    if m := re.fullmatch(r"decimal(?:128)?\((\d+), (\d+)\)", name):
        return pa.decimal128(int(m.group(1)), int(m.group(2)))
    return None


def _column(values: list[Any], type_name: str) -> pa.Array:
    target = arrow_type(type_name)
    if target is None:
        return pa.array(values)  # nested (list, struct, map): inferred from the JSON values
    if any(check(target) for check in _NEEDS_CAST):
        return pa.array([None if v is None else str(v) for v in values], pa.string()).cast(target)
    return pa.array(values, type=target)


def table_from_json(data: dict[str, Any]) -> pa.Table:
    columns = data["columns"]
    rows = data["rows"]
    arrays = [_column([row[i] for row in rows], c["type"]) for i, c in enumerate(columns)]
    return pa.Table.from_arrays(arrays, names=[c["name"] for c in columns])


class TableData(BaseModel):
    """An Arrow table; subclasses set `SCHEMA` to fix its columns and types."""

    model_config = ConfigDict(arbitrary_types_allowed=True, frozen=True)
    SCHEMA: ClassVar[pa.Schema | None] = None

    table: pa.Table

    @classmethod
    def of(cls, table: pa.Table) -> Self:
        """Wrap `table`, casting it to the declared schema (which must name every declared column)."""
        return cls(table=table)

    @field_validator("table", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> pa.Table:
        table = table_from_json(value) if isinstance(value, dict) else value
        if not isinstance(table, pa.Table):
            raise ValueError("expected an Arrow table or {'columns': [...], 'rows': [...]}")
        if cls.SCHEMA is None:
            return table
        missing = [n for n in cls.SCHEMA.names if n not in table.column_names]
        if missing:
            raise ValueError(f"{cls.__name__}: missing column(s) {', '.join(missing)}")
        return table.select(cls.SCHEMA.names).cast(cls.SCHEMA)

    @field_serializer("table")
    def _dump(self, table: pa.Table) -> dict[str, Any]:
        names = table.column_names
        return {
            "columns": [{"name": f.name, "type": str(f.type)} for f in table.schema],
            "rows": [[row[n] for n in names] for row in table.to_pylist()],
        }

    @property
    def num_rows(self) -> int:
        return int(self.table.num_rows)

    def rows(self) -> list[dict[str, Any]]:
        return list(self.table.to_pylist())


def _schema(*fields: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(name, kind) for name, kind in fields])


S, F, D = pa.string(), pa.float64(), pa.date32()


class RankedTable(TableData):
    """Spend per name (service, account, region, provider) this period vs the same days of the last."""

    SCHEMA = _schema(("name", S), ("month_to_date", F), ("previous_same_days", F), ("delta", F), ("delta_pct", F))


class ResourcesTable(TableData):
    SCHEMA = _schema(
        ("resource", S), ("this_month", F), ("last_month", F), ("idle", S), ("service", S), ("account", S),
        ("region", S), ("type", S), ("idle_reason", S), ("state", S), ("resource_id", S),
    )  # fmt: skip


class BudgetsTable(TableData):
    SCHEMA = _schema(
        ("budget", S), ("status", S), ("used_pct", F), ("actual", F), ("amount", F), ("forecast", F),
        ("forecast_pct", F), ("last_period", F), ("scope", S), ("period", S), ("currency", S),
        ("period_start", D), ("as_of", D), ("budget_id", S), ("parent", S),
        # local analysis (issue 12): where the budget comes from, its interval, burn and breach
        ("origin", S), ("period_end", D), ("forecast_lower", F), ("forecast_upper", F), ("burn_rate", F),
        ("target_rate", F), ("breach_date", D), ("depth", pa.int32()), ("note", S),
    )  # fmt: skip


class AnomaliesTable(TableData):
    SCHEMA = _schema(
        ("severity", S), ("type", S), ("start_date", D), ("end_date", D), ("service", S), ("account", S),
        ("region", S), ("actual", F), ("expected", F), ("impact", F), ("currency", S), ("root_cause", S),
        ("status", S), ("anomaly_id", S),
    )  # fmt: skip


class OptimizationsTable(TableData):
    SCHEMA = _schema(
        ("type", S), ("resource_id", S), ("description", S), ("monthly_savings", F), ("currency", S),
        ("risk", S), ("confidence", F), ("effort", S), ("status", S), ("region", S), ("account", S),
        ("optimization_id", S),
    )  # fmt: skip
