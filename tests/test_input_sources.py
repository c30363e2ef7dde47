"""Where billing files come from: folders, globs, zip, hive partitions, S3, and report versions.

AWS rewrites the current month's report on every refresh; loading every copy found would double
count. These tests build the folder layouts AWS writes (legacy CUR assemblies with a manifest,
Data Exports BILLING_PERIOD= folders) locally and in S3 (moto as a real server) and check that
only the newest version of each month is loaded.
"""

from __future__ import annotations

import json
import os
import zipfile
from decimal import Decimal
from pathlib import Path

import boto3
import duckdb
import pytest

from finops_tui.errors import IngestError
from finops_tui.sources.ingest import ingest_paths
from tests.test_report_versions import NEW, PERIOD, cur_period, november

HEADER = "BilledCost,EffectiveCost,ChargePeriodStart,BillingPeriodStart,BillingCurrency,ProviderName,BillingAccountId"


def month_csv(month: str, amount: str, days: int = 3, first: int = 1) -> str:
    rows = [
        f"{amount},{amount},{month}-{d:02d}T00:00:00Z,{month}-01T00:00:00Z,USD,AWS,111"
        for d in range(first, first + days)
    ]
    return HEADER + "\n" + "\n".join(rows) + "\n"


def cache_state(cache: Path) -> dict[str, tuple[int, Decimal]]:
    with duckdb.connect(str(cache), read_only=True) as con:
        rows = con.execute(
            "SELECT strftime(BillingPeriodStart, '%Y-%m'), count(*), sum(BilledCost) FROM costs GROUP BY 1 ORDER BY 1"
        ).fetchall()
    return {m: (n, Decimal(str(s))) for m, n, s in rows}


def write(path: Path, text: str, mtime: float | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def test_legacy_cur_folder_loads_only_the_assembly_the_manifest_names(tmp_path):
    period = tmp_path / "cur" / "report" / "20260301-20260401"
    write(period / "aaaa-old" / "report-1.csv", month_csv("2026-03", "1.00"), mtime=1_000)
    write(period / "bbbb-new" / "report-1.csv", month_csv("2026-03", "2.00", days=4), mtime=900)  # clock skew
    write(
        period / "report-Manifest.json",
        json.dumps({"assemblyId": "bbbb-new", "reportKeys": ["cur/report/20260301-20260401/bbbb-new/report-1.csv"]}),
    )
    report = ingest_paths([str(tmp_path / "cur")], tmp_path / "c.duckdb")
    assert cache_state(tmp_path / "c.duckdb") == {"2026-03": (4, Decimal("8.00"))}
    assert any("skipped 1 file" in note for note in report.notes)


def test_without_a_manifest_the_newest_version_folder_wins_per_month(tmp_path):
    data = tmp_path / "exports" / "focus" / "data"
    write(data / "BILLING_PERIOD=2026-02" / "exec-1" / "part-0.csv", month_csv("2026-02", "5.00"), mtime=1_000)
    write(data / "BILLING_PERIOD=2026-03" / "exec-1" / "part-0.csv", month_csv("2026-03", "1.00"), mtime=1_000)
    write(data / "BILLING_PERIOD=2026-03" / "exec-2" / "part-0.csv", month_csv("2026-03", "3.00"), mtime=2_000)
    ingest_paths([str(tmp_path / "exports")], tmp_path / "c.duckdb")
    assert cache_state(tmp_path / "c.duckdb") == {"2026-02": (3, Decimal("15.00")), "2026-03": (3, Decimal("9.00"))}


def test_hive_partitioned_folders_and_globs_load_every_month_once(tmp_path):
    for month, amount in (("2026-01", "1.00"), ("2026-02", "2.00")):
        write(tmp_path / "h" / f"billing_period={month}" / "part-0.csv", month_csv(month, amount))
    ingest_paths([str(tmp_path / "h" / "**" / "*.csv")], tmp_path / "c.duckdb")
    assert cache_state(tmp_path / "c.duckdb") == {"2026-01": (3, Decimal("3.00")), "2026-02": (3, Decimal("6.00"))}


def test_a_zip_archive_is_unpacked_and_named_by_member_in_provenance(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("jan/part-0.csv", month_csv("2026-01", "1.50"))
        zf.writestr("README.txt.md", "not data")
    report = ingest_paths([str(archive)], tmp_path / "c.duckdb")
    assert cache_state(tmp_path / "c.duckdb") == {"2026-01": (3, Decimal("4.50"))}
    assert [f.path for f in report.files] == [f"{archive}!jan/part-0.csv"]
    with duckdb.connect(str(tmp_path / "c.duckdb"), read_only=True) as con:
        assert con.execute("SELECT DISTINCT x_SourceFile FROM costs").fetchall() == [(f"{archive}!jan/part-0.csv",)]


def test_reingesting_the_same_folder_changes_nothing(tmp_path):
    write(tmp_path / "f" / "a.csv", month_csv("2026-01", "1.25"))
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(tmp_path / "f")], cache)
    first = cache_state(cache)
    ingest_paths([str(tmp_path / "f")], cache)
    assert cache_state(cache) == first == {"2026-01": (3, Decimal("3.75"))}


