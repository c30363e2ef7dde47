"""SVG snapshots of every tab at 120x40 and 80x24, on the DEMO cache with a frozen clock.

Update after an intended change with `pytest tests/tui/test_snapshots.py --snapshot-update`
and look at the report before committing.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import make_app, settle

TABS = ["1", "2", "3", "4", "5", "6"]


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
@pytest.mark.parametrize("tab", TABS, ids=["kpis", "resources", "anomalies", "budgets", "optimizations", "sql"])
def test_every_tab_renders_the_demo(snap_compare, demo_cache, tab, size):
    async def run_before(pilot):
        from textual.widgets import TextArea

        await settle(pilot)
        pilot.app.query_one(TextArea).cursor_blink = False
        await pilot.press(tab)
        await settle(pilot)

    assert snap_compare(make_app(demo_cache), terminal_size=size, run_before=run_before)


def test_keys_list_snapshot(snap_compare, demo_cache):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(demo_cache), terminal_size=(120, 40), run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40)], ids=["80x24", "100x30", "120x40"])
def test_messy_cache_kpis(snap_compare, messy_cache, size):
    """Old data in three currencies: month and year in the card titles, no forecast, the Δ column whole.

    Shown on CHF (`c`): its one provider hides the by-provider table, whose unfocused cursor row is drawn
    in one of two styles depending on render timing (tests/tui/test_first_view.py checks that table's
    columns at every size instead).
    """

    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(make_app(messy_cache), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (100, 30)], ids=["80x24", "100x30"])
def test_keys_list_small_terminals(snap_compare, demo_cache, size):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(make_app(demo_cache), terminal_size=size, run_before=run_before)
