"""Columns of a billing file are found by name, case-insensitively, into nested STRUCTs by DuckDB's
own parse of their types (field names may hold commas, quotes and brackets)."""

from __future__ import annotations

import duckdb

from finops_tui.sources.formats.columns import SourceColumns

NESTED = 'STRUCT(id VARCHAR, "odd, ""name"" (x)" VARCHAR, sub STRUCT(amounts DECIMAL(10,2)[]))'


def test_struct_fields_are_resolved_through_duckdbs_parsed_types():
    cols = SourceColumns([("Service", NESTED), ("cost", "DOUBLE")])
    assert cols.ref('service.ODD, "NAME" (X)') == '"Service"."odd, ""name"" (x)"'
    assert cols.type_of("service.sub") == "STRUCT(amounts DECIMAL(10,2)[])"
    assert cols.type_of("service.sub.amounts") == "DECIMAL(10,2)[]"
    assert not cols.has("service.missing") and not cols.has("cost.anything")
    assert cols.used == {"Service"} and cols.unused() == ["cost"]


def test_columns_of_a_relation_keep_its_parsed_types():
    relation = duckdb.connect().sql("SELECT {'Description': 'EC2', 'id': 7} AS service, 1.5 AS cost")
    cols = SourceColumns.from_relation(relation)
    assert cols.described == [("service", "STRUCT(Description VARCHAR, id INTEGER)"), ("cost", "DECIMAL(2,1)")]
    assert cols.ref("service.description") == '"service"."Description"'
    assert cols.type_of("service.id") == "INTEGER"


def test_a_type_duckdb_cannot_read_back_has_no_fields():
    cols = SourceColumns([("weird", "NOT A TYPE((")])
    assert cols.has("weird") and not cols.has("weird.field")
