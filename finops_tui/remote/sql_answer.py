"""The SQL lab's answer (`{"columns", "rows", "row_count", "truncated", "elapsed_ms"}`) as the contract's SqlResult.

The columns carry their Arrow types (`{"name", "type"}`, as `TableData` writes them), so a result
parses back into the same Arrow table the local reader returns; plain column names (no types)
are read by inference.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from finops_tui.contract.sql import SqlResult
from finops_tui.contract.tables import TableData


def sql_result(data: dict[str, Any]) -> SqlResult:
    if "table" in data:  # a server that sends the contract model as it is
        return SqlResult.model_validate(data)
    columns, rows = data["columns"], data["rows"]
    if all(isinstance(c, dict) for c in columns):
        table = TableData(table={"columns": columns, "rows": rows})
    else:
        names = [str(c) for c in columns]
        table = TableData(table=pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)}))
    return SqlResult(
        table=table,
        total_rows=int(data.get("total_rows", data.get("row_count", len(rows)))),
        truncated=bool(data.get("truncated", False)),
        elapsed_ms=float(data.get("elapsed_ms") or 0.0),
    )
