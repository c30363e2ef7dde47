"""What a collector pushes to `finops-tui serve`: one dataset's rows and provenance, checked the same way
on both sides (the sender before it sends, the server before it touches the cache).

The rows travel as TableData JSON (`{"columns": [{"name", "type"}], "rows": [...]}`), the contract's table
shape; their columns must fit the dataset's table as cache/schema.py declares it, exactly as the cache's
dataset writer requires.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

from finops_tui.cache.schema import DATASET_TABLES
from finops_tui.cache.tables import DATASET_ID
from finops_tui.contract.tables import TableData
from finops_tui.contract.vocabulary import DATASET_KINDS, Origin

COST_DATASET_COLUMN = "x_DatasetId"


class PushedFile(BaseModel):
    """A billing file the cost rows came from (cache/cost_slices.FileProvenance)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    path: str
    sha256: str
    size: int
    format: str
    format_version: str
    rows: int


class PushPayload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    dataset_id: str = Field(min_length=1, max_length=500)
    source_kind: Origin = "API"
    source: str = Field(min_length=1, max_length=2000, description="what was read, for people")
    provider: str | None = None
    account_id: str | None = None
    data_through: datetime | None = None
    table: TableData
    files: list[PushedFile] = Field(default_factory=list, description="costs only: the billing files")

    @field_validator("table", mode="before")
    @classmethod
    def _flat_table(cls, value: Any) -> Any:
        """On the wire `table` is TableData's JSON itself: {"columns": [...], "rows": [...]}."""
        return {"table": value} if isinstance(value, dict) and "columns" in value else value

    @field_serializer("table")
    def _dump_flat(self, value: TableData) -> Any:
        return value.model_dump()["table"]

    def rows_for(self, kind: str) -> pa.Table:
        """The rows cast to `kind`'s declared columns; ValueError saying which column or row does not fit."""
        if kind not in DATASET_KINDS:
            raise ValueError(f"unknown dataset kind {kind!r}; push one of {', '.join(DATASET_KINDS)}")
        table = self.table.table
        if kind == "costs":
            if COST_DATASET_COLUMN not in table.column_names:
                raise ValueError(f"costs: every row needs {COST_DATASET_COLUMN} (= the dataset id {self.dataset_id!r})")
            others = pc.sum(pc.invert(pc.fill_null(pc.equal(table[COST_DATASET_COLUMN], self.dataset_id), False)))
            if (others.as_py() or 0) > 0:
                raise ValueError(
                    f"costs: {others.as_py()} row(s) have an {COST_DATASET_COLUMN} other than the dataset id "
                    f"{self.dataset_id!r}; push one dataset per request"
                )
        elif DATASET_ID in table.column_names:
            raise ValueError(f"{kind}: rows must not carry {DATASET_ID}; the server sets it from dataset_id")
        if self.files and kind != "costs":
            raise ValueError(f"{kind}: files are provenance of cost datasets only")
        return DATASET_TABLES[kind].conform(table)
