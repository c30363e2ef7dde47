"""`finops-tui budgets` as cron and scripts use it: real subprocesses, the three formats, empty, bad file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from finops_tui.analysis.budget_export import FIELDS
from finops_tui.sources.ingest import ingest_paths
from tests import test_cli
from tests.contract.conftest import HEADER, ROWS, build_cache
from tests.test_cli import run

cli_env = test_cli.cli_env  # the same isolated environment as the other CLI tests

FILE = """
[[budget]]
id = "top"
name = "Top"
amount = 150
currency = "USD"

[[budget]]
id = "ec2"
name = "EC2 file"
amount = 1000
currency = "USD"
parent = "top"
[budget.filters]
service = ["EC2"]
"""


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_cache(tmp_path_factory.mktemp("cli-budgets"))  # 4 budgets in the cache, March 2025


@pytest.fixture
def budgets_file(tmp_path: Path) -> Path:
    path = tmp_path / "budgets.toml"
    path.write_text(FILE)
    return path


def test_json_is_an_array_of_objects_with_the_cache_field_names(cli_env, cache, budgets_file):
    result = run("budgets", "--cache", str(cache), "--budgets", str(budgets_file), "--format", "json", env=cli_env)
    assert result.returncode == 0, result.stderr
    budgets = {b["budget_id"]: b for b in json.loads(result.stdout)}
    assert set(budgets) == {"all", "ec2", "s3", "eur", "file:top", "file:ec2"}
    assert list(budgets["all"]) == list(FIELDS.values())
    top = budgets["file:top"]
    assert top["origin"] == "file" and top["time_unit"] == "MONTHLY" and top["budget_amount"] == 150
    assert top["currency"] == "USD" and top["status"] == "BREACHED" and top["parent_budget_id"] is None
    ec2 = budgets["file:ec2"]  # EffectiveCost (the configured metric): 180 on the 1st + 10 on the 15th
    assert ec2["parent_budget_id"] == "file:top" and ec2["actual"] == 190 and ec2["depth"] == 1
    assert budgets["eur"]["origin"] == "aws" and budgets["eur"]["time_unit"] == "QUARTERLY"
    # the cache's clock is the real one: March 2025 is long closed, so the last day with data is the as_of
    assert budgets["eur"]["as_of"] == "2025-03-10"


def test_csv_has_a_header_and_one_row_per_budget(cli_env, cache, budgets_file):
    result = run("budgets", "--cache", str(cache), "--budgets", str(budgets_file), "--format", "csv", env=cli_env)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == list(FIELDS.values()) and len(rows) == 1 + 6


def test_table_indents_children_under_their_parent(cli_env, cache, budgets_file):
    result = run("budgets", "--cache", str(cache), "--budgets", str(budgets_file), env=cli_env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("Top "))
    assert lines[top + 1].startswith("  └ EC2 file") and "BREACHED" in lines[top]


def test_no_budgets_prints_an_empty_array_and_exits_0(cli_env, tmp_path):
    source = tmp_path / "costs.csv"
    source.write_text(HEADER + "\n" + ROWS[0] + "\n")
    empty = tmp_path / "empty.duckdb"
    ingest_paths([str(source)], empty)
    result = run("budgets", "--cache", str(empty), "--format", "json", env=cli_env)
    assert (result.returncode, result.stdout.strip()) == (0, "[]"), result.stderr
    table = run("budgets", "--cache", str(empty), env=cli_env)
    assert table.returncode == 0 and "(no budgets" in table.stdout


def test_a_bad_file_names_its_line_prints_the_last_good_budgets_and_exits_2(cli_env, cache, budgets_file):
    args = ("budgets", "--cache", str(cache), "--budgets", str(budgets_file), "--format", "json")
    assert run(*args, env=cli_env).returncode == 0  # a good run leaves a copy in the data dir
    budgets_file.write_text(FILE.replace('service = ["EC2"]', 'servce = ["EC2"]'))
    result = run(*args, env=cli_env)
    assert result.returncode == 2
    assert f'{budgets_file}, line 15: [[budget]] "EC2 file" filters.servce: unknown key' in result.stderr
    ids = {b["budget_id"] for b in json.loads(result.stdout)}
    assert {"file:top", "file:ec2"} <= ids  # the last good budgets, from the data dir's copy


def test_a_missing_budgets_file_is_a_usage_error(cli_env, cache, tmp_path):
    result = run("budgets", "--cache", str(cache), "--budgets", str(tmp_path / "nope.toml"), env=cli_env)
    assert result.returncode == 2 and "No budgets file at" in result.stderr


def test_the_demo_shows_its_example_budgets_file_labelled(cli_env):
    result = run("budgets", "--demo", "--format", "json", env=cli_env)
    assert result.returncode == 0, result.stderr
    origins = {b["origin"] for b in json.loads(result.stdout)}
    assert origins == {"DEMO aws", "DEMO file"} and "DEMO data" in result.stderr
