"""Issue 13 on a messy cache: the cockpit opens on a meaningful view, `c`/`p` offer only what has data,
and the KPI cards never claim a running month on data that ended a year ago."""

from __future__ import annotations

from typing import cast

import pytest
from textual.widgets import DataTable, Static

from finops_tui.app.palette import CockpitCommands
from finops_tui.app.panes.kpis import KpiPane
from finops_tui.app.widgets.source_bar import SourceBar
from finops_tui.cache.local_reader import LocalCache
from tests.tui.conftest import frozen_clock, make_app, notifications, settle


def _card(app, name: str) -> tuple[str, str]:
    card = app.query_one(f"#card-{name}", Static)
    return str(card.border_title), str(card.render())


def test_currencies_are_ordered_by_spend_in_the_latest_month_without_the_empty_one(messy_cache):
    reader = LocalCache(messy_cache, clock=frozen_clock)
    overview = reader.overview()
    reader.close()
    # CHF is first by name and EUR holds the most spend overall; USD spent the most in Nov 2025
    assert [c.currency for c in overview.currencies] == ["USD", "CHF", "EUR"]
    assert overview.currencies[0].latest_month_spend == 270.0
    assert overview.empty_currency_rows == 5
    assert overview.elsewhere("USD") == {"Google Cloud": ["CHF"], "Microsoft": ["EUR"]}


async def test_first_view_is_usd_with_all_its_providers_stated(messy_cache):
    app = make_app(messy_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.scope.currency == "USD" and app.scope.provider is None
        assert None not in app.currencies
        header = app.query_one(SourceBar).render().plain.splitlines()[0]
        assert "EffectiveCost · USD · all 2 providers in USD (p)" in header
        context = str(app.query_one("#kpi-context", Static).render())
        assert "every provider billing in USD: AWS, Oracle" in context
        assert "Google Cloud: CHF" in context and "Microsoft: EUR" in context and "press c" in context


async def test_p_and_the_palette_offer_only_providers_of_the_current_currency(messy_cache):
    app = make_app(messy_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        seen = []
        for _ in range(3):
            await pilot.press("p")
            await settle(pilot)
            seen.append(app.scope.provider)
        assert seen == ["AWS", "Oracle", None]
        titles = [title for title, _, _ in CockpitCommands(app.screen)._commands()]
        assert {"Provider: AWS", "Provider: Oracle"} <= set(titles)
        assert "Provider: Google Cloud" not in titles and "Provider: Microsoft" not in titles
        await pilot.press("c")
        await settle(pilot)
        assert app.scope.currency == "CHF"
        await pilot.press("p")  # Google Cloud alone bills in CHF: p says so and where the others are
        await pilot.pause()
        assert app.scope.provider is None
        assert any("All CHF cost data is from Google Cloud" in m and "press c" in m for m in notifications(app))
        kpi = app.query_one(KpiPane)
        assert kpi.query_one("#cards").display  # never "No cost data" for a currency that has data


async def test_c_keeps_a_provider_only_where_it_has_data(messy_cache):
    app = make_app(messy_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        assert app.scope.provider == "AWS"
        await pilot.press("c")
        await settle(pilot)
        assert (app.scope.currency, app.scope.provider) == ("CHF", None)
        seen = [app.scope.currency]
        for _ in range(2):
            await pilot.press("c")
            await settle(pilot)
            seen.append(app.scope.currency)
        assert seen == ["CHF", "EUR", "USD"]


async def test_cards_name_month_and_year_and_a_closed_month_gets_no_forecast(messy_cache):
    app = make_app(messy_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        title = str(app.query_one("#kpi-title", Static).render())
        assert "Nov 2025, last day with data 2025-11-18" in title
        spend_title, spend = _card(app, "mtd")
        assert spend_title == "Nov 2025 (1–18)" and "$270.00" in spend
        assert "Month to date" not in spend_title
        assert _card(app, "last-month")[0] == "Oct 2025 total"
        forecast_title, forecast = _card(app, "forecast")
        assert "Nov 2025" in forecast_title and "closed month: no forecast" in forecast
        assert "run-rate" not in forecast
        period_title, period = _card(app, "period")
        assert period_title == "Data through" and "2025-11-18" in period and "day 18 of" not in period
        # the header's "through" day and the cards' day agree
        assert "through 2025-11-18" in app.query_one(SourceBar).render().plain


async def test_current_data_keeps_month_to_date_and_its_forecast(demo_cache):
    app = make_app(demo_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert _card(app, "mtd")[0] == "Month to date (Nov)"
        assert _card(app, "forecast")[0] == "Forecast (model)"
        assert "day 23 of 30" in _card(app, "period")[1]


async def test_header_explains_a_through_day_later_than_the_views(messy_cache):
    app = make_app(messy_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c", "c")  # EUR: its data ends 2025-11-10, the header's on 2025-11-18
        await settle(pilot)
        assert app.scope.currency == "EUR"
        context = str(cast(Static, app.query_one("#kpi-context", Static)).render())
        assert "costs through 2025-11-18' covers every currency and provider" in context
        assert "this view's data ends 2025-11-10" in context


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40)])
async def test_kpi_tables_keep_the_delta_column_whole(messy_cache, size):
    app = make_app(messy_cache)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.resize_terminal(*size)  # and again after a resize
        await settle(pilot)
        await pilot.pause()
        for table in app.query_one(KpiPane).query(DataTable):
            widths = sum(column.get_render_width(table) for column in table.columns.values())
            assert widths <= table.scrollable_content_region.width, f"{table.id} at {size}"
            assert str(list(table.columns.values())[-1].label).startswith("Δ")
