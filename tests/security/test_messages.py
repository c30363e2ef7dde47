"""Messages that say what actually went wrong: the network is not the credentials, a ragged row
is not an unknown format, a full disk is not a corrupt export, a usage mistake exits 2."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError

from tests.security.cli_support import ROOT, clean_env, one_line, run, sha256

HEADER = "BilledCost,EffectiveCost,ChargePeriodStart,BillingPeriodStart,BillingCurrency,ProviderName,BillingAccountId"


def _row(day: int, cost: str = "1.25") -> str:
    return f"{cost},1.00,2025-03-{day:02d}T00:00:00Z,2025-03-01T00:00:00Z,USD,Acme,a1"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The CLI's dirs under tmp_path; fake AWS keys and an AWS endpoint on a port nobody listens on."""
    clean = clean_env(tmp_path)
    clean.update(
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "aws-credentials"),
        AWS_CONFIG_FILE=str(tmp_path / "aws-config"),
        AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
        AWS_SECRET_ACCESS_KEY="example",
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{_closed_port()}",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_DEFAULT_REGION="us-east-1",
    )
    return clean


@pytest.fixture
def cache(tmp_path: Path, env: dict[str, str]) -> Path:
    """A cache with one good file loaded, to prove a failed command leaves it byte-identical."""
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "\n" + "\n".join(_row(d) for d in range(1, 4)) + "\n")
    path = tmp_path / "cache.duckdb"
    assert run("ingest", "--cache", str(path), str(good), env=env).returncode == 0
    return path


# --- no network is not "AWS did not accept the credentials" ---


@pytest.mark.parametrize(
    "error",
    [
        EndpointConnectionError(endpoint_url="https://sts.amazonaws.com/"),
        ConnectTimeoutError(endpoint_url="https://sts.amazonaws.com/"),
        ReadTimeoutError(endpoint_url="https://sts.amazonaws.com/"),
    ],
)
def test_a_network_error_is_not_called_a_credentials_error(error: Exception) -> None:
    from finops_tui.sources.aws.clients import credentials_advice
    from finops_tui.sources.aws.outcome import failure_from

    advice = credentials_advice(error, None)
    assert advice.startswith("Cannot reach AWS (network)") and "credentials" not in advice
    failure = failure_from(error, "ec2", "us-east-1", "DescribeInstances")
    assert failure.code == "Network" and "proxy" in failure.advice


