"""The columns of one billing file, looked up the way exports name them.

Exports differ in case (`BilledCost` vs `billedcost`), in separators (`lineItem/UnblendedCost`,
`line_item_unblended_cost`, `service.description`) and in nesting (BigQuery's `service` is a
STRUCT in Parquet and JSON but a dotted column name in CSV). `SourceColumns` hides that: a
format asks for a name, gets a SQL reference, and the columns it used are remembered so the
rest can be kept verbatim as extensions.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import duckdb
from duckdb.sqltypes import DuckDBPyType


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_PARSING = threading.Lock()


def struct_fields(duck_type: DuckDBPyType) -> dict[str, tuple[str, DuckDBPyType]]:
    """Field name (lower case) -> (name, type) of a STRUCT type, as DuckDB parsed it; {} for other types."""
    if duck_type.id != "struct":
        return {}
    return {name.lower(): (name, kind) for name, kind in duck_type.children if isinstance(kind, DuckDBPyType)}


def parsed_type(type_text: str) -> DuckDBPyType | None:
    """DuckDB's own parse of a type as DESCRIBE prints it; None for one it cannot read back."""
    with _PARSING:  # parsed on the shared default connection, which is not for concurrent use
        try:
            return duckdb.sqltype(type_text)
        except duckdb.Error:
            return None


@dataclass
class SourceColumns:
    """Columns of a file as DuckDB describes them: (name, type) pairs in file order.

    Nested STRUCT fields are looked up in DuckDB's parsed types: those of the relation when built
    with `from_relation`, otherwise DuckDB's parse of the type text, once per column that needs it."""

    described: list[tuple[str, str]]
    used: set[str] = field(default_factory=set)
    types: dict[str, DuckDBPyType] = field(default_factory=dict)  # parsed types, by column name

    @classmethod
    def from_relation(cls, relation: duckdb.DuckDBPyRelation) -> SourceColumns:
        """The columns of a relation (binding it is enough: no row is read)."""
        types = list(zip(relation.columns, relation.types, strict=True))
        return cls([(name, str(kind)) for name, kind in types], types=dict(types))

    def __post_init__(self) -> None:
        self._by_lower: dict[str, tuple[str, str]] = {}
        for name, kind in self.described:
            # A UTF-8 byte-order mark can stick to the first header (Azure exports have one).
            self._by_lower.setdefault(name.strip().lstrip("\ufeff").lower(), (name, kind))

    @property
    def names_lower(self) -> set[str]:
        return set(self._by_lower)

    def _resolve(self, name: str) -> tuple[str, str, str] | None:
        """(sql reference, type, top-level column) for a column or a `struct.field` path."""
        hit = self._by_lower.get(name.lower())
        if hit:
            return quote(hit[0]), hit[1], hit[0]
        head, _, rest = name.partition(".")
        top = self._by_lower.get(head.lower())
        if not top or not rest:
            return None
        ref, kind = quote(top[0]), self._parsed(*top)
        for part in rest.split("."):
            sub = struct_fields(kind).get(part.lower()) if kind is not None else None
            if sub is None:
                return None
            ref, kind = f"{ref}.{quote(sub[0])}", sub[1]
        return ref, str(kind), top[0]

    def _parsed(self, name: str, type_text: str) -> DuckDBPyType | None:
        if name not in self.types:
            parsed = parsed_type(type_text)
            if parsed is None:
                return None
            self.types[name] = parsed
        return self.types[name]

    def has(self, name: str) -> bool:
        return self._resolve(name) is not None

    def first(self, *names: str) -> str | None:
        """The first of `names` this file has (as asked for), or None."""
        return next((n for n in names if self.has(n)), None)

    def ref(self, name: str) -> str:
        """SQL reference to `name`; marks the column as used. KeyError if absent."""
        found = self._resolve(name)
        if found is None:
            raise KeyError(name)
        self.used.add(found[2])
        return found[0]

    def type_of(self, name: str) -> str:
        found = self._resolve(name)
        if found is None:
            raise KeyError(name)
        return found[1]

    def actual(self, name: str) -> str:
        """The column's spelling in the file (for messages)."""
        found = self._resolve(name)
        return found[2] if found and "." not in name else name

    def unused(self) -> list[str]:
        return [name for name, _ in self.described if name not in self.used]

    def sample(self, limit: int = 8) -> str:
        """'3 columns: a, b, c' — what the file has, for error messages."""
        names = [name for name, _ in self.described[:limit]]
        more = " …" if len(self.described) > limit else ""
        return f"{len(self.described)} column{'s' if len(self.described) != 1 else ''}: {', '.join(names)}{more}"
