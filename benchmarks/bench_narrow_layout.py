"""What a narrow file's INSERT costs with the cache's physical layout, and what it would cost without
the absent columns: the evidence for the schema change proposed in issue 11.

    .venv/bin/python benchmarks/bench_narrow_layout.py [--rows 10000000] [--repeat 3]

Uses the `focus-narrow` file of bench_ingest.py (the 21 FOCUS 1.0 mandatory columns), generated if
missing. Each variant runs in a fresh DuckDB file in benchmarks/out/ with ingest's settings (1 GB
memory limit, no insertion order), alternating, and is timed with its CHECKPOINT:

- `baseline`: `CREATE TABLE t AS SELECT * FROM read_parquet(file)`;
- `costs`: staging's SELECT for the file (the FOCUS mapping, strict casts, slice id, provenance)
  appended to `costs` as ingest does, so the 36 absent FOCUS columns and x_Extensions are written
  as NULL on every row;
- `layout`: the same SELECT's present columns plus x_DatasetId, x_SourceKind, x_SourceFile and
  x_FocusVersion appended to a table that has only those (what a `costs` view over per-layout
  tables would store);
- `layout-lean`: as `layout` without the three per-file constants (kept once per file elsewhere).

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

from finops_tui.cache import migrations  # noqa: E402
from finops_tui.cache.schema import COST_COLUMNS  # noqa: E402
from finops_tui.sources import staging  # noqa: E402
from finops_tui.sources.billing_files import sniff  # noqa: E402

PER_FILE = ("x_SourceKind", "x_SourceFile", "x_FocusVersion")


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def variants(source: Path) -> dict[str, Callable[[duckdb.DuckDBPyConnection], None]]:
    file = sniff(source)
    with duckdb.connect() as con:
        cols = staging.describe(con, file)
        fmt = staging.choose_format(file, cols, None)
    select, _, missing = staging._select_sql(file, fmt, cols, "FILE", fmt.version(cols), str(source))
    present = [c for c in COST_COLUMNS if c not in missing and c != "x_Extensions"]

    def into_layout(columns: list[str]) -> Callable[[duckdb.DuckDBPyConnection], None]:
        def run(con: duckdb.DuckDBPyConnection) -> None:
            con.execute("CREATE TABLE cost_rows (" + ", ".join(f'"{c}" {COST_COLUMNS[c]}' for c in columns) + ")")
            names = ", ".join(f'"{c}"' for c in columns)
            con.execute("BEGIN")
            con.execute(f"INSERT INTO cost_rows BY NAME SELECT {names} FROM ({select})")
            con.execute("COMMIT")

        return run

    def into_costs(con: duckdb.DuckDBPyConnection) -> None:
        migrations.migrate(con, "bench")
        con.execute("BEGIN")
        con.execute(f"INSERT INTO costs BY NAME SELECT * FROM ({select})")
        con.execute("COMMIT")

    def plain_copy(con: duckdb.DuckDBPyConnection) -> None:
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{source}')")

    return {
        "baseline": plain_copy,
        "costs": into_costs,
        "layout": into_layout(present),
        "layout-lean": into_layout([c for c in present if c not in PER_FILE]),
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
