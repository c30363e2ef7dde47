"""Which source a command reads (a backend, a snapshot, the DEMO or the cache), decided without opening it.

The cockpit paints its shell before DuckDB, pyarrow or the REST client are imported, and opens the
source behind that first frame (cli._run_tui). What can be refused without opening anything is
refused here, before the terminal is taken: a missing snapshot or explicit cache, options that do not
go together. So those errors read as any other command's, and `reader_opening.open_reader` gives the same
answers for the headless commands.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from finops_tui.errors import ConfigError

SourceKind = Literal["backend", "snapshot", "demo", "cache"]


@dataclass(frozen=True)
class SourceChoice:
    kind: SourceKind
    location: str  # the backend's URL or the file's path
    note: str | None = None  # why the DEMO is shown when the user has no cache yet

    @property
    def path(self) -> Path:
        return Path(self.location)

    def describe(self) -> str:
        """What the cockpit's shell says it is opening."""
        if self.kind == "demo":
            return "the DEMO cache (generated data)"
        return f"{self.kind} {self.location}"


def explicit_cache(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "cache", None) or os.environ.get("FINOPS_TUI_CACHE"))


def check_backend_options(args: argparse.Namespace) -> None:
    if getattr(args, "demo", False) or getattr(args, "cache", None) or getattr(args, "snapshot", None):
        raise ConfigError("--backend reads from the server's cache; drop --cache/--demo/--snapshot.")
    if getattr(args, "budgets", None):
        raise ConfigError("--backend shows the server's budgets (its budgets file); drop --budgets.")


def choose_source(args: argparse.Namespace, cache_file: Path, *, for_tui: bool = False) -> SourceChoice:
    """The source asked for; with nothing asked for and no cache yet at `cache_file` (the settings'), the
    DEMO (cockpit only). ConfigError for what cannot be opened."""
    if getattr(args, "backend", None):
        check_backend_options(args)
        return SourceChoice("backend", args.backend)
    if getattr(args, "snapshot", None):
        if for_tui and (args.demo or args.cache):
            raise ConfigError("--snapshot opens a file on its own; drop --demo/--cache.")
        path = Path(args.snapshot).expanduser()
        if not path.is_file():
            raise ConfigError(f"No snapshot file at {path}. Check the path.")
        return SourceChoice("snapshot", str(path))
    if getattr(args, "demo", False):
        return SourceChoice("demo", "DEMO")
    path = cache_file
    if path.exists():
        return SourceChoice("cache", str(path))
    if for_tui and not explicit_cache(args):
        note = f"No cache at {path} yet: showing DEMO data. Load real data with `finops-tui ingest FILE`."
        return SourceChoice("demo", "DEMO", note)
    raise ConfigError(
        f"No cache file at {path}. Create it with `finops-tui ingest --cache {path} FILE`, or use --demo."
    )
