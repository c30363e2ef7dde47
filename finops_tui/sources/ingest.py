"""`finops-tui ingest`: load billing files into the cache, all or nothing.

Every file is staged first; only when all of them parse does the cache change, in one swap.
A bad file raises IngestError naming the file, column and row, and the cache stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from finops_tui.cache import cost_writes, files
from finops_tui.cache.cost_writes import FileProvenance, LoadSummary
from finops_tui.logs import logged
from finops_tui.sources import focus
from finops_tui.sources.billing_files import expand_paths, sniff


@dataclass
class IngestReport:
    summary: LoadSummary
    files: list[FileProvenance]
    versions: dict[str, str]  # path -> detected FOCUS version
    warnings: list[str] = field(default_factory=list)
    skipped_duplicates: list[str] = field(default_factory=list)


def ingest_paths(paths: list[str], cache_path: Path, *, source_kind: str = "FILE",
                 memory_limit: str | None = None) -> IngestReport:
    billing_files = [sniff(p) for p in expand_paths(paths)]
    seen: dict[str, Path] = {}
    unique, duplicates = [], []
    for bf in billing_files:
        if bf.sha256 in seen:
            duplicates.append(f"{bf.path} (same content as {seen[bf.sha256]})")
            continue
        seen[bf.sha256] = bf.path
        unique.append(bf)
    with logged("ingest", "load_files", files=len(unique)) as info, \
            files.write_session(cache_path, memory_limit) as con:
        staged = [focus.stage(con, bf, source_kind) for bf in unique]
        provenance = [FileProvenance(str(s.file.path), s.file.sha256, s.file.size, s.focus_version, s.rows)
                      for s in staged]
        summary = cost_writes.replace_cost_datasets(con, provenance, source_kind)
        info["rows"] = summary.rows
    warnings = [f"{s.file.path}: {w}" for s in staged for w in s.warnings]
    return IngestReport(summary, provenance, {str(s.file.path): s.focus_version for s in staged},
                        warnings, duplicates)
