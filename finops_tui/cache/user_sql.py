"""Running a user's SQL on a sandboxed read-only cursor: bounded, cancellable, with plain errors.

Two ways out: `materialise` for the SQL pane (up to `limit` rows in one Arrow table, the total
counted when cut) and `stream` for `finops-tui query` (Arrow batches of `BATCH_ROWS`, so a
result of any length goes to stdout in bounded memory). Both run through
`result_limits.bounded`, so no single cell can outgrow the process. A timeout or a cancel
interrupts the cursor; DuckDB then raises, and the caller gets a QueryError or KeyboardInterrupt.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from finops_tui.cache.result_limits import BATCH_ROWS, MAX_RESULT_BYTES, bounded
from finops_tui.errors import QueryError
from finops_tui.terminal_text import escape_controls

SANDBOX_ADVICE = (
    "The SQL pane and `query` are read-only and sandboxed: they can query the cache's tables (costs, "
    "cost_daily, datasets, resources, budgets, …) but not files, ATTACH, COPY or INSTALL."
)
READ_ONLY_ADVICE = "The cache is opened read-only here; change data with `finops-tui ingest`."
MEMORY_ADVICE = (
    "Queries here never spill to disk, so a query must fit in duckdb_memory_limit: narrow it (a WHERE on "
    "ChargePeriodStart, the rollup table cost_daily, fewer columns), or raise duckdb_memory_limit (the config key, "
    "or FINOPS_TUI_DUCKDB_MEMORY_LIMIT)."
)
# DuckDB's first line starts with the error's class ("Permission Error: "); user text it quotes (a string that
# failed to convert) comes after it, so these match what DuckDB says, not what the query says.
_CLASS = r"^(?:[A-Z][A-Za-z ]* Error: )?"
_SANDBOX = re.compile(
    r"^Permission Error: "  # a file, a file system, an extension: whatever the sandbox switched off
    + "|"
    + _CLASS
    + r"(?:File system \w+ has been disabled by configuration|Cannot access file .* file system operations are "
    r"disabled|Loading external extensions is disabled|Cannot change configuration option )"
)
_READ_ONLY = re.compile(_CLASS + r"Cannot execute statement of type .* in read-only mode")
# `costs` is a view (schema v7): DuckDB refuses a write to a view before it looks at read-only mode.
_VIEW_WRITE = re.compile(_CLASS + r"(?:Can only (?:delete from|update) base table|\S+ is not an table)")
_OUT_OF_MEMORY = re.compile(r"^Out of Memory Error: ")
_CONTEXT = re.compile(r"^\s*(?:LINE \d+:.*|\^+\s*)$")  # DuckDB's echo of the query and the caret under it


def clean_error(exc: BaseException) -> str:
    """DuckDB's message as one line, with advice after it when we have some.

    One line: `finops-tui query` prints one line per error, and the SQL pane has a few lines of room. Kept:
    DuckDB's first paragraph (its message, 'Did you mean "costs"?', the candidate columns); dropped: the
    `LINE 1:` echo of the query with its caret, and the generic advice (SET temp_directory, SET threads,
    …) that the locked, sandboxed reader refuses anyway. Control characters (from the query's literals, or
    billing text quoted in a conversion error) are shown escaped.
    """
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    first = text.splitlines()[0].strip()
    if isinstance(exc, duckdb.PermissionException) or _SANDBOX.search(first):
        return _with_advice(first, SANDBOX_ADVICE)
    if isinstance(exc, duckdb.OutOfMemoryException) or _OUT_OF_MEMORY.search(first):
        return _with_advice(first, MEMORY_ADVICE)
    if _READ_ONLY.search(first) or _VIEW_WRITE.search(first):
        return _with_advice(first, READ_ONLY_ADVICE)
    return _with_advice(_first_paragraph(text), "")


def _first_paragraph(text: str) -> str:
    paragraph = text.split("\n\n", 1)[0]
    return " ".join(line.strip() for line in paragraph.splitlines() if line.strip() and not _CONTEXT.match(line))


def _with_advice(message: str, advice: str) -> str:
    message = escape_controls(message)
    if not advice:
        return message
    return f"{message}{'' if message.endswith(('.', '!', '?')) else '.'} {advice}"


def _interrupted(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.InterruptException) or "interrupted" in str(exc).lower()


@dataclass
class Deadline:
    """Interrupts `cursor` after `seconds` (None or 0: never); `expired` says whether it did."""

    cursor: duckdb.DuckDBPyConnection
    seconds: float | None
    expired: bool = False
    _timer: threading.Timer | None = field(default=None, repr=False)

    def __enter__(self) -> Deadline:
        if self.seconds:
            self._timer = threading.Timer(self.seconds, self._expire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _expire(self) -> None:
        self.expired = True
        self.cursor.interrupt()

    def __exit__(self, *exc: object) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def error(self) -> QueryError:
        return QueryError(
            f"Query timed out after {self.seconds:g} s and was stopped. Narrow it (a WHERE on ChargePeriodStart, "
            "a LIMIT, the rollup table cost_daily), or allow longer with --timeout SECONDS."
        )


@dataclass
class MaterialisedResult:
    table: pa.Table
    total_rows: int
    truncated: bool
    elapsed_ms: float


def materialise(cursor: duckdb.DuckDBPyConnection, sql: str, limit: int) -> MaterialisedResult:
    """At most `limit` rows as one Arrow table; raises QueryError (cancelled: 'Query cancelled.')."""
    start = time.perf_counter()
    try:
        relation = cursor.sql(sql)
        if relation is None:  # a statement without a result (SET, …)
            return MaterialisedResult(pa.table({"result": pa.array(["OK"])}), 1, False, _ms(start))
        table = bounded(relation).limit(limit + 1).to_arrow_table()
        if table.nbytes > MAX_RESULT_BYTES:
            raise QueryError(
                f"The result holds {table.nbytes / 2**20:,.0f} MB, more than the {MAX_RESULT_BYTES / 2**20:,.0f} MB "
                "a result may hold here; select fewer columns or rows, or export with `finops-tui query --format csv`."
            )
        truncated = table.num_rows > limit
        total = table.num_rows
        if truncated:
            table = table.slice(0, limit)
            total = relation.count("*").fetchall()[0][0]
        return MaterialisedResult(table, total, truncated, _ms(start))
    except duckdb.Error as exc:
        if _interrupted(exc):
            raise QueryError("Query cancelled.") from None
        raise QueryError(clean_error(exc)) from None


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


@dataclass
class Stream:
    """A running query's schema and batches; after the batches, `rows` and `truncated` are known."""

    schema: pa.Schema
    batches: Iterator[pa.RecordBatch]
    rows: int = 0
    truncated: bool = False


