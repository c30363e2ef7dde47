"""Where the numbers come from: snapshots open read-only and unchanged; new commits show without a restart."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb

from finops_tui.app.widgets.source_bar import SourceBar
from finops_tui.cache import migrations
from finops_tui.sources.ingest import ingest_paths
from tests.tui.conftest import make_app, notifications, settle, wait_until


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def test_snapshot_mode_labels_the_file_and_never_modifies_it(demo_cache, tmp_path):
    snap = tmp_path / "colleague.duckdb"
    shutil.copyfile(demo_cache, snap)
    before = _sha(snap)
    app = make_app(snap, snapshot=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in "23456":
            await pilot.press(key)
            await settle(pilot)
        text = app.query_one(SourceBar).render().plain
        assert "SNAPSHOT" in text and str(snap) in text and "read-only" in text
        assert "DEMO" in text  # the snapshot's origin is the demo, and it says so
        assert "origin:" in text and "test-host" in text
    app.reader.close()
    assert _sha(snap) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["colleague.duckdb"]


async def test_snapshot_of_an_older_schema_is_upgraded_in_a_private_copy(demo_cache, tmp_path):
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    migrations.migrate(con, old, up_to=1)
    con.execute(
        "INSERT INTO costs (BilledCost, EffectiveCost, ChargePeriodStart, BillingCurrency, "
        "ServiceName, x_DatasetId) VALUES (10, 10, TIMESTAMP '2026-11-02', 'USD', 'S', 'd1')"
    )
    con.close()
    before = _sha(old)
    app = make_app(old, snapshot=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "$10.00" in str(app.query_one("#card-mtd").render())
    app.reader.close()
    assert _sha(old) == before


async def test_data_committed_by_another_writer_appears_without_restart(tmp_path, shared_focus_csv):
    cache = tmp_path / "live.duckdb"
    ingest_paths([str(shared_focus_csv)], cache)
    app = make_app(cache, watch_interval=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.currencies == ["USD"]
        extra = tmp_path / "eur.csv"
        extra.write_text(
            "BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,BillingPeriodStart,"
            "ProviderName,BillingAccountId,ServiceName\n"
            "5,5,EUR,2024-09-30T00:00:00Z,2024-10-01T00:00:00Z,2024-09-01T00:00:00Z,Acme,eu-1,Widgets\n"
        )
        ingest_paths([str(extra)], cache)  # copy-and-swap while the cockpit holds the file open
        await wait_until(pilot, lambda: "EUR" in app.currencies)  # the file watcher's timer notices
        assert app.currencies == ["USD", "EUR"]
        assert any("another process" in m for m in notifications(app))
