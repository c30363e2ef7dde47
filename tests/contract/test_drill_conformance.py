"""Drill-down and paging calls of the read contract, against every implementation.

Figures worked out by hand from the fixture rows in conftest.py (USD, BilledCost, as of 2025-03-15).
"""

from __future__ import annotations

from datetime import date

import pytest

from finops_tui.contract.details import CostFilter, CostRowsPage, DimensionDetail, ResourceDetail
from finops_tui.contract.paging import PageRequest
from finops_tui.contract.reader import CostReader
from finops_tui.contract.scope import ViewScope

USD = ViewScope(currency="USD", metric="BilledCost")
EC2 = (CostFilter(dimension="service", values=("EC2",)),)


def test_dimension_detail_sums_the_period_and_the_previous_one(contract_reader: CostReader) -> None:
    d = contract_reader.dimension_detail(USD, EC2)
    assert isinstance(d, DimensionDetail) and d.as_of == date(2025, 3, 15)
    assert d.this_period == 200 + 10  # i-1 on Mar 1, i-2 on Mar 15; the EUR 999 of i-3 never counts
    assert d.previous_same_days == 100  # Feb 3 (Feb 20 is after the 15th)
    assert d.previous_period == 100 + 30
    assert len(d.current) == 15 and len(d.previous) == 28 and d.previous_start == date(2025, 2, 1)
    assert [p.day for p in d.current if p.cost] == [date(2025, 3, 1), date(2025, 3, 15)]


def test_dimension_breakdown_ranks_resources_regions_accounts_but_not_the_fixed_dimension(
    contract_reader: CostReader,
) -> None:
    rows = contract_reader.dimension_detail(USD, EC2).breakdown.rows()
    by = {(r["dimension"], r["key"]): (r["this_period"], r["previous_same_days"]) for r in rows}
    assert by[("resource", "i-1")] == (200, 100) and by[("resource", "i-2")] == (10, 0)
    assert by[("region", "us-east-1")] == (200, 100) and by[("region", "eu-west-1")] == (10, 0)
    assert by[("account", "a1")] == (200, 100)
    assert "service" not in {r["dimension"] for r in rows}
    assert [r["key"] for r in rows if r["dimension"] == "resource"] == ["i-1", "i-2"]  # largest first


def test_a_resource_drill_reads_the_line_items(contract_reader: CostReader) -> None:
    d = contract_reader.dimension_detail(USD, (CostFilter(dimension="resource", values=("i-2",)),))
    assert d.this_period == 10 and d.previous_period == 30 and d.previous_same_days == 0


def test_a_filter_can_match_empty_values(contract_reader: CostReader) -> None:
    no_resource = (CostFilter(dimension="resource", values=(None,)),)
    assert contract_reader.dimension_detail(USD, no_resource).this_period == 5 + 40  # Lambda and BigQuery


def test_cost_rows_page_in_sql_with_the_total_counted_once(contract_reader: CostReader) -> None:
    first = contract_reader.cost_rows(USD, EC2, PageRequest(limit=1))
    assert isinstance(first, CostRowsPage) and first.total == 2
    assert [(r["resource_id"], r["cost"]) for r in first.table.rows()] == [("i-1", 200)]
    second = contract_reader.cost_rows(USD, EC2, PageRequest(offset=1, limit=1, count_total=False))
    assert second.total is None and [r["resource_id"] for r in second.table.rows()] == ["i-2"]


def test_cost_rows_sort_and_filter_cover_every_row(contract_reader: CostReader) -> None:
    cheapest = contract_reader.cost_rows(USD, EC2, PageRequest(limit=1, sort="cost", descending=False))
    assert [r["resource_id"] for r in cheapest.table.rows()] == ["i-2"]
    west = contract_reader.cost_rows(USD, EC2, PageRequest(needle="EU-WEST"))
    assert west.total == 1 and west.table.rows()[0]["effective_cost"] == 10


def test_cost_rows_refuse_an_unknown_sort_column(contract_reader: CostReader) -> None:
    with pytest.raises(Exception, match="Cannot sort by"):
        contract_reader.cost_rows(USD, EC2, PageRequest(sort="1; DROP TABLE costs"))


def test_resources_page_orders_limits_and_counts_in_sql(contract_reader: CostReader) -> None:
    view = contract_reader.resources_view(USD, PageRequest(offset=2, limit=2))
    assert view.total == 4  # i-1, b-1, i-2, db-1 in USD; i-3 is EUR
    assert [r["resource_id"] for r in view.table.rows()] == ["i-2", "db-1"]  # 200, 20, 10, then no spend
    by_id = contract_reader.resources_view(USD, PageRequest(limit=2, sort="resource_id", descending=False))
    assert [r["resource_id"] for r in by_id.table.rows()] == ["b-1", "db-1"]
    assert contract_reader.resources_view(USD).total is None  # unpaged: every row, as before
    assert contract_reader.resources_view(USD).table.num_rows == 4


def test_resources_filter_matches_numbers_too(contract_reader: CostReader) -> None:
    view = contract_reader.resources_view(USD, PageRequest(needle="200"))
    assert view.total == 1 and view.table.rows()[0]["resource_id"] == "i-1"


def test_resource_detail_has_its_monthly_history(contract_reader: CostReader) -> None:
    r = contract_reader.resource_detail(USD, "i-1")
    assert isinstance(r, ResourceDetail) and r.resource_id == "i-1"
    assert [(m.month, m.cost) for m in r.history] == [(date(2025, 2, 1), 100), (date(2025, 3, 1), 200)]
    assert r.fields["billed_service"] == "EC2" and r.fields["billed_account_id"] == "a1"
    assert r.optimizations.num_rows == 0 and r.anomalies.num_rows == 0


def test_budget_filters_name_the_cost_the_budget_counts(contract_reader: CostReader) -> None:
    assert contract_reader.budget_filters("ec2") == EC2
    assert contract_reader.budget_filters("all") == ()
    assert contract_reader.budget_filters("no-such-budget") == ()


def test_detail_models_round_trip_as_json(contract_reader: CostReader) -> None:
    d = contract_reader.dimension_detail(USD, EC2)
    back = DimensionDetail.model_validate_json(d.model_dump_json())
    assert back.breakdown.rows() == d.breakdown.rows() and back.current == d.current
    page = contract_reader.cost_rows(USD, EC2, PageRequest())
    assert CostRowsPage.model_validate_json(page.model_dump_json()).table.rows() == page.table.rows()


def test_a_resources_page_past_the_end_still_counts(contract_reader: CostReader) -> None:
    view = contract_reader.resources_view(USD, PageRequest(offset=10, limit=2))
    assert view.table.num_rows == 0 and view.total == 4
