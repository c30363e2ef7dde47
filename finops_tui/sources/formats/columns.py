"""The columns of one billing file, looked up the way exports name them.

Exports differ in case (`BilledCost` vs `billedcost`), in separators (`lineItem/UnblendedCost`,
`line_item_unblended_cost`, `service.description`) and in nesting (BigQuery's `service` is a
STRUCT in Parquet and JSON but a dotted column name in CSV). `SourceColumns` hides that: a
format asks for a name, gets a SQL reference, and the columns it used are remembered so the
rest can be kept verbatim as extensions.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _split_top_level(text: str) -> list[str]:
    parts, depth, current, in_quote = [], 0, [], False
    for ch in text:
        if ch == '"':
            in_quote = not in_quote
        elif not in_quote and ch in "([":
            depth += 1
        elif not in_quote and ch in ")]":
            depth -= 1
        if ch == "," and depth == 0 and not in_quote:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    if current:
        parts.append("".join(current).strip())
    return parts


def struct_fields(type_text: str) -> dict[str, str]:
    """Field name (lower case) -> (name, type) of a DuckDB STRUCT type string; {} for other types."""
    if not type_text.startswith("STRUCT(") or not type_text.endswith(")"):
        return {}
    fields = {}
    for part in _split_top_level(type_text[len("STRUCT(") : -1]):
        if part.startswith('"'):
            end = part.index('"', 1)
            name, kind = part[1:end], part[end + 1 :].strip()
        else:
            name, _, kind = part.partition(" ")
        fields[name.lower()] = (name, kind.strip())
    return fields


@dataclass
class SourceColumns:
    """Columns of a file as DuckDB describes them: (name, type) pairs in file order."""

    described: list[tuple[str, str]]
    used: set[str] = field(default_factory=set)

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
        ref, kind = quote(top[0]), top[1]
        for part in rest.split("."):
            sub = struct_fields(kind).get(part.lower())
            if sub is None:
                return None
            ref, kind = f"{ref}.{quote(sub[0])}", sub[1]
        return ref, kind, top[0]

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
