"""Staging one billing file into the cache's `costs` table, with DuckDB doing all the parsing.

Each file becomes one `SELECT …` over read_csv/read_parquet/read_json, the format's projection
to FOCUS columns, handed to an open `CostLoad` (cache/cost_load.py), which appends it and owns
the transaction; the rows replace older slices only when the load finishes. Values are cast
strictly: a bad value fails the append (the load rolls back), and a second query then finds the
first offending row to name it.
"""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass, field
from functools import partial

import duckdb

from finops_tui.cache import dataset_ids
from finops_tui.cache.cost_load import AppendFailed, CostLoad
from finops_tui.cache.schema import FOCUS_COLUMNS
from finops_tui.errors import Cancelled, IngestError
from finops_tui.interruptible import run_interruptibly
from finops_tui.sources import formats
from finops_tui.sources.billing_files import BillingFile
from finops_tui.sources.formats import bad_rows, csv_shape, values
from finops_tui.sources.formats.base import BillingFormat
from finops_tui.sources.formats.columns import SourceColumns, literal, quote


@dataclass
class StagedFile:
    file: BillingFile
    format: BillingFormat
    version: str
    rows: int
    extension_columns: list[str]
    missing_columns: list[str]
    warnings: list[str] = field(default_factory=list)
    beyond_bound: str | None = None  # with the bound not enforced (`ingest --check`): where a cost first is

    @property
    def format_label(self) -> str:
        return f"{self.format.label} {self.version}"


def reader_sql(file: BillingFile, fmt: BillingFormat | None = None) -> str:
    path = literal(str(file.path))
    if file.kind == "parquet":
        return f"read_parquet({path})"
    if file.kind in ("json", "json.gz"):
        compression = "'gzip'" if file.kind == "json.gz" else "'none'"
        return (
            f"read_json({path}, format='newline_delimited', compression={compression}, sample_size=-1, "
            "maximum_object_size=67108864)"
        )
    compression = "'gzip'" if file.kind == "csv.gz" else "'none'"
    options = fmt.csv_options() if fmt else ""
    return (
        f"read_csv({path}, all_varchar=true, header=true, compression={compression}, "
        f"nullstr=['NULL', 'null', '']{', ' + options if options else ''})"
    )


def first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0]


CANCELLED = "ingest cancelled (Ctrl-C) before the load finished: nothing was loaded and the cache is as it was."


def is_interrupt(exc: BaseException) -> bool:
    """DuckDB's answer to Ctrl-C mid-query: InterruptException, or a RuntimeError 'Query interrupted'."""
    return isinstance(exc, KeyboardInterrupt | duckdb.InterruptException) or (
        isinstance(exc, RuntimeError) and "interrupted" in str(exc).lower()
    )


def is_disk_full(exc: BaseException) -> bool:
    """ENOSPC or a quota, as an OSError or in DuckDB's message."""
    text = str(exc).lower()
    return getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or (
        "no space left on device" in text or "disk quota exceeded" in text
    )


def disk_full_message(exc: BaseException, fallback: str) -> str:
    """Which file could not be written (DuckDB names it in quotes; OSError in `filename`) and what to do."""
    quoted = re.search(r'"([^"]+)"', str(exc))
    where = getattr(exc, "filename", None) or (quoted.group(1) if quoted else fallback)
    return (
        f"The disk is full (no space left on device) writing {where}. Free space on that disk (DuckDB also "
        "spills to the temporary folder: point TMPDIR at a larger disk) and ingest again; nothing was loaded "
        "and the cache is as it was."
    )


def _read_advice(exc: BaseException) -> str:
    text = str(exc).lower()
    if "out of memory" in text:
        return (
            "DuckDB ran out of memory within duckdb_memory_limit: raise it in the config file "
            "(or FINOPS_TUI_DUCKDB_MEMORY_LIMIT), e.g. to 4GB, and ingest again."
        )
    if "unicode" in text or "utf-8" in text or "utf8" in text:
        return (
            "The file is not UTF-8 text: convert it (for example `iconv -f LATIN1 -t UTF-8 in.csv > out.csv`) "
            "or re-export it as UTF-8."
        )
    return (
        "Check that the file is a complete, uncorrupted export (delimiter, quoting, UTF-8 text); "
        "download or export it again."
    )


