"""The DEMO cache: generated, deterministic, shaped like a real company, loaded through ingest, labelled DEMO."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from finops_tui.cache.local_reader import LocalCache
from finops_tui.contract.scope import ViewScope
from finops_tui.sources import demo
from finops_tui.sources.demo_catalog import IDLE, SPIKES

END = date(2026, 6, 30)


@pytest.fixture(scope="module")
def demo_reader(tmp_path_factory):
    path = demo.build_demo(tmp_path_factory.mktemp("demo") / "demo.duckdb", END)
    reader = LocalCache(path, clock=lambda: datetime(2026, 7, 1, 6))
    yield reader
    reader.close()


def one(reader: LocalCache, sql: str):
    return reader.run_sql(sql, 1000).table.rows()


def test_demo_has_the_promised_shape(demo_reader):
    row = one(
        demo_reader,
        """
        SELECT min(ChargePeriodStart)::DATE AS first, max(ChargePeriodStart)::DATE AS last,
               count(DISTINCT SubAccountId) AS accounts, count(DISTINCT ServiceName) AS services,
               count(DISTINCT RegionId) AS regions, count(DISTINCT ResourceId) AS resources,
               count(DISTINCT strftime(BillingPeriodStart, '%Y-%m')) AS months
        FROM costs""",
    )[0]
    assert row["last"] == END
    assert (END - row["first"]).days >= 395  # 13 months of daily rows
    assert row["months"] >= 13
    assert row["accounts"] >= 3 and row["services"] >= 12 and row["regions"] >= 4
    assert 200 <= row["resources"] <= 600


def test_every_row_and_the_source_say_demo(demo_reader):
    assert demo_reader.source_info().kind == "DEMO"
    kinds = one(demo_reader, "SELECT DISTINCT x_SourceKind AS k, BillingAccountName AS n FROM costs")
    assert len(kinds) == 1 and kinds[0]["k"] == "DEMO" and "DEMO" in kinds[0]["n"]
    assert {d.origin for d in demo_reader.datasets()} == {"DEMO"}


def test_demo_went_through_the_real_ingest_path(demo_reader):
    datasets = [d for d in demo_reader.datasets() if d.kind == "costs"]
    assert len(datasets) >= 13
    assert all(d.format == "focus" and d.format_version == "1.2" for d in datasets)
    files = one(demo_reader, "SELECT DISTINCT x_SourceFile AS f FROM costs")
    assert all(f["f"].endswith(".parquet") for f in files)


def test_weekly_seasonality_and_growth_are_visible(demo_reader):
    weekday = one(
        demo_reader,
        """
        SELECT avg(c) FILTER (WHERE dayofweek(d) IN (0, 6)) / avg(c) FILTER (WHERE dayofweek(d) NOT IN (0, 6)) AS r
        FROM (SELECT ChargeDate AS d, sum(BilledCost) AS c FROM cost_daily GROUP BY 1)""",
    )[0]["r"]
    assert 0.7 < weekday < 0.97  # weekends are cheaper
    months = one(
        demo_reader,
        """
        SELECT strftime(ChargeDate, '%Y-%m') AS m, sum(BilledCost) / count(DISTINCT ChargeDate) AS per_day
        FROM cost_daily GROUP BY 1 ORDER BY 1""",
    )
    assert months[-1]["per_day"] > months[1]["per_day"] * 1.15  # a year of growth


def test_injected_spikes_stand_out_against_the_days_before(demo_reader):
    for spike in SPIKES:
        first = END - timedelta(days=spike.days_before_end)
        rows = one(
            demo_reader,
            f"""
            SELECT avg(c) FILTER (WHERE d >= DATE '{first}' AND d < DATE '{first}' + {spike.duration_days}) AS during,
                   avg(c) FILTER (WHERE d >= DATE '{first}' - 14 AND d < DATE '{first}') AS before
            FROM (SELECT ChargeDate AS d, sum(BilledCost) AS c FROM cost_daily
                  WHERE SubAccountId = '{spike.account_id}' AND ServiceName = '{spike.service}'
                    AND RegionId = '{spike.region}' GROUP BY 1)""",
        )[0]
        assert rows["during"] > rows["before"] * (spike.multiplier * 0.6), spike.spike_id


def test_ground_truth_is_written_beside_the_cache(demo_reader):
    truth = json.loads((demo_reader.path.parent / "ground_truth.json").read_text())
    assert [t["spike_id"] for t in truth] == [s.spike_id for s in SPIKES]
    assert truth[0]["first_day"] == (END - timedelta(days=SPIKES[0].days_before_end)).isoformat()


def test_idle_resources_and_budgets_are_present(demo_reader):
    usd = ViewScope(currency="USD")
    resources = demo_reader.resources_view(usd)
    assert resources.idle_count == len(IDLE)
    assert resources.table.table["idle"].to_pylist().count("IDLE") == len(IDLE)
    budgets = demo_reader.budgets_view(usd).table.rows()
    assert len(budgets) >= 5 and {b["status"] for b in budgets} >= {"OK", "BREACHED"}


def test_generation_is_deterministic(tmp_path):
    first = demo.write_focus_files(tmp_path / "a", END)
    second = demo.write_focus_files(tmp_path / "b", END)
    assert [p.name for p in first] == [p.name for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))


def test_ensure_demo_cache_reuses_a_current_demo_and_rebuilds_an_old_one(tmp_path):
    target = tmp_path / "demo.duckdb"
    demo.ensure_demo_cache(END, target)
    stamp = target.stat().st_mtime_ns
    demo.ensure_demo_cache(END, target)
    assert target.stat().st_mtime_ns == stamp
    demo.ensure_demo_cache(END + timedelta(days=1), target)
    reader = LocalCache(target)
    assert reader.meta()["demo_end"] == (END + timedelta(days=1)).isoformat()
    reader.close()


def test_a_demo_cache_from_an_older_schema_is_upgraded_when_reused(tmp_path):
    from finops_tui.cache import files, migrations

    target = tmp_path / "demo.duckdb"
    demo.ensure_demo_cache(END, target)
    with files.write_session(target) as con:  # make it look like a v2 DEMO from an older release
        for table in ("budget_history", "refresh_runs", "api_request_cache", "cost_forecasts"):
            con.execute(f"DROP TABLE {table}")
        con.execute("DELETE FROM schema_migrations WHERE version > 2")
    assert files.schema_version(target) == 2
    demo.ensure_demo_cache(END, target)
    assert files.schema_version(target) == migrations.LATEST_VERSION
