"""`finops-tui doctor`: what is installed, where things are, how fresh the data is, which credentials exist.

It never prints a secret (only whether one is present and where it comes from) and makes no
network call: the AWS credential chain is resolved with instance metadata disabled.
"""

from __future__ import annotations

import os
import platform
from configparser import RawConfigParser
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from finops_tui import __version__, locations
from finops_tui.cache import files
from finops_tui.cache.local_reader import LocalCache
from finops_tui.config import Settings
from finops_tui.contract.scope import ViewScope
from finops_tui.errors import FinopsError
from finops_tui.money import format_age, format_money

_PACKAGES = ("duckdb", "pyarrow", "textual", "textual-fastdatatable", "boto3", "httpx", "pydantic", "keyring")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _exists(path: Path) -> str:
    return f"{path} ({'exists' if path.exists() else 'absent'})"


def _cache_section(path: Path, now: datetime) -> list[str]:
    if not path.exists():
        return [f"  {path}: absent (run `finops-tui ingest FILE`, or the cockpit opens the DEMO)"]
    lines = [f"  file: {path} ({path.stat().st_size / 1e6:,.1f} MB)"]
    try:
        lines.append(f"  schema version: v{files.schema_version(path)}")
        reader = LocalCache(path)
    except FinopsError as exc:
        return lines + [f"  PROBLEM: {exc}"]
    try:
        overview = reader.overview()
        info = overview.source
        lines.append(f"  source: {info.kind}{' — ' + info.note if info.note else ''}")
        datasets = overview.datasets
        lines.append(f"  datasets: {len(datasets)}")
        for d in datasets:
            through = d.data_through.strftime("%Y-%m-%d") if d.data_through else "—"
            lines.append(
                f"    {d.dataset_id}: {d.row_count:,} rows, {d.origin}, data to {through}, "
                f"loaded {format_age(d.loaded_at, now)} ago"
            )
        refreshed = overview.refresh
        if refreshed is not None:
            spend = "".join(f"; {s.describe()}" for s in refreshed.spend)
            lines.append(
                f"  latest live refresh: {refreshed.source}, {format_age(refreshed.finished_at, now)} ago, "
                f"{refreshed.status}{spend}"
            )
            lines += [f"    problem: {problem}" for problem in refreshed.failures]
        lines += _forecast_section(reader, [c.currency for c in overview.currencies])
    finally:
        reader.close()
    return lines


def _forecast_section(reader: LocalCache, currencies: list[str | None]) -> list[str]:
    """How the forecast model did on the cache's own last three closed months, per currency (top 3 by spend)."""
    lines = ["  forecast back-test (the model on the 15th with data through the 14th, vs the month's actual):"]
    for currency in currencies[:3]:
        months = reader.forecast_backtest(ViewScope(currency=currency))
        if not months:
            lines.append(f"    {currency or '(no currency)'}: no closed month with 4 weeks of history before it")
            continue
        errors = [abs(m.error_pct) for m in months if m.error_pct is not None]
        mape = f"MAPE {sum(errors) / len(errors):.1f}%" if errors else "MAPE n/a"
        each = ", ".join(
            f"{m.month:%Y-%m} {m.error_pct:+.1f}% ({format_money(m.forecast - m.actual, currency, cents=False)})"
            if m.error_pct is not None
            else f"{m.month:%Y-%m} n/a (no spend)"
            for m in months
        )
        lines.append(f"    {currency or '(no currency)'}: {mape}: {each}")
    return lines


def _aws_section() -> list[str]:
    lines = []
    env = [
        k
        for k in (
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_PROFILE",
            "AWS_DEFAULT_REGION",
            "AWS_REGION",
        )
        if os.environ.get(k)
    ]
    lines.append(f"  environment: {', '.join(env) if env else 'no AWS_* variables set'}")
    from botocore.exceptions import ConfigParseError

    from finops_tui.sources.aws.clients import config_file_error, ini_file_problem, shared_files

    for label, path in shared_files():
        if not path.exists():
            lines.append(f"  {label} file: {path} (absent)")
            continue
        problem = ini_file_problem(path)  # 'line N: why', never the line: it may hold a secret
        if problem:
            lines.append(f"  {label} file: {path} (PROBLEM: malformed, {problem}; boto3 cannot use it)")
            continue
        parser = RawConfigParser()
        parser.read(path, encoding="utf-8")
        names = [s.removeprefix("profile ") for s in parser.sections()]
        lines.append(f"  {label} file: {path} (profiles: {', '.join(names) or 'none'})")
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")  # doctor makes no network calls
    try:
        import boto3

        creds = boto3.Session().get_credentials()
        lines.append(f"  boto3 chain: {'credentials found via ' + creds.method if creds else 'no credentials found'}")
    except ConfigParseError as exc:
        lines.append(f"  boto3 chain: PROBLEM: {config_file_error(exc)}")
    except Exception as exc:  # the chain's own message: names a profile or a provider, never a key
        lines.append(f"  boto3 chain: error resolving credentials: {exc}")
    return lines


def _token_section() -> list[str]:
    present = "set" if os.environ.get("FINOPS_TUI_API_TOKEN") else "not set"
    try:
        import keyring

        backend = type(keyring.get_keyring()).__name__
        usable = "usable" if "fail" not in backend.lower() else "none available (headless box)"
        keyring_line = f"  keyring backend: {backend} ({usable})"
    except Exception as exc:
        keyring_line = f"  keyring: unavailable ({exc})"
    return [f"  FINOPS_TUI_API_TOKEN: {present}", keyring_line]


def report(settings: Settings, demo: bool = False) -> str:
    now = datetime.now(UTC).replace(tzinfo=None)
    cache = locations.demo_cache_file() if demo else settings.cache_file()
    lines = [
        f"finops-tui {__version__} on Python {platform.python_version()} ({platform.system()} {platform.machine()})",
        "versions:",
        *[f"  {name}: {_version(name)}" for name in _PACKAGES],
        "paths:",
        f"  config: {_exists(locations.config_file())}",
        f"  data dir: {locations.data_dir()}",
        f"  log file: {locations.log_file()}",
        f"  themes dir: {_exists(locations.user_themes_dir())}",
        "cache:",
        *_cache_section(cache, now),
        "AWS credentials (presence only, no secrets):",
        *_aws_section(),
        "backend token:",
        *_token_section(),
    ]
    return "\n".join(lines) + "\n"
