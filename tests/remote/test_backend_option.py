"""`--backend` as the headless commands get it: one shared option, one helper that builds the reader."""

from __future__ import annotations

import argparse

import pytest

from finops_tui.cli import add_backend_option, main
from finops_tui.config import Settings
from finops_tui.contract.scope import ViewScope
from finops_tui.reader_opening import open_cost_reader
from finops_tui.remote.rest_reader import RestReader
from tests.remote.mini_backend import MiniBackend

USD = ViewScope(currency="USD")


def parsed(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache")
    parser.add_argument("--demo", action="store_true")
    add_backend_option(parser, top=True)
    return parser.parse_args(list(argv))


def test_a_headless_command_says_on_stderr_when_its_answer_is_stale(
    mini: MiniBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    reader = open_cost_reader(parsed("--backend", mini.url), Settings())
    assert isinstance(reader, RestReader)
    live = reader.kpi_view(USD)
    assert capsys.readouterr().err == ""
    mini.stop()
    assert reader.kpi_view(USD) == live
    err = capsys.readouterr().err
    assert err.startswith("finops-tui: note: backend " + mini.url) and "(STALE)" in err


def test_backend_and_a_local_cache_are_exclusive(mini: MiniBackend, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--backend", mini.url, "--cache", "/tmp/x.duckdb", "SELECT 1"]) == 2
    assert "drop --cache" in capsys.readouterr().err


def test_query_over_a_backend_prints_the_rows_and_where_they_came_from(
    mini: MiniBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = "SELECT ServiceName, sum(BilledCost) AS c FROM costs GROUP BY 1 ORDER BY 2 DESC"
    assert main(["query", "--backend", mini.url, sql, "--limit", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2].split() == ["EC2", "1339"] and out[-1] == f"(2 row(s), cut at 2 of 5; from {mini.url})"
    assert main(["query", "--backend", mini.url, "SELECT nope FROM costs"]) == 1
    assert "nope" in capsys.readouterr().err


def test_without_httpx_the_advice_is_the_remote_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import finops_tui.remote

    monkeypatch.setattr(finops_tui.remote, "find_spec", lambda name: None)
    assert main(["query", "--backend", "http://127.0.0.1:1", "SELECT 1"]) == 2
    assert main(["login", "http://127.0.0.1:1", "--token-stdin"]) == 2
    assert capsys.readouterr().err.count("pip install 'finops-tui[remote]'") == 2
