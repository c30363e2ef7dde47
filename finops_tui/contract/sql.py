"""The SQL pane's answer: the rows (up to the limit), how many there were, and how long it took."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from finops_tui.contract.tables import TableData


class SqlResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    table: TableData
    total_rows: int
    truncated: bool
    elapsed_ms: float
