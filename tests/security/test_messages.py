"""Messages that say what actually went wrong: the network is not the credentials, a ragged row
is not an unknown format, a full disk is not a corrupt export, a usage mistake exits 2."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError

ROOT = Path(__file__).resolve().parents[2]
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
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FINOPS_TUI_"))}
    clean.update(
        FINOPS_TUI_CONFIG_DIR=str(tmp_path / "config"),
        FINOPS_TUI_DATA_DIR=str(tmp_path / "data"),
        FINOPS_TUI_LOG_DIR=str(tmp_path / "logs"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "aws-credentials"),
        AWS_CONFIG_FILE=str(tmp_path / "aws-config"),
        AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
        AWS_SECRET_ACCESS_KEY="example",
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{_closed_port()}",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_DEFAULT_REGION="us-east-1",
    )
    return clean


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finops_tui", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_one_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == code, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


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
    line = assert_one_line(run("ingest", "--cache", str(cache), "s3://bucket/x", env=env), 1)
    assert "Cannot reach AWS (network)" in line and "Nothing was loaded" in line
    assert sha256(cache) == before


def test_doctor_test_connection_without_network_says_cannot_reach_aws(env: dict[str, str]) -> None:
    result = run("doctor", "--test-connection", env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    failed = [line for line in result.stdout.splitlines() if "FAILED" in line]
    assert failed and "Cannot reach AWS (network)" in failed[0]
    assert "did not accept the credentials" not in result.stdout
