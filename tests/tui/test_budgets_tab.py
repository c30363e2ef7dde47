"""The Budgets tab with a budgets file: file and DEMO budgets together, the hierarchy indented, a bad file told."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from finops_tui.analysis.budget_book import BudgetBook
from finops_tui.app.main_app import FinopsApp
from finops_tui.app.widgets.data_grid import DataGrid
from finops_tui.cache.local_reader import LocalCache
from tests.tui.conftest import frozen_clock, make_settings, notifications, settle

FILE = """
[[budget]]
id = "eng"
name = "Engineering"
amount = 100000
currency = "USD"

[[budget]]
id = "eng-ec2"
name = "Engineering EC2"
amount = 20000
currency = "USD"
parent = "eng"
[budget.filters]
service = ["Amazon Elastic Compute Cloud"]
"""


def app_with(demo_cache: Path, book: BudgetBook) -> FinopsApp:
    reader = LocalCache(demo_cache, clock=frozen_clock, budgets=book)
    return FinopsApp(reader, make_settings(), clock=frozen_clock, watch_interval=0)


async def test_file_budgets_show_beside_the_cache_ones_with_children_indented(demo_cache, tmp_path):
    path = tmp_path / "budgets.toml"
    path.write_text(FILE)
    app = app_with(demo_cache, BudgetBook(path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        grid = app.query_one("#pane-budgets").query_one(DataGrid)
        rows = grid.full.to_pylist()
        names = [r["budget"] for r in rows]
        assert names.index("Engineering") + 1 == names.index("└ Engineering EC2")
        ec2 = rows[names.index("└ Engineering EC2")]
        # the DEMO's EC2 spend runs about 3,150 a day: the 20,000 were passed before the 23rd
        assert ec2["origin"] == "file" and ec2["status"] == "BREACHED" and ec2["breach_date"] is not None
        assert {r["origin"] for r in rows} == {"DEMO aws", "file"} and len(rows) == 6 + 2
        assert grid.full.column_names[:4] == ["budget", "origin", "status", "used_pct"]
        caption = str(app.query_one("#pane-budgets").query_one("#caption", Static).render())
        assert "DEMO aws + file" in caption and str(path) in caption
        assert not notifications(app)


async def test_a_bad_file_is_a_notification_with_its_line_and_the_last_good_budgets_stay(demo_cache, tmp_path):
    path, keep = tmp_path / "budgets.toml", tmp_path / "last-good.json"
    path.write_text(FILE)
    BudgetBook(path, keep=keep).specs()  # an earlier session read the good file
    path.write_text(FILE.replace("amount = 20000", "amount = twenty"))
    app = app_with(demo_cache, BudgetBook(path, keep=keep))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        told = [n for n in notifications(app) if "budgets.toml" in n]
        assert len(told) == 1 and "line 11" in told[0] and "last good budgets stay in use" in told[0]
        names = app.query_one("#pane-budgets").query_one(DataGrid).full["budget"].to_pylist()
        assert "└ Engineering EC2" in names
        caption = str(app.query_one("#pane-budgets").query_one("#caption", Static).render())
        assert "BUDGETS FILE ERROR" in caption
