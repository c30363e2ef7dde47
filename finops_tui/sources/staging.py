"""Staging one billing file into the cache's `costs` table, with DuckDB doing all the parsing.

Each file becomes one `SELECT …` over read_csv/read_parquet/read_json, the format's projection
to FOCUS columns, handed to an open `CostLoad` (cache/cost_load.py), which appends it and owns
the transaction; the rows replace older slices only when the load finishes. Values are cast
strictly: a bad value fails the append (the load rolls back), and a second query then finds the
first offending row to name it.
"""

from __future__ import annotations

import csv
import gzip
import re
from dataclasses import dataclass, field

import duckdb

from finops_tui.cache import dataset_ids
from finops_tui.cache.cost_load import AppendFailed, CostLoad
from finops_tui.cache.schema import FOCUS_COLUMNS
from finops_tui.errors import IngestError
from finops_tui.sources import formats
from finops_tui.sources.billing_files import BillingFile
from finops_tui.sources.formats import values
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


def _read_advice(exc: BaseException) -> str:
    text = str(exc).lower()
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
        raise IngestError(
            f"{file.path}: cannot be read as {file.kind.upper()}: {first_line(exc)}. {_read_advice(exc)}"
        ) from None
    if not rows:
        raise IngestError(f"{file.path}: no columns found. Is the file a billing export?")
    if file.kind in ("csv", "csv.gz"):
        _refuse_duplicate_headers(file)
    return SourceColumns([(r[0], r[1]) for r in rows])


