"""A refresh recomputes local anomalies in its own write, beside Cost Explorer's, even when no cost changed."""

from __future__ import annotations

import duckdb

from finops_tui.cache import analysis_writes
from finops_tui.cache.anomaly_writes import DATASET_ID
from finops_tui.cache.local_reader import LocalCache
from finops_tui.contract.scope import ViewScope
from finops_tui.sources.aws.refresh import run_refresh
from tests.aws.conftest import NOW, options


def test_refresh_writes_local_anomalies_beside_aws_ones_and_recomputes_them_every_time(
    seeded, tmp_path, ce_asked, monkeypatch
):
    cache = tmp_path / "c.duckdb"
    run_refresh(cache, options())
    with duckdb.connect(str(cache), read_only=True) as con:
        kinds = dict(con.execute("SELECT dataset_id, source_kind FROM datasets WHERE kind = 'anomalies'").fetchall())
    assert kinds[DATASET_ID] == "COMPUTED" and "API" in kinds.values()
    reader = LocalCache(cache, clock=lambda: NOW)
    assert {r["origin"] for r in reader.anomalies_view(ViewScope(currency=None)).table.rows()} == {"AWS"}
    reader.close()

    calls: list[object] = []
    real = analysis_writes.refresh_local_analysis
    monkeypatch.setattr(
        analysis_writes, "refresh_local_analysis", lambda con, *a, **k: calls.append(con) or real(con, *a, **k)
    )
    ce_asked.clear()
    run_refresh(cache, options(now=lambda: NOW.replace(hour=11)))
    assert ce_asked == [] and len(calls) == 1  # no cost load this time: the refresh's own write ran it
