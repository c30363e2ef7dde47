"""`costs` is a view over one table per layout (schema v7): narrow and full files live side by side, a slice
re-loaded from another layout replaces its rows wherever they were, and nothing of a failed load stays."""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from finops_tui.cache import cost_layouts, files, migrations, schema
from finops_tui.cache.cost_load import AppendFailed, CostLoad
from finops_tui.cache.local_reader import LocalCache
from finops_tui.cache.migrations import ROLLUP_DAILY_SELECT
from finops_tui.errors import IngestError
from finops_tui.server import scoped_cache
from finops_tui.sources.ingest import ingest_paths
from finops_tui.sources.validation import check_paths

# What a minimal export carries: no AvailabilityZone, ListCost, Tags, … and no column FOCUS does not name.
NARROW = (
    "BilledCost",
    "EffectiveCost",
    "BillingCurrency",
    "BillingAccountId",
    "BillingPeriodStart",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ChargeCategory",
    "ServiceName",
    "ProviderName",
    "SubAccountId",
)
PROVENANCE = ("x_DatasetId", "x_SourceFile")  # per row; x_SourceKind and x_FocusVersion are the layout's
SHARED = ("x_SourceKind", "x_FocusVersion")
FULL = (*schema.FOCUS_COLUMNS, "x_Team")  # every FOCUS column and one the cache keeps in x_Extensions
LAYOUTS = {
    "narrow": cost_layouts.canonical(NARROW + PROVENANCE),
    "full": tuple(c for c in schema.COST_COLUMNS if c not in SHARED),
}


def _value(column: str, account: str, month: str, day: int, cost: str, currency: str, provider: str) -> str:
    kind = schema.FOCUS_COLUMNS.get(column)
    fixed = {
        "BilledCost": cost,
        "EffectiveCost": cost,
        "BillingCurrency": currency,
        "BillingAccountId": account,
        "SubAccountId": account,
        "ProviderName": provider,
        "BillingPeriodStart": f"{month}-01T00:00:00Z",
        "ChargePeriodStart": f"{month}-{day:02d}T00:00:00Z",
        "ChargePeriodEnd": f"{month}-{day:02d}T01:00:00Z",
        "ChargeCategory": "Usage",
        "ServiceName": "Compute",
        "Tags": '{"team": "data"}',
        "SkuPriceDetails": '{"size": "large"}',
        "x_Team": "data",
    }
    if column in fixed:
        return fixed[column]
    if kind == schema.MONEY:
        return "1.25"
    if kind == "TIMESTAMP":
        return f"{month}-{day:02d}T00:00:00Z"
    return f"{column}-{account}"


def _file(path: Path, columns: tuple[str, ...], rows: list[tuple[str, str, int, str, str, str]]) -> Path:
    """A FOCUS CSV with `columns`; each row (account, month, day, cost, currency, provider)."""
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_value(c, *row) for c in columns])
    return path


# Messy on purpose: other currencies, an empty currency, an old and a future month, several providers.
NARROW_ROWS = [
    ("111", "2026-03", 2, "10.50", "USD", "AWS"),
    ("111", "2026-03", 3, "4.25", "EUR", "AWS"),
    ("111", "2026-03", 4, "1.00", "", "AWS"),
    ("111", "2019-01", 5, "3.00", "USD", "AWS"),
    ("333", "2027-12", 6, "7.75", "JPY", "Oracle"),
]
FULL_ROWS = [
    ("222", "2026-03", 2, "20.00", "USD", "Microsoft"),
    ("222", "2026-03", 3, "0.50", "USD", "Microsoft"),
    ("222", "2026-02", 9, "5.00", "GBP", "Microsoft"),
]


def _con(cache: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(cache), read_only=True)


def _q(cache: Path, sql: str) -> list[tuple[object, ...]]:
    with _con(cache) as con:
        return con.execute(sql).fetchall()


def _layouts(cache: Path) -> dict[str, cost_layouts.Layout]:
    with _con(cache) as con:
        return cost_layouts.registered(con)


def _per_account(cache: Path) -> list[tuple[object, ...]]:
    return _q(
        cache,
        "SELECT BillingAccountId, count(*), sum(BilledCost)::DOUBLE, count(AvailabilityZone), count(Tags), "
        "count(x_Extensions) FROM costs GROUP BY 1 ORDER BY 1",
    )


