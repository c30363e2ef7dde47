"""`ingest --backend-url` and `refresh --backend-url`: collect locally, then push to a finops-tui server.

Ingest parses into a private temporary cache that is deleted afterwards. Refresh keeps a private
collector cache per backend URL (in the data dir), so Cost Explorer's incremental fetch still avoids
paying twice for settled months; only the datasets this run wrote are pushed.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import ssl
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from finops_tui import locations
from finops_tui.cache import files
from finops_tui.config import Settings
from finops_tui.errors import ConfigError

if TYPE_CHECKING:
    from finops_tui.sources.push_client import Pushed


def _client() -> ModuleType:
    try:
        from finops_tui.sources import push_client
    except ImportError as exc:
        raise ConfigError(
            f"--backend-url needs the remote extra ({exc.name} is missing): pip install 'finops-tui[remote]'."
        ) from None
    return push_client


def _verify(args: argparse.Namespace) -> bool | ssl.SSLContext:
    """TLS verification stays on; --ca-bundle adds a private CA instead of turning it off."""
    if not getattr(args, "ca_bundle", None):
        return True
    bundle = Path(args.ca_bundle).expanduser()
    if not bundle.is_file():
        raise ConfigError(f"--ca-bundle {bundle}: no such file. Give the PEM file of the CA that signed the server.")
    return ssl.create_default_context(cafile=str(bundle))


def _print(done: Pushed) -> None:
    print(f"  pushed {done.kind} {done.dataset_id}: {done.rows:,} rows", flush=True)


def ingest_and_push(args: argparse.Namespace, settings: Settings) -> int:
    from finops_tui.sources.ingest import ingest_paths

    client = _client()
    token = client.collector_token(args.backend_url)
    folder = Path(tempfile.mkdtemp(prefix="push-", dir=files.private_temp_dir()))
    try:
        cache = folder / "push.duckdb"
        report = ingest_paths(args.paths, cache, memory_limit=settings.duckdb_memory_limit, format_name=args.format)
        print(f"Parsed {report.summary.rows:,} rows from {len(report.files)} file(s); pushing to {args.backend_url}")
        for warning in report.warnings:
            print(f"  warning: {warning}")
        sent = client.push_cache(cache, args.backend_url, token, verify=_verify(args), progress=_print)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"Pushed {len(sent)} dataset(s), {sum(d.rows for d in sent):,} rows, to {args.backend_url}")
    return 0


def collector_cache(backend_url: str) -> Path:
    name = hashlib.sha256(backend_url.rstrip("/").encode()).hexdigest()[:16]
    return locations.data_dir() / "collector" / f"{name}.duckdb"


def refresh_and_push(args: argparse.Namespace, settings: Settings) -> int:
    from finops_tui.sources.aws import refresh_command

    client = _client()
    token = client.collector_token(args.backend_url)
    cache = collector_cache(args.backend_url)
    locations.make_private_dir(cache.parent)
    started = datetime.now(UTC).replace(tzinfo=None)
    code = refresh_command.main(args, cache, settings.duckdb_memory_limit)
    if args.dry_run:
        return code
    sent = client.push_cache(cache, args.backend_url, token, since=started, verify=_verify(args), progress=_print)
    print(f"Pushed {len(sent)} dataset(s), {sum(d.rows for d in sent):,} rows, to {args.backend_url}", file=sys.stderr)
    return code