def describe(con: duckdb.DuckDBPyConnection, file: BillingFile) -> SourceColumns:
    try:
        rows = con.execute(f"DESCRIBE SELECT * FROM {reader_sql(file)}").fetchall()
    except duckdb.Error as exc:
        if is_interrupt(exc):
            raise Cancelled(CANCELLED) from None
        if is_disk_full(exc):  # DuckDB spilled to a full temporary folder: the file is not to blame
            raise IngestError(disk_full_message(exc, "the temporary folder")) from None
        ragged = ragged_row(file) if _csv_shape_error(exc) else None
        if ragged:
            raise IngestError(ragged) from None
        raise IngestError(
            f"{file.path}: cannot be read as {file.kind.upper()}: {first_line(exc)}. {_read_advice(exc)}"
        ) from None
    if not rows:
        raise IngestError(f"{file.path}: no columns found. Is the file a billing export?")
    if file.kind in ("csv", "csv.gz"):
        _refuse_duplicate_headers(file)
    return SourceColumns([(r[0], r[1]) for r in rows])


def _csv_shape_error(exc: BaseException) -> bool:
    """DuckDB's CSV reader gave up on the rows' shape (not on the bytes: gzip, encoding, I/O)."""
    return isinstance(exc, duckdb.InvalidInputException) and (
        "CSV Error" in str(exc) or "Expected Number of Columns" in str(exc)
    )


def ragged_row(file: BillingFile) -> str | None:
    """The first CSV row with more or fewer fields than the header, as the error message; None if none."""
    if file.kind not in ("csv", "csv.gz"):
        return None
    ragged = csv_shape.ragged_row(file.path, file.kind == "csv.gz")
    if ragged is None:
        return None
    return (
        f"{file.path}: {ragged.describe()}. Fix that row (a stray or missing delimiter, or an unclosed quote) "
        "and ingest again; nothing was loaded."
    )


def _refuse_duplicate_headers(file: BillingFile) -> None:
    """DuckDB renames a repeated header to `X_1`; a billing file with two `BilledCost` columns is ambiguous."""
    repeated = csv_shape.repeated_names(csv_shape.header_names(file.path, file.kind == "csv.gz"))
    if repeated:
        raise IngestError(
            f"{file.path}: duplicate column name(s) in the header: {', '.join(repeated)}. "
            "Each column must appear once; fix the header and ingest again."
        )


def shared_values(fmt: BillingFormat, version: str, source_kind: str) -> dict[str, str]:
    """Provenance every row of a file has in common: handed to the load apart from the SELECT, so the cache
    stores it once with the rows' layout instead of on each of millions of rows (cache/cost_layouts.py)."""
    return {"x_SourceKind": source_kind, "x_FocusVersion": f"{fmt.name}/{version}"}