def _state(cache: Path) -> dict[str, object]:
    with _con(cache) as con:
        return {
            "tables": con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall(),
            "view": con.execute("SELECT sql FROM duckdb_views() WHERE view_name = 'costs'").fetchall(),
            "layouts": cost_layouts.registered(con),
            "rows": con.execute("SELECT * FROM costs ORDER BY ALL").fetchall(),
            "daily": con.execute("SELECT * FROM cost_daily ORDER BY ALL").fetchall(),
        }


def test_a_narrow_and_a_full_file_are_two_layout_tables_and_costs_shows_both(tmp_path: Path) -> None:
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(_file(tmp_path / "narrow.csv", NARROW, NARROW_ROWS))], cache)
    ingest_paths([str(_file(tmp_path / "full.csv", FULL, FULL_ROWS))], cache)
    layouts = _layouts(cache)
    # The narrow rows are stored without the absent columns; the source kind and format are the layout's.
    assert sorted((layout.columns for layout in layouts.values()), key=len) == [LAYOUTS["narrow"], LAYOUTS["full"]]
    assert {layout.constants for layout in layouts.values()} == {
        (("x_SourceKind", "FILE"), ("x_FocusVersion", f"focus/{version}")) for version in ("1.0", "1.2")
    }
    assert _q(cache, "SELECT DISTINCT x_SourceKind, x_FocusVersion, x_SourceFile FROM costs ORDER BY 3") == [
        ("FILE", "focus/1.2", str(tmp_path / "full.csv")),
        ("FILE", "focus/1.0", str(tmp_path / "narrow.csv")),
    ]
    # Absent columns read as NULL; the full file's are there; the totals are the files' own.
    assert _per_account(cache) == [
        ("111", 4, 18.75, 0, 0, 0),
        ("222", 3, 25.5, 3, 3, 3),
        ("333", 1, 7.75, 0, 0, 0),
    ]
    with _con(cache) as con:
        described = [(r[0], r[1]) for r in con.execute("DESCRIBE costs").fetchall()]
        assert described == list(schema.COST_COLUMNS.items())
        daily = con.execute("SELECT sum(BilledCost)::DOUBLE, sum(line_items)::INT FROM cost_daily").fetchall()
    assert daily == [(52.0, 8)]


def test_one_load_of_two_layouts_stages_both(tmp_path: Path) -> None:
    cache = tmp_path / "c.duckdb"
    report = ingest_paths(
        [str(_file(tmp_path / "n.csv", NARROW, NARROW_ROWS)), str(_file(tmp_path / "f.csv", FULL, FULL_ROWS))], cache
    )
    assert report.summary.rows == 8 and len(_layouts(cache)) == 2
    assert {(t.currency, t.billed) for t in report.summary.totals} >= {("USD", 34.0), ("JPY", 7.75), ("GBP", 5.0)}


@pytest.mark.parametrize("first", ["full", "narrow"])
def test_a_month_reloaded_from_another_layout_replaces_its_rows_wherever_they_were(tmp_path: Path, first: str) -> None:
    """Account 222's March and February first come from one layout; March is then re-exported in the other.
    March must be counted once, from the second file; February stays; a table left empty goes."""
    cache = tmp_path / "c.duckdb"
    columns = {"full": FULL, "narrow": NARROW}
    second = "narrow" if first == "full" else "full"
    ingest_paths([str(_file(tmp_path / "one.csv", columns[first], FULL_ROWS))], cache)
    march_again = [("222", "2026-03", 5, "8.00", "USD", "Microsoft")]
    ingest_paths([str(_file(tmp_path / "two.csv", columns[second], march_again))], cache)
    assert _q(
        cache,
        "SELECT strftime(BillingPeriodStart, '%Y-%m'), count(*), sum(BilledCost)::DOUBLE, min(x_SourceFile) "
        "FROM costs GROUP BY 1 ORDER BY 1",
    ) == [("2026-02", 1, 5.0, str(tmp_path / "one.csv")), ("2026-03", 1, 8.0, str(tmp_path / "two.csv"))]
    assert _q(cache, "SELECT sum(BilledCost)::DOUBLE FROM cost_daily") == [(13.0,)]
    assert len(_layouts(cache)) == 2  # February still lives in the first file's layout
    february_again = [("222", "2026-02", 1, "6.00", "GBP", "Microsoft")]
    ingest_paths([str(_file(tmp_path / "three.csv", columns[second], february_again))], cache)
    assert _q(cache, "SELECT count(*), sum(BilledCost)::DOUBLE FROM costs") == [(2, 14.0)]
    assert [layout.columns for layout in _layouts(cache).values()] == [
        LAYOUTS[second]
    ]  # the first file's table was left empty: dropped
    tables = {r[0] for r in _q(cache, "SELECT table_name FROM duckdb_tables()")}
    assert {t for t in tables if t.startswith(schema.LAYOUT_PREFIX)} == set(_layouts(cache))  # the empty one dropped


