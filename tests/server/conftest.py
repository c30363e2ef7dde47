"""One server per test module over a messy cache: the contract suite's cache (two providers, USD and EUR)
plus resources, anomalies, optimizations and budgets of several accounts, so account scoping has
rows to hide on every table.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from finops_tui.cache import dataset_writes, files
from tests.contract.conftest import build_cache
from tests.server.live_server import LiveServer, live_server


def add_datasets(cache: Path) -> None:
    resources = pa.table(
        {
            "resource_id": ["i-1", "i-2", "i-3"],
            "resource_type": ["instance"] * 3,
            "service_name": ["EC2"] * 3,
            "provider_name": ["AWS"] * 3,
            "region_id": ["us-east-1", "eu-west-1", "eu-west-1"],
            "sub_account_id": ["a1", "a2", "a3"],
            "state": ["running", "stopped", "running"],
            "is_idle": [False, True, False],
        }
    )
    anomalies = pa.table(
        {
            "anomaly_id": ["an-1", "an-2", "an-3"],
            "anomaly_type": ["spike"] * 3,
            "severity": ["high", "low", "medium"],
            "start_date": [date(2025, 3, 1), date(2025, 3, 5), date(2025, 3, 10)],
            "end_date": [date(2025, 3, 2), date(2025, 3, 6), date(2025, 3, 11)],
            "actual_cost": [180.0, 20.0, 999.0],
            "expected_cost": [90.0, 10.0, 10.0],
            "currency": ["USD", "USD", "EUR"],
            "sub_account_id": ["a1", "a2", "a3"],
            "service_name": ["EC2", "S3", "EC2"],
            "status": ["open", "closed", "open"],
        }
    )
    optimizations = pa.table(
        {
            "optimization_id": ["o-1", "o-2", "o-3"],
            "resource_id": ["i-1", "i-2", "i-3"],
            "optimization_type": ["rightsize", "delete", "rightsize"],
            "description": ["smaller", "unused", "smaller"],
            "estimated_savings": [40.0, 25.0, 300.0],
            "currency": ["USD", "USD", "EUR"],
            "sub_account_id": ["a1", "a2", "a3"],
            "status": ["open", "open", "open"],
        }
    )
    with files.write_session(cache) as con:
        for kind, table in (("resources", resources), ("anomalies", anomalies), ("optimizations", optimizations)):
            dataset_writes.replace_dataset(con, kind, f"{kind}:test", table, source_kind="API", source="test")
        dataset_writes.fill_current_costs(con)


@pytest.fixture(scope="module")
def server_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("server-cache")
    cache = build_cache(root)
    add_datasets(cache)
    return cache


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, server_cache: Path) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("server"), server_cache) as live:
        yield live
