"""Side by side with Harlequin: first paint, useful data on screen, and idle memory, on one 10M-row file.

    .venv/bin/python benchmarks/compare_harlequin.py                 # 10M rows, 7 runs each
    .venv/bin/python benchmarks/compare_harlequin.py --runs 3        # quick check

Harlequin (the DuckDB terminal IDE, also built on Textual) is installed by this script in its own
venv, benchmarks/out/harlequin-venv (`pip install 'harlequin==2.*'`); when that cannot be done the
script says why and measures the cockpit alone. Both open the same cache file read-only: the cockpit
as `finops-tui --cache FILE`, Harlequin as `harlequin --read-only FILE` (when Harlequin's DuckDB
cannot read the file, a plain DuckDB copy of the same `costs` rows is made for it instead).

Each run starts the app in a fresh 120x40 tmux session (`exec`, so the pane's process is the app)
and polls `tmux capture-pane -p` every 10 ms from the moment before `tmux new-session`:

- first frame: the first capture with any visible character;
- data on screen: for the cockpit, the KPI cards with numbers ("KPIs ·" title and a money figure);
  for Harlequin, its data catalog showing the database ("<file stem> db");
- idle RSS: VmRSS of the app process (not tmux) after --idle seconds idle (5: DuckDB hands freed
  memory back within ~4 s).

The two apps alternate (ours, theirs, theirs, ours, ...) after one untimed warm-up run each, so both
see the same machine and a warm page cache. Printed: min and median of each, and the ratios of the
medians (targets: first paint <= 0.5x, KPI numbers <= 0.7x Harlequin's catalog, idle RSS <= 150 MB).
Each app gets a private HOME and XDG folders under benchmarks/out/, so no user config is read;
Harlequin's own catalog cache stays warm across runs, its best case. The figures also go to
benchmarks/out/compare-harlequin.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
VENV = OUT / "harlequin-venv"
HARLEQUIN_SPEC = "harlequin==2.*"
SIZE = (120, 40)
POLL_S = 0.01
TIMEOUT_S = 60.0
FIRST_PAINT_TARGET, DATA_TARGET, RSS_TARGET_MB = 0.5, 0.7, 150.0


@dataclass
class App:
    name: str
    command: list[str]
    ready: Callable[[str], bool]  # the screen shows the data the user opened the app for
    ready_label: str
    env: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    first_frame_s: float
    ready_s: float
    idle_rss_mb: float


def _capture(session: str) -> str:
    out = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True)
    return out.stdout if out.returncode == 0 else ""


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def _private_env(name: str) -> dict[str, str]:
    """A HOME and XDG folders of the app's own: no user configuration, the same every run."""
    home = OUT / f"compare-home-{name}"
    env = dict(os.environ, HOME=str(home))
    for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "cache"), ("XDG_DATA_HOME", "data")):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    env.pop("FINOPS_TUI_CACHE", None)
    return env


def run_once(app: App, idle_s: float) -> Run:
    session = f"perf-compare-{os.getpid()}"
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    env = _private_env(app.name)
    env.update(app.env)
    shell = " ".join(f"{k}={v!r}" for k, v in env.items() if k in ("HOME", *app.env) or k.startswith("XDG_"))
    command = f"{shell} exec " + " ".join(repr(part) for part in app.command)
    t0 = time.perf_counter()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-c", str(OUT), "-x", str(SIZE[0]), "-y", str(SIZE[1]), command],
        check=True,
    )
    pid = int(
        subprocess.run(
            ["tmux", "display", "-p", "-t", session, "#{pane_pid}"], capture_output=True, text=True
        ).stdout.strip()
    )
    first = ready = None
    screen = ""
    try:
        while ready is None:
            now = time.perf_counter() - t0
            if now > TIMEOUT_S:
                raise SystemExit(f"{app.name}: no {app.ready_label} after {TIMEOUT_S:.0f} s; the screen was:\n{screen}")
            screen = _capture(session)
            if first is None and screen.strip():
                first = now
            if first is not None and app.ready(screen):
                ready = now
                break
            time.sleep(POLL_S)
        time.sleep(idle_s)
        rss = _rss_mb(pid)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        _wait_gone(pid)
    assert first is not None
    return Run(first, ready, rss)


