"""Conformance of the anomaly calls: listing with drivers and origin, and feedback through the contract only.

Its own cache (feedback writes to it), with a reader per implementation like the rest of the suite.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from finops_tui.contract.reader import CostReader
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.tables import AnomaliesTable
from finops_tui.contract.views import AnomaliesView
from finops_tui.errors import FinopsError
from finops_tui.sources.ingest import ingest_paths
from tests.anomaly_rows import SPIKE_DAY, SPIKY, write_costs
from tests.contract.conftest import IMPLEMENTATIONS

ALL = ViewScope(currency=None)


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def reader(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CostReader]:
    cache = tmp_path / "anomalies.duckdb"
    ingest_paths([str(write_costs(tmp_path / "costs.csv", spike=900))], cache)
    yield from IMPLEMENTATIONS[request.param](cache)


def by_account(view: AnomaliesView) -> dict[str, dict[str, object]]:
    return {str(r["account"]): r for r in view.table.rows()}


def test_computed_anomalies_come_with_origin_drivers_and_series(reader: CostReader) -> None:
    view = reader.anomalies_view(ALL)
    assert view.table.table.schema == AnomaliesTable.SCHEMA
    rows = by_account(view)
    assert set(rows) == {"a1", "(all accounts)"}
    own = rows["a1"]
    assert (own["origin"], own["status"], own["start_date"]) == ("computed here", "open", SPIKE_DAY)
    assert own["series_key"] == "AWS|a1|EC2|USD" and rows["(all accounts)"]["service"] == "(all services)"
    assert json.loads(str(own["drivers"]))[0]["value"] == SPIKY and SPIKY in str(own["root_cause"])
    assert AnomaliesView.model_validate_json(view.model_dump_json()) == view
    assert reader.anomalies_view(ViewScope(currency=None, provider="Azure")).table.num_rows == 0


def test_feedback_goes_through_the_contract_and_muting_covers_the_series(reader: CostReader) -> None:
    own = by_account(reader.anomalies_view(ALL))["a1"]
    reader.set_anomaly_feedback(str(own["anomaly_id"]), "acknowledged", "expected: load test")
    assert by_account(reader.anomalies_view(ALL))["a1"]["status"] == "acknowledged"
    reader.set_anomaly_feedback(str(own["anomaly_id"]), "muted")
    assert by_account(reader.anomalies_view(ALL))["a1"]["status"] == "muted"
    reader.set_anomaly_feedback(str(own["anomaly_id"]), "open")
    assert {r["status"] for r in reader.anomalies_view(ALL).table.rows()} == {"open"}


def test_feedback_on_an_unknown_anomaly_is_an_error_with_advice(reader: CostReader) -> None:
    with pytest.raises(FinopsError, match="anomalies --all"):
        reader.set_anomaly_feedback("local-0000000000000000", "muted")
