"""A page of a long table: which slice, in which order, filtered how, so the source does it in SQL.

A tab that shows tens of thousands of rows asks for one page at a time; sorting and filtering
ask the source again (ORDER BY / WHERE over every row) instead of reordering only the rows shown.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_PAGE_ROWS = 10_000


class PageRequest(BaseModel):
    """Which slice of a table, in which order, filtered by a text the user typed."""

    model_config = ConfigDict(frozen=True)

    offset: int = Field(0, ge=0)
    limit: int = Field(200, ge=1, le=MAX_PAGE_ROWS)
    sort: str | None = Field(None, description="a column of the table; None keeps the default order")
    descending: bool = True
    needle: str = Field("", description="rows with this text in any column, numbers included, any case")
    count_total: bool = Field(True, description="False when the caller already knows the total (next pages)")
