"""The read contract, asserted against every implementation (see conftest.IMPLEMENTATIONS).

Expected figures are worked out by hand from the fixture rows in conftest.py. Only `CostReader`
methods and contract models are used here, never an implementation's own helpers.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from finops_tui.contract import CONTRACT_VERSION
from finops_tui.contract.provenance import Overview
from finops_tui.contract.reader import CostReader
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.sql import SqlResult
from finops_tui.contract.tables import BudgetsTable, RankedTable, ResourcesTable
from finops_tui.contract.views import AnomaliesView, BudgetsView, KpiView, OptimizationsView, ResourcesView
from finops_tui.errors import QueryError

USD = ViewScope(currency="USD", metric="BilledCost")


def test_reader_implements_the_versioned_protocol(contract_reader: CostReader) -> None:
    assert isinstance(contract_reader, CostReader)
    assert contract_reader.contract_version == CONTRACT_VERSION
    assert contract_reader.overview().contract_version == CONTRACT_VERSION


def test_overview_lists_currencies_by_spend_with_their_providers(contract_reader: CostReader) -> None:
    o = contract_reader.overview()
    assert [c.currency for c in o.currencies] == ["EUR", "USD"]  # EUR 999 outspends USD 535
    usd = o.currencies[1]
    assert usd.spend == pytest.approx(100 + 50 + 80 + 30 + 200 + 20 + 5 + 10 + 40)
    assert usd.providers == ["AWS", "Google Cloud"] and o.providers_in("EUR") == ["AWS"]
    assert o.providers == ["AWS", "Google Cloud"]
    assert o.source.read_only and o.source.kind == "CACHE"
    assert {d.kind for d in o.datasets} == {"costs", "budgets"}
    assert o.refresh is None  # never refreshed from a live API


def test_kpis_month_to_date_previous_same_days_last_month_and_forecast(contract_reader: CostReader) -> None:
    aws = USD.model_copy(update={"provider": "AWS"})
    view = contract_reader.kpi_view(aws)
    k = view.summary
    assert view.as_of == date(2025, 3, 15) and k is not None
    assert k.month_to_date == 200 + 20 + 5 + 10  # March 1-15, USD, AWS only
    assert k.previous_month_same_days == 100 + 50 + 80  # February 1-15 (the 20th is outside)
    assert k.last_full_month == 100 + 50 + 80 + 30
    # The model's typical day is the median of each week: 0 here (a charge on a few days only), so nothing is
    # added for the 16 days left; the 15th is still being billed (NOW is noon) and counts as billed so far.
    f = k.forecast
    assert f is not None and f.value == 235 and f.lower == 235 and f.upper == 235
    assert f.model is not None and "weekday × damped trend" in f.model and "16 day(s) left" in f.method
    assert f.backtest == []  # February has no 4 weeks of history before its 15th
    assert k.days_elapsed == 15 and k.days_in_month == 31
    effective = contract_reader.kpi_view(aws.model_copy(update={"metric": "EffectiveCost"})).summary
    assert effective is not None and effective.month_to_date == 180 + 20 + 5 + 10


def test_all_providers_means_every_provider_in_the_currency(contract_reader: CostReader) -> None:
    view = contract_reader.kpi_view(USD)
    assert view.summary is not None and view.summary.month_to_date == 235 + 40
    providers = {r["name"]: r["month_to_date"] for r in view.providers.rows()}
    assert providers == {"AWS": 235, "Google Cloud": 40}
    only_gcp = contract_reader.kpi_view(USD.model_copy(update={"provider": "Google Cloud"}))
    assert {r["name"] for r in only_gcp.providers.rows()} == {"AWS", "Google Cloud"}  # always every provider
    assert [r["name"] for r in only_gcp.services.rows()] == ["BigQuery"]


def test_currencies_are_never_mixed(contract_reader: CostReader) -> None:
    eur = contract_reader.kpi_view(ViewScope(currency="EUR", metric="BilledCost")).summary
    assert eur is not None and eur.month_to_date == 999
    assert contract_reader.kpi_view(ViewScope(currency="EUR", provider="Google Cloud")).summary is None


def test_trend_fills_missing_days_with_zero(contract_reader: CostReader) -> None:
    points = contract_reader.kpi_view(USD).trend
    assert len(points) == 90 and points[-1].day == date(2025, 3, 15)
    march = [p for p in points if p.day >= date(2025, 3, 1)]
    assert [p.cost for p in march if p.cost] == [200, 40, 20, 5, 10]


def test_top_lists_rank_by_spend_and_movers_by_movement(contract_reader: CostReader) -> None:
    view = contract_reader.kpi_view(USD.model_copy(update={"provider": "AWS"}))
    services = view.services.rows()
    assert [r["name"] for r in services] == ["EC2", "S3", "Lambda", "RDS"]
    ec2 = services[0]
    assert ec2["month_to_date"] == 210 and ec2["previous_same_days"] == 100
    assert ec2["delta"] == 110 and ec2["delta_pct"] == pytest.approx(110.0)
    assert services[3]["delta"] == -80 and services[2]["delta_pct"] is None  # nothing to compare with
    # movers: the size of the change either way, so RDS (-80, now at zero) ranks above S3 (-30)
    assert [r["name"] for r in view.movers.rows()] == ["EC2", "RDS", "S3", "Lambda"]


def test_resources_this_month_and_last_month(contract_reader: CostReader) -> None:
    view = contract_reader.resources_view(USD)
    rows = {r["resource_id"]: r for r in view.table.rows()}
    assert rows["i-1"]["this_month"] == 200 and rows["i-1"]["last_month"] == 100
    assert rows["i-2"]["this_month"] == 10 and rows["i-2"]["last_month"] == 30
    assert "i-3" not in rows  # EUR
    assert view.idle_count == 0 and view.as_of == date(2025, 3, 15)


def test_budgets_actual_used_and_status_each_in_its_own_currency(contract_reader: CostReader) -> None:
    view = contract_reader.budgets_view(USD)
    rows = {r["budget_id"]: r for r in view.table.rows()}
    # the model adds nothing for the days left (their typical day is 0), so the forecast is the actual
    assert rows["all"]["actual"] == 275 and rows["all"]["forecast"] == 275 and rows["all"]["status"] == "OK"
    assert rows["ec2"]["actual"] == 210 and rows["ec2"]["used_pct"] == 84.0 and rows["ec2"]["status"] == "OK"
    assert rows["ec2"]["burn_rate"] == pytest.approx(210 / 15) and rows["ec2"]["target_rate"] == pytest.approx(250 / 31)
    assert rows["s3"]["actual"] == 20 and rows["s3"]["breach_date"] is None
    # a quarterly EUR budget: the quarter Jan-Mar so far, as of EUR's own last day with data
    assert rows["eur"]["actual"] == 999 and rows["eur"]["period_start"] == date(2025, 1, 1)
    assert rows["eur"]["as_of"] == date(2025, 3, 10) and rows["eur"]["period_end"] == date(2025, 4, 1)
    assert {rows[b]["origin"] for b in ("all", "ec2", "s3", "eur")} == {"aws"}
    # the budgets file: EC2 (both providers) passes 200 on the 15th (200 on the 1st, then 10)
    ec2 = rows["file:ec2-file"]
    assert ec2["origin"] == "file" and ec2["actual"] == 210 and ec2["status"] == "BREACHED"
    assert ec2["breach_date"] == date(2025, 3, 15) and ec2["parent"] == "file:usd-month" and ec2["depth"] == 1
    month = rows["file:usd-month"]  # all of March's USD: 200 on the 1st passes 150 at once
    assert month["actual"] == 275 and month["status"] == "BREACHED" and month["breach_date"] == date(2025, 3, 1)
    assert month["note"] == "children add up to 200.00 > 150.00"
    gbp = rows["file:gbp"]
    assert gbp["status"] == "NO DATA" and gbp["actual"] is None and "no GBP cost data" in gbp["note"]
    order = [r["budget_id"] for r in view.table.rows()]
    assert order.index("file:usd-month") + 1 == order.index("file:ec2-file")  # a child right under its parent
    # EUR's history is one day (999 on the 10th): the level is that day, for each of the 21 days left
    assert rows["eur"]["forecast"] == pytest.approx(999 * 22) and rows["eur"]["status"] == "AT RISK"
    assert (view.over, view.at_risk) == (2, 1) and not view.has_history and view.file_problem is None


def test_empty_tabs_return_empty_tables_with_the_declared_columns(contract_reader: CostReader) -> None:
    anomalies, optimizations = contract_reader.anomalies_view(USD), contract_reader.optimizations_view(USD)
    assert isinstance(anomalies, AnomaliesView) and anomalies.table.num_rows == 0
    assert isinstance(optimizations, OptimizationsView) and optimizations.table.num_rows == 0
    assert anomalies.table.table.schema == type(anomalies.table).SCHEMA


def test_every_view_table_has_its_declared_schema(contract_reader: CostReader) -> None:
    kpis = contract_reader.kpi_view(USD)
    for table in (kpis.services, kpis.accounts, kpis.regions, kpis.providers, kpis.movers):
        assert table.table.schema == RankedTable.SCHEMA
    assert contract_reader.resources_view(USD).table.table.schema == ResourcesTable.SCHEMA
    assert contract_reader.budgets_view(USD).table.table.schema == BudgetsTable.SCHEMA


@pytest.mark.parametrize("view", ["overview", "kpi_view", "resources_view", "budgets_view", "anomalies_view"])
def test_every_answer_survives_json_unchanged(contract_reader: CostReader, view: str) -> None:
    """What a REST server would send is what a client parses back: the same model, equal field by field."""
    answer = getattr(contract_reader, view)() if view == "overview" else getattr(contract_reader, view)(USD)
    model = type(answer)
    assert model.model_validate_json(answer.model_dump_json()) == answer
    assert model in (Overview, KpiView, ResourcesView, BudgetsView, AnomaliesView)


def test_sql_results_are_limited_counted_and_serialisable(contract_reader: CostReader) -> None:
    result = contract_reader.run_sql("SELECT ServiceName, sum(BilledCost) AS c FROM costs GROUP BY 1 ORDER BY 1", 2)
    assert isinstance(result, SqlResult)
    assert result.truncated and result.total_rows == 5 and result.table.num_rows == 2
    assert result.table.rows()[0]["ServiceName"] == "BigQuery"
    again = SqlResult.model_validate_json(result.model_dump_json())
    assert again.table.table.equals(result.table.table.cast(again.table.table.schema))
    assert again.total_rows == 5


def test_sql_errors_and_writes_are_refused_with_advice(contract_reader: CostReader) -> None:
    with pytest.raises(QueryError, match="read-only"):
        contract_reader.run_sql("DELETE FROM costs", 10)
    with pytest.raises(QueryError):
        contract_reader.run_sql("SELECT no_such_column FROM costs", 10)
    assert contract_reader.run_sql("SELECT 1 AS one", 10).table.table == pa.table({"one": pa.array([1], pa.int32())})
