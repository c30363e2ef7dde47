"""The DEMO's injected spikes and level shifts are found, with the right root cause, and little else is."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from finops_tui.analysis.anomaly_scoring import score
from finops_tui.cache import files
from finops_tui.sources import demo
from finops_tui.sources.demo_catalog import SPIKES

END = date(2026, 6, 30)


@pytest.fixture(scope="module")
def computed_rows(tmp_path_factory) -> list[dict[str, object]]:
    path = demo.build_demo(tmp_path_factory.mktemp("demo") / "demo.duckdb", END)
    con = files.connect_read_only(path)
    try:
        query = "SELECT * FROM anomalies WHERE origin = 'computed' ORDER BY start_date"
        return con.sql(query).to_arrow_table().to_pylist()
    finally:
        con.close()


def test_injected_events_are_found_with_their_root_cause(computed_rows):
    s = score(computed_rows, demo.injected_events(END), demo.launch_events(END))
    assert s.missed == [] and s.recall == 1.0
    assert s.root_cause_accuracy == 1.0
    assert s.precision >= 0.8, s.unexplained


def test_the_catalog_holds_spikes_and_level_shifts_on_named_resources():
    kinds = {s.kind for s in SPIKES}
    assert kinds == {"spike", "level shift"}
    named = [s for s in SPIKES if s.resource]
    resources = {r["resource_name"]: r for r in demo.demo_resources().to_pylist()}
    for s in named:  # each named resource exists where the event says, from the first day
        r = resources[s.resource]
        assert (r["account_id"], r["service"], r["region_id"], r["start_day"]) == (s.account_id, s.service, s.region, 0)
        assert s.resource_id == r["resource_id"]


def test_a_level_shift_is_reported_once(computed_rows):
    for event in (e for e in demo.injected_events(END) if e.event_id.startswith("demo-shift")):
        own = [
            r
            for r in computed_rows
            if (r["sub_account_id"], r["service_name"]) == (event.account, event.service)
            and r["start_date"] >= event.first_day - timedelta(days=1)
        ]
        assert own and own[0]["anomaly_type"] == "level shift", event.event_id
        assert sum(r["anomaly_type"] == "level shift" for r in own) == 1
