"""The FOCUS 1.2 specification's example scenarios load with the totals their rows state."""

from __future__ import annotations

import duckdb
import pytest

from finops_tui.cache.local_reader import LocalCache
from finops_tui.errors import IngestError
from finops_tui.sources.ingest import ingest_paths

BROKEN = {"commitment_discount_purchase_scenario_2.csv": 3, "commitment_discount_purchase_scenario_3.csv": 4}


def _raw_sum(path, column: str) -> float:
    # Independent of our parser: strip '$' and thousands commas, as the spec's SaaS examples format money.
    return duckdb.sql(
        f"SELECT coalesce(sum(CAST(regexp_replace(\"{column}\", '[$, ]', '', 'g') AS DOUBLE)), 0) "
        f"FROM read_csv('{path}', all_varchar=true, nullstr=['null', 'NULL', ''])"
    ).fetchall()[0][0]


def test_every_example_loads_with_the_totals_its_rows_state(shared_data, tmp_path):
    examples = sorted((shared_data / "focus" / "spec_examples").glob("*.csv"))
    assert len(examples) >= 20
    for path in examples:
        if path.name in BROKEN:
            continue
        cache = tmp_path / f"{path.stem}.duckdb"
        ingest_paths([str(path)], cache)
        reader = LocalCache(cache)
        row = reader.run_sql("SELECT sum(BilledCost)::DOUBLE AS b, sum(EffectiveCost)::DOUBLE AS e FROM costs", 1)
        reader.close()
        got = row.table.rows()[0]
        assert got["b"] == pytest.approx(_raw_sum(path, "BilledCost")), path.name
        assert got["e"] == pytest.approx(_raw_sum(path, "EffectiveCost")), path.name


def test_a_commitment_purchase_is_billed_up_front_and_amortized_out_of_effective_cost(shared_data, tmp_path):
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(shared_data / "focus" / "spec_examples" / "commitment_discount_purchase_scenario_1.csv")], cache)
    reader = LocalCache(cache)
    row = reader.run_sql("SELECT ChargeCategory, BilledCost::DOUBLE b, EffectiveCost::DOUBLE e FROM costs", 5)
    reader.close()
    assert row.table.rows() == [{"ChargeCategory": "Purchase", "b": 8760.0, "e": 0.0}]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_examples_with_an_impossible_timestamp_are_refused_by_row(shared_data, tmp_path, name):
    with pytest.raises(IngestError) as err:
        ingest_paths([str(shared_data / "focus" / "spec_examples" / name)], tmp_path / "c.duckdb")
    message = str(err.value)
    assert name in message and "ChargePeriodEnd" in message and f"data row {BROKEN[name]}" in message
    assert "T30:00:00Z" in message
