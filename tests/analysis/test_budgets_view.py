"""Budgets and the forecast through the reader, on a small ingested cache: tags, currencies, closed months."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from finops_tui.analysis.budget_book import BudgetBook
from finops_tui.cache.local_reader import LocalCache
from finops_tui.contract.scope import ViewScope
from finops_tui.sources.ingest import ingest_paths

HEADER = (
    "BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,BillingPeriodStart,"
    "ProviderName,BillingAccountId,SubAccountId,ServiceName,RegionId,ResourceId,Tags"
)
FIRST, LAST = date(2025, 1, 1), date(2025, 3, 14)


def row(day: date, cost: float, currency: str, service: str, tags: dict[str, str] | None) -> str:
    nxt = day + timedelta(days=1)
    tag_text = '"' + json.dumps(tags).replace('"', '""') + '"' if tags is not None else ""
    return (
        f"{cost},{cost},{currency},{day}T00:00:00Z,{nxt}T00:00:00Z,{day.replace(day=1)}T00:00:00Z,"
        f"AWS,p,a1,{service},us-east-1,r-{service},{tag_text}"
    )


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every day Jan 1 - Mar 14 2025: EC2 10 tagged team=data, S3 4 tagged team=web, Lambda 1 untagged (USD);
    and 100 a day of EUR spend, which no USD figure may ever include."""
    root = tmp_path_factory.mktemp("budgets")
    lines = [HEADER]
    for i in range((LAST - FIRST).days + 1):
        day = FIRST + timedelta(days=i)
        lines += [
            row(day, 10, "USD", "EC2", {"team": "data", "env": "prod"}),
            row(day, 4, "USD", "S3", {"team": "web"}),
            row(day, 1, "USD", "Lambda", None),
            row(day, 100, "EUR", "EC2", {"team": "data"}),
        ]
    path = root / "costs.csv"
    path.write_text("\n".join(lines) + "\n")
    target = root / "cache.duckdb"
    ingest_paths([str(path)], target)
    return target


BUDGETS = """
[[budget]]
id = "data"
name = "Data team"
amount = 100
currency = "USD"
[budget.filters]
tag = ["team=data"]

[[budget]]
id = "data-prod-ec2"
name = "Data prod EC2"
amount = 1000
currency = "USD"
parent = "data"
[budget.filters]
service = ["EC2"]
tag = ["team=data", "env=prod"]

[[budget]]
id = "web-or-data"
name = "Web or data"
amount = 10000
currency = "USD"
period = "quarterly"
[budget.filters]
tag = ["team=web", "team=data"]

[[budget]]
id = "yen"
name = "Japan"
amount = 5
currency = "JPY"
"""


def reader(cache: Path, tmp_path: Path, text: str = BUDGETS, now: datetime = datetime(2025, 3, 15, 9)) -> LocalCache:
    path = tmp_path / "budgets.toml"
    path.write_text(text)
    return LocalCache(cache, clock=lambda: now, budgets=BudgetBook(path))


def test_tag_filters_count_only_the_rows_carrying_the_tag(cache, tmp_path):
    view = reader(cache, tmp_path).budgets_view(ViewScope(currency="USD"))
    rows = {r["budget_id"]: r for r in view.table.rows()}
    assert rows["file:data"]["actual"] == 14 * 10  # March 1-14, EC2 only (USD: the EUR rows are not added)
    assert rows["file:data"]["status"] == "BREACHED" and rows["file:data"]["breach_date"] == date(2025, 3, 11)
    assert rows["file:data-prod-ec2"]["actual"] == 140 and rows["file:data-prod-ec2"]["depth"] == 1
    # the quarter so far (Jan 1 - Mar 14: 73 days) of EC2 and S3, any of the two tag values
    assert rows["file:web-or-data"]["actual"] == 73 * 14
    assert rows["file:web-or-data"]["forecast"] == pytest.approx(90 * 14)  # flat: 14 a day for the 90 days
    assert rows["file:data"]["scope"] == "tag team = data"


def test_a_budget_in_a_currency_the_cache_lacks_says_so_and_never_converts(cache, tmp_path):
    rows = {r["budget_id"]: r for r in reader(cache, tmp_path).budgets_view(ViewScope(currency="USD")).table.rows()}
    yen = rows["file:yen"]
    assert yen["status"] == "NO DATA" and yen["actual"] is None and yen["forecast"] is None
    assert yen["note"] == "no JPY cost data in the cache (it holds EUR, USD); not converted"


def test_a_bad_file_is_reported_with_its_line_and_the_last_good_budgets_stay(cache, tmp_path):
    r = reader(cache, tmp_path)
    assert r.budgets_view(ViewScope(currency="USD")).file_problem is None
    bad = (tmp_path / "budgets.toml").read_text().replace("amount = 100\n", "amount = -1\n")
    (tmp_path / "budgets.toml").write_text(bad + "\n")  # a different size: seen as changed
    view = r.budgets_view(ViewScope(currency="USD"))
    assert view.file_problem is not None and 'line 5: [[budget]] "Data team" amount' in view.file_problem
    assert "file:data" in view.table.table["budget_id"].to_pylist()


def test_the_forecast_uses_the_model_and_a_closed_month_gets_none(cache, tmp_path):
    usd = ViewScope(currency="USD")
    open_month = reader(cache, tmp_path).kpi_view(usd).summary
    assert open_month is not None and open_month.forecast is not None
    assert open_month.forecast.value == pytest.approx(31 * 15)  # 15 a day, flat, all March
    assert [m.month for m in open_month.forecast.backtest] == [date(2025, 2, 1)]  # January: too little history
    assert open_month.forecast.backtest[0].error_pct == pytest.approx(0)
    later = reader(cache, tmp_path, now=datetime(2025, 4, 2, 9))  # data ends in March: a closed month
    closed = later.kpi_view(usd).summary
    assert closed is not None and closed.forecast is None and closed.month_to_date == 14 * 15
    assert [m.month for m in later.forecast_backtest(usd)] == [date(2025, 2, 1)]


def test_the_tag_rollup_follows_a_reingest_without_double_counting(tmp_path):
    source = tmp_path / "costs.csv"
    day = date(2025, 3, 3)
    source.write_text("\n".join([HEADER, row(day, 10, "USD", "EC2", {"team": "data"}), row(day, 5, "USD", "S3", None)]))
    target = tmp_path / "cache.duckdb"
    for _ in range(2):  # the same billing period loaded again replaces it, rollups included
        ingest_paths([str(source)], target)
    r = LocalCache(target, clock=lambda: datetime(2025, 3, 4, 9))
    try:
        rows = r.run_sql("SELECT sum(EffectiveCost)::DOUBLE AS s, count(*) AS n FROM cost_tag_daily", 10).table.rows()
    finally:
        r.close()
    assert rows == [{"s": 10.0, "n": 1}]  # the tagged row once; the untagged one is not in the tag rollup