def test_a_failed_load_leaves_no_new_table_registry_row_or_view_behind(tmp_path: Path) -> None:
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(_file(tmp_path / "narrow.csv", NARROW, NARROW_ROWS))], cache)
    before = _state(cache)
    bad = _file(tmp_path / "bad.csv", FULL, FULL_ROWS)
    bad.write_text(bad.read_text().replace("0.50", "half a dollar"))  # the second row's costs do not parse
    with pytest.raises(IngestError, match="bad.csv"):
        ingest_paths([str(bad)], cache)
    assert _state(cache) == before


def test_a_load_rolled_back_after_creating_a_layout_undoes_it_on_the_connection(tmp_path: Path) -> None:
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(_file(tmp_path / "narrow.csv", NARROW, NARROW_ROWS))], cache)
    with files.write_session(cache) as con:
        before = cost_layouts.registered(con), con.execute("SELECT sql FROM duckdb_views()").fetchall()
        with pytest.raises(KeyError, match="boom"), CostLoad(con, "FILE") as load:
            load.append("SELECT 1::DECIMAL(38,12) AS BilledCost, 'x' AS AvailabilityZone, 'd' AS x_DatasetId")
            assert len(cost_layouts.registered(con)) == 2
            raise KeyError("boom")
        assert (cost_layouts.registered(con), con.execute("SELECT sql FROM duckdb_views()").fetchall()) == before
        unknown = 'does not have a column with name "NoSuchColumn"'
        with pytest.raises(AppendFailed, match=unknown), CostLoad(con, "FILE") as load:
            load.append("SELECT 1 AS BilledCost, 2 AS NoSuchColumn")
        assert cost_layouts.registered(con) == before[0]


def test_column_names_match_case_insensitively_to_one_layout(tmp_path: Path) -> None:
    with files.scratch_session() as con:
        for sql in ("SELECT 1 AS billedcost, 'd' AS X_DATASETID", "SELECT 'd' AS x_DatasetId, 2 AS BilledCost"):
            with CostLoad(con, "FILE", finish="keep") as load:
                load.append(sql)
        layouts = cost_layouts.registered(con).items()
        tables = [t for t, layout in layouts if layout.columns == ("BilledCost", "x_DatasetId")]
        assert len(tables) == 1
        assert con.execute("SELECT sum(BilledCost)::INT FROM costs").fetchall() == [(3,)]


def _v6_cache(path: Path) -> list[tuple[object, ...]]:
    """A v6 cache as v6 wrote it: `costs` a table of every column, rollups built from it. Returns its rows."""
    con = duckdb.connect(str(path))
    migrations.migrate(con, path, up_to=6)
    assert con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = 'costs'").fetchall() == [
        ("BASE TABLE",)
    ]
    con.execute(
        "INSERT INTO costs (BilledCost, EffectiveCost, ChargePeriodStart, BillingPeriodStart, BillingCurrency, "
        "ProviderName, BillingAccountId, SubAccountId, ServiceName, AvailabilityZone, Tags, x_DatasetId, "
        "x_SourceKind) "
        "SELECT (i % 97) / 4, (i % 89) / 4, TIMESTAMP '2026-01-01' + to_days(i % 59), "
        "date_trunc('month', TIMESTAMP '2026-01-01' + to_days(i % 59)), ['USD', 'EUR', NULL][i % 3 + 1], 'AWS', "
        "'222', '222', 'S' || (i % 5), 'az' || (i % 2), '{\"k\": 1}', "
        "'costs:AWS:222:' || strftime(TIMESTAMP '2026-01-01' + to_days(i % 59), '%Y-%m'), 'FILE' FROM range(3000) t(i)"
    )
    con.execute("INSERT INTO cost_daily " + ROLLUP_DAILY_SELECT.format(where=""))
    rows = con.execute("SELECT * FROM costs ORDER BY ALL").fetchall()
    con.close()
    return rows


