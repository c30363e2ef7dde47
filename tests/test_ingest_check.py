"""`ingest --check` validates against FOCUS rules in a scratch database, never opening the cache."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from finops_tui.cache import files
from finops_tui.errors import CacheError
from finops_tui.sources import validation
from finops_tui.sources.validation import check_paths

HEADER = (
    "BilledCost,EffectiveCost,ChargePeriodStart,ChargePeriodEnd,BillingPeriodStart,BillingPeriodEnd,"
    "BillingCurrency,ProviderName,BillingAccountId,ChargeCategory,ServiceName"
)
OK = "1.00,1.00,2026-03-02T00:00:00Z,2026-03-03T00:00:00Z,2026-03-01T00:00:00Z,2026-04-01T00:00:00Z,USD,AWS,1,Usage,EC2"


def _file(tmp_path, name, *rows):
    path = tmp_path / name
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    return path


def test_check_counts_each_rule_violation_and_gives_examples(tmp_path):
    path = _file(
        tmp_path,
        "f.csv",
        OK,
        OK,  # one duplicated row
        OK.replace("Usage", "Usage-ish"),
        OK.replace("Usage", "Refund"),  # not allowed
        OK.replace(",USD,", ",,"),  # cost without currency
        OK.replace("2026-03-02T00:00:00Z,2026-03-03", "2026-04-05T00:00:00Z,2026-04-06"),  # outside the period
        OK.replace("2026-03-03T00:00:00Z", "2026-03-01T00:00:00Z"),  # ends before it starts
    )
    report = check_paths([str(path)])
    by_rule = {(f.rule, f.detail.split()[0]): f for f in report.findings}
    assert report.rows == 7 and not report.errors
    assert by_rule[("allowed values", "ChargeCategory")].rows == 2
    assert by_rule[("allowed values", "ChargeCategory")].examples == ["'Refund'", "'Usage-ish'"]
    assert by_rule[("currency", "rows")].rows == 1
    assert by_rule[("dates", "ChargePeriodStart")].rows == 1
    assert by_rule[("dates", "ChargePeriodEnd")].rows == 1
    assert by_rule[("duplicate rows", "rows")].rows == 1
    assert ("mandatory column", "ListCost") in by_rule


def test_a_clean_file_has_no_findings_beyond_absent_optional_columns(tmp_path):
    report = check_paths([str(_file(tmp_path, "f.csv", OK))])
    assert [f.rule for f in report.findings] == ["mandatory column", "mandatory column"]  # ListCost, ContractedCost


def test_check_cli_lists_every_unusable_file_exits_1_and_creates_no_cache(tmp_path):
    good = _file(tmp_path, "good.csv", OK)
    bad_date = _file(tmp_path, "bad_date.csv", OK, OK.replace("2026-03-02T00:00:00Z", "someday"))
    garbage = tmp_path / "notes.csv"
    garbage.write_text("hello,world\n1,2\n")
    cache = tmp_path / "cache.duckdb"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "finops_tui",
            "ingest",
            "--check",
            "--cache",
            str(cache),
            str(good),
            str(bad_date),
            str(garbage),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "bad_date.csv: column ChargePeriodStart, data row 2: 'someday'" in result.stderr
    assert "notes.csv: unknown billing format" in result.stderr
    assert "Traceback" not in result.stderr
    assert "good.csv: FOCUS 1.0, 1 row" in result.stdout
    assert not cache.exists()


def test_check_cli_exits_0_on_warnings_only(tmp_path):
    path = _file(tmp_path, "f.csv", OK, OK.replace("Usage", "Bogus"))
    result = subprocess.run(
        [sys.executable, "-m", "finops_tui", "ingest", "--check", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "warning [allowed values] 1 row(s): ChargeCategory" in result.stdout


def test_check_never_opens_the_cache_and_sets_the_memory_limit_like_the_cache_does(tmp_path, monkeypatch):
    opened: list[str] = []
    real_connect = duckdb.connect

    def recording_connect(database: str = ":memory:", *args, **kwargs):
        opened.append(str(database))
        return real_connect(database, *args, **kwargs)

    def no_cache(*args, **kwargs):
        raise AssertionError("ingest --check opened the cache")

    seen: dict[str, object] = {}
    real_checks = validation.run_checks

    def recording_checks(con, missing):
        seen["memory_limit"] = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        seen["scratch"] = files.is_scratch(con)
        return real_checks(con, missing)

    monkeypatch.setattr(duckdb, "connect", recording_connect)
    monkeypatch.setattr(files, "write_session", no_cache)
    monkeypatch.setattr(files, "connect_read_only", no_cache)
    monkeypatch.setattr(validation, "run_checks", recording_checks)
    report = check_paths([str(_file(tmp_path, "f.csv", OK))], memory_limit="512MB")
    assert report.rows == 1 and not report.errors
    assert len(opened) == 1 and Path(opened[0]).parent.name.startswith("finops-tui-scratch-")
    assert not Path(opened[0]).exists()  # thrown away
    with real_connect() as reference:
        reference.execute("SET memory_limit = '512MB'")
        assert seen == {
            "memory_limit": reference.execute("SELECT current_setting('memory_limit')").fetchall()[0][0],
            "scratch": True,
        }


@pytest.mark.parametrize("limit", ["1GB'; ATTACH '/tmp/x.duckdb", "lots"])
def test_check_refuses_a_memory_limit_that_is_not_a_size(tmp_path, limit):
    with pytest.raises(CacheError, match="Invalid DuckDB memory limit.*such as '2GB'"):
        check_paths([str(_file(tmp_path, "f.csv", OK))], memory_limit=limit)