def test_refresh_without_network_says_cannot_reach_aws(env: dict[str, str], tmp_path: Path) -> None:
    result = run("refresh", "--cache", str(tmp_path / "c.duckdb"), "--regions", "us-east-1", env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    error = result.stderr.splitlines()[-1]
    assert error.startswith("finops-tui: error:") and "Cannot reach AWS (network)" in error
    assert "did not accept the credentials" not in result.stderr


def test_ingest_from_s3_without_network_says_cannot_reach_aws(env: dict[str, str], cache: Path) -> None:
    before = sha256(cache)
    line = one_line(run("ingest", "--cache", str(cache), "s3://bucket/x", env=env), 1)
    assert "Cannot reach AWS (network)" in line and "Nothing was loaded" in line
    assert sha256(cache) == before


def test_doctor_test_connection_without_network_says_cannot_reach_aws(env: dict[str, str]) -> None:
    result = run("doctor", "--test-connection", env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    failed = [line for line in result.stdout.splitlines() if "FAILED" in line]
    assert failed and "Cannot reach AWS (network)" in failed[0]
    assert "did not accept the credentials" not in result.stdout


# --- a ragged CSV row is named, not reported as an unknown format ---


def _ragged(path: Path, good_rows: int, bad: str) -> Path:
    rows = [_row((n % 28) + 1) for n in range(good_rows)]
    path.write_text(HEADER + "\n" + "\n".join([*rows, bad, _row(1), _row(2)]) + "\n")
    return path


@pytest.mark.parametrize(
    ("good_rows", "bad", "fields"),
    [
        (1, "1.25,1.00,USD,2025-03-02T00:00:00Z,2025-03-01T00:00:00Z,USD,Acme,a1,x", 9),  # sniffer takes it as header
        (1, "1.25,1.00,2025-03-02T00:00:00Z", 3),  # fewer fields: the whole line became one column
        (30, _row(2) + ",extra", 8),
        (30_000, _row(2) + ",extra", 8),  # past DuckDB's sniffing sample: "CSV Error on Line: N"
        (30_000, "1.25,1.00", 2),
    ],
)
def test_a_ragged_row_is_named_with_its_line_and_field_counts(
    tmp_path: Path, good_rows: int, bad: str, fields: int
) -> None:
    from finops_tui.errors import IngestError
    from finops_tui.sources.ingest import ingest_paths

    path = _ragged(tmp_path / "ragged.csv", good_rows, bad)
    with pytest.raises(IngestError) as err:
        ingest_paths([str(path)], tmp_path / "c.duckdb")
    message = str(err.value)
    assert str(path) in message and "unknown billing format" not in message
    assert f"data row {good_rows + 1} (line {good_rows + 2}) has {fields} fields where the header has 7" in message


def test_the_cli_names_a_ragged_row_in_one_line_and_keeps_the_cache(
    env: dict[str, str], tmp_path: Path, cache: Path
) -> None:
    path = _ragged(tmp_path / "ragged.csv", 1, "1.25,1.00,USD,2025-03-02T00:00:00Z,2025-03-01T00:00:00Z,USD,Acme,a1")
    before = sha256(cache)
    line = one_line(run("ingest", "--cache", str(cache), str(path), env=env), 1)
    assert "data row 2 (line 3) has 8 fields where the header has 7" in line
    assert sha256(cache) == before


def test_a_missing_charge_date_names_the_first_row(tmp_path: Path) -> None:
    from finops_tui.errors import IngestError
    from finops_tui.sources.ingest import ingest_paths

    path = tmp_path / "undated.csv"
    undated = "2.50,2.00,,2025-03-01T00:00:00Z,USD,Acme,a1"
    path.write_text(HEADER + "\n" + "\n".join([_row(1), _row(2), undated, _row(3), undated]) + "\n")
    with pytest.raises(IngestError) as err:
        ingest_paths([str(path)], tmp_path / "c.duckdb")
    assert "2 row(s) have a cost but no ChargePeriodStart (the first is data row 3)" in str(err.value)


# --- a full disk is not "check the file is a complete export" ---

_DUCKDB_DISK_FULL = 'IO Error: Could not write file "{where}": No space left on device'


def test_disk_full_while_loading_says_the_disk_is_full_and_where(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import duckdb

    from finops_tui.cache.cost_load import AppendFailed, CostLoad
    from finops_tui.errors import IngestError
    from finops_tui.sources.ingest import ingest_paths

    where = str(tmp_path / "cache.duckdb.tmp-1")

    def full(self: CostLoad, sql: str, shared: object = None) -> int:
        raise AppendFailed(duckdb.IOException(_DUCKDB_DISK_FULL.format(where=where)))

    monkeypatch.setattr(CostLoad, "append", full)
    good = tmp_path / "more.csv"
    good.write_text(HEADER + "\n" + _row(5) + "\n")
    before = sha256(cache)
    with pytest.raises(IngestError) as err:
        ingest_paths([str(good)], cache)
    message = str(err.value)
    assert "disk is full" in message and where in message and "complete" not in message, message
    assert sha256(cache) == before


def test_disk_full_as_an_os_error_says_the_disk_is_full(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from finops_tui.errors import FinopsError
    from finops_tui.sources import staging
    from finops_tui.sources.ingest import ingest_paths

    def full(*args: object, **kwargs: object) -> object:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "spill" / "block-1"))

    monkeypatch.setattr(staging, "stage", full)
    before = sha256(cache)
    with pytest.raises(FinopsError) as err:  # one line for the CLI, whichever layer says it
        ingest_paths([str(tmp_path / "good.csv")], cache)
    assert "disk is full" in str(err.value)
    assert sha256(cache) == before


def test_the_cli_says_disk_full_in_one_line(env: dict[str, str], tmp_path: Path, cache: Path) -> None:
    """The CLI as a user runs it, with DuckDB's disk-full error injected where the rows are written."""
    more = tmp_path / "more.csv"
    more.write_text(HEADER + "\n" + _row(5) + "\n")
    script = (
        "import sys, duckdb\n"
        "from finops_tui.cache.cost_load import AppendFailed, CostLoad\n"
        "def full(self, sql, shared=None):\n"
        f"    raise AppendFailed(duckdb.IOException({_DUCKDB_DISK_FULL.format(where='/var/cache/c.tmp')!r}))\n"
        "CostLoad.append = full\n"
        "from finops_tui.cli import main\n"
        f"sys.exit(main(['ingest', '--cache', {str(cache)!r}, {str(more)!r}]))\n"
    )
    before = sha256(cache)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60
    )
    line = one_line(result, 1)
    assert "disk is full" in line and "/var/cache/c.tmp" in line and "complete" not in line
    assert sha256(cache) == before


# --- usage and configuration mistakes exit 2, naming what to fix ---


def test_an_unknown_format_name_is_a_usage_error(env: dict[str, str], tmp_path: Path, cache: Path) -> None:
    more = tmp_path / "more.csv"
    more.write_text(HEADER + "\n" + _row(5) + "\n")
    for args in (
        ["ingest", "--cache", str(cache), "--format", "nosuch", str(more)],
        ["ingest", "--check", "--format", "nosuch", str(more)],
    ):
        line = one_line(run(*args, env=env), 2)
        assert "nosuch" in line and "focus" in line


@pytest.mark.parametrize("value", ['""', '"   "'])
def test_an_empty_cache_setting_is_refused_naming_the_key(env: dict[str, str], tmp_path: Path, value: str) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text(f"cache = {value}\n")
    line = one_line(run("doctor", env=env), 2)
    assert "cache" in line and "empty" in line


def test_an_empty_cache_variable_or_a_directory_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    line = one_line(run("doctor", env={**env, "FINOPS_TUI_CACHE": ""}), 2)
    assert "cache" in line and "empty" in line
    line = one_line(run("doctor", "--cache", str(tmp_path), env=env), 2)
    assert "cache" in line and "is a directory" in line


@pytest.mark.parametrize(("limit", "needle"), [("-1", "0 or more"), ("99999999999999999999", "at most")])
def test_query_limit_out_of_range_is_a_usage_error(env: dict[str, str], cache: Path, limit: str, needle: str) -> None:
    line = one_line(run("query", "--cache", str(cache), "select 1", "--limit", limit, env=env), 2)
    assert "--limit" in line and needle in line
