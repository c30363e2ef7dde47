"""The tables behind the `costs` view: one per layout (the set of `costs` columns an append gave).

From schema v7 (schema.LAYOUT_VERSION) cost rows are stored only with the columns their source had: a
narrow billing file's rows go to a table of its 25 columns, a full FOCUS file's to one of all 62, Cost
Explorer rows to one of theirs. `costs` is a view that projects every layout table onto the declared
column list (schema.COST_COLUMNS, same order and types; a column a table lacks is a typed NULL) and
joins them with UNION ALL, so every reader, rollup and SQL user keeps querying `costs` unchanged.
Writes cannot go through a view: the cost load (cost_load.py) appends to the layout table and deletes
from each one. The registry table `cost_layouts` lists the tables and their columns; the view is
generated from it whenever a table is added or dropped, inside the writer's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

import duckdb

from finops_tui.cache.schema import COST_COLUMNS, COST_LAYOUTS, COSTS, layout_table_name

VIEW = COSTS.name
_BY_LOWER = {name.lower(): name for name in COST_COLUMNS}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def canonical(names: Iterable[str]) -> tuple[str, ...]:
    """`names` as declared `costs` columns, in the declared order (DuckDB matches names case-insensitively,
    so `billedcost` is BilledCost). KeyError naming the first that `costs` does not have."""
    chosen = set()
    for name in names:
        try:
            chosen.add(_BY_LOWER[name.lower()])
        except KeyError:
            raise KeyError(name) from None
    return tuple(c for c in COST_COLUMNS if c in chosen)


def registered(con: duckdb.DuckDBPyConnection, database: str | None = None) -> dict[str, tuple[str, ...]]:
    """Every layout table and its columns, by table name (of an attached `database`, if named)."""
    registry = f"{database}.{COST_LAYOUTS.name}" if database else COST_LAYOUTS.name
    rows = con.execute(f"SELECT table_name, columns FROM {registry} ORDER BY 1").fetchall()
    return {str(table): tuple(json.loads(columns)) for table, columns in rows}


def projection(columns: Sequence[str]) -> str:
    """The select list that turns a table of `columns` into a row of `costs`: every declared column, in order."""
    present = set(columns)
    return ", ".join(
        quote(name) if name in present else f"CAST(NULL AS {kind}) AS {quote(name)}"
        for name, kind in COST_COLUMNS.items()
    )


def view_sql(layouts: Mapping[str, Sequence[str]]) -> str:
    """CREATE OR REPLACE VIEW costs over `layouts`; over none, a view with no rows and the same columns."""
    if not layouts:
        return f"CREATE OR REPLACE VIEW {VIEW} AS SELECT {projection(())} WHERE false"
    branches = [f"SELECT {projection(columns)} FROM {quote(table)}" for table, columns in layouts.items()]
    return f"CREATE OR REPLACE VIEW {VIEW} AS " + "\nUNION ALL\n".join(branches)


def create_view(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(view_sql(registered(con)))


def table_sql(table: str, columns: Sequence[str]) -> str:
    return f"CREATE TABLE {quote(table)} (" + ", ".join(f"{quote(c)} {COST_COLUMNS[c]}" for c in columns) + ")"


def ensure(con: duckdb.DuckDBPyConnection, columns: Iterable[str]) -> tuple[str, bool]:
    """The layout table for exactly `columns` (declared names), created with its registry row and a new view
    when the cache has none yet; returns (table, created). In a transaction, a rollback undoes all three."""
    layout = canonical(columns)
    table = layout_table_name(layout)
    if con.execute(f"SELECT count(*) FROM {COST_LAYOUTS.name} WHERE table_name = ?", [table]).fetchall()[0][0]:
        return table, False
    con.execute(table_sql(table, layout))
    con.execute(f"INSERT INTO {COST_LAYOUTS.name} VALUES (?, ?)", [table, json.dumps(layout)])
    create_view(con)
    return table, True


def drop_empty(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Drop the layout tables left without rows (every slice they held was replaced from another layout),
    so the view does not scan them forever; returns their names."""
    empty = [table for table in registered(con) if not con.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1").fetchall()]
    for table in empty:
        con.execute(f"DROP TABLE {quote(table)}")
        con.execute(f"DELETE FROM {COST_LAYOUTS.name} WHERE table_name = ?", [table])
    if empty:
        create_view(con)
    return empty


def adopt_costs_table(con: duckdb.DuckDBPyConnection) -> None:
    """Schema v7: the `costs` table of v1-v6 (every declared column) becomes the full layout's table by a
    rename (no rows are copied, so it is instant at any size) and `costs` becomes the view over it."""
    names = con.execute(
        f"SELECT column_name FROM duckdb_columns() WHERE table_name = '{VIEW}' AND database_name = current_database() "
        "AND schema_name = 'main' ORDER BY column_index"
    ).fetchall()
    columns = canonical(str(r[0]) for r in names)
    table = layout_table_name(columns)
    con.execute(f"ALTER TABLE {VIEW} RENAME TO {quote(table)}")
    con.execute(f"INSERT INTO {COST_LAYOUTS.name} VALUES (?, ?)", [table, json.dumps(columns)])
    create_view(con)
