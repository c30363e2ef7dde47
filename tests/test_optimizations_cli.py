"""`finops-tui optimizations` as scripts use it: the tab's rows with the cache's field names, real exit codes."""

from __future__ import annotations

import csv
import io
import json

import pytest

from finops_tui.sources.ingest import ingest_paths
from tests.test_cli import run
from tests.test_optimization_billing_rules import SAMPLE, export, rows

FIELDS = [
    "optimization_id", "resource_id", "optimization_type", "rule_id", "estimated_savings", "currency", "risk_level",
    "confidence_score", "evidence", "action", "savings_basis", "origin", "status", "region_id", "sub_account_id",
]  # fmt: skip


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return {
        "FINOPS_TUI_CONFIG_DIR": str(tmp_path / "config"),
        "FINOPS_TUI_DATA_DIR": str(tmp_path / "data"),
        "FINOPS_TUI_LOG_DIR": str(tmp_path / "logs"),
    }


@pytest.fixture
def cache(tmp_path):
    path = tmp_path / "c.duckdb"
    ingest_paths([str(export(tmp_path / "focus.csv", *SAMPLE))], path)
    return path


@pytest.fixture
def quiet_cache(tmp_path):
    """Costs where no rule finds anything: a tagged, current-generation, busy instance."""
    path = tmp_path / "quiet.duckdb"
    ingest_paths([str(export(tmp_path / "q.csv", rows("i-fine", 3.0, "$0.096 per On Demand Linux m5.large")))], path)
    return path


def test_json_is_an_array_of_objects_with_the_cache_field_names_largest_saving_first(cache, env):
    done = run("optimizations", "--cache", str(cache), "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert all(list(r)[: len(FIELDS)] == FIELDS for r in found)
    savings = [r["estimated_savings"] for r in found if r["estimated_savings"] is not None]
    assert savings == sorted(savings, reverse=True) and savings[0] == pytest.approx(72.0 * (1 - 60 / 168), abs=0.01)
    by_id = {r["optimization_id"]: r for r in found}
    gp2 = by_id["billed-gp2:vol-gp2"]
    assert (gp2["rule_id"], gp2["origin"], gp2["estimated_savings"]) == ("billed-gp2", "computed", 6.0)
    assert json.loads(gp2["evidence"])["billed_as"].startswith("$0.10 per GB-month")


def test_csv_and_table_print_the_same_recommendations(cache, env):
    as_csv = run("optimizations", "--cache", str(cache), "--format", "csv", env=env)
    parsed = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    as_json = json.loads(run("optimizations", "--cache", str(cache), "--format", "json", env=env).stdout)
    assert [r["optimization_id"] for r in parsed] == [r["optimization_id"] for r in as_json]
    table = run("optimizations", "--cache", str(cache), env=env)
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0].split()[:4] == ["estimated_savings", "currency", "origin", "rule_id"]
    assert sum("billed-gp2" in line for line in lines) == 2  # vol-gp2 (USD) and vol-eur (EUR)
    assert any(line.startswith("total USD: $") for line in lines)
    assert any(line.startswith("total EUR:") for line in lines)  # each currency on its own


def test_nothing_to_recommend_is_an_empty_array_and_exit_zero(quiet_cache, env):
    done = run("optimizations", "--cache", str(quiet_cache), "--format", "json", env=env)
    assert (done.returncode, done.stdout) == (0, "[]\n")
    as_csv = run("optimizations", "--cache", str(quiet_cache), "--format", "csv", env=env)
    assert as_csv.returncode == 0 and as_csv.stdout.splitlines()[0].split(",")[: len(FIELDS)] == FIELDS
    assert len(as_csv.stdout.splitlines()) == 1


def test_evaluate_runs_the_rules_again_with_the_thresholds_of_the_config_file(cache, env, tmp_path):
    before = json.loads(run("optimizations", "--cache", str(cache), "--format", "json", env=env).stdout)
    assert any(r["rule_id"] == "untagged-spend" for r in before)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text("[rules]\nuntagged_min_monthly_cost = 20.0\n")
    done = run("optimizations", "--cache", str(cache), "--evaluate", "--format", "json", env=env)
    assert done.returncode == 0, done.stderr
    assert "Evaluated 16 rules" in done.stderr
    after = json.loads(done.stdout)
    assert not any(r["rule_id"] == "untagged-spend" for r in after)
    assert {r["optimization_id"] for r in after} == {r["optimization_id"] for r in before} - {
        r["optimization_id"] for r in before if r["rule_id"] == "untagged-spend"
    }


def test_a_bad_threshold_in_the_config_is_a_usage_error_naming_the_key(cache, env, tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text("[rules]\nidle_cpu_max_percent = -1\n")
    done = run("optimizations", "--cache", str(cache), "--evaluate", env=env)
    assert done.returncode == 2 and "rules.idle_cpu_max_percent" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_missing_cache_is_a_usage_error(env, tmp_path):
    done = run("optimizations", "--cache", str(tmp_path / "none.duckdb"), env=env)
    assert done.returncode == 2 and "No cache file" in done.stderr
