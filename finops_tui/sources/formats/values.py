"""SQL expressions that turn exported text into cache types, strictly.

A value that is present but does not parse raises inside DuckDB with a marker
(`finops:<kind>:<column>`), so the load stops on the first bad value; staging then runs one
more query to name the row. Blank and NULL stay NULL. Money is DECIMAL(38,12) so sums are exact.

MONEY_BOUND: a cost or price of 10^15 or more (either sign) is refused. DECIMAL(38,12) holds 26
integer digits, so a few rows near its limit (9e25) would overflow every sum and break each total
and the KPI tab; below 10^15 a sum of up to 10^11 rows stays exact, and no real bill comes near.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from finops_tui.cache.schema import MONEY, MONEY_COLUMNS
from finops_tui.sources.formats.columns import SourceColumns, literal

_NUMERIC = (
    "DECIMAL",
    "DOUBLE",
    "FLOAT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "SMALLINT",
    "TINYINT",
    "UBIGINT",
    "UINTEGER",
    "REAL",
)
_ISO_TIME = "try_cast({c} AS TIMESTAMPTZ)::TIMESTAMP"
_US_DATE = (
    "CASE WHEN regexp_matches({c}, '^\\d{{1,2}}/\\d{{1,2}}/\\d{{2}}( |$)') "
    "THEN try_strptime({c}, ['%m/%d/%y', '%m/%d/%y %H:%M', '%m/%d/%y %H:%M:%S']) "
    "ELSE try_strptime({c}, ['%m/%d/%Y', '%m/%d/%Y %H:%M', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %I:%M:%S %p']) END"
)


MONEY_BOUND = 10**15
BOUND_TEXT = f"1e15 ({MONEY_BOUND:,}), either sign"
# FOCUS money columns the bound applies to: costs and prices (quantities are never summed as money).
BOUNDED_COLUMNS = tuple(c for c in MONEY_COLUMNS if not c.endswith("Quantity"))


def beyond_bound(expr: str) -> str:
    """SQL condition: the money value `expr` is at or beyond MONEY_BOUND."""
    return f"abs({expr}) >= {MONEY_BOUND}"


def marker(kind: str, name: str) -> str:
    return f"error({literal(f'finops:{kind}:{name}')})"


def money_parse(c: str) -> str:
    """Plain decimals, scientific notation, and '$1,234.50'-style text (symbol and thousands commas only)."""
    formatted = (
        f"CASE WHEN regexp_matches({c}, '^\\s*-?[$€£¥]?\\s*\\d{{1,3}}(,\\d{{3}})+(\\.\\d+)?\\s*$|"
        f"^\\s*-?[$€£¥]\\s*\\d+(\\.\\d+)?\\s*$') "
        f"THEN try_cast(regexp_replace({c}, '[$€£¥,\\s]', '', 'g') AS {MONEY}) END"
    )
    return f"coalesce(try_cast(trim({c}) AS {MONEY}), try_cast(try_cast(trim({c}) AS DOUBLE) AS {MONEY}), {formatted})"


def time_parse(c: str) -> str:
    return f"coalesce({_ISO_TIME.format(c=c)}, {_US_DATE.format(c=c)})"


# Exact numeric types every value of which fits DECIMAL(38,12): casting them cannot fail (a larger scale
# only rounds), so they need no per-row check.
_INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


def _always_fits(kind: str) -> bool:
    decimal = _DECIMAL.fullmatch(kind)
    if decimal:
        return int(decimal.group(1)) - int(decimal.group(2)) <= 26
    return kind in _INTEGERS


def money(cols: SourceColumns, name: str) -> str:
    c, kind = cols.ref(name), cols.type_of(name)
    if _always_fits(kind):
        return f"CAST({c} AS {MONEY})"
    if kind.startswith(_NUMERIC):  # NaN, infinity or beyond DECIMAL's range: named like text that does not parse
        return f"CASE WHEN {c} IS NULL THEN NULL ELSE coalesce(try_cast({c} AS {MONEY}), {marker('money', name)}) END"
    return f"CASE WHEN {c} IS NULL THEN NULL ELSE coalesce({money_parse(c)}, {marker('money', name)}) END"


def timestamp(cols: SourceColumns, name: str) -> str:
    c, kind = cols.ref(name), cols.type_of(name)
    if kind.startswith("TIMESTAMP WITH TIME ZONE"):
        return f"CAST(timezone('UTC', {c}) AS TIMESTAMP)"
    if kind.startswith("TIMESTAMP") or kind == "DATE":
        return f"CAST({c} AS TIMESTAMP)"
    return f"CASE WHEN {c} IS NULL THEN NULL ELSE coalesce({time_parse(c)}, {marker('time', name)}) END"


def json_value(cols: SourceColumns, name: str) -> str:
    c, kind = cols.ref(name), cols.type_of(name)
    if kind.startswith(("MAP", "STRUCT", "JSON")) or kind.endswith("[]"):
        return f"CASE WHEN {c} IS NULL THEN NULL ELSE to_json({c}) END"
    # Invalid JSON is kept, wrapped, and counted as a warning rather than dropping the row.
    # One parse per value (try_cast), not json_valid and then a cast: this runs on every row.
    return f"coalesce(try_cast({c} AS JSON), CASE WHEN trim({c}) <> '' THEN to_json({{'x_unparsed': {c}}}) END)"


def text(cols: SourceColumns, name: str) -> str:
    return f"NULLIF(CAST({cols.ref(name)} AS VARCHAR), '')"


def parser_for(kind: str) -> tuple[Callable[[str], str], str]:
    """(lenient parse expression builder, what a valid value looks like) for a marker kind."""
    if kind == "money":
        return money_parse, "a number"
    return time_parse, "a date/time (ISO 8601 such as 2024-09-01T00:00:00Z, or M/D/YYYY)"


def tags_from_columns(cols: SourceColumns, prefix: str) -> str:
    """One JSON object from one-column-per-tag exports (`resourceTags/user:team`, `tags/Oracle-Tags.CreatedBy`):
    keys are the column names without `prefix`, blank values are left out, no tags at all is NULL."""
    tag_columns = [name for name, _ in cols.described if name.lower().startswith(prefix.lower())]
    if not tag_columns:
        return "CAST(NULL AS JSON)"
    entries = ", ".join(
        f"{{'k': {literal(name[len(prefix) :])}, 'v': NULLIF(CAST({cols.ref(name)} AS VARCHAR), '')}}"
        for name in tag_columns
    )
    pairs = f"list_filter([{entries}], lambda e: e.v IS NOT NULL)"
    return f"CASE WHEN len({pairs}) > 0 THEN to_json(map_from_entries({pairs})) END"


def first_text(cols: SourceColumns, *names: str) -> str:
    """text() of the first of `names` the file has; a typed NULL when it has none (the column is optional)."""
    found = cols.first(*names)
    return text(cols, found) if found else "CAST(NULL AS VARCHAR)"


def first_money(cols: SourceColumns, *names: str) -> str:
    found = cols.first(*names)
    return money(cols, found) if found else f"CAST(NULL AS {MONEY})"


def first_timestamp(cols: SourceColumns, *names: str) -> str:
    found = cols.first(*names)
    return timestamp(cols, found) if found else "CAST(NULL AS TIMESTAMP)"
