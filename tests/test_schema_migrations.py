"""Schema versions: new caches are current, old ones upgrade in place, newer and foreign files are refused."""

from __future__ import annotations

import argparse

import duckdb
import pytest

from finops_tui.cache import files, migrations
from finops_tui.config import load_settings
from finops_tui.errors import CacheError
from finops_tui.reader_opening import open_reader


def _v1_cache(folder, rows: str):
    """A cache as schema v1 wrote it (`costs` a table), with `INSERT INTO costs <rows>` in it."""
    path = folder / "old.duckdb"
    con = duckdb.connect(str(path))
    migrations.migrate(con, path, up_to=1)
    con.execute(f"INSERT INTO costs {rows}")
    con.close()
    return path


def test_a_new_cache_gets_the_latest_schema(tmp_path):
    files.ensure_cache(tmp_path / "c.duckdb")
    assert files.schema_version(tmp_path / "c.duckdb") == migrations.LATEST_VERSION


def test_an_older_cache_is_upgraded_and_its_rollups_match_the_rows(tmp_path):
    path = _v1_cache(
        tmp_path,
        "(BilledCost, EffectiveCost, ChargePeriodStart, BillingCurrency, ServiceName, x_DatasetId) "
        "VALUES (10.5, 9, TIMESTAMP '2025-01-02 03:00', 'USD', 'S', 'd'), "
        "(2.25, 2, TIMESTAMP '2025-01-02 09:00', 'USD', 'S', 'd')",
    )
    assert files.schema_version(path) == 1
    files.ensure_cache(path)
    assert files.schema_version(path) == migrations.LATEST_VERSION
    con = files.connect_read_only(path)
    assert con.execute("SELECT ChargeDate, BilledCost::DOUBLE, EffectiveCost::DOUBLE FROM cost_daily").fetchall() == [
        (__import__("datetime").date(2025, 1, 2), 12.75, 11.0)
    ]
    con.close()


def test_a_cache_from_a_newer_finops_tui_is_refused(tmp_path):
    path = tmp_path / "new.duckdb"
    con = duckdb.connect(str(path))
    migrations.migrate(con, path)
    con.execute("INSERT INTO schema_migrations VALUES (99, 'future', now()::TIMESTAMP)")
    con.close()
    with pytest.raises(CacheError, match="newer than this finops-tui understands.*Upgrade finops-tui"):
        files.connect_read_only(path)
    with pytest.raises(CacheError):
        files.ensure_cache(path)


def test_a_duckdb_file_that_is_not_a_cache_is_refused(tmp_path):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.close()
    with pytest.raises(CacheError, match="not a finops-tui cache"):
        files.connect_read_only(path)


def test_a_command_opening_an_older_cache_upgrades_it_before_reading(tmp_path):
    """The reader reads the version on its own connection and upgrades only an older file (one open otherwise)."""
    path = _v1_cache(
        tmp_path,
        "(BilledCost, ChargePeriodStart, BillingCurrency, x_DatasetId) "
        "VALUES (4.5, TIMESTAMP '2025-01-02 03:00', 'USD', 'd')",
    )
    args = argparse.Namespace(cache=str(path), snapshot=None, demo=False, backend=None, budgets=None)
    reader = open_reader(args, load_settings(cache=str(path)))
    try:
        assert reader.schema_version() == migrations.LATEST_VERSION
        assert reader._cursor().execute("SELECT BilledCost::DOUBLE FROM cost_daily").fetchall() == [(4.5,)]
    finally:
        reader.close()
    assert files.schema_version(path) == migrations.LATEST_VERSION  # upgraded in the file, not in memory
