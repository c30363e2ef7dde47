"""The anomalies a person or a script is shown: one function for the tab, `finops-tui anomalies` and the server.

Muted anomalies are hidden unless asked for; everything else comes through the `CostReader`
contract, so a remote source lists exactly what a local one does. Scripts get the cache's column
names (`anomaly_id`, `sub_account_id`, ...), with `drivers` as a JSON array, not text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from finops_tui.contract.reader import CostReader
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.tables import AnomaliesTable

# contract column -> cache column, in the order scripts get them
CACHE_NAMES = {
    "anomaly_id": "anomaly_id",
    "severity": "severity",
    "type": "anomaly_type",
    "origin": "origin",
    "status": "status",
    "start_date": "start_date",
    "end_date": "end_date",
    "account": "sub_account_id",
    "service": "service_name",
    "region": "region_id",
    "currency": "currency",
    "actual": "actual_cost",
    "expected": "expected_cost",
    "impact": "impact",
    "root_cause": "root_cause",
    "drivers": "drivers",
    "series_key": "series_key",
}
_DRIVER = pa.struct(
    [("dimension", pa.string()), ("value", pa.string()), ("delta", pa.float64()), ("share", pa.float64())]
)


@dataclass(frozen=True)
class AnomalyListing:
    table: pa.Table  # AnomaliesTable's columns
    muted_hidden: int

    @property
    def counts(self) -> dict[str, int]:
        """Rows per status, in the order people read them."""
        statuses = self.table["status"].to_pylist()
        return {s: statuses.count(s) for s in ("open", "acknowledged", "closed", "muted") if s in statuses}


def visible(table: AnomaliesTable, *, include_muted: bool) -> AnomalyListing:
    """The rows to show: every one with `include_muted`, otherwise those whose series is not muted."""
    data = table.table
    if include_muted:
        return AnomalyListing(data, 0)
    keep = pc.invert(pc.fill_null(pc.equal(data["status"], "muted"), False))
    shown = data.filter(keep)
    return AnomalyListing(shown, data.num_rows - shown.num_rows)


def list_anomalies(reader: CostReader, scope: ViewScope, *, include_muted: bool = False) -> AnomalyListing:
    return visible(reader.anomalies_view(scope).table, include_muted=include_muted)


def as_records(table: pa.Table, *, parsed_drivers: bool) -> pa.Table:
    """The listing with the cache's column names; `drivers` parsed into a list of objects when asked (JSON)."""
    records = table.select(list(CACHE_NAMES)).rename_columns(list(CACHE_NAMES.values()))
    if not parsed_drivers:
        return records
    parsed = pa.array([json.loads(d) if d else [] for d in records["drivers"].to_pylist()], pa.list_(_DRIVER))
    return records.set_column(records.column_names.index("drivers"), "drivers", parsed)
