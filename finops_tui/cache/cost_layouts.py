"""The tables behind the `costs` view: one per layout (the `costs` columns an append gave, and its shared values).

From schema v7 (schema.LAYOUT_VERSION) cost rows are stored only with the columns their source had: a
narrow billing file's rows go to a table of its columns, a full FOCUS file's to one of all of them, Cost
Explorer rows to one of theirs. A value every row of an append shares (the source kind, the format label)
can be a property of the layout instead of a column written on each row. `costs` is a view that projects
every layout table onto the declared column list (schema.COST_COLUMNS, same order and types; a column a
table lacks is a typed NULL, a shared value a typed constant) and joins them with UNION ALL, so every
reader, rollup and SQL user keeps querying `costs` unchanged, and a filter on a shared value skips whole
tables. Writes cannot go through a view: the cost load (cost_load.py) appends to the layout's table and
deletes from each one. The registry table `cost_layouts` lists the tables; the view is generated from it
whenever a table is added or dropped, inside the writer's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb

from finops_tui.cache.schema import COST_COLUMNS, COST_LAYOUTS, COSTS, layout_table_name

VIEW = COSTS.name
_BY_LOWER = {name.lower(): name for name in COST_COLUMNS}


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


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


@dataclass(frozen=True)
class Layout:
    """What a layout table stores on each row (`columns`) and what all its rows share (`constants`)."""

    columns: tuple[str, ...]
    constants: tuple[tuple[str, str], ...] = ()  # (column, value), in declared column order

    @classmethod
    def of(cls, columns: Iterable[str], constants: Mapping[str, str] | None = None) -> Layout:
        """KeyError for a name `costs` does not have; ValueError for a column that is both."""
        shared = {canonical([name])[0]: value for name, value in (constants or {}).items()}
        stored = canonical(columns)
        if both := set(stored) & set(shared):
            raise ValueError(f"{sorted(both)} given both as columns and as shared values")
        return cls(stored, tuple((c, shared[c]) for c in COST_COLUMNS if c in shared))

    @property
    def table(self) -> str:
        return layout_table_name(self.columns, dict(self.constants))

    def projection(self) -> str:
        """The select list that turns a row of this table into a row of `costs`: every declared column, in order."""
        present, shared = set(self.columns), dict(self.constants)
        return ", ".join(
            quote(name)
            if name in present
            else f"CAST({literal(shared[name]) if name in shared else 'NULL'} AS {kind}) AS {quote(name)}"
            for name, kind in COST_COLUMNS.items()
        )


NO_ROWS = Layout(())  # the projection of a view over no table


def registered(con: duckdb.DuckDBPyConnection, database: str | None = None) -> dict[str, Layout]:
    """Every layout table and its layout, by table name (of an attached `database`, if named)."""
    registry = f"{database}.{COST_LAYOUTS.name}" if database else COST_LAYOUTS.name
    rows = con.execute(f"SELECT table_name, columns, constants FROM {registry} ORDER BY 1").fetchall()
    return {
        str(table): Layout(tuple(json.loads(columns)), tuple(json.loads(constants or "{}").items()))
        for table, columns, constants in rows
    }


def view_sql(layouts: Mapping[str, Layout]) -> str:
    """CREATE OR REPLACE VIEW costs over `layouts`; over none, a view with no rows and the same columns."""
    if not layouts:
        return f"CREATE OR REPLACE VIEW {VIEW} AS SELECT {NO_ROWS.projection()} WHERE false"
    branches = [f"SELECT {layout.projection()} FROM {quote(table)}" for table, layout in layouts.items()]
    return f"CREATE OR REPLACE VIEW {VIEW} AS " + "\nUNION ALL\n".join(branches)


def create_view(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(view_sql(registered(con)))


def ensure(con: duckdb.DuckDBPyConnection, layout: Layout) -> tuple[str, bool]:
    """The table of `layout`, created with its registry row and a new view when the cache has none yet;
    returns (table, created). Inside a transaction, a rollback undoes all three."""
    table = layout.table
    if con.execute(f"SELECT count(*) FROM {COST_LAYOUTS.name} WHERE table_name = ?", [table]).fetchall()[0][0]:
        return table, False
    con.execute(
        f"CREATE TABLE {quote(table)} (" + ", ".join(f"{quote(c)} {COST_COLUMNS[c]}" for c in layout.columns) + ")"
    )
    con.execute(
        f"INSERT INTO {COST_LAYOUTS.name} VALUES (?, ?, ?)",
        [table, json.dumps(layout.columns), json.dumps(dict(layout.constants))],
    )
    create_view(con)
    return table, True


def drop_empty(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Drop the layout tables left without rows (every slice they held was replaced from another layout),
    so the view does not scan them forever; returns their names."""
    empty = [t for t in registered(con) if not con.execute(f"SELECT 1 FROM {quote(t)} LIMIT 1").fetchall()]
    for table in empty:
        con.execute(f"DROP TABLE {quote(table)}")
        con.execute(f"DELETE FROM {COST_LAYOUTS.name} WHERE table_name = ?", [table])
    if empty:
        create_view(con)
    return empty


def adopt_costs_table(con: duckdb.DuckDBPyConnection) -> None:
    """Schema v7: the `costs` table of v1-v6 (every declared column) becomes its layout's table by a rename
    (no rows are copied, so it is instant at any size) and `costs` becomes the view over it."""
    names = con.execute(
        f"SELECT column_name FROM duckdb_columns() WHERE table_name = '{VIEW}' AND database_name = current_database() "
        "AND schema_name = 'main' ORDER BY column_index"
    ).fetchall()
    layout = Layout.of(str(r[0]) for r in names)
    con.execute(f"ALTER TABLE {VIEW} RENAME TO {quote(layout.table)}")
    con.execute(f"INSERT INTO {COST_LAYOUTS.name} VALUES (?, ?, '{{}}')", [layout.table, json.dumps(layout.columns)])
    create_view(con)
