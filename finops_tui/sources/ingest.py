"""`finops-tui ingest`: load billing files into the cache, all or nothing.

Every file is staged into one `CostLoad` first; only when all of them parse does the load
finish, and the cache changes in one swap. A bad file raises IngestError naming the file, column
and row; the load rolls back and the cache stays as it was. So does Ctrl-C (Cancelled, exit 130)
and a full disk (IngestError saying so, not blaming the file).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from finops_tui.cache import files
from finops_tui.cache.cost_load import CostLoad
from finops_tui.cache.cost_slices import FileProvenance, LoadSummary
from finops_tui.errors import Cancelled, ConfigError, IngestError
from finops_tui.logs import logged
from finops_tui.sources import formats, input_files, staging
from finops_tui.sources.billing_files import BillingFile, sniff
from finops_tui.sources.formats.base import BillingFormat


@dataclass
class IngestReport:
    summary: LoadSummary
    files: list[FileProvenance]
    warnings: list[str] = field(default_factory=list)
    skipped_duplicates: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # report versions skipped, …


def unique_files(inputs: input_files.InputSet) -> tuple[list[BillingFile], list[str]]:
    """Sniffed files, each content once (a copy of a file is skipped and reported).

    Only files of the same size can be copies, so only theirs are hashed before loading; the others'
    hashes (for provenance) are computed while they load."""
    sniffed = [(item, sniff(item.path)) for item in inputs.files]
    sizes: dict[int, int] = {}
    for _, bf in sniffed:
        sizes[bf.size] = sizes.get(bf.size, 0) + 1
    seen: dict[str, str] = {}
    unique, duplicates = [], []
    for item, bf in sniffed:
        if sizes[bf.size] > 1:
            if bf.sha256 in seen:
                duplicates.append(f"{item.origin} (same content as {seen[bf.sha256]})")
                continue
            seen[bf.sha256] = item.origin
        unique.append(bf)
    return unique, duplicates


def check_one_format(staged: list[staging.StagedFile]) -> None:
    kinds = {s.format.name for s in staged}
    if len(kinds) > 1:
        listing = "; ".join(f"{s.file.path.name}: {s.format.label}" for s in staged[:6])
        raise IngestError(
            f"These files are in different formats ({listing}). Load each format with its own "
            "`finops-tui ingest` run, so one load is one export; nothing was loaded."
        )


@contextmanager
def _origins_in_errors(inputs: input_files.InputSet) -> Iterator[None]:
    """Say 's3://b/k' or 'a.zip!member', not the temporary file, in any error."""
    try:
        yield
    except IngestError as exc:
        message = str(exc)
        for item in inputs.files:
            if str(item.path) != item.origin:
                message = message.replace(str(item.path.resolve()), item.origin).replace(str(item.path), item.origin)
        if message == str(exc):
            raise
        raise IngestError(message) from None


def stage_all(
    load: CostLoad, inputs: input_files.InputSet, forced: BillingFormat | None
) -> tuple[list[staging.StagedFile], list[str]]:
    """Stage every input file into the open `load`, with its origin recorded; one format per load."""
    unique, duplicates = unique_files(inputs)
    staged = [staging.stage(load, bf, forced, inputs.origin_of(bf.path)) for bf in unique]
    check_one_format(staged)
    return staged, duplicates


def _provenance(inputs: input_files.InputSet, staged: staging.StagedFile) -> FileProvenance:
    file = staged.file
    return FileProvenance(
        inputs.origin_of(file.path), file.sha256, file.size, staged.format.name, staged.version, staged.rows
    )


@contextmanager
def stopped_cleanly(cache_path: Path | None) -> Iterator[None]:
    """Ctrl-C becomes Cancelled and a full disk an IngestError that says so; both after the load rolled back."""
    try:
        yield
    except (KeyboardInterrupt, RuntimeError, duckdb.Error) as exc:
        if staging.is_interrupt(exc):
            raise Cancelled(staging.CANCELLED) from None
        if staging.is_disk_full(exc):
            raise IngestError(staging.disk_full_message(exc, str(cache_path or "the temporary folder"))) from None
        raise
    except OSError as exc:
        if staging.is_disk_full(exc):
            raise IngestError(staging.disk_full_message(exc, str(cache_path or "the temporary folder"))) from None
        raise


def ingest_paths(
    paths: list[str],
    cache_path: Path,
    *,
    source_kind: str = "FILE",
    memory_limit: str | None = None,
    format_name: str | None = None,
) -> IngestReport:
    forced = formats.by_name(format_name) if format_name else None
    with (
        stopped_cleanly(cache_path),
        input_files.resolved(paths) as inputs,
        _origins_in_errors(inputs),
        logged("ingest", "load_files", files=len(inputs.files)) as info,
        files.write_session(cache_path, memory_limit) as con,
    ):
        with CostLoad(con, source_kind) as load:
            staged, duplicates = stage_all(load, inputs, forced)
            provenance = [_provenance(inputs, s) for s in staged]
            load.record_files(provenance)
            replaced = replaced_views(load.replaced_datasets(), staged)
        info["rows"] = load.summary.rows
        warnings = [f"{inputs.origin_of(s.file.path)}: {w}" for s in staged for w in s.warnings]
        notes = list(inputs.notes) + replaced
    return IngestReport(load.summary, provenance, warnings, duplicates, notes)


def replaced_views(
    previous: list[tuple[str, str | None, str | None, str | None]], staged: list[staging.StagedFile]
) -> list[str]:
    """One note per dataset whose earlier rows were another view of the same bills (Azure actual and
    amortized share a billing period's dataset, so loading one replaces the other)."""
    if not staged:
        return []
    fmt = staged[0].format
    versions = sorted({s.version for s in staged})
    notes = []
    for dataset_id, old_format, old_version, old_source in previous:
        if old_format == fmt.name and old_version in versions:
            continue  # the same view again (a newer export of it): an ordinary replacement
        was = " ".join(v for v in (_format_label(old_format), old_version) if v) or "another load"
        notes.append(
            f"replaced {dataset_id}: it held {was} data (from {old_source or 'an earlier load'}); "
            f"it now holds {fmt.label} {'/'.join(versions)}. One view per billing period: "
            "load the other file again to switch back."
        )
    return notes


def _format_label(name: str | None) -> str | None:
    try:
        return formats.by_name(name).label if name else None
    except ConfigError:
        return name  # a format this build no longer knows: its recorded name
