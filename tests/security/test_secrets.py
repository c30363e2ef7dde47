"""A malformed AWS config or credentials file never puts a secret on the terminal or in the logs.

botocore and configparser quote the offending line in their errors; that line may be
`aws_secret_access_key = ...`. Every command that reads the files (doctor, refresh, ingest from
S3) must name the file and the line number only, in one line, without a traceback.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARKER = "MARKERSECRET123"
SECRET_LINE = f"aws_secret_access_key = {MARKER}"

# name -> (which file is malformed, its content, the line number the message must give)
MALFORMED = {
    "credentials without a section header": (
        "credentials",
        f"aws_access_key_id = AKIAEXAMPLE\n{SECRET_LINE}\n",
        1,
    ),
    "credentials with a duplicate section": (
        "credentials",
        f"[default]\naws_access_key_id = AKIAEXAMPLE\n{SECRET_LINE}\n\n[default]\n{SECRET_LINE}\n",
        5,
    ),
    "credentials with a bad line": (
        "credentials",
        f"[default]\naws_access_key_id = AKIAEXAMPLE\n{SECRET_LINE}\n{MARKER}\n",
        4,
    ),
    "config without a section header": (
        "config",
        f"region = us-east-1\n{SECRET_LINE}\n",
        1,
    ),
}
COMMANDS = {
    "doctor": ["doctor"],
    "refresh": ["refresh", "--cache", "{cache}", "--regions", "us-east-1"],
    "ingest from s3": ["ingest", "--cache", "{cache}", "s3://bucket/x"],
}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def aws_env(tmp_path: Path) -> dict[str, str]:
    """The CLI's dirs under tmp_path, AWS files under tmp_path, and an endpoint nobody listens on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FINOPS_TUI_"))}
    env.update(
        FINOPS_TUI_CONFIG_DIR=str(tmp_path / "config"),
        FINOPS_TUI_DATA_DIR=str(tmp_path / "data"),
        FINOPS_TUI_LOG_DIR=str(tmp_path / "logs"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "aws-credentials"),
        AWS_CONFIG_FILE=str(tmp_path / "aws-config"),
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{_closed_port()}",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_DEFAULT_REGION="us-east-1",
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finops_tui", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_aws_file_is_named_by_line_and_its_secret_never_shown(
    aws_env: dict[str, str], tmp_path: Path, case: str, command: str
) -> None:
    which, content, line = MALFORMED[case]
    malformed = Path(aws_env["AWS_SHARED_CREDENTIALS_FILE" if which == "credentials" else "AWS_CONFIG_FILE"])
    malformed.write_text(content)
    args = [a.replace("{cache}", str(tmp_path / "cache.duckdb")) for a in COMMANDS[command]]

    result = _run(args, aws_env)

    logs = "".join(p.read_text(errors="replace") for p in (tmp_path / "logs").rglob("*") if p.is_file())
    for where, text in (("stdout", result.stdout), ("stderr", result.stderr), ("log files", logs)):
        assert MARKER not in text, f"the secret leaked to {where}:\n{text}"
    assert "Traceback" not in result.stderr and "Traceback" not in logs
    err_lines = result.stderr.splitlines()
    if command == "doctor":  # a diagnosis: the report goes on, with the problem on the file's own line
        assert result.returncode == 0, result.stderr
        assert len(err_lines) <= 1, result.stderr
        problem = [ln for ln in result.stdout.splitlines() if str(malformed) in ln and "malformed" in ln]
        assert problem and f"line {line}:" in problem[0], result.stdout
    else:
        assert result.returncode == 2, result.stderr
        assert len(err_lines) == 1, result.stderr
        assert str(malformed) in err_lines[0] and f"line {line}:" in err_lines[0], err_lines[0]
        assert "malformed" in err_lines[0]


def test_doctor_test_connection_reports_the_malformed_file_without_the_secret(
    aws_env: dict[str, str], tmp_path: Path
) -> None:
    _, content, line = MALFORMED["credentials with a bad line"]
    Path(aws_env["AWS_SHARED_CREDENTIALS_FILE"]).write_text(content)

    result = _run(["doctor", "--test-connection"], aws_env)

    assert MARKER not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    failed = [ln for ln in result.stdout.splitlines() if "FAILED" in ln]
    assert failed and f"line {line}:" in failed[0] and aws_env["AWS_SHARED_CREDENTIALS_FILE"] in failed[0]


def test_the_line_of_a_non_utf8_credentials_file_is_named() -> None:
    import tempfile

    from finops_tui.sources.aws.clients import ini_file_problem

    with tempfile.NamedTemporaryFile(suffix=".ini") as handle:
        handle.write(b"[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = \xff\xfeMARKER\n")
        handle.flush()
        problem = ini_file_problem(Path(handle.name))
    assert problem == "line 3: not UTF-8 text"
