"""A real `finops-tui serve` in a subprocess on 127.0.0.1 (a free port chosen by uvicorn), for tests.

The server's stdout and stderr (uvicorn's access log included) go to a log file the tests can read.
Readiness is the /health answer; the process is stopped (SIGTERM, then SIGKILL) at teardown.
"""

from __future__ import annotations

import os
import re
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from finops_tui.auth.tokens import Role, TokenStore

NOW = "2025-03-15T12:00:00"  # the contract suite's clock (tests/contract/conftest.py)
_LISTENING = re.compile(r"Uvicorn running on (https?://127\.0\.0\.1:\d+)")


@dataclass
class LiveServer:
    url: str
    cache: Path
    auth_db: Path
    log: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    tokens: dict[str, str] = field(default_factory=dict)
    verify: bool | ssl.SSLContext = True

    def token(self, role: Role, *, accounts: list[str] | None = None, name: str | None = None) -> str:
        """A token of `role` (made once per role and account set, then reused)."""
        key = f"{role}:{','.join(accounts or [])}:{name or ''}"
        if key not in self.tokens:
            self.tokens[key], _ = TokenStore(self.auth_db).create(role, name=name or key, accounts=accounts)
        return self.tokens[key]

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, verify=self.verify)

    def log_text(self, waiting_for: str = "", seconds: float = 10) -> str:
        """The log so far; with `waiting_for`, once that text is in it (uvicorn logs after it answered)."""
        deadline = time.monotonic() + seconds
        text = self.log.read_text(errors="replace")
        while waiting_for and waiting_for not in text and time.monotonic() < deadline:
            time.sleep(0.05)
            text = self.log.read_text(errors="replace")
        return text


def server_env(root: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINOPS_TUI_")}
    env.update(
        FINOPS_TUI_CONFIG_DIR=str(root / "config"),
        FINOPS_TUI_DATA_DIR=str(root / "data"),
        FINOPS_TUI_LOG_DIR=str(root / "logs"),
        FINOPS_TUI_TEMP_DIR=str(root / "temp"),
        PYTHONUNBUFFERED="1",  # each log line reaches the file as it is written
    )
    env.update(extra or {})
    return env


@contextmanager
def live_server(
    root: Path,
    cache: Path,
    *,
    settings: dict[str, str] | None = None,
    tls: tuple[Path, Path] | None = None,
    now: str | None = NOW,
) -> Iterator[LiveServer]:
    root.mkdir(parents=True, exist_ok=True)
    auth_db = root / "auth.sqlite3"
    log = root / "server.log"
    env = server_env(root, settings)
    command = [
        sys.executable,
        "-m",
        "finops_tui",
        "serve",
        "--cache",
        str(cache),
        "--port",
        "0",
        "--auth-db",
        str(auth_db),
    ]
    if now:
        command += ["--now", now]
    if tls:
        command += ["--ssl-certfile", str(tls[0]), "--ssl-keyfile", str(tls[1])]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        url = _wait_for_url(log, process)
        server = LiveServer(
            url,
            cache,
            auth_db,
            log,
            env,
            process,
            verify=ssl.create_default_context(cafile=str(tls[0])) if tls else True,
        )
        _wait_healthy(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_for_url(log: Path, process: subprocess.Popen[bytes], seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if match := _LISTENING.search(log.read_text(errors="replace")):
            return match.group(1)
        if process.poll() is not None:
            raise RuntimeError(f"finops-tui serve exited with {process.returncode}:\n{log.read_text()}")
        time.sleep(0.05)  # polling the log for uvicorn's start line: there is no event to wait on
    raise RuntimeError(f"finops-tui serve did not start in {seconds} s:\n{log.read_text()}")


def _wait_healthy(server: LiveServer) -> None:
    with server.client() as client:
        for _ in range(100):
            try:
                if client.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
    raise RuntimeError(f"/health never answered:\n{server.log_text()}")
