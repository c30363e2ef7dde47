"""Turning what the user typed (files, folders, globs, .zip, s3://…) into local billing files.

Folders and globs are searched recursively and then thinned to the newest report version per
billing period (report_versions); a file named explicitly is always loaded. Zip archives are
unpacked and S3 objects downloaded into a private temporary folder that is removed afterwards;
each file keeps its origin (the archive member or the s3:// URI) for messages and provenance.
"""

from __future__ import annotations

import glob
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from finops_tui.errors import IngestError
from finops_tui.sources import report_versions
from finops_tui.sources.data_files import InputFile, is_data_file
from finops_tui.sources.report_versions import Candidate
from finops_tui.sources.s3_exports import download_prefix

_MAX_UNZIPPED = 64 * 1024**3  # refuse archives that claim to hold more than 64 GB (zip bombs)


@dataclass
class InputSet:
    files: list[InputFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # report versions skipped, …

    def origin_of(self, path: Path) -> str:
        return next((f.origin for f in self.files if f.path == path), str(path))


def _local_tree(root: Path, keep_manifests: bool = True) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and (is_data_file(p.name) or (keep_manifests and report_versions.is_manifest(p.name)))
    )


def newest_local(paths: list[Path], root: Path | None, notes: list[str]) -> list[Path]:
    """Apply report-version selection to local files (keys relative to `root`, or absolute)."""

    def key(p: Path) -> str:
        return (p.relative_to(root) if root else p).as_posix()

    by_key = {key(p): p for p in paths}
    stats = {k: p.stat() for k, p in by_key.items()}
    selection = report_versions.select_newest(
        [Candidate(k, s.st_mtime, s.st_size) for k, s in stats.items()],
        lambda k: by_key[k].read_bytes(),
    )
    notes.extend(selection.notes)
    return [by_key[c.key] for c in selection.files]


def _unzip(archive: Path, into: Path, origin: str) -> list[InputFile]:
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir() and is_data_file(m.filename)]
            if sum(m.file_size for m in members) > _MAX_UNZIPPED:
                raise IngestError(f"{origin}: the archive would unpack to more than 64 GB; unzip it yourself.")
            if not members:
                raise IngestError(f"{origin}: the zip archive holds no .csv, .csv.gz, .parquet or .json file.")
            target = Path(tempfile.mkdtemp(prefix="zip-", dir=into))
            out = []
            for n, member in enumerate(members):
                # Members are written under generated names: a hostile '../../x' path cannot escape.
                local = target / f"{n:05d}-{Path(member.filename).name}"
                with zf.open(member) as src, open(local, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                out.append(InputFile(local, f"{origin}!{member.filename}"))
            return out
    except zipfile.BadZipFile as exc:
        raise IngestError(f"{origin}: not a readable zip archive ({exc}). Download it again.") from None


def _is_zip(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == b"PK\x03\x04"


def _expand_local(arg: str, notes: list[str]) -> list[Path]:
    path = Path(arg).expanduser()
    if any(ch in arg for ch in "*?["):
        matches = sorted(Path(p) for p in glob.glob(str(path), recursive=True))
        files = [p for p in matches if p.is_file()]
        if not files:
            raise IngestError(f"{arg}: the pattern matches no file. Check the path and quoting.")
        return newest_local(files, None, notes)
    if path.is_dir():
        inside = _local_tree(path)
        if not any(is_data_file(p.name) for p in inside):
            raise IngestError(f"{path}: the directory holds no billing file (.csv, .csv.gz, .parquet, .json, .zip).")
        return newest_local(inside, path, notes)
    if path.is_file():
        return [path]
    raise IngestError(f"{path}: no such file or directory.")


@contextmanager
def resolved(args: list[str]) -> Iterator[InputSet]:
    """Local files for `args`; temporary copies (zip members, S3 objects) are removed on exit."""
    scratch = Path(tempfile.mkdtemp(prefix="finops-tui-ingest-"))
    result = InputSet()
    try:
        for arg in args:
            if arg.startswith("s3://"):
                result.files.extend(download_prefix(arg, scratch, result.notes))
                continue
            for path in _expand_local(arg, result.notes):
                if _is_zip(path):
                    result.files.extend(_unzip(path, scratch, str(path)))
                else:
                    result.files.append(InputFile(path, str(path)))
        yield result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