@contextmanager
def stream(cursor: duckdb.DuckDBPyConnection, sql: str, limit: int | None, timeout: float | None) -> Iterator[Stream]:
    """Batches of the result, at most `limit` rows; a timeout raises QueryError, Ctrl-C KeyboardInterrupt."""
    with Deadline(cursor, timeout) as deadline:
        try:
            relation = cursor.sql(sql)
            if relation is None:
                ok = pa.table({"result": pa.array(["OK"])})
                yield Stream(ok.schema, iter(ok.to_batches()), rows=1)
                return
            relation = bounded(relation)
            if limit is not None:
                relation = relation.limit(limit + 1)
            reader = relation.to_arrow_reader(BATCH_ROWS)
            result = Stream(reader.schema, iter(()))
            batches = _counted(reader, result, limit)
            result.batches = batches
            try:
                yield result
            finally:  # release the result stream now: an open one keeps the cursor busy
                batches.close()
                reader.close()
        except duckdb.Error as exc:
            if deadline.expired:
                raise deadline.error() from None
            if _interrupted(exc):
                raise KeyboardInterrupt from None
            raise QueryError(clean_error(exc)) from None
        except (RuntimeError, OSError, pa.ArrowException) as exc:
            # DuckDB reports Ctrl-C as RuntimeError("Query interrupted"); an error met while streaming
            # (a cast failing on row 5,000,001) comes through Arrow's reader as OSError/ArrowException.
            if deadline.expired:
                raise deadline.error() from None
            if _interrupted(exc):
                raise KeyboardInterrupt from None
            if isinstance(exc, RuntimeError) and not isinstance(exc, pa.ArrowException):
                raise
            raise QueryError(clean_error(exc)) from None


def _counted(reader: pa.RecordBatchReader, result: Stream, limit: int | None) -> Generator[pa.RecordBatch]:
    for batch in reader:
        if limit is not None and result.rows + batch.num_rows > limit:
            batch = batch.slice(0, limit - result.rows)
            result.truncated = True
        result.rows += batch.num_rows
        if batch.num_rows:
            yield batch
        if result.truncated:
            return
