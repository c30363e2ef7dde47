"""Every cache table is declared once (cache/schema.py): migrations, Arrow schemas, the dataset
writer and the docs all agree with that declaration."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from finops_tui.cache import cost_layouts, dataset_writes, migrations, schema
from finops_tui.cache.tables import Column, Table
from finops_tui.contract.vocabulary import DATASET_KINDS, METRICS

ROOT = Path(__file__).resolve().parents[1]

# The non-cost tables exactly as finops-tui v1 shipped them, frozen: a cache written then must
# still upgrade to the declared shape.
V1_TABLES_AS_SHIPPED = """
    CREATE TABLE meta (key VARCHAR, value VARCHAR);
    CREATE TABLE datasets (
        dataset_id VARCHAR, kind VARCHAR, source_kind VARCHAR, source VARCHAR,
        files JSON, format VARCHAR, format_version VARCHAR, provider VARCHAR,
        account_id VARCHAR, billing_period DATE, row_count BIGINT, totals JSON,
        loaded_at TIMESTAMP, data_from TIMESTAMP, data_through TIMESTAMP, warnings JSON
    );
    CREATE TABLE resources (
        resource_id VARCHAR, resource_type VARCHAR, resource_name VARCHAR,
        service_name VARCHAR, provider_name VARCHAR, region_id VARCHAR,
        sub_account_id VARCHAR, state VARCHAR, current_cost DECIMAL(38,12),
        currency VARCHAR, utilization JSON, is_idle BOOLEAN, idle_reason VARCHAR,
        tags JSON, created_at TIMESTAMP, observed_at TIMESTAMP, x_dataset_id VARCHAR
    );
    CREATE TABLE budgets (
        budget_id VARCHAR, budget_name VARCHAR, budget_type VARCHAR, time_unit VARCHAR,
        budget_amount DECIMAL(38,12), currency VARCHAR, parent_budget_id VARCHAR,
        filter_dimension VARCHAR, filter_values VARCHAR[], tags JSON, x_dataset_id VARCHAR
    );
    CREATE TABLE anomalies (
        anomaly_id VARCHAR, anomaly_type VARCHAR, severity VARCHAR,
        start_date DATE, end_date DATE, actual_cost DECIMAL(38,12),
        expected_cost DECIMAL(38,12), currency VARCHAR, provider_name VARCHAR,
        sub_account_id VARCHAR, service_name VARCHAR, region_id VARCHAR,
        root_cause VARCHAR, status VARCHAR, detected_at TIMESTAMP, x_dataset_id VARCHAR
    );
    CREATE TABLE optimizations (
        optimization_id VARCHAR, resource_id VARCHAR, optimization_type VARCHAR,
        description VARCHAR, estimated_savings DECIMAL(38,12), currency VARCHAR,
        risk_level VARCHAR, confidence_score DOUBLE, effort VARCHAR, status VARCHAR,
        provider_name VARCHAR, region_id VARCHAR, sub_account_id VARCHAR,
        detected_at TIMESTAMP, x_dataset_id VARCHAR
    );
