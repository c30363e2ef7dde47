"""`finops-tui anomalies`: the tab's listing for scripts, as JSON (cache column names), CSV or a table."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from finops_tui.cache.local_reader import LocalCache
from finops_tui.sources.ingest import ingest_paths
from tests import test_cli
from tests.anomaly_rows import SPIKE_DAY, SPIKY, write_costs
from tests.test_cli import run

cli_env = test_cli.cli_env  # the CLI tests' fixture: every path under tmp_path, no credentials

FIELDS = {
    "anomaly_id", "sub_account_id", "service_name", "start_date", "end_date", "actual_cost", "expected_cost",
    "impact", "severity", "root_cause", "drivers", "origin", "status",
}  # fmt: skip


@pytest.fixture
def spiky(tmp_path: Path) -> Path:
    cache = tmp_path / "spiky.duckdb"
    ingest_paths([str(write_costs(tmp_path / "costs.csv", spike=900))], cache)
    return cache


def test_json_is_an_array_of_objects_named_as_the_cache_columns(spiky: Path, cli_env):
    result = run("anomalies", "--cache", str(spiky), "--format", "json", env=cli_env)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 2 and set(rows[0]) >= FIELDS
    own = next(r for r in rows if r["sub_account_id"] == "a1")
    assert own["service_name"] == "EC2" and own["start_date"] == SPIKE_DAY.isoformat()
    assert own["origin"] == "computed here" and own["status"] == "open"
    assert SPIKY in own["root_cause"]
    assert own["drivers"][0] == {**own["drivers"][0], "dimension": "resource", "value": SPIKY}  # parsed, not text
    assert own["impact"] == pytest.approx(own["actual_cost"] - own["expected_cost"])


def test_csv_and_table_list_the_same_anomalies(spiky: Path, cli_env):
    as_json = json.loads(run("anomalies", "--cache", str(spiky), "--format", "json", env=cli_env).stdout)
    as_csv = list(csv.DictReader(io.StringIO(run("anomalies", "--cache", str(spiky), "--format", "csv",
                                                 env=cli_env).stdout)))  # fmt: skip
    assert [r["anomaly_id"] for r in as_csv] == [r["anomaly_id"] for r in as_json]
    assert (
        json.loads(as_csv[0]["drivers"])
        == next(r for r in as_json if r["anomaly_id"] == as_csv[0]["anomaly_id"])["drivers"]
    )
    table = run("anomalies", "--cache", str(spiky), env=cli_env)
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0].split()[:3] == ["anomaly_id", "severity", "anomaly_type"]
    assert all(r["anomaly_id"] in table.stdout for r in as_json)
    assert lines[-1] == "(2 anomalies)"


def test_nothing_to_list_is_an_empty_array_and_exit_zero(tmp_path: Path, cli_env):
    cache = tmp_path / "quiet.duckdb"
    ingest_paths([str(write_costs(tmp_path / "quiet.csv"))], cache)
    result = run("anomalies", "--cache", str(cache), "--format", "json", env=cli_env)
    assert (result.returncode, result.stdout.strip()) == (0, "[]")
    assert run("anomalies", "--cache", str(cache), "--format", "csv", env=cli_env).stdout.startswith("anomaly_id,")


def test_muted_are_left_out_unless_all(spiky: Path, cli_env):
    reader = LocalCache(spiky)
    muted = next(r for r in reader.anomalies_view(_all()).table.rows() if r["account"] == "a1")["anomaly_id"]
    reader.set_anomaly_feedback(muted, "muted")
    reader.close()
    shown = json.loads(run("anomalies", "--cache", str(spiky), "--format", "json", env=cli_env).stdout)
    assert muted not in {r["anomaly_id"] for r in shown} and len(shown) == 1
    every = json.loads(run("anomalies", "--cache", str(spiky), "--format", "json", "--all", env=cli_env).stdout)
    assert {r["anomaly_id"]: r["status"] for r in every}[muted] == "muted"
    assert "1 muted not shown (--all)" in run("anomalies", "--cache", str(spiky), env=cli_env).stdout


def test_detect_runs_detection_again_with_the_configured_thresholds(spiky: Path, cli_env, tmp_path: Path):
    config = Path(cli_env["FINOPS_TUI_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text("anomaly_min_impact = 100000\n")  # nothing is that big
    plain = json.loads(run("anomalies", "--cache", str(spiky), "--format", "json", env=cli_env).stdout)
    assert len(plain) == 2  # stored by the ingest, with the defaults
    again = run("anomalies", "--cache", str(spiky), "--format", "json", "--detect", env=cli_env)
    assert (again.returncode, json.loads(again.stdout)) == (0, [])


def test_a_missing_cache_is_one_line_of_advice_and_exit_2(tmp_path: Path, cli_env):
    result = run("anomalies", "--cache", str(tmp_path / "none.duckdb"), env=cli_env)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "ingest" in result.stderr


def _all():
    from finops_tui.contract.scope import ViewScope

    return ViewScope(currency=None)
