"""Reading FOCUS 1.0–1.2 files into the cache's cost layout, with DuckDB doing all the parsing.

Each file becomes one `INSERT INTO staged_costs SELECT …` over `read_csv`/`read_parquet`: column
names are matched case-insensitively, values are cast strictly (a bad value raises, and a second
query then finds the first offending row to name it), columns FOCUS 1.2 does not name are kept
as JSON in `x_Extensions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from finops_tui.cache.schema import FOCUS_COLUMNS, MONEY
from finops_tui.errors import IngestError
from finops_tui.sources.billing_files import BillingFile

# Columns whose presence tells the FOCUS version (newest first).
_VERSION_MARKERS = (
    ("1.2", ("BillingAccountType", "SubAccountType", "InvoiceId", "PricingCurrency",
             "PricingCurrencyEffectiveCost")),
    ("1.1", ("ServiceSubcategory", "CapacityReservationId", "CapacityReservationStatus",
             "SkuMeter", "SkuPriceDetails", "CommitmentDiscountQuantity", "CommitmentDiscountUnit")),
)
_NATIVE_MARKERS = {
    "lineitem/unblendedcost": "an AWS Cost and Usage Report (legacy CUR)",
    "line_item_unblended_cost": "an AWS CUR 2.0 / Data Exports file",
    "costinbillingcurrency": "an Azure cost details export",
    "cost/mycost": "an OCI cost report",
}
_REQUIRED = ("BilledCost", "ChargePeriodStart")
_ISO_TIME = "try_cast({c} AS TIMESTAMPTZ)::TIMESTAMP"
_US_DATE = (
    "CASE WHEN regexp_matches({c}, '^\\d{{1,2}}/\\d{{1,2}}/\\d{{2}}( |$)') "
    "THEN try_strptime({c}, ['%m/%d/%y', '%m/%d/%y %H:%M', '%m/%d/%y %H:%M:%S']) "
    "ELSE try_strptime({c}, ['%m/%d/%Y', '%m/%d/%Y %H:%M', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %I:%M:%S %p']) END"
)


@dataclass
class StagedFile:
    file: BillingFile
    focus_version: str
    rows: int
    extension_columns: list[str]
    missing_columns: list[str]
    warnings: list[str] = field(default_factory=list)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _money_expr(col: str, source_type: str) -> str:
    c = _q(col)
    if source_type.startswith(("DECIMAL", "DOUBLE", "FLOAT", "INTEGER", "BIGINT", "HUGEINT", "SMALLINT")):
        return f"CAST({c} AS {MONEY})"
    return f"CASE WHEN {c} IS NULL THEN NULL ELSE coalesce({_money_parse(c)}, error({_lit('finops:' + col)})) END"


def _money_parse(c: str) -> str:
    """Plain decimals, scientific notation, and '$1,234.50'-style text (symbol and thousands commas only)."""
    formatted = (f"CASE WHEN regexp_matches({c}, '^\\s*-?[$€£¥]?\\s*\\d{{1,3}}(,\\d{{3}})+(\\.\\d+)?\\s*$|^\\s*-?[$€£¥]\\s*\\d+(\\.\\d+)?\\s*$') "
                 f"THEN try_cast(regexp_replace({c}, '[$€£¥,\\s]', '', 'g') AS {MONEY}) END")
    return (f"coalesce(try_cast(trim({c}) AS {MONEY}), try_cast(try_cast(trim({c}) AS DOUBLE) AS {MONEY}), "
            f"{formatted})")


def _time_parse(c: str) -> str:
    return f"coalesce({_ISO_TIME.format(c=c)}, {_US_DATE.format(c=c)})"


def _time_expr(col: str, source_type: str) -> str:
    c = _q(col)
    if source_type.startswith("TIMESTAMP") or source_type == "DATE":
        return f"CAST({c} AS TIMESTAMP)"
    return f"CASE WHEN {c} IS NULL THEN NULL ELSE coalesce({_time_parse(c)}, error({_lit('finops:' + col)})) END"


def _json_expr(col: str, source_type: str) -> str:
    c = _q(col)
    if source_type.startswith(("MAP", "STRUCT")) or source_type.endswith("[]"):
        return f"to_json({c})"
    # Invalid JSON is kept, wrapped, and counted as a warning rather than dropping the row.
    return (f"CASE WHEN {c} IS NULL OR trim({c}) = '' THEN NULL WHEN json_valid({c}) THEN {c}::JSON "
            f"ELSE to_json({{'x_unparsed': {c}}}) END")


def _source_expr(canonical: str, actual: str, source_type: str) -> str:
    target = FOCUS_COLUMNS[canonical]
    if target == MONEY:
        return _money_expr(actual, source_type)
    if target == "TIMESTAMP":
        return _time_expr(actual, source_type)
    if target == "JSON":
        return _json_expr(actual, source_type)
    return f"CAST({_q(actual)} AS VARCHAR)"


def reader_sql(file: BillingFile) -> str:
    path = _lit(str(file.path))
    if file.kind == "parquet":
        return f"read_parquet({path})"
    compression = "'gzip'" if file.kind == "csv.gz" else "'none'"
    return (f"read_csv({path}, all_varchar=true, header=true, compression={compression}, "
            "nullstr=['NULL', 'null', ''], sample_size=-1)")


def describe(con: duckdb.DuckDBPyConnection, file: BillingFile) -> list[tuple[str, str]]:
    try:
        return [(row[0], row[1]) for row in con.execute(f"DESCRIBE SELECT * FROM {reader_sql(file)}").fetchall()]
    except duckdb.Error as exc:
        raise IngestError(f"{file.path}: cannot be read as {file.kind.upper()}: {_first_line(exc)}. "
                          "Check that the file is a complete, uncorrupted export.") from None


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0]


def detect_version(columns: set[str]) -> str:
    for version, markers in _VERSION_MARKERS:
        if any(m in columns for m in markers):
            return version
    return "1.0"


def _match_columns(file: BillingFile, described: list[tuple[str, str]]) -> dict[str, tuple[str, str]]:
    by_lower = {name.lower(): name for name in FOCUS_COLUMNS}
    matched: dict[str, tuple[str, str]] = {}
    for actual, kind in described:
        canonical = by_lower.get(actual.strip().lower())
        if canonical and canonical not in matched:
            matched[canonical] = (actual, kind)
    lowered = {name.strip().lower() for name, _ in described}
    missing = [c for c in _REQUIRED if c not in matched]
    if missing:
        native = next((label for key, label in _NATIVE_MARKERS.items() if key in lowered), None)
        hint = (f"It looks like {native}, which this version does not ingest yet; export FOCUS instead."
                if native else "Is this a FOCUS export? Check the header row and the delimiter.")
        found = ", ".join(name for name, _ in described[:8]) + (" …" if len(described) > 8 else "")
        raise IngestError(f"{file.path}: required FOCUS column(s) {', '.join(missing)} not found "
                          f"(found: {found}). {hint}")
    return matched


def select_sql(file: BillingFile, described: list[tuple[str, str]], matched: dict[str, tuple[str, str]],
               source_kind: str, version: str) -> tuple[str, list[str]]:
    used = {actual for actual, _ in matched.values()}
    extras = [name for name, _ in described if name not in used]
    exprs: list[str] = []
    for canonical in FOCUS_COLUMNS:
        if canonical in matched:
            actual, kind = matched[canonical]
            exprs.append(f"{_source_expr(canonical, actual, kind)} AS {_q(canonical)}")
        elif canonical == "BillingPeriodStart":  # derived, and said so in a warning
            actual, kind = matched["ChargePeriodStart"]
            exprs.append(f"date_trunc('month', {_time_expr(actual, kind)}) AS {_q(canonical)}")
        else:
            exprs.append(f"CAST(NULL AS {FOCUS_COLUMNS[canonical]}) AS {_q(canonical)}")
    extensions = ("to_json(struct_pack(" + ", ".join(f"{_q(e)} := {_q(e)}" for e in extras) + "))"
                  if extras else "CAST(NULL AS JSON)")
    inner = ",\n  ".join(exprs) + f",\n  {extensions} AS x_Extensions"
    dataset = ("'costs:' || coalesce(ProviderName, 'unknown') || ':' || coalesce(BillingAccountId, 'unknown')"
               " || ':' || strftime(BillingPeriodStart, '%Y-%m')")
    outer = ", ".join(_q(c) for c in FOCUS_COLUMNS)
    sql = (f"SELECT {outer}, {dataset} AS x_DatasetId, {_lit(source_kind)} AS x_SourceKind, "
           f"{_lit(str(file.path))} AS x_SourceFile, {_lit(version)} AS x_FocusVersion, x_Extensions "
           f"FROM (SELECT\n  {inner}\nFROM {reader_sql(file)}) "
           f"WHERE NOT (BilledCost IS NULL AND ChargePeriodStart IS NULL AND ChargeCategory IS NULL)")
    return sql, extras


def _locate_bad_value(con: duckdb.DuckDBPyConnection, file: BillingFile, column: str, actual: str) -> str:
    """Find the first row whose value in `actual` does not parse, for the error message."""
    kind = FOCUS_COLUMNS[column]
    c = _q(actual)
    parsed = _money_parse(c) if kind == MONEY else _time_parse(c)
    row = con.execute(
        f"SELECT n, v FROM (SELECT row_number() OVER () AS n, CAST({c} AS VARCHAR) AS v, {parsed} AS p "
        f"FROM {reader_sql(file)}) WHERE v IS NOT NULL AND p IS NULL LIMIT 1"
    ).fetchall()
    row = row[0] if row else None
    if row is None:
        return f"column {column} has a value that cannot be parsed"
    what = "a number" if kind == MONEY else "a date/time (ISO 8601 such as 2024-09-01T00:00:00Z, or M/D/YYYY)"
    return f"column {actual}, data row {row[0]}: {row[1]!r} is not {what}"


def stage(con: duckdb.DuckDBPyConnection, file: BillingFile, source_kind: str = "FILE") -> StagedFile:
    """Append one FOCUS file to the temp table `staged_costs`; IngestError names the file, column and row."""
    described = describe(con, file)
    if not described:
        raise IngestError(f"{file.path}: no columns found. Is the file a FOCUS export?")
    matched = _match_columns(file, described)
    version = detect_version(set(matched))
    sql, extras = select_sql(file, described, matched, source_kind, version)
    con.execute(f"CREATE TEMP TABLE IF NOT EXISTS staged_costs AS SELECT * FROM costs LIMIT 0")
    before = con.execute("SELECT count(*) FROM staged_costs").fetchall()[0][0]
    try:
        con.execute(f"INSERT INTO staged_costs SELECT * FROM ({sql})")
    except duckdb.InvalidInputException as exc:
        message = _first_line(exc)
        if "finops:" in message:
            column = message.split("finops:", 1)[1].split()[0].strip("'\"")
            where = _locate_bad_value(con, file, column, matched[column][0])
            raise IngestError(f"{file.path}: {where}. Fix or remove that row and ingest again; "
                              "nothing was loaded.") from None
        raise IngestError(f"{file.path}: {message}. Nothing was loaded.") from None
    except duckdb.Error as exc:
        raise IngestError(f"{file.path}: cannot be read: {_first_line(exc)}. Check that the file is a "
                          "complete CSV/Parquet export (delimiter, quoting, encoding UTF-8); nothing was loaded.") from None
    rows = con.execute("SELECT count(*) FROM staged_costs").fetchall()[0][0] - before
    if rows == 0:
        raise IngestError(f"{file.path}: the file has a header but no data rows; nothing to load.")
    undated = con.execute(
        f"SELECT count(*) FROM staged_costs WHERE x_SourceFile = {_lit(str(file.path))} AND ChargePeriodStart IS NULL"
    ).fetchall()[0][0]
    if undated:
        raise IngestError(f"{file.path}: {undated} row(s) have a cost but no ChargePeriodStart, so they belong "
                          "to no day. Fix the export (every FOCUS row needs ChargePeriodStart); nothing was loaded.")
    missing = [c for c in FOCUS_COLUMNS if c not in matched]
    staged = StagedFile(file, version, rows, extras, missing)
    if "BillingPeriodStart" in missing:
        staged.warnings.append("BillingPeriodStart missing: derived from the month of ChargePeriodStart")
    for col in ("EffectiveCost", "BillingCurrency"):
        if col in missing:
            staged.warnings.append(f"{col} missing: figures that need it will be blank for this file")
    bad_tags = con.execute(
        f"SELECT count(*) FROM staged_costs WHERE x_SourceFile = {_lit(str(file.path))} "
        "AND json_extract(Tags, '$.x_unparsed') IS NOT NULL"
    ).fetchall()[0][0]
    if bad_tags:
        staged.warnings.append(f"{bad_tags} row(s) with Tags that are not JSON: kept as {{\"x_unparsed\": …}}")
    return staged

