"""Choosing the newest version of each billing period's report, so a month is never counted twice.

AWS rewrites the current month's report on every refresh. Legacy CUR puts each rewrite in a new
assembly folder (`<report>/20260301-20260401/<assembly-id>/…`), each with its own manifest, and
names the current one in the billing-period manifest `<report>/20260301-20260401/<report>-Manifest.json`
(`assemblyId`, `reportKeys`); Data Exports (CUR 2.0, FOCUS) write `data/BILLING_PERIOD=2026-03/…`
with a manifest under `metadata/BILLING_PERIOD=2026-03/` listing `dataFiles`, and may keep older
executions in sibling folders. Loading every file found would double count, so within each
billing-period folder we keep one version:
1. the assembly folder the billing-period manifest's `assemblyId` names: AWS documents that
   manifest as the authoritative one, and manifests' timestamps can tie (S3 keeps whole seconds)
   or even favour an older assembly's manifest;
2. otherwise the files the newest manifest lists;
3. otherwise, without a manifest, the newest version folder.
The ingest notes say which version was chosen and why.

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
    documents: dict[str, object] = {}  # readable manifests, newest first
    for manifest in manifests:
        try:
            documents[manifest.key] = json.loads(read_manifest(manifest.key))
        except (ValueError, OSError) as exc:
            notes.append(f"{manifest.key}: manifest not readable ({exc}); versions chosen by folder date")
    # Each readable manifest's files, from the period folder on, to match data files wherever the prefix starts.
    manifest_lists = [
        (key, {rel.lower() for rel in (_from_period(k) for k in _manifest_files(document)) if rel})
        for key, document in documents.items()
    ]

    selected = list(loose)
    for (folder, period), files in sorted(groups.items()):
        versions = _version_folders(folder, files)
        chosen = _assembly_named_by_period_manifest(folder, versions, documents, notes)
        rels = {(_from_period(c.key) or "").lower(): c for c in files}
        newest = next(((key, listed) for key, listed in manifest_lists if listed & rels.keys()), None)
        if chosen is not None:
            keep = versions[chosen[0]]
            why = f"the billing-period manifest {chosen[1]} names it (assemblyId), whatever the files' dates"
        elif newest is not None:
            keep = [c for rel, c in rels.items() if rel in newest[1]]
            why = f"the newest manifest that lists this period's files, {newest[0]}, lists them"
        else:
            keep = _newest_version_folder(versions)
            why = "no manifest lists this period's files; it holds the newest files"
        _note_choice(notes, period, folder, versions, keep, why)
        selected.extend(keep)
    return Selection(sorted(selected, key=lambda c: c.key), notes)


def _version_folders(folder: str, files: list[Candidate]) -> dict[str, list[Candidate]]:
    """A period folder's files by the subfolder they sit in (an assembly or execution; "" = the period folder)."""
    depth = folder.count("/") + 1
    versions: dict[str, list[Candidate]] = defaultdict(list)
    for c in files:
        versions["/".join(c.key.split("/")[depth:-1][:1])].append(c)
    return dict(versions)


def _assembly_named_by_period_manifest(
    folder: str, versions: dict[str, list[Candidate]], documents: dict[str, object], notes: list[str]
) -> tuple[str, str] | None:
    """(assembly folder, manifest key) when the manifest directly in the period folder names one of its
    assembly folders by `assemblyId`; None when there is no such manifest (the fallback rules decide)."""
    for key, document in documents.items():  # newest first
        if key.rsplit("/", 1)[0] != folder or not isinstance(document, dict):
            continue
        assembly = document.get("assemblyId")
        if not isinstance(assembly, str) or not assembly:
            continue
        names = [name for name in versions if name and name.lower() == assembly.lower()]
        if names:
            return (assembly if assembly in versions else names[0]), key
        notes.append(
            f"{key}: names assembly {assembly}, but no data file of it was found in {folder}; "
            "the version is chosen by the other manifests and folder dates"
        )
        return None
    return None


def _newest_version_folder(versions: dict[str, list[Candidate]]) -> list[Candidate]:
    return max(versions.values(), key=lambda group: (max(c.modified for c in group), len(group)))


def _note_choice(
    notes: list[str], period: str, folder: str, versions: dict[str, list[Candidate]], keep: list[Candidate], why: str
) -> None:
    """Say which version was loaded and why, when there was a choice (files were skipped)."""
    kept = {id(c) for c in keep}
    loaded: list[str] = []
    older: list[str] = []
    for name, group in sorted(versions.items()):
        (loaded if any(id(c) in kept for c in group) else older).append(name or "(the period folder itself)")
    skipped = sum(len(group) for group in versions.values()) - len(keep)
    if skipped:
        notes.append(
            f"{period}: loaded {len(keep)} file(s) of report version {', '.join(loaded)} in {folder} ({why}); "
            f"skipped {skipped} file(s) of older report versions" + (f" ({', '.join(older)})" if older else "")
        )