def _refuse_duplicate_headers(file: BillingFile) -> None:
    """DuckDB renames a repeated header to `X_1`; a billing file with two `BilledCost` columns is ambiguous."""
    opener = gzip.open if file.kind == "csv.gz" else open
    try:
        with opener(file.path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
            line = handle.readline()
    except (OSError, EOFError):
        return  # unreadable gzip: the reader reports it with its own message
    delimiter = max(",;\t|", key=line.count)
    names = [n.strip() for n in next(csv.reader([line], delimiter=delimiter), [])]
    lowered = [n.lower() for n in names]
    repeated = sorted({n for n in names if n and lowered.count(n.lower()) > 1})
    if repeated:
        raise IngestError(
            f"{file.path}: duplicate column name(s) in the header: {', '.join(repeated)}. "
            "Each column must appear once; fix the header and ingest again."
        )


def _select_sql(
    file: BillingFile, fmt: BillingFormat, cols: SourceColumns, source_kind: str, version: str, origin: str
) -> tuple[str, list[str], list[str]]:
    """The INSERT's SELECT, the columns kept as extensions, and the FOCUS columns left NULL."""
    projected = fmt.projection(cols)
    exprs: list[str] = []
    for canonical, kind in FOCUS_COLUMNS.items():
        if canonical in projected:
            exprs.append(f"{projected[canonical]} AS {quote(canonical)}")
        elif canonical == "BillingPeriodStart":  # derived, and said so in a warning
            exprs.append(f"date_trunc('month', {projected['ChargePeriodStart']}) AS {quote(canonical)}")
        elif canonical == "ProviderName" and fmt.provider:
            exprs.append(f"{literal(fmt.provider)} AS {quote(canonical)}")
        else:
            exprs.append(f"CAST(NULL AS {kind}) AS {quote(canonical)}")
    extras = fmt.extension_columns(cols)
    extensions = (
        "to_json(struct_pack(" + ", ".join(f"{quote(e)} := {quote(e)}" for e in extras) + "))"
        if extras
        else "CAST(NULL AS JSON)"
    )
    inner = ",\n  ".join(exprs) + f",\n  {extensions} AS x_Extensions"
    dataset = dataset_ids.export_cost_slice_sql("ProviderName", "BillingAccountId", "BillingPeriodStart")
    outer = ", ".join(quote(c) for c in FOCUS_COLUMNS)
    label = f"{fmt.name}/{version}"
    sql = (
        f"SELECT {outer}, {dataset} AS x_DatasetId, {literal(source_kind)} AS x_SourceKind, "
        f"{literal(origin)} AS x_SourceFile, {literal(label)} AS x_FocusVersion, x_Extensions "
        f"FROM (SELECT\n  {inner}\nFROM {reader_sql(file, fmt)}) "
        f"WHERE NOT (BilledCost IS NULL AND ChargePeriodStart IS NULL AND ChargeCategory IS NULL)"
    )
    return sql, extras, [c for c in FOCUS_COLUMNS if c not in projected]


def _locate_bad_value(
    con: duckdb.DuckDBPyConnection, file: BillingFile, fmt: BillingFormat, cols: SourceColumns, kind: str, name: str
) -> str:
    """Find the first row whose value in column `name` does not parse, for the error message."""
    parse, what = values.parser_for(kind)
    c = cols.ref(name)
    row = con.execute(
        f"SELECT n, v FROM (SELECT row_number() OVER () AS n, CAST({c} AS VARCHAR) AS v, "
        f"{parse(f'CAST({c} AS VARCHAR)')} AS p FROM {reader_sql(file, fmt)}) "
        "WHERE v IS NOT NULL AND p IS NULL LIMIT 1"
    ).fetchall()
    if not row:
        return f"column {name} has a value that cannot be parsed"
    hint = ""
    if kind == "money" and re.fullmatch(r"\s*-?\d+,\d+\s*", row[0][1]):
        hint = " (a decimal comma? export with '.' as the decimal separator)"
    return f"column {cols.actual(name)}, data row {row[0][0]}: {row[0][1]!r} is not {what}{hint}"


def choose_format(file: BillingFile, cols: SourceColumns, forced: BillingFormat | None) -> BillingFormat:
    fmt = forced or formats.detect(cols, str(file.path))
    missing = [name for name in fmt.required() if not cols.has(name)]
    if missing:
        raise IngestError(
            f"{file.path}: required {fmt.label} column(s) {', '.join(missing)} not found "
            f"(found: {cols.sample()}). Check the header row and the delimiter."
        )
    return fmt


def stage(
    load: CostLoad,
    file: BillingFile,
    forced: BillingFormat | None = None,
    origin: str | None = None,
) -> StagedFile:
    """Append one billing file to the open `load`; IngestError names the file, column and row.

    `origin` is what provenance calls the file (an s3:// URI, a zip member), default its path.
    The rows are marked with the load's source kind.
    """
    origin = origin or str(file.path)
    con = load.connection
    cols = describe(con, file)
    fmt = choose_format(file, cols, forced).for_file(con, reader_sql(file), cols)
    version = fmt.version(cols)
    try:
        sql, extras, missing = _select_sql(file, fmt, cols, load.source_kind, version, origin)
    except KeyError as exc:
        raise IngestError(
            f"{file.path}: {fmt.label} column {exc.args[0]} not found (found: {cols.sample()})."
        ) from None
    try:
        rows = load.append(sql)
    except AppendFailed as failed:  # the load is rolled back, so the connection can still read the file
        raise IngestError(_why_not_loaded(con, file, fmt, cols, failed.cause)) from None
    if rows == 0:
        raise IngestError(f"{file.path}: the file has a header but no data rows; nothing to load.")
    return _checked(load, StagedFile(file, fmt, version, rows, extras, missing), origin)


def _why_not_loaded(
    con: duckdb.DuckDBPyConnection, file: BillingFile, fmt: BillingFormat, cols: SourceColumns, exc: duckdb.Error
) -> str:
    message = first_line(exc)
    if not isinstance(exc, duckdb.InvalidInputException):
        return f"{file.path}: cannot be read: {message}. {_read_advice(exc)} Nothing was loaded."
    if "finops:" in message:  # a strict cast named the kind and column that did not parse
        kind, _, name = message.split("finops:", 1)[1].rstrip("'\" ").partition(":")
        where = _locate_bad_value(con, file, fmt, cols, kind, name)
        return f"{file.path}: {where}. Fix or remove that row and ingest again; nothing was loaded."
    return f"{file.path}: {message}. Nothing was loaded."


def _checked(load: CostLoad, staged: StagedFile, origin: str) -> StagedFile:
    this_file = f"x_SourceFile = {literal(origin)}"
    undated = load.count(f"{this_file} AND ChargePeriodStart IS NULL")
    if undated:
        raise IngestError(
            f"{staged.file.path}: {undated} row(s) have a cost but no ChargePeriodStart, so they "
            "belong to no day. Fix the export (every row needs a charge date); nothing was loaded."
        )
    if "BillingPeriodStart" in staged.missing_columns:
        staged.warnings.append("BillingPeriodStart missing: derived from the month of ChargePeriodStart")
    for col in ("EffectiveCost", "BillingCurrency"):
        if col in staged.missing_columns:
            staged.warnings.append(f"{col} missing: figures that need it will be blank for this file")
    bad_tags = load.count(f"{this_file} AND json_extract(Tags, '$.x_unparsed') IS NOT NULL")
    if bad_tags:
        staged.warnings.append(f'{bad_tags} row(s) with Tags that are not JSON: kept as {{"x_unparsed": …}}')
    return staged
