"""What a narrow file's INSERT costs with each physical layout of the cache: the evidence for schema v7
(`costs` a view over one table per layout, issue 11).

    .venv/bin/python benchmarks/bench_narrow_layout.py [--rows 10000000] [--repeat 3]

Uses the `focus-narrow` file of bench_ingest.py (the 21 FOCUS 1.0 mandatory columns), generated if
missing. Each variant runs in a fresh DuckDB file in benchmarks/out/ with ingest's settings (1 GB
memory limit, no insertion order), alternating, and is timed with its CHECKPOINT:

- `baseline`: `CREATE TABLE t AS SELECT * FROM read_parquet(file)`;
- `wide`: staging's SELECT for the file (the FOCUS mapping, strict casts, slice id, provenance)
  appended to one table of every `costs` column, as schema v6 stored it: the 36 absent FOCUS
  columns and x_Extensions written as NULL, x_SourceKind and x_FocusVersion as text, on every row;
- `layout`: the same SELECT's present columns plus x_DatasetId, x_SourceKind, x_SourceFile and
  x_FocusVersion appended to a table that has only those;
- `ours`: what ingest does since v7, `CostLoad.append` into a migrated cache: the present columns
  plus x_DatasetId and x_SourceFile per row, x_SourceKind and x_FocusVersion kept once with the
  layout (cache/cost_layouts.py). No slices are replaced (a fresh cache has none), but the load's
  finish (rollups, provenance, analysis) is left out: this compares the appends only.

Wall and CPU seconds (user+sys of this process: steadier when other work shares the machine), their
medians, and each variant's ratio to the baseline.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import duckdb  # noqa: E402
from bench_ingest import OUT, generate  # noqa: E402

from finops_tui.cache import files, migrations  # noqa: E402
from finops_tui.cache.cost_load import CostLoad  # noqa: E402
from finops_tui.cache.schema import COST_COLUMNS  # noqa: E402
from finops_tui.sources import staging  # noqa: E402
from finops_tui.sources.billing_files import sniff  # noqa: E402


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def variants(source: Path) -> dict[str, Callable[[duckdb.DuckDBPyConnection], None]]:
    file = sniff(source)
    with duckdb.connect() as con:
        cols = staging.describe(con, file)
        fmt = staging.choose_format(file, cols, None).for_file(con, staging.reader_sql(file), cols)
    shared = staging.shared_values(fmt, fmt.version(cols), "FILE")
    select, _, _ = staging._select_sql(file, fmt, cols, str(source))
    constants = ", ".join(f"'{value}' AS {name}" for name, value in shared.items())
    with_shared = f"SELECT *, {constants} FROM ({select})"  # what v6 appended: the labels on every row
    with duckdb.connect() as con:
        present = [str(r[0]) for r in con.execute(f"DESCRIBE {with_shared}").fetchall()]

    def into(columns: list[str]) -> Callable[[duckdb.DuckDBPyConnection], None]:
        def run(con: duckdb.DuckDBPyConnection) -> None:
            con.execute("CREATE TABLE cost_rows (" + ", ".join(f'"{c}" {COST_COLUMNS[c]}' for c in columns) + ")")
            con.execute("BEGIN")
            con.execute(f"INSERT INTO cost_rows BY NAME {with_shared}")
            con.execute("COMMIT")

        return run

    def ours(con: duckdb.DuckDBPyConnection) -> None:
        migrations.migrate(con, "bench")
        con.execute("INSERT INTO meta VALUES (?, 'true')", [files.SCRATCH_MARK])  # a throwaway file: may `keep`
        with CostLoad(con, "FILE", finish="keep") as load:
            load.append(select, shared)

    def plain_copy(con: duckdb.DuckDBPyConnection) -> None:
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{source}')")

    return {
        "baseline": plain_copy,
        "wide": into(list(COST_COLUMNS)),
        "layout": into([c for c in COST_COLUMNS if c in present]),
        "ours": ours,
    }


def measure(run: Callable[[duckdb.DuckDBPyConnection], None]) -> tuple[float, float]:
    target = OUT / f"bench-layout-{os.getpid()}.duckdb"
    target.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(target)) as con:
            con.execute("SET memory_limit = '1GB'")
            con.execute("SET preserve_insertion_order = false")
            con.execute("SET TimeZone = 'UTC'")
            wall, spent = time.perf_counter(), cpu()
            run(con)
            con.execute("CHECKPOINT")
            return time.perf_counter() - wall, cpu() - spent
    finally:
        target.unlink(missing_ok=True)
        Path(str(target) + ".wal").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    source = generate("focus-narrow", args.rows, False)
    runs = variants(source)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in runs}
    for i in range(args.repeat):
        for name, run in runs.items():
            times[name].append(measure(run))
            wall, spent = times[name][-1]
            print(f"  run {i + 1} {name:12} {wall:7.2f} s  CPU {spent:7.2f} s", flush=True)
    base_wall = statistics.median(w for w, _ in times["baseline"])
    base_cpu = statistics.median(c for _, c in times["baseline"])
    print(f"\n{'variant':12} {'wall med':>9} {'CPU med':>9} {'ratio wall':>10} {'ratio CPU':>10}")
    for name, pairs in times.items():
        wall, spent = statistics.median(w for w, _ in pairs), statistics.median(c for _, c in pairs)
        print(f"{name:12} {wall:8.2f}s {spent:8.2f}s {base_wall / wall:9.2f}x {base_cpu / spent:9.2f}x")


if __name__ == "__main__":
    main()
