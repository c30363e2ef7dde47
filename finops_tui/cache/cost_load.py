"""The cost load: one transaction that appends cost rows and then replaces the slices they cover.

Every cost write (billing-file ingest, the refresh's Cost Explorer rows, `ingest --check`) is a
`with CostLoad(con, ...) as load:` block. Entering begins the transaction and defines the view
`staged_costs`, the rows this load appended. A source only hands the load SQL projections
(`append`) or Arrow tables (`append_arrow`); it never begins, commits or rolls back itself.
Leaving the block normally finishes the load: older rows of every slice it touched go, rollups
and provenance follow, and it commits (`finish="keep"`: commit the rows as they are, allowed
only on a `files.scratch_session`). Leaving by an exception rolls back and re-raises, so the
connection is as it was before the block.

Rows are appended straight into the layout table of their columns (cost_layouts.py: `costs` is a
view over one table per set of columns; no staging copy: at 10M rows the extra copy cost more than
the parse). An append first asks DuckDB which columns its SELECT gives (a DESCRIBE: no rows are
read), then creates that layout's table, in the load's transaction, if the cache has none. The load
remembers each layout table's last row id on entry; rows appended in the transaction always have
higher row ids, and no checkpoint can renumber rows until it commits. A table the load created is
all new rows. `older_costs` carries the table of each older row, so slices are deleted per table.

When `append` fails, the load has already rolled back before `AppendFailed` reaches the caller
(DuckDB refuses every statement in a failed transaction), so the source may still query
`load.connection`, e.g. to name the row that did not parse, before leaving the block.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Literal

import duckdb
import pyarrow as pa

from finops_tui.cache import analysis_writes, cost_layouts, cost_slices, files
from finops_tui.cache.cost_slices import OLDER, STAGED, FileProvenance, LoadSummary
from finops_tui.errors import CacheError, IngestError

Finish = Literal["replace", "keep"]
_INCOMING = "incoming_costs"  # name an Arrow table is registered under while it is appended


class AppendFailed(IngestError):
    """DuckDB refused the rows of one `append`; the load is rolled back. `cause` is DuckDB's error."""

    def __init__(self, cause: duckdb.Error) -> None:
        self.cause = cause
        super().__init__(f"Cost rows could not be loaded: {_first_line(cause)}. Nothing was loaded.")


def _older_sql(layouts: dict[str, cost_layouts.Layout], marks: dict[str, int]) -> str:
    """(t: the layout table, r: the row id, x_DatasetId) of every row there before the load."""
    branches = [
        f"SELECT {cost_layouts.literal(t)} AS t, rowid AS r, x_DatasetId FROM (SELECT rowid, {layout.projection()} "
        f"FROM {cost_layouts.quote(t)} WHERE rowid <= {marks[t]})"
        for t, layout in layouts.items()
    ]
    none = "SELECT NULL::VARCHAR AS t, NULL::BIGINT AS r, NULL::VARCHAR AS x_DatasetId WHERE false"
    return "\nUNION ALL\n".join(branches) or none


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


