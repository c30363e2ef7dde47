"""The cost load is one transaction: it finishes whole, or the cache and the connection are as before."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from finops_tui.cache import cost_slices, cost_writes, files
from finops_tui.cache.cost_load import AppendFailed, CostLoad
from finops_tui.errors import CacheError

PACKAGE = Path(__file__).resolve().parents[1] / "finops_tui"


def _rows(account: str, cost: str = "1.50", day: int = 2) -> str:
    """A projection onto `costs` (by name) of one row in the slice costs:Acme:<account>:2025-03."""
    return (
        f"SELECT {cost}::DECIMAL(38,12) AS BilledCost, {cost}::DECIMAL(38,12) AS EffectiveCost, "
        f"TIMESTAMP '2025-03-0{day}' AS ChargePeriodStart, TIMESTAMP '2025-03-01' AS BillingPeriodStart, "
        f"'USD' AS BillingCurrency, 'Acme' AS ProviderName, '{account}' AS BillingAccountId, "
        f"'r-{account}' AS ResourceId, 'costs:Acme:{account}:2025-03' AS x_DatasetId, 'FILE' AS x_SourceKind"
    )


def _state(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[object, ...]]]:
    return {
        "costs": con.execute(
            "SELECT x_DatasetId, count(*), sum(BilledCost) FROM costs GROUP BY 1 ORDER BY 1"
        ).fetchall(),
        "datasets": con.execute(  # cost datasets only: each load also writes the analysis datasets
            "SELECT dataset_id, row_count, source FROM datasets WHERE kind = 'costs' ORDER BY 1"
        ).fetchall(),
        "cost_daily": con.execute(
            "SELECT x_DatasetId, sum(BilledCost) FROM cost_daily GROUP BY 1 ORDER BY 1"
        ).fetchall(),
        "cost_resource_monthly": con.execute("SELECT count(*) FROM cost_resource_monthly").fetchall(),
        "load views": con.execute(
            "SELECT view_name FROM duckdb_views() WHERE view_name IN ('staged_costs', 'older_costs')"
        ).fetchall(),
    }


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """A cache holding two slices, a1 and a2, loaded through a finished CostLoad."""
    path = tmp_path / "cache.duckdb"
    with files.write_session(path) as con, CostLoad(con, "FILE", "first load") as load:
        load.append(_rows("a1"))
        load.append(_rows("a2", "2.25"))
    return path


def test_a_finished_load_replaces_only_the_slices_it_touched(cache: Path) -> None:
    with files.write_session(cache) as con:
        with CostLoad(con, "FILE", "second load") as load:
            assert load.append(_rows("a1", "9.00", day=3)) == 1
            assert load.count("BillingAccountId = 'a1'") == 1
        assert load.summary.datasets == ["costs:Acme:a1:2025-03"]
        state = _state(con)
    assert [(d, n, float(s)) for d, n, s in state["costs"]] == [
        ("costs:Acme:a1:2025-03", 1, 9.0),
        ("costs:Acme:a2:2025-03", 1, 2.25),
    ]
    assert state["datasets"] == [
        ("costs:Acme:a1:2025-03", 1, "second load"),
        ("costs:Acme:a2:2025-03", 1, "first load"),
    ]
    assert state["load views"] == []


def test_a_load_that_fails_midway_leaves_the_cache_as_before_and_the_connection_usable(cache: Path) -> None:
    with files.write_session(cache) as con:
        before = _state(con)
        with pytest.raises(AppendFailed) as failed, CostLoad(con, "FILE") as load:
            load.append(_rows("a1", "7.00"))  # replaces a1 if the load finished...
            load.append(_rows("a3"))
            load.append(_rows("a2", "'two dollars'"))  # ...but this one cannot be cast
        assert isinstance(failed.value.cause, duckdb.Error) and "Nothing was loaded" in str(failed.value)
        assert _state(con) == before
        with CostLoad(con, "FILE", "after the failure") as again:  # the connection still takes a load
            again.append(_rows("a3"))
        assert [d for d, *_ in _state(con)["datasets"]] == [f"costs:Acme:{a}:2025-03" for a in ("a1", "a2", "a3")]


def test_the_failed_append_has_rolled_back_before_the_caller_sees_it(cache: Path) -> None:
    """Staging queries the file after a failed append to name the bad row: that must already work."""
    with files.write_session(cache) as con, pytest.raises(LookupError), CostLoad(con, "FILE") as load:
        try:
            load.append(_rows("a1", "'x'"))
        except AppendFailed:
            assert load.connection.execute("SELECT count(*) FROM costs").fetchall() == [(2,)]
            with pytest.raises(RuntimeError, match="rolled back"):
                load.append(_rows("a1"))
            raise LookupError("the source gives up") from None


def test_an_error_in_the_callers_code_rolls_back_and_is_re_raised(cache: Path) -> None:
    with files.write_session(cache) as con:
        before = _state(con)
        with pytest.raises(KeyError, match="boom"), CostLoad(con, "FILE") as load:
            load.append(_rows("a1", "3.00"))
            raise KeyError("boom")
        assert _state(con) == before


def test_a_failure_while_finishing_rolls_back_the_deletes_and_rollups_too(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = cost_slices.replace_older_slices

    def finish_then_fail(*args: object, **kwargs: object) -> cost_slices.LoadSummary:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise duckdb.IOException("disk full")

    monkeypatch.setattr(cost_slices, "replace_older_slices", finish_then_fail)
    with files.write_session(cache) as con:
        before = _state(con)
        with pytest.raises(duckdb.IOException), CostLoad(con, "FILE") as load:
            load.append(_rows("a1", "5.00"))
        assert _state(con) == before


def test_a_failed_load_inside_ingest_leaves_the_cache_file_as_before(cache: Path) -> None:
    with files.write_session(cache) as con:
        before = _state(con)
    with pytest.raises(AppendFailed), files.write_session(cache) as con, CostLoad(con, "FILE") as load:
        load.append(_rows("a1", "'x'"))
    with files.write_session(cache) as con:
        assert _state(con) == before


def test_api_costs_replace_their_slice_and_a_bad_table_changes_nothing(cache: Path) -> None:
    def api_rows(cost: object) -> pa.Table:
        return pa.table(
            {
                "BilledCost": [cost],
                "ChargePeriodStart": [pa.scalar(0, pa.timestamp("us"))],
                "BillingPeriodStart": [pa.scalar(0, pa.timestamp("us"))],
                "ProviderName": ["AWS"],
                "BillingAccountId": ["111"],
                "SubAccountId": ["111"],
                "x_DatasetId": ["costs-ce:AWS:111:1970-01"],
            }
        )

    with files.write_session(cache) as con:
        cost_writes.insert_api_costs(con, api_rows(1.0), "AWS Cost Explorer, test")
        summary = cost_writes.insert_api_costs(con, api_rows(4.0), "AWS Cost Explorer, test")
        before = _state(con)
        with pytest.raises(AppendFailed):
            cost_writes.insert_api_costs(con, api_rows("four"), "AWS Cost Explorer, test")
        after = _state(con)
    assert summary.datasets == ["costs-ce:AWS:111:1970-01"] and summary.rows == 1
    assert ("costs-ce:AWS:111:1970-01", 1, 4) in before["costs"]
    assert after == before


def test_keeping_rows_without_replacing_slices_is_refused_on_a_cache(cache: Path) -> None:
    with files.write_session(cache) as con:
        before = _state(con)
        with pytest.raises(CacheError, match="scratch"), CostLoad(con, "FILE", finish="keep"):
            pass
        assert _state(con) == before


def test_a_kept_load_on_a_scratch_database_stays_there(tmp_path: Path) -> None:
    with files.scratch_session() as con:
        for account in ("a1", "a1"):  # the same slice twice: kept, not replaced
            with CostLoad(con, "FILE", finish="keep") as load:
                load.append(_rows(account))
        assert con.execute("SELECT count(*) FROM costs").fetchall() == [(2,)]
        assert con.execute("SELECT count(*) FROM datasets").fetchall() == [(0,)]


def test_a_second_load_on_the_same_connection_is_refused_while_one_is_open(cache: Path) -> None:
    with files.write_session(cache) as con, CostLoad(con, "FILE") as load:
        with pytest.raises(CacheError, match="already open"), CostLoad(con, "FILE"):
            pass
        load.append(_rows("a3"))
    with files.write_session(cache) as con:
        assert len(_state(con)["datasets"]) == 3


_TRANSACTION_WORDS = re.compile(r"\b(BEGIN|COMMIT|ROLLBACK|ABORT)\b|\b(START|END)\s+TRANSACTION\b", re.IGNORECASE)


def _transaction_statements(path: Path) -> list[str]:
    """Where a module could run a transaction statement: BEGIN/COMMIT/ROLLBACK anywhere (a plain grep),
    the keywords in any case inside a string that is not a docstring, and DB-API `.begin/.commit/.rollback`."""
    text = path.read_text()
    found = [
        f"line {n}: {line.strip()}"
        for n, line in enumerate(text.splitlines(), 1)
        if re.search(r"\b(BEGIN|COMMIT|ROLLBACK)\b", line)
    ]
    tree = ast.parse(text)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if _TRANSACTION_WORDS.search(node.value):
                found.append(f"line {node.lineno}: string {node.value[:60]!r}")
        elif isinstance(node, ast.Attribute) and node.attr in ("begin", "commit", "rollback"):
            found.append(f"line {node.lineno}: .{node.attr}")
    return found


def test_no_module_under_sources_begins_commits_or_rolls_back() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): found
        for path in sorted((PACKAGE / "sources").rglob("*.py"))
        if (found := _transaction_statements(path))
    }
    assert offenders == {}, "sources/ hands SQL to cache/cost_load.CostLoad; only cache/ runs transactions"


def test_the_transaction_check_would_see_the_cost_load() -> None:
    """Guards the test above against a pattern that matches nothing."""
    found = _transaction_statements(PACKAGE / "cache" / "cost_load.py")
    assert any("BEGIN" in f for f in found) and any("ROLLBACK" in f for f in found)