"""


def described(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """Every table and view but the layout tables behind `costs` (checked in assert_matches_declaration)."""
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() UNION ALL "
            "SELECT view_name FROM duckdb_views() WHERE NOT internal AND NOT temporary ORDER BY 1"
        ).fetchall()
        if not r[0].startswith(schema.LAYOUT_PREFIX)
    ]
    return {t: [(r[0], r[1]) for r in con.execute(f"DESCRIBE {t}").fetchall()] for t in tables}


def declared() -> dict[str, list[tuple[str, str]]]:
    return {t.name: [(c.name, c.type) for c in t.columns] for t in schema.TABLES.values()}


def assert_matches_declaration(con: duckdb.DuckDBPyConnection) -> None:
    found = described(con)
    assert set(found) == set(schema.TABLES) | set(migrations.ROLLUP_TABLES)
    assert {name: found[name] for name in schema.TABLES} == declared()
    # `costs` is a view over layout tables: each has the declared type of every column it has, in declared order.
    layouts = cost_layouts.registered(con)
    on_disk = con.execute(f"SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '{schema.LAYOUT_PREFIX}%'")
    assert {r[0] for r in on_disk.fetchall()} == set(layouts)
    for table, layout in layouts.items():
        got = [(r[0], r[1]) for r in con.execute(f"DESCRIBE {table}").fetchall()]
        assert got == [(c, schema.COST_COLUMNS[c]) for c in layout.columns] and table == layout.table


def test_a_fresh_cache_has_exactly_the_declared_columns_and_types():
    con = duckdb.connect()
    migrations.migrate(con, ":memory:")
    assert_matches_declaration(con)


@pytest.mark.parametrize("version", range(1, migrations.LATEST_VERSION))
def test_a_cache_migrated_from_an_older_version_has_exactly_the_declared_columns(version):
    con = duckdb.connect()
    migrations.migrate(con, ":memory:", up_to=version)
    assert migrations.migrate(con, ":memory:") == list(range(version + 1, migrations.LATEST_VERSION + 1))
    assert_matches_declaration(con)


def test_a_v1_cache_as_shipped_upgrades_to_the_declared_shape():
    con = duckdb.connect()
    con.execute("CREATE TABLE schema_migrations (version INTEGER, description VARCHAR, applied_at TIMESTAMP)")
    con.execute(f"CREATE TABLE costs (\n    {', '.join(c.ddl for c in schema.COSTS.columns)}\n)")
    con.execute(V1_TABLES_AS_SHIPPED)
    con.execute("INSERT INTO schema_migrations VALUES (1, 'v1', now()::TIMESTAMP)")
    assert migrations.migrate(con, ":memory:") == list(range(2, migrations.LATEST_VERSION + 1))
    assert_matches_declaration(con)


def test_each_tables_arrow_schema_reads_back_in_duckdb_as_the_declared_type():
    con = duckdb.connect()
    for table in schema.TABLES.values():
        empty = table.arrow_schema().empty_table()
        con.register("empty", empty)
        got = [(r[0], r[1]) for r in con.execute("DESCRIBE SELECT * FROM empty").fetchall()]
        con.unregister("empty")
        # Arrow carries JSON as text; DuckDB parses it when the row is stored.
        assert got == [(c.name, "VARCHAR" if c.type == "JSON" else c.type) for c in table.columns], table.name


def test_declarations_are_consistent_with_the_migrations_and_the_vocabulary():
    versions = {m.version for m in migrations.MIGRATIONS}
    for table in schema.TABLES.values():
        assert table.created_in in versions | {0}, table.name
        added = [c.added_in for c in table.columns]
        first_added = next((i for i, v in enumerate(added) if v is not None), len(added))
        # A column added later is appended by ALTER TABLE: it must be declared after the original ones,
        # in the order of the versions that add them.
        assert all(v is None for v in added[:first_added]), table.name
        later = added[first_added:]
        assert all(v is not None and table.created_in < v in versions for v in later), table.name
        assert later == sorted(later), table.name
    assert set(schema.DATASET_TABLES) == set(DATASET_KINDS)
    assert schema.DATASET_KINDS is DATASET_KINDS and schema.COST_METRICS is METRICS


def test_the_schema_document_names_every_declared_table_and_column():
    words = set(re.findall(r"\w+", (ROOT / "docs" / "cache-schema.md").read_text()))
    missing = [t.name for t in schema.TABLES.values() if t.name not in words]
    missing += [f"{t.name}.{c.name}" for t in schema.TABLES.values() for c in t.columns if c.name not in words]
    assert not missing


def test_a_column_added_later_is_created_with_its_table_on_new_files_and_added_on_old_ones():
    table = Table("t", 1, (Column("a", "VARCHAR"), Column("b", "INTEGER", added_in=3)))
    assert '"b"' not in table.create_sql(1) and '"b"' in table.create_sql()
    assert table.add_column_sql(3) == ['ALTER TABLE t ADD COLUMN "b" INTEGER']
    assert table.add_column_sql(2) == []


@pytest.fixture
def cache() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    migrations.migrate(con, ":memory:")
    return con


def replace(con: duckdb.DuckDBPyConnection, kind: str, rows: pa.Table) -> int:
    return dataset_writes.replace_dataset(con, kind, f"{kind}:test", rows, source_kind="FILE", source="test")


def test_replace_dataset_casts_compatible_arrow_types_to_the_declared_ones(cache):
    rows = pa.table(
        {
            "budget_id": pa.array(["b"], pa.large_string()),
            "budget_amount": pa.array([1234.5], pa.float64()),
            "filter_values": pa.array([None], pa.null()),
        }
    )
    assert replace(cache, "budgets", rows) == 1
    assert cache.execute("SELECT budget_id, budget_amount, x_dataset_id FROM budgets").fetchall() == [
        ("b", Decimal("1234.5"), "budgets:test")
    ]
    history = pa.table({"budget_id": ["b"], "period_start": pa.array([date(2025, 1, 1)], pa.date32())})
    assert replace(cache, "budget_history", history) == 1


def test_replace_dataset_refuses_a_column_of_the_wrong_type_naming_it(cache):
    rows = pa.table({"budget_id": ["b"], "budget_amount": ["lots"]})
    with pytest.raises(ValueError, match=r"budgets\.budget_amount: expected decimal128\(38, 12\).*got string"):
        replace(cache, "budgets", rows)
    with pytest.raises(ValueError, match=r"anomalies\.start_date: expected date32.*got timestamp"):
        replace(cache, "anomalies", pa.table({"start_date": pa.array([0], pa.timestamp("us"))}))
    assert cache.execute("SELECT count(*) FROM datasets").fetchall() == [(0,)]


def test_replace_dataset_refuses_undeclared_columns_values_that_do_not_fit_and_its_own_dataset_id(cache):
    with pytest.raises(ValueError, match=r"columns \['colour'\] are not in the cache schema"):
        replace(cache, "resources", pa.table({"resource_id": ["r"], "colour": ["red"]}))
    with pytest.raises(ValueError, match="budgets: a value does not fit"):
        replace(cache, "budgets", pa.table({"budget_amount": pa.array([1e40], pa.float64())}))
    with pytest.raises(ValueError, match="must not carry x_dataset_id"):
        replace(cache, "budgets", pa.table({"budget_id": ["b"], "x_dataset_id": ["other"]}))
    with pytest.raises(ValueError, match="unknown dataset kind 'costs'"):
        replace(cache, "costs", pa.table({"BilledCost": [1.0]}))
