"""Billing text never drives the terminal or a spreadsheet: control characters are shown escaped,
and CSV cells that a spreadsheet would run as formulas are neutralised unless asked not to be."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from textual.widgets import DataTable

from finops_tui.output import write_csv
from finops_tui.sources.ingest import ingest_paths
from tests.tui.conftest import make_app, settle

TITLE = "\x1b]0;pwned\x07"  # retitles an xterm
RED = "\x1b[31m"


@pytest.fixture
def hostile_cache(tmp_path: Path) -> Path:
    src = tmp_path / "costs.csv"
    src.write_text(
        "BilledCost,EffectiveCost,BillingCurrency,ChargePeriodStart,BillingPeriodStart,ProviderName,"
        "BillingAccountId,ServiceName,ResourceId\n"
        f'5,5,USD,2026-11-02T00:00:00Z,2026-11-01T00:00:00Z,AWS,1,"{TITLE}EC2{RED}",i-{RED}1\n'
        '-3,-3,USD,2026-11-03T00:00:00Z,2026-11-01T00:00:00Z,AWS,1,=HYPERLINK("http://x"),i-2\n'
    )
    cache = tmp_path / "c.duckdb"
    ingest_paths([str(src)], cache)
    return cache


def _query(cache: Path, sql: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finops_tui", "query", "--cache", str(cache), sql, *flags],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_table_output_shows_control_characters_escaped(hostile_cache: Path) -> None:
    run = _query(hostile_cache, "SELECT ServiceName, ResourceId FROM costs ORDER BY ResourceId")
    assert run.returncode == 0, run.stderr
    assert "\x1b" not in run.stdout and "\x07" not in run.stdout
    assert "\\x1b]0;pwned\\x07EC2\\x1b[31m" in run.stdout


def test_csv_neutralises_formulas_in_text_but_not_negative_numbers(hostile_cache: Path) -> None:
    sql = "SELECT ServiceName, BilledCost::DOUBLE AS cost FROM costs WHERE ResourceId = 'i-2'"
    guarded = _query(hostile_cache, sql, "--format", "csv").stdout.splitlines()
    assert guarded[1] == '"\'=HYPERLINK(""http://x"")",-3.0'
    raw = _query(hostile_cache, sql, "--format", "csv", "--no-csv-guard").stdout.splitlines()
    assert raw[1] == '"=HYPERLINK(""http://x"")",-3.0'


def test_csv_to_a_terminal_escapes_controls_and_to_a_pipe_keeps_the_bytes() -> None:
    table = pa.table({"s": [f"{RED}x"]})
    to_terminal, to_pipe = io.StringIO(), io.StringIO()
    write_csv(table.schema, table.to_batches(), to_terminal, terminal=True)
    write_csv(table.schema, table.to_batches(), to_pipe, terminal=False)
    assert to_terminal.getvalue() == "s\n\\x1b[31mx\n"
    assert to_pipe.getvalue() == f"s\n{RED}x\n"


async def test_the_cockpit_shows_billing_text_escaped(hostile_cache: Path) -> None:
    app = make_app(hostile_cache)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        services = app.query_one("#top-services", DataTable)
        names = [str(services.get_row_at(i)[0]) for i in range(services.row_count)]
        assert any("\\x1b]0;pwned\\x07EC2" in n for n in names), names
        assert not any("\x1b" in n for n in names)
        await pilot.press("2")
        await settle(pilot)
        shown = app.query_one("#pane-resources").query_one("DataGrid").query_one("DataTable")
        cells = [str(v) for column in shown.backend.data.columns for v in column.to_pylist()]
        assert any("i-\\x1b[31m1" in c for c in cells) and not any("\x1b" in c for c in cells)
