"""`finops-tui ingest --check`: validate billing files against FOCUS rules without loading them.

The files go through the same staging and `CostLoad` as a real load, into a scratch database
(`files.scratch_session`, set up like the cache and thrown away), so a check sees exactly what
ingest would store and the cache is never opened. Each file is its own load, kept in the scratch
when it parses, so one run lists every unusable file. Hard errors (unreadable file, unknown
format, no cost column, a value that does not parse, mixed formats) are collected as ingest
would raise them; everything else is a warning, counted per rule, with a few example values.
A cost beyond the bound ingest refuses (values.MONEY_BOUND) is both: its rows are counted as a
finding, and the file is listed as one ingest would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from finops_tui.cache import files
from finops_tui.cache.cost_load import CostLoad
from finops_tui.cache.schema import FOCUS_COLUMNS
from finops_tui.errors import IngestError
from finops_tui.sources import formats, input_files, staging
from finops_tui.sources.formats import values
from finops_tui.sources.ingest import check_one_format, stopped_cleanly, unique_files

# Allowed values from the FOCUS 1.2 specification (NULL is allowed where the column is nullable).
ALLOWED_VALUES: dict[str, tuple[str, ...]] = {
    "ChargeCategory": ("Usage", "Purchase", "Tax", "Credit", "Adjustment"),
    "ChargeClass": ("Correction",),
    "ChargeFrequency": ("One-Time", "Recurring", "Usage-Based"),
    "PricingCategory": ("Standard", "Dynamic", "Committed", "Other"),
    "CommitmentDiscountCategory": ("Spend", "Usage"),
    "CommitmentDiscountStatus": ("Used", "Unused"),
    "CapacityReservationStatus": ("Used", "Unused"),
    "ServiceCategory": (
        "AI and Machine Learning",
        "Analytics",
        "Business Applications",
        "Compute",
        "Databases",
        "Developer Tools",
        "Multicloud",
        "Identity",
        "Integration",
        "Internet of Things",
        "Management and Governance",
        "Media",
        "Migration",
        "Mobile",
        "Networking",
        "Security",
        "Storage",
        "Web",
        "Other",
    ),
}
CHECKED = "costs"  # in the scratch database, `costs` holds exactly the rows of the files checked
# Columns FOCUS requires of every provider; a file without them loads, but with blanks.
MANDATORY = (
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "BillingCurrency",
    "BillingAccountId",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargeCategory",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ServiceName",
    "ProviderName",
)


@dataclass(frozen=True)
class Finding:
    rule: str
    rows: int
    detail: str
    examples: list[str] = field(default_factory=list)


@dataclass
class CheckReport:
    files: list[tuple[str, str, int]]  # (origin, format label, rows)
    rows: int
    findings: list[Finding]
    notes: list[str]
    errors: list[str] = field(default_factory=list)  # hard errors, one per unusable file

    @property
    def warning_rows(self) -> int:
        return sum(f.rows for f in self.findings)


def _count(con: duckdb.DuckDBPyConnection, where: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {CHECKED} WHERE {where}").fetchall()[0][0])


def _examples(con: duckdb.DuckDBPyConnection, expr: str, where: str) -> list[str]:
    rows = con.execute(
        f"SELECT DISTINCT CAST({expr} AS VARCHAR) FROM {CHECKED} WHERE {where} ORDER BY 1 NULLS FIRST LIMIT 3"
    ).fetchall()
    return ["NULL" if r[0] is None else repr(r[0]) for r in rows]


def _rule(
    con: duckdb.DuckDBPyConnection,
    findings: list[Finding],
    rule: str,
    where: str,
    detail: str,
    example: str | None = None,
) -> None:
    rows = _count(con, where)
    if rows:
        findings.append(Finding(rule, rows, detail, _examples(con, example, where) if example else []))


def run_checks(con: duckdb.DuckDBPyConnection, missing: set[str]) -> list[Finding]:
    """FOCUS rule violations among the checked rows; `missing` are FOCUS columns no file had."""
    findings: list[Finding] = []
    for column in MANDATORY:
        if column in missing:
            findings.append(Finding("mandatory column", _count(con, "true"), f"{column} is absent from the file(s)"))
    for column in values.BOUNDED_COLUMNS:
        if column in missing:
            continue
        _rule(
            con,
            findings,
            "cost bound",
            values.beyond_bound(f'"{column}"'),
            f"{column} is at or beyond the bound of {values.BOUND_TEXT}: an export error that would "
            "overflow every total; ingest refuses the file",
            f'"{column}"',
        )
    for column, allowed in ALLOWED_VALUES.items():
        if column in missing:
            continue
        listed = ", ".join("'" + v.replace("'", "''") + "'" for v in allowed)
        _rule(
            con,
            findings,
            "allowed values",
            f'"{column}" IS NOT NULL AND "{column}" NOT IN ({listed})',
            f"{column} has values FOCUS does not allow (allowed: {', '.join(allowed)})",
            f'"{column}"',
        )
    _rule(
        con,
        findings,
        "currency",
        "BillingCurrency IS NULL AND BilledCost IS NOT NULL AND BilledCost <> 0",
        "rows with a cost but no BillingCurrency: their amounts cannot be added to anything",
    )
    _rule(
        con,
        findings,
        "currency",
        "BillingCurrency IS NOT NULL AND NOT regexp_matches(BillingCurrency, '^[A-Z]{3}$')",
        "BillingCurrency is not an ISO 4217 code",
        "BillingCurrency",
    )
    _rule(
        con,
        findings,
        "dates",
        "ChargePeriodStart < BillingPeriodStart OR "
        "(BillingPeriodEnd IS NOT NULL AND ChargePeriodStart >= BillingPeriodEnd)",
        "ChargePeriodStart falls outside the row's billing period",
        "strftime(ChargePeriodStart, '%Y-%m-%d') || ' in ' || strftime(BillingPeriodStart, '%Y-%m')",
    )
    _rule(con, findings, "dates", "ChargePeriodEnd < ChargePeriodStart", "ChargePeriodEnd is before ChargePeriodStart")
    _rule(
        con,
        findings,
        "dates",
        "BillingPeriodEnd IS NOT NULL AND BillingPeriodEnd <= BillingPeriodStart",
        "BillingPeriodEnd is not after BillingPeriodStart",
    )
    columns = ", ".join(f'"{c}"' for c in FOCUS_COLUMNS)
    duplicates = con.execute(
        f"SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM {CHECKED} "
        f"GROUP BY {columns} HAVING count(*) > 1)"
    ).fetchall()[0][0]
    if duplicates:
        findings.append(
            Finding(
                "duplicate rows",
                int(duplicates),
                "rows identical in every FOCUS column to another row (double export?)",
            )
        )
    return findings


def check_paths(paths: list[str], *, format_name: str | None = None, memory_limit: str | None = None) -> CheckReport:
    """Stage `paths` into a scratch database and report FOCUS rule violations; the cache is never opened."""
    forced = formats.by_name(format_name) if format_name else None
    with stopped_cleanly(None), input_files.resolved(paths) as inputs, files.scratch_session(memory_limit) as con:
        unique, _ = unique_files(inputs)
        staged: list[staging.StagedFile] = []
        errors: list[str] = []
        for bf in unique:  # each file in its own load, so one run lists every unusable file
            try:
                with CostLoad(con, "FILE", finish="keep") as load:
                    staged.append(staging.stage(load, bf, forced, inputs.origin_of(bf.path), enforce_bound=False))
            except IngestError as exc:
                errors.append(str(exc).replace(str(bf.path), inputs.origin_of(bf.path)))
                continue
            if staged[-1].beyond_bound:
                errors.append(
                    f"{staged[-1].beyond_bound.replace(str(bf.path), inputs.origin_of(bf.path))}; "
                    "ingest refuses such a file."
                )
        try:
            check_one_format(staged)
        except IngestError as exc:
            errors.append(str(exc))
        listed = [(inputs.origin_of(s.file.path), s.format_label, s.rows) for s in staged]
        if not staged:
            return CheckReport(listed, 0, [], list(inputs.notes), errors)
        missing = set.intersection(*(set(s.missing_columns) for s in staged))
        findings = run_checks(con, missing)
        return CheckReport(listed, _count(con, "true"), findings, list(inputs.notes), errors)
