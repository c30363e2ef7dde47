"""Every billing export format finops-tui reads, and how a file's columns pick one.

Detection goes by columns, in registry order (native formats first, so a CUR file that happens
to carry a FOCUS-like column is still read as CUR); `--format NAME` skips detection.
"""

from __future__ import annotations

from finops_tui.errors import ConfigError, IngestError
from finops_tui.sources.formats.aws_cur import AwsCur
from finops_tui.sources.formats.azure import Azure
from finops_tui.sources.formats.base import BillingFormat
from finops_tui.sources.formats.columns import SourceColumns
from finops_tui.sources.formats.focus import Focus
from finops_tui.sources.formats.gcp import GoogleCloud
from finops_tui.sources.formats.oci import Oci

FORMATS: tuple[BillingFormat, ...] = (AwsCur(cur2=False), AwsCur(cur2=True), Azure(), GoogleCloud(), Oci(), Focus())

# Column names that identify an export this build cannot read (for a helpful error).
_KNOWN_ELSEWHERE = {
    "unblendedcost": "an AWS detailed billing report (DBR), retired in 2019; export a CUR instead",
    "pretaxcost": "an old Azure usage details export; export cost details (actual or amortized) instead",
}


def names() -> list[str]:
    return [f.name for f in FORMATS]


def by_name(name: str) -> BillingFormat:
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise ConfigError(f"--format {name}: unknown format. Known formats: {', '.join(names())}.")


def detect(cols: SourceColumns, where: str) -> BillingFormat:
    """The format whose columns these are; IngestError naming what was found otherwise."""
    for fmt in FORMATS:
        if fmt.matches(cols):
            return fmt
    native = next((label for key, label in _KNOWN_ELSEWHERE.items() if key in cols.names_lower), None)
    hint = (
        f"It looks like {native}."
        if native
        else f"Check the header row and the delimiter, or name the format with --format ({', '.join(names())})."
    )
    raise IngestError(f"{where}: unknown billing format: no known set of cost columns (found: {cols.sample()}). {hint}")
