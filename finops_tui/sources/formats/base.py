"""What a billing export format must say: how to recognise it and how its columns map to FOCUS.

A format never runs SQL itself. `projection()` returns one SQL expression per FOCUS column it can
fill, written over the file's own columns (through `SourceColumns`, which records what was used);
staging wraps that in one `INSERT … SELECT` per file, so DuckDB streams the whole conversion.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import duckdb

from finops_tui.sources.formats.columns import SourceColumns


class BillingFormat(ABC):
    name: str  # the --format value, e.g. "focus", "aws-cur"
    label: str  # for people, e.g. "AWS Cost and Usage Report (legacy)"
    provider: str | None = None  # ProviderName its rows get, when the file does not say

    @abstractmethod
    def matches(self, cols: SourceColumns) -> bool:
        """True when the columns are this format's (checked in registry order)."""

    @abstractmethod
    def version(self, cols: SourceColumns) -> str:
        """Format version detected from the columns, e.g. "1.2" or "legacy"."""

    @abstractmethod
    def projection(self, cols: SourceColumns) -> dict[str, str]:
        """FOCUS column name -> SQL expression of the cache type, over this file's columns."""

    def for_file(self, con: duckdb.DuckDBPyConnection, source_sql: str, cols: SourceColumns) -> BillingFormat:
        """The format to use for one file, when its data (not only its columns) decides; self by default.

        `source_sql` is the file's reader (`read_csv(...)`); an override runs one cheap query over it.
        """
        return self

    def required(self) -> tuple[str, ...]:
        """Native columns whose absence makes the file unusable, named in the error."""
        return ()

    def extension_columns(self, cols: SourceColumns) -> list[str]:
        """Input columns kept verbatim in x_Extensions: by default every column the mapping did not use."""
        return cols.unused()

    def csv_options(self) -> str:
        """Extra read_csv options (for example a fixed date format); none by default."""
        return ""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"
