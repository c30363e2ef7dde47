"""How grids show values: words for headers, one money format, ids cut in the middle, numbers found by `/`."""

from __future__ import annotations

import pyarrow as pa

from finops_tui.app.screens.breadcrumb import trail_text
from finops_tui.app.screens.drill_targets import kpi_target, raw_value, record_target
from finops_tui.app.widgets.data_grid import filter_rows
from finops_tui.app.widgets.grid_format import GridFormat, display_table, header_label, middle_ellipsis
from finops_tui.contract.scope import ViewScope
from finops_tui.money import format_money

ARN = "arn:aws:ec2:us-east-1:210987654321:instance/i-0abc123def4567890"


def test_headers_are_words_not_snake_case() -> None:
    assert header_label("this_month") == "This month"
    assert header_label("delta_pct") == "Δ %"
    assert header_label("resource_id") == "Resource id"
    assert header_label("ServiceName") == "ServiceName"  # FOCUS names and user SQL stay as written
    assert header_label("this_month", humanize=False) == "this_month"


def test_long_ids_keep_their_distinctive_end() -> None:
    short = middle_ellipsis(ARN)
    assert len(short) == 28 and short.endswith("i-0abc123def4567890"[-18:]) and "…" in short
    assert middle_ellipsis("i-1") == "i-1"


def test_money_has_one_format_with_signs_on_deltas() -> None:
    assert format_money(1234.5, "USD") == "$1,234.50"
    assert format_money(1234.5, "CHF") == "1,234.50 CHF"
    assert format_money(12, "EUR", signed=True) == "+€12.00"
    assert format_money(-3.1, "USD", signed=True) == "-$3.10"
    assert format_money(-0.001, "USD", signed=True) == "$0.00"  # no sign on what rounds to zero
    assert format_money(5, None) == "5.00 (no currency)"


def test_display_formats_money_per_row_currency_and_keeps_nulls() -> None:
    table = pa.table(
        {"actual": [1500.0, None, 2.0], "currency": ["USD", "EUR", "JPY"], "resource_id": [ARN, None, "i-1"]}
    )
    shown = display_table(table, GridFormat(money=frozenset({"actual"}), currency_column="currency"), None)
    assert shown["actual"].to_pylist() == ["$1,500.00", None, "    ¥2.00"]  # padded: reads right-aligned
    assert shown["resource_id"].to_pylist() == [middle_ellipsis(ARN), None, "i-1"]
    assert table["resource_id"][0].as_py() == ARN  # the raw table is untouched


def test_display_drops_omitted_columns_and_escapes_controls() -> None:
    table = pa.table({"name": ["\x1b[31mred"], "key": ["k"]})
    shown = display_table(table, GridFormat(omit=("key",)), None)
    assert shown.column_names == ["name"] and shown["name"][0].as_py() == "\\x1b[31mred"


def test_slash_matches_numbers_too() -> None:
    table = pa.table({"name": ["a", "b"], "cost": [1234.5, 99.0], "day": pa.array([1, 2], pa.int32())})
    assert filter_rows(table, "1234")["name"].to_pylist() == ["a"]
    assert filter_rows(table, "A")["name"].to_pylist() == ["a"]


def test_breadcrumb_drops_its_oldest_steps_first_when_narrow() -> None:
    trail = ("KPIs", "service Amazon Elastic Compute Cloud", "resource i-0abc")
    assert trail_text(trail, 120).plain == "KPIs › service Amazon Elastic Compute Cloud › resource i-0abc"
    assert trail_text(trail, 30).plain == "… › resource i-0abc"


def test_kpi_labels_turn_back_into_raw_values() -> None:
    assert raw_value("account", "Prod (Main) (1111)") == "1111"
    assert raw_value("account", "2222") == "2222"
    assert raw_value("region", "(global)") is None
    assert raw_value("service", "(no service)") is None
    usd = ViewScope(currency="USD")
    target = kpi_target("movers", {"name": "EC2"}, usd)
    assert target is not None and target.filters[0].dimension == "service" and target.filters[0].values == ("EC2",)


def test_a_record_opens_in_its_own_currency_and_prefers_its_resource() -> None:
    usd = ViewScope(currency="USD", provider="AWS")
    t = record_target("Optimizations", {"resource_id": "i-3", "currency": "EUR", "region": "eu"}, usd, "x")
    assert t.resource_id == "i-3" and t.scope.currency == "EUR" and t.scope.provider is None
    t = record_target("Anomalies", {"service": "EC2", "account": "a1", "region": None, "currency": "USD"}, usd, "x")
    assert [(f.dimension, f.values) for f in t.filters] == [("service", ("EC2",)), ("account", ("a1",))]
