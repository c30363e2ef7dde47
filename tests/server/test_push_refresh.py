"""`refresh --backend-url`: a collector refreshes from AWS (moto over HTTP) into its private collector cache
and pushes what it wrote to a live server; refreshing again pushes again without doubling anything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.aws.conftest import ce_asked, seeded  # noqa: F401  (fixtures: moto seeded with resources and CE answers)
from tests.server.live_server import live_server


def refresh(url: str, token: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finops_tui", "refresh", "--backend-url", url, "--regions", "us-east-1",
         "--services", "ec2,ebs", "--no-ce-analyses"],
        capture_output=True, text=True, timeout=180, env={**os.environ, "FINOPS_TUI_TOKEN": token},
    )  # fmt: skip


def test_refresh_pushes_costs_and_resources_and_a_second_refresh_does_not_double(seeded, tmp_path: Path) -> None:  # noqa: F811
    with live_server(tmp_path / "srv", tmp_path / "server.duckdb", now=None) as server:
        first = refresh(server.url, server.token("collector"))
        assert first.returncode == 0, first.stderr
        assert "pushed costs costs-ce:" in first.stdout and "pushed resources resources:" in first.stdout

        def counts() -> list[list[object]]:
            with server.client(server.token("analyst")) as client:
                body = client.post("/api/sql-lab/execute", json={"sql": (
                    "SELECT (SELECT count(*) FROM costs), (SELECT sum(BilledCost)::DOUBLE FROM costs), "
                    "(SELECT count(*) FROM resources), (SELECT count(*) FROM datasets)")}).json()  # fmt: skip
            return list(body["data"]["rows"])

        after_first = counts()
        assert after_first[0][0] > 0 and after_first[0][2] >= 3  # 2 instances and a volume in us-east-1
        second = refresh(server.url, server.token("collector"))
        assert second.returncode == 0, second.stderr
        assert counts() == after_first