def _select_sql(
    file: BillingFile, fmt: BillingFormat, cols: SourceColumns, origin: str
) -> tuple[str, list[str], list[str]]:
    """The INSERT's SELECT (without the shared values), the columns kept as extensions, and the FOCUS
    columns left NULL."""
    projected = fmt.projection(cols)
    exprs: list[str] = []
    stored: list[str] = []  # what the file gives: only these are appended (the cache's `costs` shows the rest NULL)
    for canonical, kind in FOCUS_COLUMNS.items():
        if canonical in projected:
            exprs.append(f"{projected[canonical]} AS {quote(canonical)}")
        elif canonical == "BillingPeriodStart":  # derived, and said so in a warning
            exprs.append(f"date_trunc('month', {projected['ChargePeriodStart']}) AS {quote(canonical)}")
        elif canonical == "ProviderName" and fmt.provider:
            exprs.append(f"{literal(fmt.provider)} AS {quote(canonical)}")
        else:  # still named inside: the slice id and the row filter below may read it
            exprs.append(f"CAST(NULL AS {kind}) AS {quote(canonical)}")
            continue
        stored.append(canonical)
    extras = fmt.extension_columns(cols)
    inner = ",\n  ".join(exprs)
    if extras:
        packed = ", ".join(f"{quote(e)} := {quote(e)}" for e in extras)
        inner += f",\n  to_json(struct_pack({packed})) AS x_Extensions"
    dataset = dataset_ids.export_cost_slice_sql("ProviderName", "BillingAccountId", "BillingPeriodStart")
    outer = ", ".join(quote(c) for c in stored)
    sql = (
        f"SELECT {outer}, {dataset} AS x_DatasetId, "
        f"{literal(origin)} AS x_SourceFile{', x_Extensions' if extras else ''} "
        f"FROM (SELECT\n  {inner}\nFROM {reader_sql(file, fmt)}) "
        f"WHERE NOT (BilledCost IS NULL AND ChargePeriodStart IS NULL AND ChargeCategory IS NULL)"
    )
    return sql, extras, [c for c in FOCUS_COLUMNS if c not in projected]


def choose_format(file: BillingFile, cols: SourceColumns, forced: BillingFormat | None) -> BillingFormat:
    try:
        fmt = forced or formats.detect(cols, str(file.path))
        missing = [name for name in fmt.required() if not cols.has(name)]
        if missing:
            raise IngestError(
                f"{file.path}: required {fmt.label} column(s) {', '.join(missing)} not found "
                f"(found: {cols.sample()}). Check the header row and the delimiter."
            )
    except IngestError:
        ragged = _ragged_instead(file, cols)
        if ragged:
            raise IngestError(ragged) from None
        raise
    return fmt


def _ragged_instead(file: BillingFile, cols: SourceColumns) -> str | None:
    """A ragged row can make DuckDB's sniffer take a data row for the header, or a whole line for one
    column. Then the columns it found are not the header's, and the row, not the format, is the news."""
    header = csv_shape.header_names(file.path, file.kind == "csv.gz") if file.kind in ("csv", "csv.gz") else []
    return ragged_row(file) if len(header) > 1 and len(header) != len(cols.described) else None


def stage(
    load: CostLoad,
    file: BillingFile,
    forced: BillingFormat | None = None,
    origin: str | None = None,
    *,
    enforce_bound: bool = True,
) -> StagedFile:
    """Append one billing file to the open `load`; IngestError names the file, column and row.

    `origin` is what provenance calls the file (an s3:// URI, a zip member), default its path.
    The rows are marked with the load's source kind. A cost or price at or beyond MONEY_BOUND is
    an IngestError; with `enforce_bound=False` (`ingest --check`) the rows stay and `beyond_bound`
    says where the first one is. Ctrl-C while DuckDB reads the file raises Cancelled.
    """
    origin = origin or str(file.path)
    con = load.connection
    cols = describe(con, file)
    fmt = choose_format(file, cols, forced).for_file(con, reader_sql(file), cols)
    version = fmt.version(cols)
    try:
        sql, extras, missing = _select_sql(file, fmt, cols, origin)
    except KeyError as exc:
        raise IngestError(
            _ragged_instead(file, cols)
            or f"{file.path}: {fmt.label} column {exc.args[0]} not found (found: {cols.sample()})."
        ) from None
    try:
        rows = _interruptible_append(load, sql, shared_values(fmt, version, load.source_kind))
    except AppendFailed as failed:  # the load is rolled back, so the connection can still read the file
        raise IngestError(_why_not_loaded(con, file, fmt, cols, failed.cause)) from None
    if rows == 0:
        raise IngestError(f"{file.path}: the file has a header but no data rows; nothing to load.")
    staged = StagedFile(file, fmt, version, rows, extras, missing)
    return _checked(load, staged, cols, origin, enforce_bound)


