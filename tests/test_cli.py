"""The `finops-tui` command as scripts and cron use it: real subprocesses, real exit codes, real output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from finops_tui.cache.migrations import LATEST_VERSION

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "finops_tui", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=120,
    )


@pytest.fixture
def cli_env(tmp_path) -> dict[str, str]:
    """Every path of the CLI under tmp_path, no AWS credentials, no user config."""
    env = {
        "FINOPS_TUI_CONFIG_DIR": str(tmp_path / "config"),
        "FINOPS_TUI_DATA_DIR": str(tmp_path / "data"),
        "FINOPS_TUI_LOG_DIR": str(tmp_path / "logs"),
        "AWS_CONFIG_FILE": str(tmp_path / "aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "aws-credentials"),
    }
    for key in [k for k in os.environ if k.startswith(("AWS_", "FINOPS_TUI_"))]:
        os.environ.pop(key, None)
    return env


def test_version_and_help(cli_env):
    from finops_tui import __version__

    result = run("--version", env=cli_env)
    assert result.returncode == 0 and result.stdout.strip() == f"finops-tui {__version__}"
    result = run("--help", env=cli_env)
    assert result.returncode == 0
    for command in ("ingest", "query", "snapshot", "doctor", "--demo", "--snapshot", "--cache", "--theme"):
        assert command in result.stdout


def test_ingest_then_query_json_equals_the_sum_over_the_raw_file(cli_env, tmp_path, shared_focus_csv):
    cache = tmp_path / "c.duckdb"
    result = run("ingest", "--cache", str(cache), str(shared_focus_csv), env=cli_env)
    assert result.returncode == 0, result.stderr
    assert "Loaded 1,000 rows" in result.stdout and "FOCUS 1.0" in result.stdout
    assert "providers: AWS, Microsoft, Oracle" in result.stdout
    result = run("query", "--cache", str(cache), "select sum(BilledCost) from costs", "--format", "json", env=cli_env)
    assert result.returncode == 0, result.stderr
    ours = json.loads(result.stdout)[0]["sum(BilledCost)"]
    raw = duckdb.sql(f"select sum(BilledCost) from read_csv('{shared_focus_csv}', nullstr='NULL')").fetchall()[0][0]
    assert ours == pytest.approx(float(raw), abs=1e-9)


def test_query_formats(cli_env, tmp_path, shared_focus_csv):
    cache = tmp_path / "c.duckdb"
    assert run("ingest", "--cache", str(cache), str(shared_focus_csv), env=cli_env).returncode == 0
    sql = "select ProviderName, count(*) as n from costs group by 1 order by 1"
    csv_out = run("query", "--cache", str(cache), sql, "--format", "csv", env=cli_env).stdout.splitlines()
    assert csv_out == ["ProviderName,n", "AWS,942", "Microsoft,51", "Oracle,7"]
    table = run("query", "--cache", str(cache), sql, env=cli_env).stdout
    assert "Microsoft" in table and "(3 row(s))" in table
    json_out = json.loads(run("query", "--cache", str(cache), sql, "--format", "json", env=cli_env).stdout)
    assert json_out == [
        {"ProviderName": "AWS", "n": 942},
        {"ProviderName": "Microsoft", "n": 51},
        {"ProviderName": "Oracle", "n": 7},
    ]


def test_demo_query_is_labelled_demo(cli_env):
    result = run(
        "query",
        "--demo",
        "select count(*) as n from costs where x_SourceKind = 'DEMO'",
        "--format",
        "json",
        env=cli_env,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["n"] > 100_000
    assert "DEMO data" in result.stderr
    table = run("query", "--demo", "select 1 as x", env=cli_env)
    assert "DEMO data" in table.stdout


def test_expected_errors_exit_with_advice_and_no_traceback(cli_env, tmp_path):
    missing = run("query", "--cache", str(tmp_path / "nope.duckdb"), "select 1", env=cli_env)
    assert missing.returncode == 2 and "No cache file" in missing.stderr and "finops-tui ingest" in missing.stderr
    bad_file = tmp_path / "notes.txt"
    bad_file.write_text("hello,world\n1,2\n")
    ingest = run("ingest", "--cache", str(tmp_path / "c.duckdb"), str(bad_file), env=cli_env)
    assert ingest.returncode == 1 and "unknown billing format" in ingest.stderr and str(bad_file) in ingest.stderr
    usage = run("query", env=cli_env)
    assert usage.returncode == 2
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text("stale_after_hours = -3\n")
    config = run("doctor", env=cli_env)
    assert config.returncode == 2 and "stale_after_hours" in config.stderr
    (tmp_path / "config" / "config.toml").write_text("no_such_key = 1\n")
    unknown = run("doctor", env=cli_env)
    assert unknown.returncode == 2 and "no_such_key" in unknown.stderr
    for result in (missing, ingest, usage, config, unknown):
        assert "Traceback" not in result.stderr


def test_sql_errors_exit_1_with_duckdbs_message(cli_env):
    result = run("query", "--demo", "select * from no_such_table", env=cli_env)
    assert result.returncode == 1 and "no_such_table" in result.stderr and "Traceback" not in result.stderr


def test_env_var_overrides_config_file(cli_env, tmp_path, shared_focus_csv):
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text(f'cache = "{tmp_path / "from-file.duckdb"}"\n')
    env = {**cli_env, "FINOPS_TUI_CACHE": str(tmp_path / "from-env.duckdb")}
    assert run("ingest", str(shared_focus_csv), env=env).returncode == 0
    assert (tmp_path / "from-env.duckdb").exists() and not (tmp_path / "from-file.duckdb").exists()


def test_doctor_reports_state_without_printing_secrets(cli_env, tmp_path, shared_focus_csv):
    cache = tmp_path / "c.duckdb"
    run("ingest", "--cache", str(cache), str(shared_focus_csv), env=cli_env)
    env = {
        **cli_env,
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEKEY123",
        "AWS_SECRET_ACCESS_KEY": "s3cr3t-value-xyz",
        "FINOPS_TUI_API_TOKEN": "token-abc-999",
    }
    result = run("doctor", "--cache", str(cache), env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for needle in (
        "duckdb:",
        "textual:",
        f"schema version: v{LATEST_VERSION}",
        "costs:AWS:1234567890123:2024-09",
        "AWS_ACCESS_KEY_ID",
        "credentials found via env",
        "FINOPS_TUI_API_TOKEN: set",
    ):
        assert needle in out, needle
    for secret in ("AKIAEXAMPLEKEY123", "s3cr3t-value-xyz", "token-abc-999"):
        assert secret not in out


def test_snapshot_command_writes_a_copy_that_opens_as_a_snapshot(cli_env, tmp_path, shared_focus_csv):
    cache = tmp_path / "c.duckdb"
    run("ingest", "--cache", str(cache), str(shared_focus_csv), env=cli_env)
    out = tmp_path / "share" / "snap.duckdb"
    result = run("snapshot", "--cache", str(cache), str(out), env=cli_env)
    assert result.returncode == 0, result.stderr
    assert f"finops-tui --snapshot {out}" in result.stdout
    from finops_tui.cache.local_reader import LocalCache

    reader = LocalCache(out, snapshot=True)
    info = reader.source_info()
    assert info.kind == "SNAPSHOT" and "finops-tui snapshot on" in (info.origin or "")
    assert reader.run_sql("select count(*) from costs", 1).table.table.column(0)[0].as_py() == 1000
    reader.close()
    again = run("snapshot", "--cache", str(cache), str(out), env=cli_env)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_headless_commands_never_import_textual(cli_env, tmp_path, shared_focus_csv):
    cache = tmp_path / "c.duckdb"
    code = (
        "import sys\n"
        "from finops_tui.cli import main\n"
        f"rc = main(['ingest', '--cache', {str(cache)!r}, {str(shared_focus_csv)!r}])\n"
        f"rc += main(['query', '--cache', {str(cache)!r}, 'select 1', '--format', 'json'])\n"
        f"rc += main(['doctor', '--cache', {str(cache)!r}])\n"
        f"rc += main(['snapshot', '--cache', {str(cache)!r}, {str(tmp_path / 's.duckdb')!r}])\n"
        f"rc += main(['budgets', '--cache', {str(cache)!r}, '--format', 'json'])\n"
        "import finops_tui.cache.local_reader, finops_tui.sources.demo, finops_tui.contract.reader\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print('TEXTUAL:', loaded)\n"
        "sys.exit(rc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, **cli_env}, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "TEXTUAL: []" in result.stdout


def test_import_contracts_hold():
    """import-linter: the headless core never imports Textual; screens never import duckdb/boto3/httpx."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_logs_are_json_lines_in_a_file(cli_env, tmp_path, shared_focus_csv):
    run("ingest", "--cache", str(tmp_path / "c.duckdb"), str(shared_focus_csv), env=cli_env)
    lines = (tmp_path / "logs" / "finops-tui.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    load = [r for r in records if r["service"] == "ingest" and r["operation"] == "load_files"]
    assert load and load[-1]["status"] == "ok" and load[-1]["duration_ms"] > 0
    assert set(load[-1]) >= {"service", "operation", "status", "duration_ms", "error"}


def test_cache_before_the_command_is_kept(tmp_path, cli_env, shared_focus_csv):
    """`finops-tui --cache X doctor` reads X: a subcommand's own --cache must not reset it to the default."""
    cache = tmp_path / "before.duckdb"
    assert run("ingest", "--cache", str(cache), str(shared_focus_csv), env=cli_env).returncode == 0
    for args in (["--cache", str(cache), "doctor"], ["doctor", "--cache", str(cache)]):
        result = run(*args, env=cli_env)
        assert result.returncode == 0 and f"file: {cache}" in result.stdout, args
    result = run("--cache", str(cache), "query", "SELECT count(*) AS n FROM costs", "--format", "csv", env=cli_env)
    assert result.stdout.splitlines() == ["n", "1000"]
