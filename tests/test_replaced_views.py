"""Ingest says when a load replaced another view of the same bills, and doctor counts the rows that
have no currency and no cost (the cockpit leaves them out of the currency choice)."""

from __future__ import annotations

from finops_tui.config import Settings
from finops_tui.doctor import report
from finops_tui.sources.ingest import ingest_paths
from tests.tui.messy_cache import EMPTY_CURRENCY_ROWS, build_messy_cache


def test_loading_amortized_over_actual_names_the_replaced_dataset(shared_data, tmp_path):
    azure = shared_data / "azure"
    cache = tmp_path / "c.duckdb"
    first = ingest_paths([str(azure / "EA_ActualCost_Small.csv")], cache)
    assert not [n for n in first.notes if "replaced" in n]
    second = ingest_paths([str(azure / "EA_AmortizedCost_Small.csv")], cache)
    [note] = [n for n in second.notes if n.startswith("replaced ")]
    assert "costs:Microsoft:8611537:2023-09" in note
    assert "EA actual" in note and "EA_ActualCost_Small.csv" in note and "EA amortized" in note
    again = ingest_paths([str(azure / "EA_AmortizedCost_Small.csv")], cache)
    assert not [n for n in again.notes if n.startswith("replaced ")]  # the same view again: ordinary


def test_doctor_counts_rows_with_no_currency_and_no_cost(tmp_path):
    cache = build_messy_cache(tmp_path)
    text = report(Settings(cache=cache))
    assert f"cost rows with no currency and zero cost: {EMPTY_CURRENCY_ROWS}" in text
