"""Failures that used to end in a traceback now end in one line, the right exit code, and an
unchanged cache: a cost too large for the totals, Ctrl-C during ingest, a memory limit DuckDB
cannot use."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from finops_tui.config import Settings, load_settings
from finops_tui.errors import ConfigError, IngestError
from finops_tui.sources.ingest import ingest_paths
from finops_tui.sources.validation import check_paths
from tests.security.cli_support import ROOT, clean_env, one_line, run, sha256

HEADER = "BilledCost,EffectiveCost,ChargePeriodStart,BillingPeriodStart,BillingCurrency,ProviderName,BillingAccountId"


def _row(day: int, billed: str = "1.25", effective: str = "1.00") -> str:
    return f"{billed},{effective},2025-03-{day:02d}T00:00:00Z,2025-03-01T00:00:00Z,USD,Acme,a1"


def _csv(path: Path, *rows: str) -> Path:
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    path = tmp_path / "cache.duckdb"
    ingest_paths([str(_csv(tmp_path / "good.csv", _row(1), _row(2)))], path)
    return path


# --- (a) costs so large their sums overflow DECIMAL(38,12) ---


def test_a_cost_beyond_the_bound_is_refused_naming_file_column_row_and_bound(
    env: dict[str, str], tmp_path: Path, cache: Path
) -> None:
    huge = _csv(tmp_path / "huge.csv", _row(1), _row(2, billed="9e25"), _row(3, billed="9e25"))
    before = sha256(cache)
    line = one_line(run("ingest", "--cache", str(cache), str(huge), env=env), 1)
    assert str(huge) in line and "column BilledCost, data row 2" in line, line
    assert "1e15" in line and "Nothing was loaded" in line, line
    assert sha256(cache) == before
    totals = run("query", "--cache", str(cache), "select sum(BilledCost) from costs", "--format", "csv", env=env)
    assert totals.returncode == 0 and totals.stdout.splitlines()[1] == "2.5", totals.stderr


@pytest.mark.parametrize(
    ("billed", "effective", "column"),
    [
        ("1e15", "1", "BilledCost"),  # the bound itself is refused
        ("-2000000000000000", "1", "BilledCost"),  # either sign
        ("1", '"$3,000,000,000,000,000.00"', "EffectiveCost"),  # any cost column, any accepted spelling
        ("1e27", "1", "BilledCost"),  # beyond DECIMAL(38,12) itself: not "is not a number"
    ],
)
def test_costs_at_or_beyond_the_bound_are_refused_in_any_money_column(
    tmp_path: Path, cache: Path, billed: str, effective: str, column: str
) -> None:
    bad = _csv(tmp_path / "bad.csv", _row(1), _row(2), _row(3, billed=billed, effective=effective))
    before = sha256(cache)
    with pytest.raises(IngestError) as err:
        ingest_paths([str(bad)], cache)
    assert f"column {column}, data row 3" in str(err.value) and "beyond the bound" in str(err.value)
    assert sha256(cache) == before


@pytest.mark.parametrize("value", [9e25, 1e27])
def test_a_parquet_cost_beyond_the_bound_is_refused(tmp_path: Path, cache: Path, value: float) -> None:
    parquet = tmp_path / "big.parquet"
    duckdb.sql(
        f"COPY (SELECT CASE WHEN i = 4 THEN {value} ELSE 1.5 END::DOUBLE AS BilledCost, 1.0::DOUBLE AS EffectiveCost, "
        "TIMESTAMP '2025-03-01' AS ChargePeriodStart, TIMESTAMP '2025-03-01' AS BillingPeriodStart, "
        "'USD' AS BillingCurrency, 'Acme' AS ProviderName, 'a1' AS BillingAccountId FROM range(1, 6) t(i)) "
        f"TO '{parquet}'"
    )
    with pytest.raises(IngestError) as err:
        ingest_paths([str(parquet)], cache)
    assert "column BilledCost, data row 4" in str(err.value) and "beyond the bound" in str(err.value)


def test_costs_just_under_the_bound_load(tmp_path: Path) -> None:
    near = _csv(tmp_path / "near.csv", _row(1, billed="999999999999999.99"), _row(2, billed="-999999999999999"))
    assert ingest_paths([str(near)], tmp_path / "c.duckdb").summary.rows == 2


def test_check_flags_costs_beyond_the_bound_as_a_finding(env: dict[str, str], tmp_path: Path) -> None:
    huge = _csv(tmp_path / "huge.csv", _row(1), _row(2, billed="9e25"), _row(3, effective="-5e15"))
    report = check_paths([str(huge)])
    bound = [f for f in report.findings if f.rule == "cost bound"]
    assert {f.rows for f in bound} == {1} and len(bound) == 2  # one BilledCost row, one EffectiveCost row
    result = run("ingest", "--check", str(huge), env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "warning [cost bound] 1 row(s): BilledCost" in result.stdout, result.stdout
    assert "column BilledCost, data row 2" in result.stderr and "beyond the bound" in result.stderr


# --- (b) Ctrl-C during ingest ---


def test_ctrl_c_during_ingest_exits_130_cancelled_and_leaves_the_cache(
    env: dict[str, str], tmp_path: Path, cache: Path
) -> None:
    big = tmp_path / "big.csv"
    duckdb.sql(
        "COPY (SELECT (i % 97) + 0.25 AS BilledCost, 1 AS EffectiveCost, "
        "'2025-04-' || lpad(((i % 28) + 1)::VARCHAR, 2, '0') || 'T00:00:00Z' AS ChargePeriodStart, "
        "'2025-04-01T00:00:00Z' AS BillingPeriodStart, 'USD' AS BillingCurrency, 'Acme' AS ProviderName, "
        f"'a' || (i % 5) AS BillingAccountId FROM range(2000000) t(i)) TO '{big}' (HEADER)"
    )
    before = sha256(cache)
    process = subprocess.Popen(
        [sys.executable, "-m", "finops_tui", "ingest", "--cache", str(cache), str(big)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while not list(tmp_path.glob("cache.duckdb.tmp-*")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # the writer's private copy exists: the load is under way
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    assert "cancelled" in err
    assert sha256(cache) == before


# --- (c) duckdb_memory_limit values DuckDB cannot use ---


@pytest.mark.parametrize("value", ["lots", "1KB", "-1GB", "150%", "1024", "2 GBs"])
def test_a_memory_limit_duckdb_cannot_use_is_refused_naming_the_key(monkeypatch, value: str) -> None:
    monkeypatch.setenv("FINOPS_TUI_DUCKDB_MEMORY_LIMIT", value)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert err.value.exit_code == 2 and "duckdb_memory_limit" in str(err.value) and "2GB" in str(err.value)


@pytest.mark.parametrize("value", ["lots", "1KB"])
def test_the_cli_refuses_a_bad_memory_limit_in_the_config_file_with_exit_2(
    env: dict[str, str], tmp_path: Path, value: str
) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text(f'duckdb_memory_limit = "{value}"\n')
    line = one_line(run("doctor", env=env), 2)
    assert "duckdb_memory_limit" in line and repr(value) in line


@pytest.mark.parametrize("value", ["512MB", "2GB", "1.5GiB", "2 GB", "50%"])
def test_memory_limits_duckdb_accepts_are_kept_and_work(value: str) -> None:
    limit = Settings(duckdb_memory_limit=value).duckdb_memory_limit
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{limit}'")
    assert con.execute("SELECT count(*) FROM range(1000)").fetchall() == [(1000,)]
