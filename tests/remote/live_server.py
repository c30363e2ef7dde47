"""The real `finops-tui serve` in a subprocess on 127.0.0.1 (a free port), with an analyst token made by
`finops-tui token create`. Restartable on the same port, so a client can watch it die and come back.
"""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import httpx

from tests.remote.mini_backend import free_port


def _cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finops_tui", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@dataclass
class LiveServer:
    cache: Path
    home: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="finops-client-serve-")))
    port: int = field(default_factory=free_port)
    token: str = ""
    tls: tuple[Path, Path] | None = None  # (certificate, key): serve HTTPS
    now: datetime | None = None  # the server's clock (serve's hidden --now), to match a reader with a fixed clock
    budgets_file: Path | None = None  # the budgets file the server shows beside the cache's budgets
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FINOPS_TUI_")}
        for name in ("CONFIG", "DATA", "LOG", "TEMP"):
            env[f"FINOPS_TUI_{name}_DIR"] = str(self.home / name.lower())
        env["FINOPS_TUI_SERVER_RATE_BURST"] = "100000"  # the suites call quickly; rate limits are not tested here
        if self.budgets_file is not None:
            env["FINOPS_TUI_BUDGETS_FILE"] = str(self.budgets_file)
        return env

    @property
    def auth_db(self) -> Path:
        return self.home / "auth.sqlite3"

    @property
    def log(self) -> Path:
        return self.home / "serve.log"

    def create_token(self, role: str = "analyst") -> str:
        made = _cli("token", "create", "--role", role, "--auth-db", str(self.auth_db), env=self.env, cwd=self.home)
        assert made.returncode == 0, made.stderr
        return made.stdout.strip().splitlines()[-1]

    def start(self) -> LiveServer:
        if not self.token:
            self.token = self.create_token()
        args = ["serve", "--cache", str(self.cache), "--port", str(self.port), "--auth-db", str(self.auth_db)]
        if self.now is not None:
            args += ["--now", self.now.isoformat()]
        if self.tls:
            args += ["--ssl-certfile", str(self.tls[0]), "--ssl-keyfile", str(self.tls[1])]
        with open(self.log, "ab") as log:
            command = [sys.executable, "-m", "finops_tui", *args]
            self.process = subprocess.Popen(command, env=self.env, cwd=self.home, stdout=log, stderr=subprocess.STDOUT)
        self._wait_until_up()
        return self

    def _wait_until_up(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"finops-tui serve exited: {self.log.read_text()[-2000:]}")
            try:
                verify = ssl.create_default_context(cafile=str(self.tls[0])) if self.tls else True
                if httpx.get(self.url + "/health", timeout=1, verify=verify).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)  # a subprocess's start-up has no event to wait on
        raise AssertionError(f"finops-tui serve did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(15)
            self.process = None
