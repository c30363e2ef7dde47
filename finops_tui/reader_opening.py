"""How each command gets its reader: the cache, a snapshot, the DEMO or a backend, and the cockpit's.

Kept apart from the commands themselves so the cockpit's opener thread (cli._run_tui) imports only
what opening a cache needs before its first queries start; the commands' writers, printers and
the rest load later or never (benchmarks/compare_harlequin.py).
"""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa

from finops_tui import locations
from finops_tui.analysis.budget_book import BudgetBook, last_good_file
from finops_tui.analysis.budget_demo import write_demo_budgets
from finops_tui.cache import files, migrations
from finops_tui.cache.local_reader import LocalCache
from finops_tui.cache.warm_start import WarmStartCache
from finops_tui.config import Settings
from finops_tui.errors import ConfigError
from finops_tui.source_choice import check_backend_options, choose_source

if TYPE_CHECKING:
    from finops_tui.contract.reader import CostReader
    from finops_tui.contract.refresh import Refresher
    from finops_tui.remote.rest_reader import RestReader


def budget_book(args: argparse.Namespace, settings: Settings, *, demo: bool = False) -> BudgetBook | None:
    """The budgets file to show beside the cache's budgets: `--budgets FILE`, else the DEMO's example on the
    DEMO, else the configured one (none on a snapshot: someone else's cache, not your budgets)."""
    explicit = getattr(args, "budgets", None)
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(f"No budgets file at {path}. Check the path (--budgets FILE).")
        return BudgetBook(path, keep=last_good_file())
    if demo:
        return BudgetBook(write_demo_budgets(locations.demo_budgets_file()), origin="DEMO file")
    if getattr(args, "snapshot", None):
        return None
    return BudgetBook(settings.budgets_path(), keep=last_good_file())


def open_reader(
    args: argparse.Namespace, settings: Settings, for_tui: bool = False, reader_class: type[LocalCache] = LocalCache
) -> LocalCache:
    """The reader the user asked for; with nothing asked for and no cache yet, the DEMO (TUI only)."""
    choice = choose_source(args, settings.cache_file(), for_tui=for_tui)
    limit = settings.duckdb_memory_limit
    if choice.kind == "snapshot":
        return reader_class(choice.path, snapshot=True, memory_limit=limit, budgets=budget_book(args, settings))
    if choice.kind == "demo":
        book = budget_book(args, settings, demo=True)
        return reader_class(demo_cache(), memory_limit=limit, note=choice.note, budgets=book)
    if choice.kind == "backend":
        raise ConfigError("--backend is read with open_backend_reader, not as a cache file.")
    return _current_cache(reader_class(choice.path, memory_limit=limit, budgets=budget_book(args, settings)), limit)


def _current_cache(reader: LocalCache, memory_limit: str) -> LocalCache:
    """The reader, on a file of the current schema: an older one is upgraded (copy and swap) and reopened.

    The version is read on the reader's own connection, so a current file (the usual case) is opened
    once rather than once to check it and again to read it (~30 ms at 10M rows, before the first query)."""
    try:
        version = reader.schema_version()
        migrations.check_readable(version, reader.path)
        if version < migrations.LATEST_VERSION:
            reader.close()
            files.ensure_cache(reader.path, memory_limit)
            reader.reload()
    except BaseException:
        reader.close()
        raise
    return reader


def open_cockpit(args: argparse.Namespace, settings: Settings) -> tuple[CostReader, Refresher | None]:
    """The cockpit's reader (and the AWS refresher of a cache), opened behind its first frame (cli._run_tui).

    A cache's first overview and KPI view start at once, in a thread, while the tabs are built."""
    if getattr(args, "backend", None):  # client mode: the same tabs over a backend, never refreshed from here
        return open_backend_reader(args), None
    _use_system_arrow_pool()
    reader = open_reader(args, settings, for_tui=True, reader_class=WarmStartCache)
    assert isinstance(reader, WarmStartCache)
    reader.start_warming(settings.metric)
    if reader.source_info().kind != "CACHE":  # a DEMO or a snapshot is never refreshed from AWS
        return reader, None
    from finops_tui.sources.aws.tui_refresher import AwsRefresher

    regions = [r.strip() for r in args.regions.split(",") if r.strip()] if args.regions else None
    return reader, AwsRefresher(reader.path, args.profile, regions)


def _use_system_arrow_pool() -> None:
    """The cockpit's Arrow tables are small (top lists, a page of rows): the system allocator returns
    their memory when they go, where pyarrow's default mimalloc pool kept ~4 MB for ever (idle RSS,
    benchmarks/compare_harlequin.py)."""
    pa.set_memory_pool(pa.system_memory_pool())


def open_backend_reader(args: argparse.Namespace, *, headless: bool = False) -> RestReader:
    """The REST reader for `--backend URL` (token from $FINOPS_TUI_TOKEN, the keyring or the 0600 file).

    Headless, a view answered from the last good data says so on stderr: a script must not take it as live.
    """
    check_backend_options(args)
    from finops_tui.remote import ensure_installed

    ensure_installed()
    from finops_tui.remote.rest_reader import RestReader

    ca_bundle = getattr(args, "ca_bundle", None)
    announce = partial(print, "finops-tui: note:", file=sys.stderr) if headless else None
    return RestReader.connect(args.backend, Path(ca_bundle) if ca_bundle else None, on_stale=announce)


def open_cost_reader(args: argparse.Namespace, settings: Settings) -> CostReader:
    """For a command that only reads through the contract: the backend with --backend, else the local cache."""
    if getattr(args, "backend", None):
        return open_backend_reader(args, headless=True)
    return open_reader(args, settings)


def demo_cache() -> Path:
    from finops_tui.sources.demo import ensure_demo_cache

    target = locations.demo_cache_file()
    if not target.exists():
        print(f"Building the DEMO cache at {target} (first run only)…", file=sys.stderr, flush=True)
    return ensure_demo_cache(target=target)
