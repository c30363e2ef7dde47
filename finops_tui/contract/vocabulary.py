"""The named choices every layer shares: cost metrics, dimensions, dataset kinds.

Each list is written here once; config validation, the cache schema, the cockpit's keys and
the REST API import it from here.
"""

from __future__ import annotations

from typing import Literal, get_args

Metric = Literal["EffectiveCost", "BilledCost", "ListCost", "ContractedCost"]
METRICS: tuple[Metric, ...] = get_args(Metric)
METRIC_CYCLE_HINT = "next cost metric: " + " → ".join(METRICS)

Dimension = Literal["service", "account", "region", "provider"]
DIMENSIONS: tuple[Dimension, ...] = get_args(Dimension)

# What a dataset holds; one row in the cache's `datasets` table names one of these.
DatasetKind = Literal["costs", "resources", "budgets", "budget_history", "anomalies", "optimizations", "cost_forecasts"]
DATASET_KINDS: tuple[DatasetKind, ...] = get_args(DatasetKind)
# The kinds the header lists, in the order it lists them (history and forecasts ride with their parents).
HEADER_KINDS: tuple[DatasetKind, ...] = ("costs", "resources", "budgets", "anomalies", "optimizations")

SourceKind = Literal["DEMO", "CACHE", "SNAPSHOT", "AWS", "REMOTE"]
# Where a dataset's rows came from: a billing file, a provider API, or the DEMO generator.
Origin = Literal["FILE", "API", "DEMO"]
