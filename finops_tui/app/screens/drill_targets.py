"""What `enter` on a row opens: from a row's raw values to the cost it is about (pure, no widgets).

KPI lists show labels ('Prod (1111)', '(global)'), so their rows are turned back into raw
column values here, the inverse of the label expressions in cache/cost_queries.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from finops_tui.contract.details import CostFilter, DrillDimension
from finops_tui.contract.scope import ViewScope

_NONE_LABELS = {"(no service)", "(global)", "(unknown)", "(no account)"}
_KPI_DIMENSIONS: dict[str, DrillDimension] = {
    "services": "service",
    "movers": "service",
    "accounts": "account",
    "regions": "region",
    "providers": "provider",
}
# Columns a SQL result (or any row) may name a cost dimension by, FOCUS names and ours.
_ROW_COLUMNS: dict[str, DrillDimension] = {
    "servicename": "service",
    "service": "service",
    "service_name": "service",
    "subaccountid": "account",
    "sub_account_id": "account",
    "account": "account",
    "regionid": "region",
    "region": "region",
    "region_id": "region",
    "providername": "provider",
    "provider": "provider",
    "provider_name": "provider",
    "chargedescription": "usage_type",
    "usage_type": "usage_type",
}
_RESOURCE_COLUMNS = ("resourceid", "resource_id")


@dataclass(frozen=True)
class Target:
    """Where `enter` goes: a resource, or the cost matching `filters`, in `scope`."""

    scope: ViewScope
    label: str
    filters: tuple[CostFilter, ...] = ()
    resource_id: str | None = None


def raw_value(dimension: DrillDimension, label: str) -> str | None:
    """The column value behind a KPI label: '(global)' is NULL, 'Prod (1111)' is account 1111."""
    if label in _NONE_LABELS:
        return None
    if dimension == "account" and label.endswith(")") and " (" in label:
        return label[label.rindex(" (") + 2 : -1]
    return label


def kpi_target(table: str, row: dict[str, Any], scope: ViewScope) -> Target | None:
    dimension = _KPI_DIMENSIONS.get(table)
    if dimension is None:
        return None
    value = raw_value(dimension, str(row["name"]))
    return Target(scope, f"{dimension} {row['name']}", (CostFilter(dimension=dimension, values=(value,)),))


def _in_currency(scope: ViewScope, row: dict[str, Any]) -> ViewScope:
    """Budgets, anomalies and optimizations carry their own currency: the detail shows cost in it."""
    currency = row.get("currency")
    if currency and currency != scope.currency:
        return scope.model_copy(update={"currency": currency, "provider": None})
    return scope


def row_filters(row: dict[str, Any]) -> tuple[CostFilter, ...]:
    """Filters on every known dimension column the row has a value in."""
    found: dict[DrillDimension, str] = {}
    for name, value in row.items():
        dimension = _ROW_COLUMNS.get(name.lower())
        if dimension and isinstance(value, str) and value and dimension not in found:
            found[dimension] = value
    return tuple(CostFilter(dimension=d, values=(v,)) for d, v in found.items())


def row_resource(row: dict[str, Any]) -> str | None:
    for name, value in row.items():
        if name.lower() in _RESOURCE_COLUMNS and isinstance(value, str) and value:
            return value
    return None


def record_target(kind: str, row: dict[str, Any], scope: ViewScope, label: str) -> Target:
    """A budget, anomaly, optimization or SQL row: its resource if it names one, else its dimensions."""
    scope = _in_currency(scope, row)
    resource = row_resource(row)
    if resource is not None:
        return Target(scope, label, (CostFilter(dimension="resource", values=(resource,)),), resource)
    return Target(scope, label, row_filters(row))