def _wait_gone(pid: int) -> None:
    """The next run must not share the machine (or the file) with this one."""
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.02)


# -- Harlequin: installed here or skipped ----------------------------------------------------------------
def harlequin_executable(spec: str) -> tuple[Path | None, str]:
    exe = VENV / "bin" / "harlequin"
    if exe.exists():
        return exe, "already installed"
    print(f"Installing {spec} into {VENV} (first run only)…", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, capture_output=True, text=True)
        subprocess.run(
            [str(VENV / "bin" / "pip"), "install", "-q", spec], check=True, capture_output=True, text=True, timeout=900
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", None) or str(exc)
        lines = [line for line in str(detail).splitlines() if line.strip() and not line.startswith("WARNING")]
        return None, lines[-1] if lines else str(exc)
    return (exe, "installed now") if exe.exists() else (None, "pip finished but no harlequin executable")


def harlequin_file(exe: Path, cache: Path) -> Path:
    """The cache itself when Harlequin's DuckDB reads it; else a plain DuckDB copy of the same rows."""
    python = exe.parent / "python"
    probe = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(con.execute('SELECT count(*) FROM costs').fetchall()[0][0])"
    )
    out = subprocess.run([str(python), "-c", probe, str(cache)], capture_output=True, text=True)
    if out.returncode == 0:
        return cache
    copy = OUT / "harlequin-copy" / "cache.duckdb"
    if not copy.exists():
        print(f"Harlequin's DuckDB cannot read {cache} ({out.stderr.strip().splitlines()[-1]}); copying its rows")
        import duckdb

        parquet = copy.with_suffix(".parquet")
        copy.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(cache), read_only=True) as con:
            con.execute(f"COPY (SELECT * FROM costs) TO '{parquet}' (FORMAT parquet)")
        load = (
            "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
            "con.execute(f\"CREATE TABLE costs AS FROM read_parquet('{sys.argv[2]}')\")"
        )
        subprocess.run([str(python), "-c", load, str(copy), str(parquet)], check=True)
        parquet.unlink()
    return copy


# -- the apps ---------------------------------------------------------------------------------------------
_MONEY = re.compile(r"\d\.\d\d")


def cockpit(cache: Path) -> App:
    exe = Path(sys.executable).with_name("finops-tui")
    return App(
        "finops-tui",
        [str(exe), "--cache", str(cache)],
        lambda screen: "KPIs ·" in screen and _MONEY.search(screen) is not None,
        "KPI numbers",
    )


def cockpit_from(tree: Path, cache: Path) -> App:
    """The cockpit from another checkout (e.g. main before a change), run with this venv's packages."""
    app = cockpit(cache)
    app.name, app.env = "finops-tui@before", {"PYTHONPATH": str(tree.resolve())}
    app.command = [sys.executable, "-m", "finops_tui.cli", "--cache", str(cache)]
    return app


def harlequin(exe: Path, file: Path) -> App:
    node = f"{file.stem} db"
    return App("harlequin", [str(exe), "--read-only", "--locale", "C", str(file)], lambda s: node in s, "data catalog")


# -- report ------------------------------------------------------------------------------------------------
def summary(runs: list[Run]) -> dict[str, float]:
    out: dict[str, float] = {}
    for measure in ("first_frame_s", "ready_s", "idle_rss_mb"):
        values = [getattr(r, measure) for r in runs]
        out[f"{measure}_min"] = round(min(values), 3)
        out[f"{measure}_median"] = round(statistics.median(values), 3)
    return out


