"""How a grid shows values to people: words for headers, one money format, a dim dash for NULL, ids cut in the middle.

Only the display copy is formatted; the grid keeps the raw Arrow table for sorting, filtering,
describing (`d`) and copying (`y`), so nothing a user copies is rounded or ellipsised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pyarrow as pa
from rich.text import Text

from finops_tui.money import format_money
from finops_tui.terminal_text import CONTROLS_PATTERN, escape_controls

NULL_MARKUP = "[dim]—[/]"
ID_WIDTH = 28  # an id longer than this shows its start, an ellipsis and its distinctive end
_WORDS = {"pct": "%", "id": "id", "delta": "Δ", "abs": "abs"}


@dataclass(frozen=True)
class GridFormat:
    """What a pane tells its grid about its columns."""

    money: frozenset[str] = frozenset()  # shown as money in `currency` or the row's `currency_column`
    signed: frozenset[str] = frozenset()  # money deltas: '+$12.00'
    decimals: dict[str, int] = field(default_factory=dict)  # other numbers rounded for display
    currency_column: str | None = None
    drop_order: tuple[str, ...] = ()  # columns hidden first when the terminal is narrow
    humanize: bool = True  # False for user SQL: its column names are the user's own
    max_width: int = 48  # cells a column's content may take before it is cut with an ellipsis
    omit: tuple[str, ...] = ()  # kept for enter, d and y, never shown (a raw key beside its label)


def header_label(name: str, humanize: bool = True) -> str:
    """'this_month' → 'This month', 'delta_pct' → 'Δ %', 'resource_id' → 'Resource id'."""
    if not humanize or "_" not in name and not name.islower():
        return escape_controls(name)
    words = [_WORDS.get(w, w) for w in name.split("_") if w]
    text = " ".join(words)
    return escape_controls(text[:1].upper() + text[1:])


def is_id_column(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith("_id") or lowered.endswith("id") and lowered != "paid" or lowered in {"arn", "dataset"}


def middle_ellipsis(text: str, width: int = ID_WIDTH) -> str:
    """Keep the start and the end (where an ARN or a long id differs) and drop the middle."""
    if len(text) <= width:
        return text
    tail = (width - 1) * 2 // 3
    return f"{text[: width - 1 - tail]}…{text[-tail:]}"


def _escaped(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    import pyarrow.compute as pc  # only when used: 8 MB and 25 ms the first frame does not need

    if not pc.any(pc.match_substring_regex(column, CONTROLS_PATTERN)).as_py():
        return column
    return pa.array([None if v is None else escape_controls(v) for v in column.to_pylist()], column.type)


def _right(values: list[str | None]) -> pa.Array:
    """Strings padded to one width: they read right-aligned, like the numbers they are."""
    width = max((len(v) for v in values if v is not None), default=0)
    return pa.array([None if v is None else v.rjust(width) for v in values], pa.string())


def display_table(table: pa.Table, fmt: GridFormat, currency: str | None) -> pa.Table:
    """The copy of `table` a DataTable renders."""
    currencies: list[str | None] | None = None
    if fmt.currency_column and fmt.currency_column in table.column_names:
        currencies = table[fmt.currency_column].to_pylist()
    omitted = [c for c in fmt.omit if c in table.column_names]
    if omitted:
        table = table.drop_columns(omitted)
    columns = []
    for f, column in zip(table.schema, table.columns, strict=True):
        numeric = pa.types.is_floating(f.type) or pa.types.is_decimal(f.type) or pa.types.is_integer(f.type)
        if f.name in fmt.money and numeric:
            values = column.to_pylist()
            signed = f.name in fmt.signed
            cells = [
                None if v is None else format_money(v, currencies[i] if currencies else currency, signed=signed)
                for i, v in enumerate(values)
            ]
            column = _right(cells)
        elif f.name in fmt.decimals and numeric:
            places = fmt.decimals[f.name]
            column = _right([None if v is None else f"{float(v):,.{places}f}" for v in column.to_pylist()])
        elif pa.types.is_floating(f.type) or pa.types.is_decimal(f.type):
            column = _right([None if v is None else f"{float(v):,.2f}" for v in column.to_pylist()])
        elif pa.types.is_string(f.type) or pa.types.is_large_string(f.type):
            column = _escaped(column)
            if is_id_column(f.name):
                column = pa.array([None if v is None else middle_ellipsis(v) for v in column.to_pylist()], pa.string())
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def column_widths(table: pa.Table, labels: Sequence[str], cap: int = 48) -> list[int]:
    """Cells each column needs (content or header, whichever is wider, at most `cap`)."""
    import pyarrow.compute as pc  # only when used: 8 MB and 25 ms the first frame does not need

    widths = []
    for label, column in zip(labels, table.columns, strict=True):
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            longest = pc.max(pc.utf8_length(column)).as_py() or 0
        else:
            longest = max((len(str(v)) for v in column.to_pylist()[:200]), default=0)
        widths.append(min(cap, max(len(label) + 2, int(longest))))
    return widths


def header_text(label: str, arrow: str | None) -> Text:
    return Text.assemble(label, (f" {arrow}", "bold") if arrow else "")


def columns_to_hide(display: pa.Table, fmt: GridFormat, width: int) -> list[str]:
    """Columns dropped, in the pane's order, until the rest fit `width`; then any early one that fits again."""
    if not width or not fmt.drop_order:
        return []
    labels = [header_label(n, fmt.humanize) for n in display.column_names]
    need = dict(zip(display.column_names, (w + 2 for w in column_widths(display, labels, fmt.max_width)), strict=True))
    room = width - 2
    total, hidden = sum(need.values()), []
    for name in fmt.drop_order:
        if total <= room:
            break
        if name in need:
            hidden.append(name)
            total -= need[name]
    for name in reversed(hidden[:-1]):  # one hidden early may fit in what a wide one left
        if total + need[name] <= room:
            hidden.remove(name)
            total += need[name]
    return hidden
