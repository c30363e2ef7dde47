"""Receiving a collector's push: one dataset, checked first, then written atomically into the cache.

The payload is checked against the declared schema before the cache is touched (422, nothing changed);
the write goes through the cache's own copy-and-swap session, so readers see the old file or the new
one, never half a push. Writing a dataset id again replaces it (costs: the slice; others: the dataset),
so a resent push changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from pydantic import BaseModel, ValidationError

from finops_tui.cache import files
from finops_tui.cache.cost_load import CostLoad
from finops_tui.cache.cost_slices import FileProvenance
from finops_tui.cache.dataset_writes import fill_current_costs, replace_dataset
from finops_tui.server.envelope import ApiError
from finops_tui.sources.push_payload import PushPayload


class PushResult(BaseModel):
    dataset_id: str
    kind: str
    rows: int


def parse(body: bytes, kind: str) -> tuple[PushPayload, pa.Table]:
    """The payload and its rows conformed to `kind`, or ApiError(422) naming what was wrong."""
    try:
        payload = PushPayload.model_validate_json(body)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        raise ApiError(422, f"Invalid push payload: {problems}. Nothing was changed.") from None
    try:
        rows = payload.rows_for(kind)
    except ValueError as exc:
        raise ApiError(422, f"Invalid push payload: {exc}. Nothing was changed.") from None
    return payload, rows


def apply(cache: Path, kind: str, body: bytes, memory_limit: str | None = None) -> PushResult:
    payload, rows = parse(body, kind)
    with files.write_session(cache, memory_limit) as con:
        if kind == "costs":
            with CostLoad(con, payload.source_kind, payload.source) as load:
                written = load.append_arrow(rows)
                load.record_files([FileProvenance(**f.model_dump()) for f in payload.files])
        else:
            written = replace_dataset(
                con, kind, payload.dataset_id, rows,
                source_kind=payload.source_kind, source=payload.source, provider=payload.provider,
                account_id=payload.account_id, data_through=payload.data_through,
            )  # fmt: skip
            if kind == "resources":
                fill_current_costs(con)
    return PushResult(dataset_id=payload.dataset_id, kind=kind, rows=written)
