"""Running the optimization rules and storing what they found, inside the caller's write.

`write_local_optimizations(con)` is called at the end of every write that changes costs or
inventory (the cost load before COMMIT, the refresh's commit), so a reader never sees new costs
without the recommendations computed from them. It replaces one dataset, `optimizations:computed:rules`,
with provenance (source_kind COMPUTED, or DEMO over the DEMO's data: computed here, from which tables,
through which day); AWS's
own recommendations live in their own datasets and are never touched. A recommendation found
again keeps its first `detected_at`, so its age means something.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pyarrow as pa

from finops_tui.analysis.optimization_rules import RULES
from finops_tui.analysis.optimizations import describe, recommend, worth_it
from finops_tui.cache import dataset_ids, dataset_writes, rule_facts
from finops_tui.cache.schema import OPTIMIZATIONS
from finops_tui.config import RuleThresholds
from finops_tui.errors import ConfigError

DATASET_ID = dataset_ids.dataset_id("optimizations", "computed", "rules")
SOURCE_KIND = "COMPUTED"


def configured_thresholds() -> RuleThresholds:
    """The `[rules]` thresholds of the user's config; the defaults when the file cannot be read (the
    CLI has already refused a bad file, and a cost load must not fail over a threshold)."""
    from finops_tui.config import load_settings

    try:
        return load_settings().rules
    except ConfigError:
        return RuleThresholds()


def evaluate(con: duckdb.DuckDBPyConnection, thresholds: RuleThresholds, now: datetime) -> pa.Table:
    """Every rule over the cache as it is on `con` (inside the caller's transaction); nothing is written."""
    rule_facts.prepare(con)
    rows = []
    seen: set[str] = set()
    for rule in RULES:
        description = describe(rule, thresholds)
        for fact in rule_facts.gather(con, rule.facts, thresholds):
            if not worth_it(rule, fact, thresholds):
                continue
            row = recommend(rule, fact, thresholds, now, description)
            if row["optimization_id"] not in seen:
                seen.add(row["optimization_id"])
                rows.append(row)
    rule_facts.finish(con)
    return pa.Table.from_pylist(rows, schema=OPTIMIZATIONS.row_schema)


def write_local_optimizations(
    con: duckdb.DuckDBPyConnection, thresholds: RuleThresholds | None = None, now: datetime | None = None
) -> int:
    """Evaluate every rule and replace the computed recommendations; returns how many there are."""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    table = evaluate(con, thresholds or configured_thresholds(), now)
    first_seen = dict(
        con.execute(
            "SELECT optimization_id, detected_at FROM optimizations WHERE x_dataset_id = ?", [DATASET_ID]
        ).fetchall()
    )
    if first_seen:
        detected = [first_seen.get(i, now) for i in table.column("optimization_id").to_pylist()]
        index = table.schema.get_field_index("detected_at")
        table = table.set_column(index, "detected_at", pa.array(detected, table.schema.field("detected_at").type))
    through = con.execute("SELECT max(ChargeDate) FROM cost_daily").fetchall()[0][0]
    inventory = con.execute("SELECT count(*) FROM resources").fetchall()[0][0]
    # Computed from the DEMO's generated data, they are DEMO figures too, and labelled so.
    demo = con.execute(
        "SELECT coalesce(bool_and(source_kind = 'DEMO'), false) FROM datasets WHERE kind IN ('costs', 'resources')"
    ).fetchall()[0][0]
    of = "DEMO " if demo else ""
    return dataset_writes.replace_dataset(
        con,
        "optimizations",
        DATASET_ID,
        table,
        source_kind="DEMO" if demo else SOURCE_KIND,
        source=f"finops-tui rules over {inventory:,} {of}inventory resources and {of}cost rows through "
        f"{through or 'no date'}",
        data_through=datetime.combine(through, datetime.min.time()) if through else None,
    )
