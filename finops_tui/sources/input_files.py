"""Turning what the user typed (files, folders, globs, .zip, s3://…) into local billing files.

Folders and globs are searched recursively and then thinned to the newest report version per
billing period (report_versions); a file named explicitly is always loaded. The search follows
symlinks but enters each real folder once (by device and inode) and goes at most MAX_DEPTH levels
down, so a symlink loop cannot make it run forever; what it skipped is one line in the notes.
Zip archives are unpacked and S3 objects downloaded into this process's private temporary folder
(locations.process_temp_dir), removed afterwards, or by the next run if this one is killed; each
file keeps its origin (the archive member or the s3:// URI) for messages and provenance.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import tempfile
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from finops_tui.cache.files import private_temp_dir
from finops_tui.errors import IngestError
from finops_tui.sources import report_versions
from finops_tui.sources.data_files import InputFile, is_data_file
from finops_tui.sources.report_versions import Candidate
from finops_tui.sources.s3_exports import download_prefix

_MAX_UNZIPPED = 64 * 1024**3  # refuse archives that claim to hold more than 64 GB (zip bombs)
MAX_DEPTH = 32  # folder levels below the folder or glob base that a search enters


@dataclass
class InputSet:
    files: list[InputFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # report versions skipped, …

    def origin_of(self, path: Path) -> str:
        return next((f.origin for f in self.files if f.path == path), str(path))


@dataclass
class _Search:
    """One recursive search from `root`: each real folder entered once, never deeper than MAX_DEPTH."""

    root: Path
    descend: Callable[[tuple[str, ...]], bool] = lambda parts: True
    repeats: int = 0  # symlinked folders already entered (loops, or a second link to one folder)
    too_deep: int = 0
    broken: int = 0  # symlinks that lead nowhere (or round in a circle of links)

    def files(self) -> Iterator[tuple[Path, tuple[str, ...]]]:
        """Every non-folder entry under root, with its path parts relative to root.

        Breadth first, real folders before symlinks: a folder is listed under its shortest, real path.
        """
        seen = {_identity(os.stat(self.root))}
        pending: deque[tuple[Path, tuple[str, ...]]] = deque([(self.root, ())])
        while pending:
            folder, parts = pending.popleft()
            for entry in _entries(folder):
                rel = (*parts, entry.name)
                try:
                    if not entry.is_dir():
                        yield Path(entry.path), rel
                        continue
                    identity = _identity(entry.stat())
                except OSError:
                    self.broken += 1
                    continue
                if not self.descend(rel):
                    continue
                if len(rel) > MAX_DEPTH:
                    self.too_deep += 1
                elif identity in seen:
                    self.repeats += 1
                else:
                    seen.add(identity)
                    pending.append((Path(entry.path), rel))

    def note(self) -> str | None:
        skipped = [
            f"{self.repeats} symlinked folder(s) already searched (a symlink loop or a second link to a folder)"
            if self.repeats
            else "",
            f"{self.too_deep} folder(s) more than {MAX_DEPTH} levels down" if self.too_deep else "",
            f"{self.broken} broken symlink(s)" if self.broken else "",
        ]
        listed = "; ".join(s for s in skipped if s)
        return f"{self.root}: skipped {listed}" if listed else None


def _identity(st: os.stat_result) -> tuple[int, int]:
    return (st.st_dev, st.st_ino)


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as it:
            return sorted(it, key=lambda e: (e.is_symlink(), e.name))
    except OSError as exc:
        raise IngestError(
            f"{folder}: cannot read this folder ({exc.strerror}). Fix its permissions, or name the files to load."
        ) from None


def _local_tree(root: Path, notes: list[str], keep_manifests: bool = True) -> list[Path]:
    search = _Search(root)
    found = sorted(
        p
        for p, _ in search.files()
        if (is_data_file(p.name) or (keep_manifests and report_versions.is_manifest(p.name))) and p.is_file()
    )
    _add_note(notes, search)
    return found


def _add_note(notes: list[str], search: _Search) -> None:
    note = search.note()
    if note:
        notes.append(note)


def _hidden(name: str) -> bool:
    return name.startswith(".")


def _part_matches(name: str, pattern: str) -> bool:
    """Like glob: '*' and '?' never match a leading '.'."""
    return (pattern.startswith(".") or not _hidden(name)) and fnmatch.fnmatchcase(name, pattern)


def _glob_matches(parts: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    """Whether relative path `parts` matches glob `pattern` (split in parts; '**' is any number of folders)."""
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return _glob_matches(parts, pattern[1:]) or (
            bool(parts) and not _hidden(parts[0]) and _glob_matches(parts[1:], pattern)
        )
    return bool(parts) and _part_matches(parts[0], pattern[0]) and _glob_matches(parts[1:], pattern[1:])


def _glob_could_match_below(parts: tuple[str, ...], pattern: tuple[str, ...]) -> bool:
    """Whether something inside folder `parts` could match `pattern` (so the search must enter it)."""
    if not parts:
        return bool(pattern)
    if not pattern:
        return False
    if pattern[0] == "**":
        return _glob_could_match_below(parts, pattern[1:]) or (
            not _hidden(parts[0]) and _glob_could_match_below(parts[1:], pattern)
        )
    return _part_matches(parts[0], pattern[0]) and _glob_could_match_below(parts[1:], pattern[1:])


def _glob_files(path: Path, notes: list[str]) -> list[Path]:
    """Files matching a glob, found by a loop-safe search from the pattern's fixed leading folders."""
    parts = path.parts
    fixed = next((i for i, part in enumerate(parts) if any(ch in part for ch in "*?[")), len(parts))
    base, pattern = Path(*parts[:fixed]) if fixed else Path(), parts[fixed:]
    if not base.is_dir():
        return []
    search = _Search(base, lambda rel: _glob_could_match_below(rel, pattern))
    found = sorted(p for p, rel in search.files() if _glob_matches(rel, pattern) and p.is_file())
    _add_note(notes, search)
    return found


