"""The conformance suite's fixture: one hand-made cache, and a reader over it per implementation.

Every test in this folder takes `contract_reader` and may only use the `CostReader` contract,
so a second implementation (the REST client over a live server on the same cache) is added by
one more entry in `IMPLEMENTATIONS` and runs the same suite unchanged: "rest" is `RestReader`
over the real `finops-tui serve` (a subprocess on 127.0.0.1), started once per cache file.
"""

from __future__ import annotations

import atexit
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest

from finops_tui.analysis.budget_book import BudgetBook
from finops_tui.cache import dataset_writes, files
from finops_tui.cache.local_reader import LocalCache
from finops_tui.contract.reader import CostReader
from finops_tui.remote.backend_client import BackendClient
from finops_tui.remote.last_good import LastGoodStore
from finops_tui.remote.rest_reader import RestReader
from finops_tui.sources.ingest import ingest_paths
from tests.remote.live_server import LiveServer

NOW = datetime(2025, 3, 15, 12)
HEADER = (
    "BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,BillingPeriodStart,"
    "ProviderName,BillingAccountId,SubAccountId,ServiceName,RegionId,ResourceId"
)
ROWS = [
    # February 2025 (28 days)
    "100,90,USD,2025-02-03T00:00:00Z,2025-02-04T00:00:00Z,2025-02-01T00:00:00Z,AWS,p,a1,EC2,us-east-1,i-1",
    "50,50,USD,2025-02-10T00:00:00Z,2025-02-11T00:00:00Z,2025-02-01T00:00:00Z,AWS,p,a1,S3,us-east-1,b-1",
    "80,80,USD,2025-02-12T00:00:00Z,2025-02-13T00:00:00Z,2025-02-01T00:00:00Z,AWS,p,a2,RDS,eu-west-1,db-1",
    "30,30,USD,2025-02-20T00:00:00Z,2025-02-21T00:00:00Z,2025-02-01T00:00:00Z,AWS,p,a2,EC2,eu-west-1,i-2",
    # March 2025, up to the 15th
    "200,180,USD,2025-03-01T00:00:00Z,2025-03-02T00:00:00Z,2025-03-01T00:00:00Z,AWS,p,a1,EC2,us-east-1,i-1",
    "20,20,USD,2025-03-05T00:00:00Z,2025-03-06T00:00:00Z,2025-03-01T00:00:00Z,AWS,p,a1,S3,us-east-1,b-1",
    "5,5,USD,2025-03-07T00:00:00Z,2025-03-08T00:00:00Z,2025-03-01T00:00:00Z,AWS,p,a1,Lambda,us-east-1,",
    "10,10,USD,2025-03-15T00:00:00Z,2025-03-16T00:00:00Z,2025-03-01T00:00:00Z,AWS,p,a2,EC2,eu-west-1,i-2",
    # a EUR row that must never be added to USD
    "999,999,EUR,2025-03-10T00:00:00Z,2025-03-11T00:00:00Z,2025-03-01T00:00:00Z,AWS,p,a3,EC2,eu-west-1,i-3",
]
GCP_HEADER = HEADER
GCP_ROWS = [  # a second provider in the same currency
    "40,40,USD,2025-03-03T00:00:00Z,2025-03-04T00:00:00Z,2025-03-01T00:00:00Z,Google Cloud,g,g1,BigQuery,us,",
]


def build_cache(root: Path) -> Path:
    aws, gcp = root / "aws.csv", root / "gcp.csv"
    aws.write_text(HEADER + "\n" + "\n".join(ROWS) + "\n")
    gcp.write_text(GCP_HEADER + "\n" + "\n".join(GCP_ROWS) + "\n")
    cache = root / "contract.duckdb"
    ingest_paths([str(aws)], cache)
    ingest_paths([str(gcp)], cache)
    budgets = pa.table(
        {
            "budget_id": ["all", "ec2", "s3", "eur"],
            "budget_name": ["All", "EC2", "S3", "EUR total"],
            "time_unit": ["MONTHLY", "MONTHLY", "MONTHLY", "QUARTERLY"],
            "budget_amount": [1000.0, 250.0, 30.0, 5000.0],
            "currency": ["USD", "USD", "USD", "EUR"],
            "filter_dimension": [None, "ServiceName", "ServiceName", None],
            "filter_values": pa.array([None, ["EC2"], ["S3"], None], pa.list_(pa.string())),
        }
    )
    with files.write_session(cache) as con:
        dataset_writes.replace_dataset(con, "budgets", "budgets:test", budgets, source_kind="FILE", source="test")
    return cache


BUDGETS_FILE = """
[[budget]]
id = "ec2-file"
name = "EC2 from the file"
amount = 200
currency = "USD"
period = "monthly"
parent = "usd-month"
[budget.filters]
service = ["EC2"]

[[budget]]
id = "usd-month"
name = "USD month"
amount = 150
currency = "USD"
period = "monthly"

[[budget]]
id = "gbp"
name = "GBP month"
amount = 10
currency = "GBP"
"""


def local_reader(cache: Path) -> Iterator[CostReader]:
    budgets = cache.parent / "budgets.toml"
    budgets.write_text(BUDGETS_FILE)
    reader = LocalCache(cache, clock=lambda: NOW, budgets=BudgetBook(budgets))
    yield reader
    reader.close()


_SERVERS: dict[Path, LiveServer] = {}


def rest_reader(cache: Path) -> Iterator[CostReader]:
    """The REST client over a live server on the same cache; its last good answers in a folder of its own."""
    server = _SERVERS.get(cache)
    if server is None:
        budgets = cache.parent / "budgets.toml"
        budgets.write_text(BUDGETS_FILE)
        server = _SERVERS[cache] = LiveServer(cache, now=NOW, budgets_file=budgets).start()
        atexit.register(server.stop)
    client = BackendClient(server.url, server.token)
    reader = RestReader(server.url, server.token, client=client,
                        store=LastGoodStore(server.url, Path(tempfile.mkdtemp(dir=server.home))))  # fmt: skip
    yield reader
    reader.close()


IMPLEMENTATIONS: dict[str, Callable[[Path], Iterator[CostReader]]] = {"local": local_reader, "rest": rest_reader}


@pytest.fixture(scope="module")
def contract_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_cache(tmp_path_factory.mktemp("contract"))


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def contract_reader(request: pytest.FixtureRequest, contract_cache: Path) -> Iterator[CostReader]:
    yield from IMPLEMENTATIONS[request.param](contract_cache)