def verdict(value: float, target: float) -> str:
    return f"{'pass' if value <= target else 'FAIL'} <= {target}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, help="cache file (default: bench_tabs.py's 10M-row cache)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each app (default 7)")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds idle after the data shows, before RSS (5)")
    parser.add_argument("--harlequin", type=Path, help="a harlequin executable to use instead of installing one")
    parser.add_argument(
        "--before",
        type=Path,
        metavar="TREE",
        help="also time the cockpit from this checkout (same schema version, or it upgrades the cache)",
    )
    parser.add_argument("--harlequin-spec", default=HARLEQUIN_SPEC, help=f"what pip installs ({HARLEQUIN_SPEC})")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is needed to measure what is on screen; install it (apt-get install tmux).")
    cache = args.cache
    if cache is None:
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from bench_tabs import build

        cache, _ = build(10_000_000, rebuild=False)
    cache = cache.resolve()

    apps = [cockpit(cache)]
    if args.before:
        apps.append(cockpit_from(args.before, cache))
    exe, how = (args.harlequin, "given") if args.harlequin else harlequin_executable(args.harlequin_spec)
    if exe is None:
        print(f"SKIPPING Harlequin: could not install {args.harlequin_spec} ({how}). Measuring the cockpit alone.")
    else:
        version = subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout.strip()
        file = harlequin_file(exe, cache)
        print(f"Harlequin: {version or exe} ({how}), opening {file}")
        apps.append(harlequin(exe, file))
    print(f"Cockpit: {apps[0].command[0]} --cache {cache}; {args.runs} runs each, alternating, after 1 warm-up")

    for app in apps:
        run_once(app, 0.0)  # warm-up: page cache, .pyc files, Harlequin's catalog cache
    results: dict[str, list[Run]] = {app.name: [] for app in apps}
    for i in range(args.runs):
        for app in apps if i % 2 == 0 else list(reversed(apps)):
            run = run_once(app, args.idle)
            results[app.name].append(run)
            print(
                f"  {app.name:16} first frame {run.first_frame_s:5.2f} s  {app.ready_label} {run.ready_s:5.2f} s  "
                f"idle RSS {run.idle_rss_mb:6.1f} MB",
                flush=True,
            )

    figures = {name: summary(runs) for name, runs in results.items()}
    print(f"\n{'':17} {'first frame min/median':>24} {'data on screen min/median':>27} {'idle RSS min/median':>22}")
    for name, f in figures.items():
        print(
            f"{name:17} {f['first_frame_s_min']:10.2f} / {f['first_frame_s_median']:5.2f} s "
            f"{f['ready_s_min']:13.2f} / {f['ready_s_median']:5.2f} s {f['idle_rss_mb_min']:10.1f} / "
            f"{f['idle_rss_mb_median']:5.1f} MB"
        )
    ours = figures["finops-tui"]
    report: dict[str, object] = {"cache": str(cache), "runs": args.runs, "idle_s": args.idle, "apps": figures}
    if "harlequin" in figures:
        theirs = figures["harlequin"]
        ratios = {
            "first_paint": round(ours["first_frame_s_median"] / theirs["first_frame_s_median"], 2),
            "kpis_vs_catalog": round(ours["ready_s_median"] / theirs["ready_s_median"], 2),
            "idle_rss": round(ours["idle_rss_mb_median"] / theirs["idle_rss_mb_median"], 2),
        }
        report["ratios_of_medians"] = ratios
        if "finops-tui@before" in figures:
            before = figures["finops-tui@before"]
            report["before_ratios_of_medians"] = {
                "first_paint": round(before["first_frame_s_median"] / theirs["first_frame_s_median"], 2),
                "kpis_vs_catalog": round(before["ready_s_median"] / theirs["ready_s_median"], 2),
            }
            print(f"before / Harlequin: {report['before_ratios_of_medians']}")
        print(
            f"\nratios (ours / Harlequin, medians): first paint {ratios['first_paint']:.2f}x "
            f"[{verdict(ratios['first_paint'], FIRST_PAINT_TARGET)}], KPI numbers vs catalog "
            f"{ratios['kpis_vs_catalog']:.2f}x [{verdict(ratios['kpis_vs_catalog'], DATA_TARGET)}], "
            f"idle RSS {ratios['idle_rss']:.2f}x"
        )
    rss = ours["idle_rss_mb_median"]
    print(f"cockpit idle RSS {rss:.1f} MB [{verdict(rss, RSS_TARGET_MB)}]")
    (OUT / "compare-harlequin.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
