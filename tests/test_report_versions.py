"""Which report version of a billing period is loaded, when AWS has written several.

Legacy CUR writes each rewrite of a month into a new assembly folder with its own manifest, and
names the current assembly in the billing-period manifest (`<report>/<period>/<report>-Manifest.json`,
`assemblyId`). AWS documents that manifest as the authoritative one; manifests' timestamps are not
(S3 keeps whole seconds, so AWS's writes of one refresh tie, and a copied folder gets fresh dates).
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import boto3
import duckdb

from finops_tui.sources.ingest import ingest_paths
from finops_tui.sources.report_versions import Candidate, select_newest

PERIOD = "cur/daily/20261101-20261201"
OLD, NEW = "1b2c3d4e-0000-4000-8000-000000000001", "8e9f0a1b-0000-4000-8000-000000000002"
HEADER = "BilledCost,EffectiveCost,ChargePeriodStart,BillingPeriodStart,BillingCurrency,ProviderName,BillingAccountId"


def month_csv(amount: str, days: int) -> str:
    rows = [f"{amount},{amount},2026-11-{d:02d}T00:00:00Z,2026-11-01T00:00:00Z,USD,AWS,111" for d in range(1, days + 1)]
    return HEADER + "\n" + "\n".join(rows) + "\n"


def manifest(assembly: str, keys: list[str]) -> str:
    return json.dumps({"assemblyId": assembly, "billingPeriod": {"start": "20261101T000000.000Z"}, "reportKeys": keys})


def cur_period(prefix: str = "") -> dict[str, str]:
    """Two assemblies of November, each with its manifest, and the billing-period manifest naming the new one."""
    old_keys = [f"{prefix}{PERIOD}/{OLD}/daily-00001.csv"]
    new_keys = [f"{prefix}{PERIOD}/{NEW}/daily-00001.csv", f"{prefix}{PERIOD}/{NEW}/daily-00002.csv"]
    return {
        old_keys[0]: month_csv("1.00", 3),
        f"{prefix}{PERIOD}/{OLD}/daily-Manifest.json": manifest(OLD, old_keys),
        new_keys[0]: month_csv("2.00", 2),
        new_keys[1]: month_csv("2.00", 2).replace("2026-11-0", "2026-11-1"),
        f"{prefix}{PERIOD}/{NEW}/daily-Manifest.json": manifest(NEW, new_keys),
        f"{prefix}{PERIOD}/daily-Manifest.json": manifest(NEW, new_keys),
    }


def select(files: dict[str, str], modified: dict[str, float] | None = None):
    candidates = [Candidate(k, (modified or {}).get(k, 1_000.0), len(v)) for k, v in sorted(files.items())]
    return select_newest(candidates, lambda key: files[key].encode())


def test_when_manifests_share_a_timestamp_the_billing_period_manifests_assembly_is_loaded():
    selection = select(cur_period())
    assert [c.key for c in selection.files] == [f"{PERIOD}/{NEW}/daily-00001.csv", f"{PERIOD}/{NEW}/daily-00002.csv"]
    [note] = selection.notes
    assert f"report version {NEW}" in note and f"billing-period manifest {PERIOD}/daily-Manifest.json" in note
    assert "assemblyId" in note and f"skipped 1 file(s) of older report versions ({OLD})" in note


def test_the_billing_period_manifest_wins_even_over_a_newer_dated_assembly_manifest():
    files = cur_period()
    later = {f"{PERIOD}/{OLD}/daily-Manifest.json": 5_000.0, f"{PERIOD}/{OLD}/daily-00001.csv": 5_000.0}
    assert {c.key.split("/")[-2] for c in select(files, later).files} == {NEW}


def test_without_an_assembly_id_the_newest_manifest_still_decides():
    files = cur_period()
    files[f"{PERIOD}/daily-Manifest.json"] = json.dumps({"reportKeys": [f"{PERIOD}/{OLD}/daily-00001.csv"]})
    del files[f"{PERIOD}/{NEW}/daily-Manifest.json"], files[f"{PERIOD}/{OLD}/daily-Manifest.json"]
    selection = select(files, {f"{PERIOD}/{NEW}/daily-00001.csv": 2_000.0})
    assert [c.key for c in selection.files] == [f"{PERIOD}/{OLD}/daily-00001.csv"]
    assert f"newest manifest that lists this period's files, {PERIOD}/daily-Manifest.json" in selection.notes[0]


def test_an_assembly_id_naming_no_folder_found_falls_back_and_says_so():
    files = cur_period()
    files[f"{PERIOD}/daily-Manifest.json"] = manifest("not-uploaded-yet", [])
    del files[f"{PERIOD}/{NEW}/daily-Manifest.json"], files[f"{PERIOD}/{OLD}/daily-Manifest.json"]
    selection = select(files, {f"{PERIOD}/{NEW}/daily-00001.csv": 2_000.0})
    assert {c.key.split("/")[-2] for c in selection.files} == {NEW}  # the newest folder, as without a manifest
    assert any("names assembly not-uploaded-yet, but no data file of it was found" in n for n in selection.notes)
    assert any("it holds the newest files" in n for n in selection.notes)


def november(cache: Path) -> tuple[int, Decimal]:
    with duckdb.connect(str(cache), read_only=True) as con:
        count, total = con.execute("SELECT count(*), sum(BilledCost) FROM costs").fetchone()
    return count, Decimal(str(total))


def test_a_copied_cur_folder_with_equal_dates_loads_the_assembly_the_period_manifest_names(tmp_path):
    for key, text in cur_period().items():
        path = tmp_path / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.utime(path, (1_000, 1_000))  # `cp -r` without -p, or a zip: every file has the same date
    report = ingest_paths([str(tmp_path / "cur")], tmp_path / "c.duckdb")
    assert november(tmp_path / "c.duckdb") == (4, Decimal("8.00"))
    assert any(f"report version {NEW}" in note and "billing-period manifest" in note for note in report.notes)


def test_an_s3_prefix_loads_the_assembly_the_period_manifest_names(moto_server, tmp_path):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="billing")
    files = cur_period()
    # The old assembly's manifest is written last: its date ties with the others or is newer.
    for key in sorted(files, key=lambda k: k == f"{PERIOD}/{OLD}/daily-Manifest.json"):
        s3.put_object(Bucket="billing", Key=key, Body=files[key].encode())
    report = ingest_paths(["s3://billing/cur/daily"], tmp_path / "c.duckdb")
    assert sorted(f.path for f in report.files) == [
        f"s3://billing/{PERIOD}/{NEW}/daily-00001.csv",
        f"s3://billing/{PERIOD}/{NEW}/daily-00002.csv",
    ]
    assert november(tmp_path / "c.duckdb") == (4, Decimal("8.00"))
    assert any(f"s3://billing: 2026-11: loaded 2 file(s) of report version {NEW}" in note for note in report.notes)
