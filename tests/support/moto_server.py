"""moto as a real HTTP server on 127.0.0.1, in its own process, for every AWS test.

One server per pytest worker (session scope); `moto_server` resets its state before each test
and points the boto3 credential chain and endpoint at it through the environment, so code
under test (and any `finops-tui` subprocess it starts) talks HTTP to moto exactly as it would
to AWS.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class MotoServer:
    url: str

    def reset(self) -> None:
        self.post("/moto-api/reset", {})

    def post(self, path: str, payload: dict) -> bytes:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()

    def inject_cost_and_usage(self, results: list[dict], region: str = "us-east-1") -> None:
        """Queue GetCostAndUsage responses: each call returns the next dict from `results`."""
        self.post("/moto-api/static/ce/cost-and-usage-results", {"results": results, "region": region})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"moto server exited with code {proc.returncode}")
        try:
            urllib.request.urlopen(url + "/moto-api/data.json", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto server at {url} did not start in {timeout} s")


@pytest.fixture(scope="session")
def moto_server_process() -> Iterator[MotoServer]:
    port = _free_port()
    env = {**os.environ, "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc)
        yield MotoServer(url)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}


@pytest.fixture
def moto_server(moto_server_process, monkeypatch, tmp_path) -> MotoServer:
    """A clean moto server, with the environment pointing boto3 (and subprocesses) at it."""
    moto_server_process.reset()
    for key, value in AWS_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server_process.url)
    # No shared config/credentials from the machine running the tests.
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "_aws_config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "_aws_credentials"))
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return moto_server_process