def test_a_v6_cache_upgrades_by_renaming_costs_and_keeps_every_row(tmp_path: Path) -> None:
    cache = tmp_path / "old.duckdb"
    rows = _v6_cache(cache)
    daily = _q(cache, "SELECT * FROM cost_daily ORDER BY ALL")
    january = _q(cache, "SELECT count(*), sum(BilledCost) FROM costs WHERE month(BillingPeriodStart) = 1")[0]
    files.ensure_cache(cache)
    assert files.schema_version(cache) == migrations.LATEST_VERSION == 7
    assert _q(cache, "SELECT * FROM costs ORDER BY ALL") == rows
    assert _q(cache, "SELECT * FROM cost_daily ORDER BY ALL") == daily
    assert _q(cache, "SELECT table_type FROM information_schema.tables WHERE table_name = 'costs'") == [("VIEW",)]
    assert _layouts(cache) == {
        schema.layout_table_name(schema.COST_COLUMNS): cost_layouts.Layout(tuple(schema.COST_COLUMNS))
    }
    # The renamed table takes part in later loads: February re-loaded from a narrow file replaces its rows there.
    february = [("222", "2026-02", 3, "2.00", "USD", "AWS")]
    ingest_paths([str(_file(tmp_path / "feb.csv", NARROW, february))], cache)
    assert _q(
        cache, "SELECT month(BillingPeriodStart), count(*), sum(BilledCost) FROM costs GROUP BY 1 ORDER BY 1"
    ) == [(1, *january), (2, 1, Decimal("2"))]
    assert len(_layouts(cache)) == 2
    # The read-only reader (and the SQL pane) open the upgraded file and see `costs` with its columns.
    reader = LocalCache(cache)
    try:
        result = reader.run_sql("DESCRIBE costs", 100).table.table
        described = zip(result.column("column_name").to_pylist(), result.column("column_type").to_pylist(), strict=True)
        assert list(described) == list(schema.COST_COLUMNS.items())
        assert reader.run_sql("SELECT count(*) FROM costs", 1).table.table.column(0)[0].as_py() == january[0] + 1
    finally:
        reader.close()


def test_a_scoped_server_cache_copies_each_layout_limited_to_the_accounts(tmp_path: Path) -> None:
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(_file(tmp_path / "narrow.csv", NARROW, NARROW_ROWS))], cache)
    ingest_paths([str(_file(tmp_path / "full.csv", FULL, FULL_ROWS))], cache)
    scoped = tmp_path / "scoped.duckdb"
    scoped_cache.build(cache, scoped, ["222"])
    assert _per_account(scoped) == [("222", 3, 25.5, 3, 3, 3)]
    assert [layout.columns for layout in _layouts(scoped).values()] == [LAYOUTS["full"]]  # none of 222 is narrow
    scoped_cache.build(cache, tmp_path / "both.duckdb", ["111", "222"])
    assert [r[:3] for r in _per_account(tmp_path / "both.duckdb")] == [("111", 4, 18.75), ("222", 3, 25.5)]
    assert len(_layouts(tmp_path / "both.duckdb")) == 2


def test_ingest_check_reads_files_of_two_layouts(tmp_path: Path) -> None:
    report = check_paths(
        [str(_file(tmp_path / "n.csv", NARROW, NARROW_ROWS)), str(_file(tmp_path / "f.csv", FULL, FULL_ROWS))]
    )
    assert not report.errors and report.rows == 8
    assert [n for _, _, n in report.files] == [5, 3]
    # ListCost is in the full file only: not "absent from the files", even though the narrow rows have none.
    assert not [f for f in report.findings if f.rule == "mandatory column" and "ListCost" in f.detail]


def test_the_sql_pane_lists_costs_as_a_view_with_every_column(tmp_path: Path) -> None:
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(_file(tmp_path / "narrow.csv", NARROW, NARROW_ROWS))], cache)
    reader = LocalCache(cache)
    try:
        tables = reader.run_sql("SHOW TABLES", 100).table.table.column("name").to_pylist()
        assert "costs" in tables and "cost_layouts" in tables
        columns = reader.run_sql(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'costs' ORDER BY ordinal_position",
            100,
        ).table.table
        assert columns.column(0).to_pylist() == list(schema.COST_COLUMNS)
        layout = json.loads(reader.run_sql("SELECT columns FROM cost_layouts", 1).table.table.column(0)[0].as_py())
        assert "AvailabilityZone" not in layout and "BilledCost" in layout
    finally:
        reader.close()