def newest_local(paths: list[Path], root: Path | None, notes: list[str]) -> list[Path]:
    """Apply report-version selection to local files found under folder `root` (None: keys are absolute paths).

    Keys run from `root`'s own name on: `root` can be the billing-period folder itself
    (`ingest <report>/20261101-20261201`, or `ingest .` inside it), and without its name in the keys no
    file would have a billing period, every assembly would be loaded and the month double counted.
    For the same reason a glob's files (`ingest '**'` inside that folder) are keyed by absolute path.
    """
    top = Path(os.path.abspath(root)).name if root else ""  # abspath: the real name of '.' or '..'

    def key(p: Path) -> str:
        return (Path(top) / p.relative_to(root)).as_posix() if root else Path(os.path.abspath(p)).as_posix()

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
                try:
                    with zf.open(member) as src, open(local, "wb") as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
                except OSError as exc:
                    raise IngestError(
                        f"{origin}: cannot unpack it into {into} ({exc.strerror}). Free space there "
                        "(or set FINOPS_TUI_TEMP_DIR to a folder with room), or unzip it yourself."
                    ) from None
                out.append(InputFile(local, f"{origin}!{member.filename}"))
            return out
    except zipfile.BadZipFile as exc:
        raise IngestError(f"{origin}: not a readable zip archive ({exc}). Download it again.") from None


def _is_zip(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == b"PK\x03\x04"
    except OSError as exc:
        raise IngestError(
            f"{path}: cannot read this file ({exc.strerror}). Fix its permissions, or leave it out."
        ) from None


def _expand_local(arg: str, notes: list[str]) -> list[Path]:
    path = Path(arg).expanduser()
    if any(ch in arg for ch in "*?["):
        files = _glob_files(path, notes)
        if not files:
            raise IngestError(f"{arg}: the pattern matches no file. Check the path and quoting.")
        return newest_local(files, None, notes)
    if path.is_dir():
        inside = _local_tree(path, notes)
        if not any(is_data_file(p.name) for p in inside):
            raise IngestError(f"{path}: the directory holds no billing file (.csv, .csv.gz, .parquet, .json, .zip).")
        return newest_local(inside, path, notes)
    if path.is_file():
        return [path]
    raise IngestError(f"{path}: no such file or directory.")


@contextmanager
def resolved(args: list[str]) -> Iterator[InputSet]:
    """Local files for `args`; temporary copies (zip members, S3 objects) are removed on exit."""
    scratch = Path(tempfile.mkdtemp(prefix="ingest-", dir=private_temp_dir()))
    result = InputSet()
    try:
        for arg in args:
            if arg.startswith("s3://"):
                result.files.extend(download_prefix(arg, scratch, result.notes))
                continue
            for path in _local_paths(arg, result.notes):
                if _is_zip(path):
                    result.files.extend(_unzip(path, scratch, str(path)))
                else:
                    result.files.append(InputFile(path, str(path)))
        yield result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _local_paths(arg: str, notes: list[str]) -> list[Path]:
    try:
        return _expand_local(arg, notes)
    except OSError as exc:  # a file that vanished or cannot be read while the folder was searched
        raise IngestError(
            f"{exc.filename or arg}: cannot read it ({exc.strerror}). Fix its permissions, or leave it out."
        ) from None
