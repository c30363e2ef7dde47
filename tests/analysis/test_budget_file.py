"""The budgets file: a good file parses, every bad one names its line and key, and the last good budgets stay."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from finops_tui.analysis.budget_book import BudgetBook, specs_of
from finops_tui.analysis.budget_demo import DEMO_BUDGETS
from finops_tui.analysis.budget_file import BudgetFileError, parse_budgets

GOOD = """\
# team budgets
[[budget]]
id = "total"
name = "Total"
amount = 1000
currency = "USD"
period = "quarterly"

[[budget]]
name = "Data Platform"
amount = 400.5
currency = "USD"
parent = "total"
[budget.filters]
provider = "AWS"
account = ["111", "222"]
tag = ["team=data", "env = prod"]

[[budget]]
name = "EU"
amount = 10
currency = "EUR"
period = "annual"
parent = "Total"
filters = { region = ["eu-west-1"], service = ["S3"] }
"""


def error_of(text: str) -> BudgetFileError:
    with pytest.raises(BudgetFileError) as caught:
        parse_budgets(text, Path("budgets.toml"))
    return caught.value


def test_a_good_file_gives_budgets_with_filters_tags_and_parents_by_id_or_name():
    specs = {s.budget_id: s for s in specs_of(parse_budgets(GOOD, Path("b.toml")))}
    assert set(specs) == {"file:total", "file:data-platform", "file:eu"}
    data = specs["file:data-platform"]
    assert data.unit == "month" and data.amount == 400.5 and data.parent == "file:total" and data.origin == "file"
    assert dict(data.columns) == {"ProviderName": ("AWS",), "SubAccountId": ("111", "222")}
    assert dict(data.tags) == {"team": ("data",), "env": ("prod",)}
    eu = specs["file:eu"]
    assert eu.unit == "year" and eu.parent == "file:total" and eu.currency == "EUR"
    assert dict(eu.columns) == {"RegionId": ("eu-west-1",), "ServiceName": ("S3",)}
    assert specs["file:total"].unit == "quarter"


def test_the_demo_example_is_a_valid_budgets_file():
    assert len(parse_budgets(DEMO_BUDGETS, Path("demo.toml"))) == 5


@pytest.mark.parametrize(
    ("change", "line", "key", "says"),
    [
        # wrong type: line 5 is `amount = "lots"` of the first budget
        (("amount = 1000", 'amount = "lots"'), 5, '[[budget]] "Total" amount', "valid number"),
        # unknown key at the top of a budget
        (('period = "quarterly"', 'period = "quarterly"\ncolour = "red"'), 8, '[[budget]] "Total" colour', "unknown"),
        # unknown key inside [budget.filters]
        (('provider = "AWS"', 'providr = "AWS"'), 15, '[[budget]] "Data Platform" filters.providr', "unknown"),
        # a tag without '='
        (('"env = prod"', '"env"'), 17, '[[budget]] "Data Platform" filters.tag', "key=value"),
        # a period that does not exist
        (('period = "annual"', 'period = "weekly"'), 23, '[[budget]] "EU" period', "monthly"),
        # a parent nobody has
        (('parent = "total"', 'parent = "totl"'), 13, '[[budget]] "Data Platform" parent', "no budget 'totl'"),
        # an id used twice
        (
            ('name = "Data Platform"', 'id = "total"\nname = "Data Platform"'),
            10,
            '[[budget]] "Data Platform" id',
            "twice",
        ),
        # a bad currency code, in an inline table's budget
        (('currency = "EUR"', 'currency = "euro"'), 22, '[[budget]] "EU" currency', "pattern"),
    ],
)
def test_each_bad_file_names_the_key_and_its_line(change, line, key, says):
    err = error_of(GOOD.replace(*change, 1))
    assert (err.line, err.key) == (line, key)
    assert f"budgets.toml, line {line}: {key}:" in str(err) and says in str(err)
    assert "last good budgets stay in use" in str(err)


def test_a_cycle_of_parents_names_the_parent_key_of_its_first_member():
    text = GOOD.replace('period = "quarterly"', 'period = "quarterly"\nparent = "eu"')
    err = error_of(text)
    assert err.line == 8 and err.key == '[[budget]] "Total" parent' and "cycle" in str(err)


def test_a_toml_syntax_error_keeps_tomllibs_line():
    err = error_of(GOOD.replace("amount = 400.5", "amount = = 400.5"))
    assert err.line == 11 and err.key == "TOML syntax"


def test_an_error_in_an_inline_table_is_on_its_line():
    err = error_of(GOOD.replace('service = ["S3"]', 'servce = ["S3"]'))
    assert err.line == 25 and err.key == '[[budget]] "EU" filters.servce'


def write(path: Path, text: str) -> None:
    path.write_text(text)
    stamp = path.stat().st_mtime_ns + 1_000_000  # a new mtime even within the filesystem's clock tick
    os.utime(path, ns=(stamp, stamp))


def test_a_bad_edit_keeps_the_last_good_budgets_in_memory_and_in_the_data_dir(tmp_path):
    path, keep = tmp_path / "budgets.toml", tmp_path / "data" / "budgets-last-good.json"
    write(path, GOOD)
    book = BudgetBook(path, keep=keep)
    specs, problem = book.specs()
    assert len(specs) == 3 and problem is None
    assert json.loads(keep.read_text())["source"] == str(path.resolve())

    write(path, GOOD.replace("amount = 1000", 'amount = "lots"'))
    specs, problem = book.specs()
    assert len(specs) == 3 and problem is not None and "line 5" in problem  # this session's copy

    next_session = BudgetBook(path, keep=keep)  # starts on the bad file: the copy in the data dir
    specs, problem = next_session.specs()
    assert {s.name for s in specs} == {"Total", "Data Platform", "EU"} and "line 5" in problem

    write(path, GOOD.replace('name = "EU"', 'name = "Europe"'))  # fixed again: picked up, problem gone
    specs, problem = next_session.specs()
    assert "Europe" in {s.name for s in specs} and problem is None


def test_a_copy_saved_for_another_file_is_not_used(tmp_path):
    keep = tmp_path / "keep.json"
    write(tmp_path / "a.toml", GOOD)
    BudgetBook(tmp_path / "a.toml", keep=keep).specs()
    write(tmp_path / "b.toml", "[[budget]]\nname = 1\n")
    specs, problem = BudgetBook(tmp_path / "b.toml", keep=keep).specs()
    assert specs == [] and problem is not None and "line 2" in problem


def test_no_file_means_no_file_budgets_and_no_problem(tmp_path):
    assert BudgetBook(tmp_path / "absent.toml").specs() == ([], None)
