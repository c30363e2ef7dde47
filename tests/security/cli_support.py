"""What the security tests share: run the real CLI in a child process, and check its one-line promise."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def clean_env(tmp_path: Path) -> dict[str, str]:
    """The environment without AWS_/FINOPS_TUI_ settings, and the CLI's dirs under tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "FINOPS_TUI_"))}
    env.update(
        FINOPS_TUI_CONFIG_DIR=str(tmp_path / "config"),
        FINOPS_TUI_DATA_DIR=str(tmp_path / "data"),
        FINOPS_TUI_LOG_DIR=str(tmp_path / "logs"),
    )
    return env


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finops_tui", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The single stderr line of a run that exited with `code` and printed no traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == code, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]
