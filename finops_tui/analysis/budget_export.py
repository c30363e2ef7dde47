"""The Budgets view as `finops-tui budgets` prints it: the cache's field names, in a stable order.

The view's table is shaped for the tab (short column names); scripts get the names the
`budgets` table and docs/cache-schema.md use (budget_name, budget_amount, time_unit,
parent_budget_id), so a JSON consumer reads budgets the same way whether they came from the
cache or from this command.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from finops_tui.contract.views import BudgetsView

# view column -> printed field, in the printed order
FIELDS: dict[str, str] = {
    "budget_id": "budget_id",
    "budget": "budget_name",
    "origin": "origin",
    "period": "time_unit",
    "amount": "budget_amount",
    "currency": "currency",
    "actual": "actual",
    "forecast": "forecast",
    "forecast_lower": "forecast_lower",
    "forecast_upper": "forecast_upper",
    "burn_rate": "burn_rate",
    "target_rate": "target_rate",
    "breach_date": "breach_date",
    "status": "status",
    "parent": "parent_budget_id",
    "depth": "depth",
    "used_pct": "used_pct",
    "forecast_pct": "forecast_pct",
    "period_start": "period_start",
    "period_end": "period_end",
    "as_of": "as_of",
    "last_period": "last_period",
    "scope": "scope",
    "note": "note",
}
# what fits a terminal: the rest is in csv/json
TABLE_FIELDS = ("budget_name", "origin", "status", "actual", "budget_amount", "forecast", "breach_date", "currency")


def export_table(view: BudgetsView) -> pa.Table:
    """Every budget with the cache's field names; `time_unit` as AWS spells it (MONTHLY, QUARTERLY, ANNUALLY)."""
    table = view.table.table.select(list(FIELDS)).rename_columns(list(FIELDS.values()))
    units = pa.array([u.upper() if u else None for u in table["time_unit"].to_pylist()], pa.string())
    return table.set_column(table.schema.get_field_index("time_unit"), "time_unit", units)


def terminal_table(view: BudgetsView) -> pa.Table:
    """The few columns `--format table` shows, the hierarchy indented in the name."""
    table = export_table(view)
    names = [
        "  " * depth + ("└ " if depth else "") + name
        for name, depth in zip(table["budget_name"].to_pylist(), table["depth"].to_pylist(), strict=True)
    ]
    table = table.set_column(table.schema.get_field_index("budget_name"), "budget_name", pa.array(names))
    table = table.select(list(TABLE_FIELDS))
    for name in ("actual", "budget_amount", "forecast"):  # cents on screen; csv and json keep every digit
        index = table.schema.get_field_index(name)
        table = table.set_column(index, name, pc.round(table[name], 2))
    return table