@pytest.fixture
def bucket(moto_server):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="billing")
    return s3


def test_s3_prefix_with_several_report_versions_loads_the_newest_per_month(bucket, tmp_path):
    base = "cur/daily/20260301-20260401"
    bucket.put_object(Bucket="billing", Key=f"{base}/v1/daily-1.csv", Body=month_csv("2026-03", "1.00"))
    bucket.put_object(Bucket="billing", Key=f"{base}/v2/daily-1.csv", Body=month_csv("2026-03", "2.00"))
    bucket.put_object(Bucket="billing", Key=f"{base}/v2/daily-2.csv", Body=month_csv("2026-03", "2.00", first=10))
    bucket.put_object(Bucket="billing", Key=f"{base}/v3/daily-1.csv", Body=month_csv("2026-03", "9.00"))
    # The manifest names v2 (v3 is an assembly still being written): the manifest wins over folder dates.
    bucket.put_object(
        Bucket="billing",
        Key=f"{base}/daily-Manifest.json",
        Body=json.dumps({"reportKeys": [f"{base}/v2/daily-1.csv", f"{base}/v2/daily-2.csv"]}),
    )
    bucket.put_object(
        Bucket="billing", Key="cur/daily/20260201-20260301/v1/daily-1.csv", Body=month_csv("2026-02", "4.00")
    )
    cache = tmp_path / "c.duckdb"
    report = ingest_paths(["s3://billing/cur/daily"], cache)
    assert cache_state(cache) == {"2026-02": (3, Decimal("12.00")), "2026-03": (6, Decimal("12.00"))}
    assert sorted(f.path for f in report.files) == [
        "s3://billing/cur/daily/20260201-20260301/v1/daily-1.csv",
        f"s3://billing/{base}/v2/daily-1.csv",
        f"s3://billing/{base}/v2/daily-2.csv",
    ]
    # A new version of March replaces the old one in one step; February is untouched.
    bucket.put_object(Bucket="billing", Key=f"{base}/v4/daily-1.csv", Body=month_csv("2026-03", "5.00"))
    bucket.put_object(
        Bucket="billing", Key=f"{base}/daily-Manifest.json", Body=json.dumps({"reportKeys": [f"{base}/v4/daily-1.csv"]})
    )
    ingest_paths(["s3://billing/cur/daily"], cache)
    assert cache_state(cache) == {"2026-02": (3, Decimal("12.00")), "2026-03": (3, Decimal("15.00"))}


def test_s3_errors_say_what_to_do_and_load_nothing(bucket, tmp_path):
    with pytest.raises(IngestError, match="does not exist"):
        ingest_paths(["s3://no-such-bucket/x"], tmp_path / "c.duckdb")
    with pytest.raises(IngestError, match="no billing file"):
        ingest_paths(["s3://billing/empty/"], tmp_path / "c.duckdb")
    assert not (tmp_path / "c.duckdb").exists()


def test_the_billing_period_folder_itself_loads_only_the_newest_assembly(tmp_path, monkeypatch):
    """`ingest <report>/20261101-20261201`: the folder's own name is the billing period that groups its versions."""
    for key, text in cur_period().items():
        write(tmp_path / key, text, mtime=1_000)
    ingest_paths([str(tmp_path / "cur")], tmp_path / "whole.duckdb")
    period = ingest_paths([str(tmp_path / PERIOD)], tmp_path / "period.duckdb")
    assert november(tmp_path / "period.duckdb") == november(tmp_path / "whole.duckdb") == (4, Decimal("8.00"))
    assert [Path(f.path).parent.name for f in period.files] == [NEW, NEW]
    assert any(f"report version {NEW}" in note and "billing-period manifest" in note for note in period.notes)
    monkeypatch.chdir(tmp_path / PERIOD)  # the same from inside it: `ingest .` and `ingest '**'`
    for n, arg in enumerate((".", "**")):
        here = ingest_paths([arg], tmp_path / f"here-{n}.duckdb")
        assert november(tmp_path / f"here-{n}.duckdb") == (4, Decimal("8.00")), arg
        assert [Path(f.path).parent.name for f in here.files] == [NEW, NEW], arg
