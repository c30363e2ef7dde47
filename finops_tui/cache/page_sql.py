"""ORDER BY, WHERE-text and LIMIT/OFFSET for a paged read, so sorting and filtering cover every row.

Sort columns are checked against the table's declared columns (they are written into the SQL);
the needle is a parameter, matched case-insensitively against every column cast to text, so
`/1234` finds a cost of 1234.50 as well as an id that contains 1234.
"""

from __future__ import annotations

from collections.abc import Sequence

from finops_tui.contract.paging import PageRequest
from finops_tui.errors import QueryError


def needle_sql(columns: Sequence[str], needle: str) -> tuple[str, list[str]]:
    if not needle:
        return "TRUE", []
    text = ", ".join(f'CAST("{c}" AS VARCHAR)' for c in columns)
    return f"contains(lower(concat_ws(chr(31), {text})), lower(?))", [needle]


def order_sql(page: PageRequest, columns: Sequence[str], default: str) -> str:
    if page.sort is None:
        return default
    if page.sort not in columns:
        raise QueryError(f"Cannot sort by {page.sort!r}: use one of {', '.join(columns)}.")
    direction = "DESC" if page.descending else "ASC"
    return f'"{page.sort}" {direction} NULLS LAST, {default}'


def limit_sql(page: PageRequest) -> str:
    return f"LIMIT {int(page.limit)} OFFSET {int(page.offset)}"