def _interruptible_append(load: CostLoad, sql: str, shared: dict[str, str]) -> int:
    """`load.append(sql)` so that Ctrl-C interrupts DuckDB at once; left alone, one INSERT over a big file
    notices the interrupt only when it has finished. The load then rolls back."""
    try:
        return run_interruptibly(
            partial(load.append, sql, shared), load.connection.interrupt, name="finops-ingest-append"
        )
    except KeyboardInterrupt:
        raise Cancelled(CANCELLED) from None


def _why_not_loaded(
    con: duckdb.DuckDBPyConnection, file: BillingFile, fmt: BillingFormat, cols: SourceColumns, exc: duckdb.Error
) -> str:
    if is_interrupt(exc):
        raise Cancelled(CANCELLED)
    message = first_line(exc)
    if _csv_shape_error(exc):
        ragged = ragged_row(file)
        if ragged:
            return ragged
    if is_disk_full(exc):  # the file is fine: the cache's copy or DuckDB's spill could not be written
        return disk_full_message(exc, "the cache or the temporary folder")
    if "out of memory" in message.lower():
        return f"{file.path}: could not be loaded: {message}. {_read_advice(exc)} Nothing was loaded."
    if not isinstance(exc, duckdb.InvalidInputException):
        return f"{file.path}: cannot be read: {message}. {_read_advice(exc)} Nothing was loaded."
    if "finops:" in message:  # a strict cast named the kind and column that did not parse
        kind, _, name = message.split("finops:", 1)[1].rstrip("'\" ").partition(":")
        where = bad_rows.bad_value(con, reader_sql(file, fmt), cols, kind, name)
        return f"{file.path}: {where}. Fix or remove that row and ingest again; nothing was loaded."
    return f"{file.path}: {message}. Nothing was loaded."


def _checked(load: CostLoad, staged: StagedFile, cols: SourceColumns, origin: str, enforce_bound: bool) -> StagedFile:
    file, fmt, con = staged.file, staged.format, load.connection
    bounded = [c for c in values.BOUNDED_COLUMNS if c not in staged.missing_columns]
    # One scan of the file's rows for all three checks (undated, beyond the bound, Tags not JSON).
    undated, beyond, bad_tags = load.counts(
        [
            "ChargePeriodStart IS NULL",
            " OR ".join(values.beyond_bound(quote(c)) for c in bounded) if bounded else "false",
            "json_extract(Tags, '$.x_unparsed') IS NOT NULL" if "Tags" not in staged.missing_columns else "false",
        ],
        where=f"x_SourceFile = {literal(origin)}",
    )
    if undated:
        first = bad_rows.undated(con, reader_sql(file, fmt), fmt.projection(cols))
        where = f" (the first is data row {first})" if first else ""
        raise IngestError(
            f"{file.path}: {undated} row(s) have a cost but no ChargePeriodStart{where}, so they "
            "belong to no day. Fix the export (every row needs a charge date); nothing was loaded."
        )
    if beyond:
        where = f"{file.path}: {bad_rows.beyond_bound(con, reader_sql(file, fmt), fmt.projection(cols))}"
        if enforce_bound:
            raise IngestError(
                f"{where}. Such a figure is an export error and would overflow every total; fix or remove "
                "that row and ingest again. Nothing was loaded."
            )
        staged.beyond_bound = where
    if "BillingPeriodStart" in staged.missing_columns:
        staged.warnings.append("BillingPeriodStart missing: derived from the month of ChargePeriodStart")
    for col in ("EffectiveCost", "BillingCurrency"):
        if col in staged.missing_columns:
            staged.warnings.append(f"{col} missing: figures that need it will be blank for this file")
    if bad_tags:
        staged.warnings.append(f'{bad_tags} row(s) with Tags that are not JSON: kept as {{"x_unparsed": …}}')
    return staged
