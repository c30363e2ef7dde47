"""Every billing export format finops-tui reads, and how a file's columns pick one.

Detection goes by columns, in registry order (native formats first, so a CUR file that happens
to carry a FOCUS-like column is still read as CUR); `--format NAME` skips detection.
"""

from __future__ import annotations

from finops_tui.errors import IngestError
from finops_tui.sources.formats.aws_cur import AwsCur
from finops_tui.sources.formats.azure import Azure
from finops_tui.sources.formats.base import BillingFormat
from finops_tui.sources.formats.columns import SourceColumns
from finops_tui.sources.formats.focus import Focus
from finops_tui.sources.formats.gcp import GoogleCloud

FORMATS: tuple[BillingFormat, ...] = (AwsCur(cur2=False), AwsCur(cur2=True), Azure(), GoogleCloud(), Focus())

# Column names that identify a native export this build cannot read (for a helpful error).
_KNOWN_ELSEWHERE = {
    "cost/mycost": "an OCI cost report",
}


def names() -> list[str]:
    return [f.name for f in FORMATS]


def by_name(name: str) -> BillingFormat:
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise IngestError(f"Unknown format {name!r}. Known formats: {', '.join(names())}.")


def detect(cols: SourceColumns, where: str) -> BillingFormat:
    """The format whose columns these are; IngestError naming what was found otherwise."""
    for fmt in FORMATS:
        if fmt.matches(cols):
            return fmt
    native = next((label for key, label in _KNOWN_ELSEWHERE.items() if key in cols.names_lower), None)
    hint = (f"It looks like {native}, which this build does not read; export FOCUS instead."
            if native else "Check the header row and the delimiter, or name the format with --format "
            f"({', '.join(names())}).")
    raise IngestError(f"{where}: unknown billing format: no known set of cost columns "
                      f"(found: {cols.sample()}). {hint}")
