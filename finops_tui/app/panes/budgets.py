"""Budgets: AWS and file budgets in one grid, children indented under their parent.

The grid shows the view's table reordered for reading (name, origin, status, then money, then
burn and breach) with the name indented by depth. A bad budgets file is a notification with its
line and key, shown once per distinct problem, while the last good budgets stay in the grid.
"""

from __future__ import annotations

import pyarrow as pa

from finops_tui.app.panes.tables import TablePane
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.tables import TableData
from finops_tui.contract.views import BudgetsView

SHOWN = (
    "budget", "origin", "status", "used_pct", "actual", "amount", "forecast", "breach_date", "burn_rate",
    "target_rate", "forecast_lower", "forecast_upper", "currency", "period", "period_start", "scope", "note",
    "last_period", "forecast_pct", "parent", "budget_id",
)  # fmt: skip


def indented(table: pa.Table) -> pa.Table:
    """The budget names indented by their depth in the hierarchy (a tree drawn with └)."""
    names = [
        "  " * (depth - 1) + "└ " + name if depth else name
        for name, depth in zip(table["budget"].to_pylist(), table["depth"].to_pylist(), strict=True)
    ]
    return table.set_column(table.schema.get_field_index("budget"), "budget", pa.array(names, pa.string()))


class BudgetsPane(TablePane[BudgetsView]):
    title = "Budgets"
    noun = "budgets"
    decimals = {
        "amount": 2, "actual": 2, "forecast": 2, "forecast_lower": 2, "forecast_upper": 2, "burn_rate": 2,
        "target_rate": 2, "used_pct": 1, "forecast_pct": 1, "last_period": 2,
    }  # fmt: skip
    empty_message = (
        "No budgets. Budgets come from AWS Budgets (`finops-tui refresh`) and from the budgets file "
        "(budgets.toml in the config dir, or --budgets FILE); actual spend is computed from the cost data."
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._told: str | None = None

    def fetch(self, scope: ViewScope) -> BudgetsView:
        return self.reader.budgets_view(scope)

    async def show(self, view: BudgetsView) -> None:
        if view.file_problem and view.file_problem != self._told:
            self.notify(view.file_problem, title="Budgets file", severity="error", timeout=15)
        self._told = view.file_problem
        # A closed period's actual exists only for budgets from AWS Budgets; an all-blank column says nothing.
        self.hidden_columns = () if view.has_history else ("last_period",)
        await super().show(view)

    def table_of(self, view: BudgetsView) -> TableData:
        return TableData(table=indented(view.table.table).select(list(SHOWN)))

    def caption(self, view: BudgetsView) -> str:
        if not view.table.num_rows:
            return "Budgets"
        origins = sorted(set(view.table.table["origin"].to_pylist()) - {None})
        source = f" · file {view.budgets_file}" if view.budgets_file else ""
        problem = " · BUDGETS FILE ERROR: last good budgets shown" if view.file_problem else ""
        return (
            f"Budgets · {' + '.join(origins)} · {view.scope.metric} · {view.over} breached, "
            f"{view.at_risk} at risk{problem}{source}"
        )