class CostLoad:
    """One cost load on a write session's connection (or a scratch one); use it as a context manager.

    `source_kind` (FILE, DEMO, API) and `source` are recorded as provenance; `record_files`
    adds the files the rows came from. `summary` is readable after a "replace" load finished.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        source_kind: str,
        source: str | None = None,
        *,
        finish: Finish = "replace",
    ) -> None:
        self._con = con
        self.source_kind = source_kind
        self._source = source
        self._finish_mode: Finish = finish
        self._files: list[FileProvenance] = []
        self._state: Literal["new", "open", "rolled back", "finished"] = "new"
        self._summary: LoadSummary | None = None
        self._marks: dict[str, int] = {}  # layout table -> its last row id before the load
        self._appended: dict[str, int] = {}  # layout tables this load appended to -> their mark (-1: created by it)

    def __enter__(self) -> CostLoad:
        if self._state != "new":
            raise RuntimeError("A CostLoad is used once; make a new one for the next load.")
        if self._finish_mode == "keep" and not files.is_scratch(self._con):
            raise CacheError(
                "A load that keeps its rows without replacing older slices would double count in a cache; "
                "it runs only on a scratch database (files.scratch_session)."
            )
        # Asked, not tried: a failed BEGIN would abort the open load's transaction.
        if self._con.execute(f"SELECT count(*) FROM duckdb_views() WHERE view_name = '{STAGED}'").fetchall()[0][0]:
            raise CacheError("A cost load is already open on this connection; finish it before starting another.")
        self._con.execute("BEGIN TRANSACTION")
        self._state = "open"
        try:
            layouts = cost_layouts.registered(self._con)
            if layouts:
                marks = ", ".join(f"(SELECT coalesce(max(rowid), -1) FROM {cost_layouts.quote(t)})" for t in layouts)
                row = self._con.execute(f"SELECT {marks}").fetchall()[0]
                self._marks = {table: int(mark) for table, mark in zip(layouts, row, strict=True)}
            self._con.execute(f"CREATE OR REPLACE TEMP VIEW {OLDER} AS {_older_sql(layouts, self._marks)}")
            self._define_staged()
        except BaseException:
            self._roll_back()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None:
            self._roll_back()
            return  # the exception goes on
        if self._state != "open":
            raise CacheError("The cost load was rolled back after an error, so there is nothing to commit.")
        try:
            if self._finish_mode == "replace":
                self._summary = cost_slices.replace_older_slices(self._con, self._files, self.source_kind, self._source)
                analysis_writes.refresh_local_analysis(self._con)  # in this transaction: costs never without it
            self._con.execute(f"DROP VIEW {STAGED}")
            self._con.execute(f"DROP VIEW {OLDER}")
            self._con.execute("COMMIT")
        except BaseException:
            self._roll_back()
            raise
        self._state = "finished"

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """For reading source files (describe, detect a format, name a bad row); writes go through the load."""
        return self._con

    def append(self, select_sql: str, shared: Mapping[str, str] | None = None) -> int:
        """Append the rows of `select_sql` (columns named as in `costs`); returns how many.

        `shared`: columns every row has the same value of (e.g. x_SourceKind), given here instead of
        in the SELECT: they are stored once, with the layout, not on each row. Few distinct values
        only: each set of them is a table of its own. On a DuckDB error the load rolls back first,
        then raises AppendFailed.
        """
        self._require_open()
        try:
            table = self._layout_table(select_sql, shared or {})
            insert = f"INSERT INTO {cost_layouts.quote(table)} BY NAME SELECT * FROM ({select_sql})"
            return int(self._con.execute(insert).fetchall()[0][0])
        except duckdb.Error as exc:
            self._roll_back()
            raise AppendFailed(exc) from exc

    def _layout_table(self, select_sql: str, shared: Mapping[str, str]) -> str:
        """The table for the columns `select_sql` gives (created if new); `staged_costs` then covers it."""
        names = [str(r[0]) for r in self._con.execute(f"DESCRIBE SELECT * FROM ({select_sql})").fetchall()]
        try:
            layout = cost_layouts.Layout.of(names, shared)
        except KeyError as unknown:
            raise duckdb.BinderException(
                f'Table "costs" does not have a column with name "{unknown.args[0]}"'
            ) from None
        except ValueError as both:
            raise duckdb.BinderException(f"A cost append names columns twice: {both}") from None
        table, _ = cost_layouts.ensure(self._con, layout)
        if table not in self._appended:
            self._appended[table] = self._marks.get(table, -1)
            self._define_staged()
        return table

    def _define_staged(self) -> None:
        layouts = cost_layouts.registered(self._con)
        branches = [
            f"SELECT {layouts[t].projection()} FROM {cost_layouts.quote(t)} WHERE rowid > {mark}"
            for t, mark in self._appended.items()
        ] or [f"SELECT {cost_layouts.NO_ROWS.projection()} WHERE false"]
        self._con.execute(f"CREATE OR REPLACE TEMP VIEW {STAGED} AS " + "\nUNION ALL\n".join(branches))

    def append_arrow(self, table: pa.Table) -> int:
        """Append a pyarrow Table whose columns are a subset of `costs`; returns how many rows."""
        self._require_open()
        self._con.register(_INCOMING, table)
        try:
            return self.append(f"SELECT * FROM {_INCOMING}")
        finally:
            self._con.unregister(_INCOMING)

    def count(self, where: str = "true") -> int:
        """How many of the rows appended so far match the SQL condition `where`."""
        return self.counts([where])[0]

    def counts(self, conditions: Sequence[str], where: str = "true") -> list[int]:
        """How many of the appended rows matching `where` match each of `conditions`, in one scan."""
        self._require_open()
        if not conditions:
            return []
        columns = ", ".join(f"count_if({c})" for c in conditions)
        row = self._con.execute(f"SELECT {columns} FROM {STAGED} WHERE {where}").fetchall()[0]
        return [int(n or 0) for n in row]

    def replaced_datasets(self) -> list[tuple[str, str | None, str | None, str | None]]:
        """(dataset_id, format, format_version, source) of each dataset already in the cache that this
        load's rows will replace when it finishes: so a summary can say what went, not just what came."""
        self._require_open()
        return [
            (str(r[0]), r[1], r[2], r[3])
            for r in self._con.execute(
                "SELECT dataset_id, format, format_version, source FROM datasets "
                f"WHERE dataset_id IN (SELECT DISTINCT x_DatasetId FROM {STAGED}) ORDER BY 1"
            ).fetchall()
        ]

    def record_files(self, provenance: Sequence[FileProvenance]) -> None:
        """The files the rows came from, recorded with every slice when the load finishes."""
        self._files.extend(provenance)

    @property
    def summary(self) -> LoadSummary:
        if self._summary is None:
            raise RuntimeError("A cost load has a summary only after it finished replacing slices.")
        return self._summary

    def _require_open(self) -> None:
        if self._state != "open":
            raise RuntimeError(f"The cost load is {self._state}; rows can be added only inside its `with` block.")

    def _roll_back(self) -> None:
        """Undo everything since BEGIN, the views included. Must come before any other statement."""
        if self._state == "open":
            self._state = "rolled back"
            with contextlib.suppress(duckdb.TransactionException):  # DuckDB already ended it
                self._con.execute("ROLLBACK")
