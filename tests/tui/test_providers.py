"""Provider is a first-class dimension: a filter on every cost figure, and a per-provider KPI table."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static

from finops_tui.cache.local_reader import LocalCache
from finops_tui.contract.scope import ViewScope
from finops_tui.sources.ingest import ingest_paths
from tests.tui.conftest import frozen_clock, make_app, settle

HEADER = (
    "BilledCost,EffectiveCost,ChargePeriodStart,BillingPeriodStart,BillingCurrency,ProviderName,"
    "BillingAccountId,ServiceName"
)
ROWS = {  # provider -> (account, service, daily cost); Nov 2026 up to the frozen clock's day before
    "AWS": ("111", "Amazon EC2", "10.00"),
    "Microsoft": ("ms-ba", "Virtual Machines", "4.00"),
    "Google Cloud": ("gcp-ba", "Compute Engine", "1.50"),
}


@pytest.fixture
def multi_cloud(tmp_path):
    for provider, (account, service, cost) in ROWS.items():
        lines = [
            f"{cost},{cost},2026-11-{d:02d}T00:00:00Z,2026-11-01T00:00:00Z,USD,{provider},{account},{service}"
            for d in range(1, 24)
        ]
        (tmp_path / f"{account}.csv").write_text(HEADER + "\n" + "\n".join(lines) + "\n")
    # A second currency that must never be added to the USD figures.
    (tmp_path / "eur.csv").write_text(
        HEADER + "\n999,999,2026-11-02T00:00:00Z,2026-11-01T00:00:00Z,EUR,Microsoft,ms-eu,Virtual Machines\n"
    )
    cache = tmp_path / "c.duckdb"
    for account in ("111", "ms-ba", "gcp-ba", "eur"):
        ingest_paths([str(tmp_path / f"{account}.csv")], cache)
    return cache


def test_provider_filter_scopes_kpis_and_providers_add_up_per_currency(multi_cloud):
    reader = LocalCache(multi_cloud, clock=frozen_clock)
    overview = reader.overview()
    assert [c.currency for c in overview.currencies] == ["EUR", "USD"]
    assert overview.providers == ["AWS", "Google Cloud", "Microsoft"]
    usd = ViewScope(currency="USD", metric="BilledCost")

    def mtd(scope: ViewScope) -> float | None:
        summary = reader.kpi_view(scope).summary
        return None if summary is None else summary.month_to_date

    parts = {p: mtd(usd.model_copy(update={"provider": p})) for p in ("AWS", "Microsoft", "Google Cloud")}
    assert parts == {"AWS": 230.0, "Microsoft": 92.0, "Google Cloud": 34.5}
    assert mtd(usd) == sum(parts.values())
    assert mtd(ViewScope(currency="EUR", metric="BilledCost", provider="AWS")) is None
    by_provider = reader.kpi_view(usd).providers.rows()
    assert [(r["name"], r["month_to_date"]) for r in by_provider] == [
        ("AWS", 230.0),
        ("Microsoft", 92.0),
        ("Google Cloud", 34.5),
    ]
    services = reader.kpi_view(usd.model_copy(update={"provider": "Google Cloud"})).services.rows()
    assert [r["name"] for r in services] == ["Compute Engine"]
    reader.close()


async def test_p_cycles_providers_and_every_kpi_follows(multi_cloud):
    app = make_app(multi_cloud, metric="BilledCost")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.scope.currency == "EUR"  # the largest amount first: EUR, with Microsoft only
        await pilot.press("c")
        await settle(pilot)
        table = app.query_one("#top-providers", DataTable)
        assert table.display and table.row_count == 3
        seen = []
        for _ in range(4):
            await pilot.press("p")
            await settle(pilot)
            title = app.query_one("#kpi-title", Static).render().plain
            mtd = app.query_one("#card-mtd", Static).render().plain.splitlines()[0]
            seen.append((app.scope.provider, title.split(" · ")[3], mtd))
        assert seen == [
            ("AWS", "AWS", "$230.00"),
            ("Google Cloud", "Google Cloud", "$34.50"),
            ("Microsoft", "Microsoft", "$92.00"),
            (None, "all providers", "$356.50"),
        ]
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("p")  # filter Resources too: it only lists AWS's resources' costs
        await settle(pilot)
        assert "· AWS ·" in app.query_one("#pane-resources").query_one("#caption", Static).render().plain
