"""Detection in the cache: inside the writer's transaction, explained by line items, stable, and user feedback kept."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from finops_tui.cache import anomaly_writes, files
from finops_tui.cache.local_reader import LocalCache
from finops_tui.contract.scope import ViewScope
from finops_tui.errors import CacheError
from finops_tui.sources.ingest import ingest_paths
from tests.anomaly_rows import SPIKE_DAY, SPIKY, write_costs

ALL = ViewScope(currency=None)


def computed(cache: Path) -> list[dict[str, object]]:
    con = files.connect_read_only(cache)
    try:
        return (
            con.sql("SELECT * FROM anomalies WHERE origin = 'computed' ORDER BY start_date")
            .to_arrow_table()
            .to_pylist()
        )
    finally:
        con.close()


@pytest.fixture
def spiky_cache(tmp_path: Path) -> Path:
    cache = tmp_path / "cache.duckdb"
    ingest_paths([str(write_costs(tmp_path / "costs.csv", spike=900))], cache)
    return cache


def test_ingest_detects_the_spike_and_names_the_resource_that_moved(spiky_cache: Path):
    rows = computed(spiky_cache)
    assert sorted((r["series_key"], r["start_date"], r["anomaly_type"]) for r in rows) == [
        ("AWS|*|*|USD", SPIKE_DAY, "spike"),  # the provider total moved too
        ("AWS|a1|EC2|USD", SPIKE_DAY, "spike"),
    ]
    own = next(r for r in rows if r["series_key"] == "AWS|a1|EC2|USD")
    assert own["end_date"] == SPIKE_DAY + timedelta(days=1)
    assert float(own["impact"]) == pytest.approx(1800, rel=0.1)
    assert float(own["actual_cost"]) - float(own["expected_cost"]) == pytest.approx(float(own["impact"]))
    drivers = json.loads(own["drivers"])
    top = {d["dimension"]: d for d in reversed(drivers)}
    assert top["resource"]["value"] == SPIKY and top["resource"]["share"] > 0.9
    assert top["usage type"]["value"] == "BoxUsage:c5.4xlarge" and top["region"]["value"] == "eu-west-1"
    assert SPIKY in own["root_cause"] and own["region_id"] == "eu-west-1"
    assert own["severity"] in ("medium", "high") and own["status"] == "open"


def test_quiet_costs_taxes_other_currencies_and_future_rows_give_nothing(tmp_path: Path):
    cache = tmp_path / "cache.duckdb"
    ingest_paths([str(write_costs(tmp_path / "costs.csv"))], cache)  # monthly $500 tax rows, EUR, no currency
    assert computed(cache) == []


def test_detected_anomalies_are_a_dataset_with_provenance(spiky_cache: Path):
    reader = LocalCache(spiky_cache)
    (info,) = [d for d in reader.datasets() if d.kind == "anomalies"]
    reader.close()
    assert info.dataset_id == anomaly_writes.DATASET_ID and info.origin == "COMPUTED"
    assert "computed here" in (info.source or "") and info.row_count == 2
    con = files.connect_read_only(spiky_cache)
    sources = json.loads(con.execute("SELECT files FROM datasets WHERE kind = 'anomalies'").fetchall()[0][0])
    con.close()
    assert {s["dataset_id"] for s in sources} >= {"costs:AWS:payer:2025-04", "costs:Azure:payer:2025-01"}


def test_detection_runs_in_the_load_transaction_so_a_failure_loses_the_costs_too(tmp_path, monkeypatch):
    cache = tmp_path / "cache.duckdb"
    ingest_paths([str(write_costs(tmp_path / "quiet.csv"))], cache)
    before = computed(cache), files.connect_read_only(cache).execute("SELECT sum(BilledCost) FROM costs").fetchall()

    def broken(*args: object) -> int:
        raise RuntimeError("detector failed")

    monkeypatch.setattr(anomaly_writes, "store_local_anomalies", broken)
    with pytest.raises(RuntimeError, match="detector failed"):
        ingest_paths([str(write_costs(tmp_path / "spiky.csv", spike=900))], cache)
    after = computed(cache), files.connect_read_only(cache).execute("SELECT sum(BilledCost) FROM costs").fetchall()
    assert after == before  # neither the new costs nor anything else was committed


def test_detection_sees_the_rows_of_its_own_uncommitted_load(tmp_path: Path):
    """A reader opening the file between two commits would be the bug; there is only one commit."""
    cache = tmp_path / "cache.duckdb"
    ingest_paths([str(write_costs(tmp_path / "quiet.csv"))], cache)
    ingest_paths([str(write_costs(tmp_path / "spiky.csv", spike=900))], cache)  # replaces the same slices
    con = duckdb.connect(str(cache), read_only=True)
    loaded = con.execute(
        "SELECT (SELECT max(loaded_at) FROM datasets WHERE kind = 'costs'), "
        "(SELECT loaded_at FROM datasets WHERE kind = 'anomalies')"
    ).fetchall()[0]
    con.close()
    assert loaded[0] == loaded[1]  # now() of one transaction
    assert len(computed(cache)) == 2


def test_ids_are_stable_when_detection_runs_again_and_when_data_is_reingested(spiky_cache: Path, tmp_path: Path):
    first = [r["anomaly_id"] for r in computed(spiky_cache)]
    with files.write_session(spiky_cache) as con:
        from finops_tui.cache.analysis_writes import refresh_local_analysis

        refresh_local_analysis(con)
    assert [r["anomaly_id"] for r in computed(spiky_cache)] == first
    ingest_paths([str(write_costs(tmp_path / "again.csv", spike=900))], spiky_cache)
    assert [r["anomaly_id"] for r in computed(spiky_cache)] == first  # no duplicates either


def test_acknowledge_and_mute_survive_reingest_and_mute_covers_the_series(spiky_cache: Path, tmp_path: Path):
    rows = computed(spiky_cache)
    own = next(r for r in rows if r["series_key"] == "AWS|a1|EC2|USD")
    total = next(r for r in rows if r["series_key"] == "AWS|*|*|USD")
    reader = LocalCache(spiky_cache)
    reader.set_anomaly_feedback(str(total["anomaly_id"]), "acknowledged", "known: load test")
    reader.set_anomaly_feedback(str(own["anomaly_id"]), "muted")
    reader.close()
    ingest_paths([str(write_costs(tmp_path / "again.csv", spike=900))], spiky_cache)  # re-ingest
    reader = LocalCache(spiky_cache)
    status = {r["anomaly_id"]: r["status"] for r in reader.anomalies_view(ALL).table.rows()}
    assert status == {total["anomaly_id"]: "acknowledged", own["anomaly_id"]: "muted"}
    reader.set_anomaly_feedback(str(own["anomaly_id"]), "open")  # unmutes the series
    status = {r["anomaly_id"]: r["status"] for r in reader.anomalies_view(ALL).table.rows()}
    reader.close()
    assert status[own["anomaly_id"]] == "open"


def test_feedback_on_an_unknown_anomaly_or_a_snapshot_is_refused_with_advice(spiky_cache: Path):
    reader = LocalCache(spiky_cache)
    with pytest.raises(CacheError, match="anomalies --all` lists every anomaly id"):
        reader.set_anomaly_feedback("local-nope", "acknowledged")
    reader.close()
    snapshot = LocalCache(spiky_cache, snapshot=True)
    with pytest.raises(CacheError, match="read-only snapshot"):
        snapshot.set_anomaly_feedback(str(computed(spiky_cache)[0]["anomaly_id"]), "muted")
    snapshot.close()


def test_cost_explorer_anomalies_stay_beside_the_computed_ones(spiky_cache: Path):
    import pyarrow as pa

    from finops_tui.cache import dataset_writes
    from finops_tui.cache.schema import ANOMALIES

    aws = pa.Table.from_pylist(
        [{"anomaly_id": "ce-1", "anomaly_type": "AWS Cost Anomaly Detection", "severity": "high",
          "start_date": SPIKE_DAY, "status": "open", "provider_name": "AWS"}],
        schema=ANOMALIES.row_schema,
    )  # fmt: skip
    with files.write_session(spiky_cache) as con:
        dataset_writes.replace_dataset(con, "anomalies", "anomalies:aws:123", aws, source_kind="API", source="t")
    ingest_paths([str(write_costs(spiky_cache.parent / "again.csv", spike=900))], spiky_cache)
    reader = LocalCache(spiky_cache)
    origins = sorted(r["origin"] for r in reader.anomalies_view(ALL).table.rows())
    reader.close()
    assert origins == ["AWS", "computed here", "computed here"]
