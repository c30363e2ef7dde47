"""The refresh and doctor commands as a user runs them, in a subprocess, against moto over HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import duckdb

from finops_tui.sources.aws.refresh import run_refresh
from tests.aws.conftest import options


def cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "finops_tui", *args], capture_output=True, text=True, timeout=timeout)


def test_dry_run_prints_the_plan_and_its_price_and_calls_nothing_that_costs(seeded, tmp_path):
    cache = tmp_path / "c.duckdb"
    result = cli("refresh", "--cache", str(cache), "--regions", "us-east-1", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "Cost Explorer GetCostAndUsage: 13 request(s)" in result.stdout
    assert "GetCostForecast, GetAnomalies" in result.stdout
    assert "Estimated Cost Explorer charge: $0.17" in result.stdout
    assert not cache.exists()  # nothing was written, so nothing was fetched
    summary = run_refresh(cache, options())  # the queued answers are all still there
    assert summary.run.api_calls["ce.GetCostAndUsage"] == 13


def test_refresh_command_reports_and_a_second_one_is_refused_while_it_runs(seeded, tmp_path):
    cache = tmp_path / "c.duckdb"
    # moto implements none of Cost Explorer's analyses (they answer HTTP 500): skip them here.
    result = cli(
        "refresh",
        "--cache",
        str(cache),
        "--regions",
        "us-east-1,eu-west-1",
        "--services",
        "ec2,ebs",
        "--no-ce-analyses",
    )
    assert result.returncode == 0, result.stderr
    assert "Refresh ok" in result.stdout and "Cost Explorer: 13 request page(s), $0.13" in result.stdout
    assert "ok     inventory eu-west-1" in result.stderr
    bad = cli("refresh", "--cache", str(cache), "--services", "ec2,gpu")
    assert bad.returncode == 2 and "Unknown --services gpu" in bad.stderr and "Traceback" not in bad.stderr


def test_a_refresh_killed_mid_commit_leaves_the_previous_cache(seeded, tmp_path):
    cache = tmp_path / "c.duckdb"
    run_refresh(cache, options())
    before = (
        duckdb.connect(str(cache), read_only=True).execute("SELECT count(*), sum(BilledCost) FROM costs").fetchall()
    )
    killed = False
    for _ in range(10):
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "finops_tui",
                "refresh",
                "--cache",
                str(cache),
                "--regions",
                "us-east-1",
                "--no-ce-analyses",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        copy = cache.with_name(f"{cache.name}.tmp-{proc.pid}")
        while proc.poll() is None:
            if copy.exists():
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
                break
            time.sleep(0.002)
        proc.wait()
        if killed:
            break
    assert killed, "never caught the refresh inside its commit"
    con = duckdb.connect(str(cache), read_only=True)
    assert con.execute("SELECT count(*), sum(BilledCost) FROM costs").fetchall() == before
    con.close()
    assert run_refresh(cache, options()).run.status == "ok"  # the next writer cleans up and carries on
    assert not list(tmp_path.glob("c.duckdb.tmp-*"))


def test_doctor_test_connection_checks_credentials_and_each_permission(seeded, tmp_path):
    result = cli("doctor", "--test-connection")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "account 123456789012" in result.stdout
    assert "ec2:DescribeInstances: allowed" in result.stdout
    assert "ce:GetCostAndUsage: not checked (Cost Explorer has no free call" in result.stdout


def test_doctor_says_what_to_run_when_there_are_no_credentials(moto_server, tmp_path, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key)
    result = cli("doctor", "--test-connection")
    assert result.returncode == 1
    assert "No AWS credentials found" in result.stdout and "aws sso login" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
