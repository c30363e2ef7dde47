"""Choosing the newest version of each billing period's report, so a month is never counted twice.

AWS rewrites the current month's report on every refresh. Legacy CUR puts each rewrite in a new
assembly folder (`<report>/20260301-20260401/<assembly-id>/…`) and names the current one in
`<report>-Manifest.json` (`reportKeys`); Data Exports (CUR 2.0, FOCUS) write
`data/BILLING_PERIOD=2026-03/…` with a manifest under `metadata/BILLING_PERIOD=2026-03/` listing
`dataFiles`, and may keep older executions in sibling folders. Loading every file found would
double count, so within each billing-period folder we keep only the files the newest manifest
lists or, without a manifest, the newest version folder.

Works on keys (`a/b/c.csv.gz`), so the same rules apply to a local folder and to an S3 prefix.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

_PERIOD_DIRS = (
    re.compile(r"^billing_period=(\d{4})-?(\d{2})(?:-\d{2})?$", re.IGNORECASE),
    re.compile(r"^(\d{4})(\d{2})01-\d{8}$"),
)


@dataclass(frozen=True)
class Candidate:
    key: str  # '/'-separated path or S3 key
    modified: float  # epoch seconds
    size: int


@dataclass(frozen=True)
class Selection:
    files: list[Candidate]
    notes: list[str]  # what was skipped and why, for the ingest report


def is_manifest(key: str) -> bool:
    return key.lower().endswith("manifest.json")


def billing_period_of(key: str) -> tuple[int, str] | None:
    """(index of the period folder in the key's parts, 'YYYY-MM') or None when the key has none."""
    for index, part in enumerate(key.split("/")[:-1]):
        for pattern in _PERIOD_DIRS:
            found = pattern.match(part)
            if found:
                return index, f"{found.group(1)}-{found.group(2)}"
    return None


def _from_period(key: str) -> str | None:
    """The key from its billing-period folder on ('BILLING_PERIOD=2026-03/x/f.parquet'), to match manifests."""
    found = billing_period_of(key)
    return "/".join(key.split("/")[found[0] :]) if found else None


def _manifest_files(document: object) -> list[str]:
    if not isinstance(document, dict):
        return []
    keys = document.get("reportKeys") or document.get("dataFiles") or []
    return [str(k) for k in keys if isinstance(k, str)]


def select_newest(candidates: list[Candidate], read_manifest: Callable[[str], bytes]) -> Selection:
    """Data files to load: per billing-period folder, only the newest report version."""
    manifests = sorted((c for c in candidates if is_manifest(c.key)), key=lambda c: c.modified, reverse=True)
    data = [c for c in candidates if not is_manifest(c.key)]
    groups: dict[tuple[str, str], list[Candidate]] = defaultdict(list)
    loose: list[Candidate] = []
    for c in data:
        found = billing_period_of(c.key)
        if found is None:
            loose.append(c)
        else:
            groups[("/".join(c.key.split("/")[: found[0] + 1]), found[1])].append(c)

    notes: list[str] = []
    manifest_lists: list[set[str]] = []  # newest manifest first; each: files it lists, from the period folder on
    for manifest in manifests:
        try:
            listed = {_from_period(k) for k in _manifest_files(json.loads(read_manifest(manifest.key)))}
        except (ValueError, OSError) as exc:
            notes.append(f"{manifest.key}: manifest not readable ({exc}); versions chosen by folder date")
            continue
        manifest_lists.append({rel.lower() for rel in listed if rel})

    selected = list(loose)
    for (folder, period), files in sorted(groups.items()):
        rels = {(_from_period(c.key) or "").lower(): c for c in files}
        newest = next((listed for listed in manifest_lists if listed & rels.keys()), None)
        if newest is not None:
            keep = [c for rel, c in rels.items() if rel in newest]
            _note_skipped(notes, period, folder, files, keep, "older report versions (not in the newest manifest)")
        else:
            keep = _newest_version_folder(folder, files)
            _note_skipped(notes, period, folder, files, keep, "older report versions (older folders)")
        selected.extend(keep)
    return Selection(sorted(selected, key=lambda c: c.key), notes)


def _newest_version_folder(folder: str, files: list[Candidate]) -> list[Candidate]:
    depth = folder.count("/") + 1
    versions: dict[str, list[Candidate]] = defaultdict(list)
    for c in files:
        parts = c.key.split("/")
        versions["/".join(parts[depth:-1][:1])].append(c)  # "" = files directly in the period folder
    if len(versions) == 1:
        return files
    newest = max(versions.values(), key=lambda group: (max(c.modified for c in group), len(group)))
    return newest


def _note_skipped(
    notes: list[str], period: str, folder: str, files: list[Candidate], keep: list[Candidate], why: str
) -> None:
    skipped = len(files) - len(keep)
    if skipped:
        notes.append(
            f"{period}: loaded {len(keep)} file(s) of the newest report version in {folder}; "
            f"skipped {skipped} file(s) of {why}"
        )
