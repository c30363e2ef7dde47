"""`finops-tui ingest`: load billing files into the cache, all or nothing.

Every file is staged first; only when all of them parse does the cache change, in one swap.
A bad file raises IngestError naming the file, column and row, and the cache stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from finops_tui.cache import cost_writes, files
from finops_tui.cache.cost_writes import FileProvenance, LoadSummary
from finops_tui.errors import IngestError
from finops_tui.logs import logged
from finops_tui.sources import formats, staging
from finops_tui.sources.billing_files import BillingFile, expand_paths, sniff


@dataclass
class IngestReport:
    summary: LoadSummary
    files: list[FileProvenance]
    warnings: list[str] = field(default_factory=list)
    skipped_duplicates: list[str] = field(default_factory=list)


def unique_files(paths: list[str]) -> tuple[list[BillingFile], list[str]]:
    """Sniffed files, each content once (a copy of a file is skipped and reported)."""
    seen: dict[str, Path] = {}
    unique, duplicates = [], []
    for bf in (sniff(p) for p in expand_paths(paths)):
        if bf.sha256 in seen:
            duplicates.append(f"{bf.path} (same content as {seen[bf.sha256]})")
            continue
        seen[bf.sha256] = bf.path
        unique.append(bf)
    return unique, duplicates


def check_one_format(staged: list[staging.StagedFile]) -> None:
    kinds = {s.format.name for s in staged}
    if len(kinds) > 1:
        listing = "; ".join(f"{s.file.path.name}: {s.format.label}" for s in staged[:6])
        raise IngestError(f"These files are in different formats ({listing}). Load each format with its own "
                          "`finops-tui ingest` run, so one load is one export; nothing was loaded.")


def ingest_paths(paths: list[str], cache_path: Path, *, source_kind: str = "FILE",
                 memory_limit: str | None = None, format_name: str | None = None) -> IngestReport:
    forced = formats.by_name(format_name) if format_name else None
    unique, duplicates = unique_files(paths)
    with logged("ingest", "load_files", files=len(unique)) as info, \
            files.write_session(cache_path, memory_limit) as con:
        staged = [staging.stage(con, bf, source_kind, forced) for bf in unique]
        check_one_format(staged)
        provenance = [FileProvenance(str(s.file.path), s.file.sha256, s.file.size, s.format.name, s.version,
                                     s.rows) for s in staged]
        summary = cost_writes.replace_cost_datasets(con, provenance, source_kind)
        info["rows"] = summary.rows
    warnings = [f"{s.file.path}: {w}" for s in staged for w in s.warnings]
    return IngestReport(summary, provenance, warnings, duplicates)
