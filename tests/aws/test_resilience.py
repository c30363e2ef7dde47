"""Guards on every AWS call: the circuit opens on a dead endpoint, timeouts are bounded, calls are logged,
and the rate limiter spaces calls."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ReadTimeoutError

from finops_tui.logs import configure_logging
from finops_tui.sources.aws.guards import CircuitBreaker, CircuitOpenError, Guards, RateLimiter


class _Always500(BaseHTTPRequestHandler):
    hits = 0

    def do_POST(self):
        type(self).hits += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b"<Response><Errors><Error><Code>InternalError</Code><Message>boom</Message></Error></Errors></Response>"
        self.send_response(500)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def endpoint_500():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Always500)
    _Always500.hits = 0
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _client(url: str, read_timeout: float = 2):
    return boto3.client(
        "ec2",
        region_name="eu-west-1",
        endpoint_url=url,
        aws_access_key_id="k",
        aws_secret_access_key="s",
        config=Config(retries={"total_max_attempts": 1}, read_timeout=read_timeout, connect_timeout=1),
    )


def test_an_endpoint_that_returns_500s_opens_the_circuit_and_stops_being_called(endpoint_500, tmp_path):
    log = configure_logging("INFO", tmp_path / "log.jsonl")
    guards = Guards(breaker=CircuitBreaker(threshold=3, cooldown=60))
    ec2 = guards.attach(_client(endpoint_500), "ec2", "eu-west-1")
    for _ in range(3):
        with pytest.raises(ClientError, match="InternalError"):
            ec2.describe_instances()
    for _ in range(5):
        with pytest.raises(CircuitOpenError, match="circuit open for ec2 in eu-west-1"):
            ec2.describe_instances()
    assert _Always500.hits == 3  # the open circuit made no HTTP request
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    calls = [entry for entry in lines if entry["operation"] == "ec2.DescribeInstances"]
    assert len(calls) == 3 and all(c["status"] == "error" and "HTTP 500" in c["error"] for c in calls)
    assert {c["details"]["region"] for c in calls} == {"eu-west-1"}
    assert all(c["details"]["response_time_ms"] is not None for c in calls)


def test_a_hung_endpoint_times_out_and_counts_as_a_failure():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)  # accepts connections, never answers
    guards = Guards(breaker=CircuitBreaker(threshold=1, cooldown=60))
    ec2 = guards.attach(_client(f"http://127.0.0.1:{listener.getsockname()[1]}", read_timeout=0.5), "ec2", "eu-west-1")
    started = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        ec2.describe_instances()
    assert time.monotonic() - started < 5
    assert guards.breaker.is_open("ec2", "eu-west-1")
    listener.close()


def test_the_rate_limiter_spaces_calls_beyond_the_burst():
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(clock=lambda: now[0], sleep=sleep)
    for _ in range(5):  # Cost Explorer: 5 calls per second, bursts of 5
        limiter.acquire("ce", "GetCostAndUsage")
    assert waits == []
    limiter.acquire("ce", "GetCostAndUsage")
    assert waits and sum(waits) == pytest.approx(0.2)
