"""The `finops-tui` command: the cockpit by default, and headless subcommands for cron and scripts.

Headless paths never import Textual (a test and an import-linter contract enforce it); the TUI
is imported only when it is about to run. Expected errors print one line of advice and exit
1 (runtime) or 2 (usage/config), never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from finops_tui import __version__
from finops_tui.errors import Cancelled, FinopsError

if TYPE_CHECKING:
    from finops_tui.config import Settings
    from finops_tui.contract.reader import CostReader
    from finops_tui.contract.refresh import Refresher


def _common(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """--cache and --demo, before or after the command. A subcommand's copies default to SUPPRESS, so
    `finops-tui --cache X doctor` keeps X instead of the subparser resetting it to None."""
    cache_default = None if top else argparse.SUPPRESS
    demo_default = False if top else argparse.SUPPRESS
    parser.add_argument(
        "--cache",
        metavar="FILE",
        default=cache_default,
        help="cache file (default: $FINOPS_TUI_CACHE or the data dir)",
    )
    parser.add_argument("--demo", action="store_true", default=demo_default, help="use the generated DEMO cache")


def add_backend_option(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """--backend URL and --ca-bundle FILE: read from a `finops-tui serve` backend instead of a cache file.

    One line per command that only reads (`add_backend_option(sub)`); `reader_opening.open_cost_reader`
    then builds the right reader. Subcommand copies default to SUPPRESS, as `_common` explains.
    """
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--backend",
        metavar="URL",
        default=default,
        help="read from a `finops-tui serve` backend (token: `finops-tui login URL` or $FINOPS_TUI_TOKEN)",
    )
    parser.add_argument(
        "--ca-bundle", metavar="FILE", default=default, help="trust this CA's certificate for --backend (private CA)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="finops-tui",
        description="Terminal cockpit for cloud cost (FinOps) operations. With no command, opens the cockpit.",
    )
    parser.add_argument("--version", action="version", version=f"finops-tui {__version__}")
    _common(parser, top=True)
    add_backend_option(parser, top=True)
    parser.add_argument("--snapshot", metavar="FILE", help="open any cache file read-only for offline review")
    parser.add_argument("--theme", metavar="NAME", help="colour theme (built-in or a file in the themes dir)")
    parser.add_argument(
        "--profile",
        action="append",
        metavar="P",
        help="AWS profile that `r` refreshes from (repeatable; default: the boto3 credential chain)",
    )
    parser.add_argument("--regions", metavar="R,...", help="regions `r` inventories (default: every enabled region)")
    parser.add_argument(
        "--budgets", metavar="FILE", help="budgets file (TOML; default: budgets.toml in the config dir)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    ingest = sub.add_parser(
        "ingest",
        help="load billing exports (FOCUS, AWS CUR/CUR 2.0, Azure, GCP, OCI) into the cache",
        description="Load billing export files into the cache. PATH may be a file, a directory (recursive), "
        "a glob, a .gz or .zip file, or s3://bucket/prefix. The format is detected from the "
        "columns; a billing period loaded again replaces the earlier load.",
    )
    _common(ingest)
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="files, directories, globs or s3:// prefixes")
    ingest.add_argument("--format", metavar="NAME", help="skip detection: focus, aws-cur, aws-cur2, azure, gcp, oci")
    ingest.add_argument(
        "--check", action="store_true", help="validate the files and report problems without loading anything"
    )

    query = sub.add_parser("query", help="run read-only SQL over the cache")
    _common(query)
    add_backend_option(query)
    query.add_argument("sql", metavar="SQL")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.add_argument("--limit", type=int, default=None, help="at most this many rows")
    query.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop the query after this long (default: query_timeout_seconds in the config, 300; 0: never)",
    )
    query.add_argument(
        "--no-csv-guard",
        action="store_true",
        help="CSV: write text cells that start with = + - @ as they are (default: prefix ' so spreadsheets "
        "do not run them as formulas)",
    )

    snapshot = sub.add_parser("snapshot", help="write a consistent copy of the cache for offline review")
    _common(snapshot)
    snapshot.add_argument("output", metavar="OUT", help="path of the snapshot file to write")

    refresh = sub.add_parser(
        "refresh",
        help="collect live AWS data (Cost Explorer, Budgets, inventory, CloudWatch) into the cache",
        description="Collect live AWS data into the cache with the boto3 credential chain. Cost Explorer is "
        "fetched incrementally ($0.01 per request page): settled months are never fetched again, and a "
        "repeat refresh within 6 hours makes no Cost Explorer request.",
    )
    _common(refresh)
    refresh.add_argument("--profile", action="append", metavar="P", help="AWS profile (repeatable: several accounts)")
    refresh.add_argument("--role-arn", metavar="ARN", help="assume this role with each profile's credentials")
    refresh.add_argument("--regions", metavar="R,...", help="regions to inventory (default: every enabled region)")
    refresh.add_argument(
        "--services",
        metavar="S,...",
        help="inventory services: ec2,ebs,snapshots,eip,rds,lambda,elb,nat,s3 (default: all)",
    )
    refresh.add_argument(
        "--no-ce-analyses",
        action="store_true",
        help="skip Cost Explorer's forecast, anomalies and rightsizing ($0.01 per request each)",
    )
    refresh.add_argument(
        "--dry-run",
        action="store_true",
        help="print the planned calls and the Cost Explorer charge; call nothing that costs money",
    )
    refresh.add_argument("--continuous", action="store_true", help="refresh again every --interval seconds")
    refresh.add_argument("--interval", type=int, default=3600, metavar="SECONDS")
    refresh.add_argument("--progress-json", action="store_true", help=argparse.SUPPRESS)  # for the cockpit

    anomalies = sub.add_parser(
        "anomalies",
        help="list cost anomalies (computed here and from AWS) with their root cause",
        description="List cost anomalies: those finops-tui detects in the cache's daily costs (after every "
        "ingest and refresh) and those AWS Cost Anomaly Detection reported. Muted ones are left out unless "
        "--all. JSON is an array of objects named as the cache's columns; [] when there is nothing.",
    )
    _common(anomalies)
    anomalies.add_argument("--format", choices=("table", "csv", "json"), default="table")
    add_backend_option(anomalies)
    anomalies.add_argument("--all", action="store_true", help="include anomalies of muted series")
    anomalies.add_argument(
        "--detect", action="store_true", help="run detection again first (e.g. after changing anomaly_* settings)"
    )

    doctor = sub.add_parser("doctor", help="versions, paths, cache state, dataset ages and credentials")
    _common(doctor)
    doctor.add_argument(
        "--test-connection",
        action="store_true",
        help="check each credential (STS) and each API permission the refresh needs",
    )
    doctor.add_argument("--profile", action="append", metavar="P", help="AWS profile to test (repeatable)")
    doctor.add_argument("--include-paid", action="store_true", help="also probe Cost Explorer ($0.01)")

    login = sub.add_parser(
        "login",
        help="check a backend token and store it (system keyring, else a 0600 file)",
        description="Ask for the token of a `finops-tui serve` backend (input hidden), check it against the "
        "backend, and store it in the system keyring, or in a 0600 file when there is no keyring. "
        "$FINOPS_TUI_TOKEN, when set, overrides the stored token.",
    )
    login.add_argument("url", metavar="URL", help="the backend, e.g. https://finops.example.com:8080")
    login.add_argument("--token-stdin", action="store_true", help="read the token from stdin (scripts)")
    login.add_argument("--ca-bundle", metavar="FILE", help="trust this CA's certificate (private CA)")
    logout = sub.add_parser("logout", help="forget the stored token of a backend")
    logout.add_argument("url", metavar="URL")

    budgets = sub.add_parser(
        "budgets",
        help="every budget (AWS Budgets and the budgets file): actual, forecast, burn rate, breach date, status",
        description="The Budgets tab, headless: budgets from AWS Budgets (in the cache) and from the budgets file, "
        "each judged in its own currency over its current period. JSON is an array of objects; [] when none.",
    )
    _common(budgets)
    add_backend_option(budgets)
    budgets.add_argument("--budgets", metavar="FILE", default=argparse.SUPPRESS, help="budgets file (TOML)")
    budgets.add_argument("--format", choices=("table", "csv", "json"), default="table")
    optimizations = sub.add_parser(
        "optimizations",
        help="savings recommendations: finops-tui's own rules (computed) and AWS's (aws)",
        description="List the savings recommendations in the cache, largest monthly saving first: those "
        "finops-tui's rules computed from inventory, utilisation and billing rows (origin computed, with the "
        "evidence and the AWS CLI command that would act on it; nothing is ever run) and AWS's own rightsizing "
        "(origin aws). The rules run after every ingest and refresh; --evaluate runs them now.",
    )
    _common(optimizations)
    optimizations.add_argument("--format", choices=("table", "csv", "json"), default="table")
    add_backend_option(optimizations)
    optimizations.add_argument(
        "--evaluate", action="store_true", help="run the rules now (thresholds: [rules] in the config file)"
    )
    _add_remote_commands(sub, ingest, refresh)
    return parser


def _add_remote_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    ingest: argparse.ArgumentParser,
    refresh: argparse.ArgumentParser,
) -> None:
    """`serve`, `token`, and `--backend-url` for the collectors (push to a server instead of a local cache)."""
    from finops_tui.auth import token_command
    from finops_tui.server import serve_command

    _common(serve_command.add_parser(sub))
    token_command.add_parser(sub)
    for collector in (ingest, refresh):
        collector.add_argument(
            "--backend-url",
            metavar="URL",
            help="push the results to a finops-tui server (collector token in $FINOPS_TUI_TOKEN) "
            "instead of writing the local cache",
        )
        collector.add_argument("--ca-bundle", metavar="FILE", help="with --backend-url: CA certificates to trust")


def main(argv: list[str] | None = None) -> int:
    # No pydantic plugins: finding them scans every installed package's metadata (~15 ms of each start,
    # before the cockpit's first KPI). PYDANTIC_DISABLE_PLUGINS= (empty) in the environment allows them.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    args = build_parser().parse_args(argv)
    try:
        if args.command is None:  # the cockpit reads its settings behind its first frame
            return _run_tui(args)
        from finops_tui.config import check_row_limit
        from finops_tui.logs import configure_logging

        if getattr(args, "limit", None) is not None:  # refused here, before DuckDB sees a LIMIT it cannot hold
            check_row_limit("--limit", args.limit)
        settings = _settings(args)
        configure_logging(settings.log_level)
        from finops_tui import commands

        handler = {
            "ingest": commands.ingest,
            "query": commands.query,
            "snapshot": commands.snapshot,
            "doctor": commands.doctor,
            "refresh": commands.refresh,
            "login": commands.login,
            "logout": commands.logout,
            "serve": commands.serve,
            "token": commands.token,
            "budgets": commands.budgets,
            "optimizations": commands.optimizations,
            "anomalies": commands.anomalies,
        }[args.command]
        return handler(args, settings)
    except Cancelled as exc:  # Ctrl-C is not an error; the message says what was left as it was
        print(f"finops-tui: {exc}", file=sys.stderr)
        return exc.exit_code
    except FinopsError as exc:
        print(f"finops-tui: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("finops-tui: cancelled (Ctrl-C)", file=sys.stderr)
        return 130


def _settings(args: argparse.Namespace) -> Settings:
    from finops_tui.config import load_settings

    return load_settings(cache=getattr(args, "cache", None), theme=getattr(args, "theme", None))


def _run_tui(args: argparse.Namespace) -> int:
    """The cockpit: its shell paints first, then the settings are read and the source opens behind it.

    Before the first frame only Textual and the two settings the shell needs (theme, cache path: read,
    not validated) are loaded; pydantic, DuckDB, pyarrow and the tabs come after it, in FinopsApp's
    `opener` thread. The source is chosen (and the options checked) before the terminal is taken, so a
    wrong path reads as any command's error; an error after that (a bad setting, a file that cannot be
    opened) ends the app and is reported here the same way."""
    from finops_tui import locations
    from finops_tui.settings_layers import DEFAULT_THEME, raw_settings
    from finops_tui.source_choice import choose_source

    given = raw_settings({"cache": getattr(args, "cache", None), "theme": getattr(args, "theme", None)})
    cache, theme = given["cache"], given["theme"]
    cache_file = Path(cache).expanduser() if isinstance(cache, str) and cache.strip() else None
    choice = choose_source(args, cache_file or locations.default_cache_file(), for_tui=True)
    if choice.kind == "demo":
        _build_demo_before_the_terminal_is_taken()
    from finops_tui.app.main_app import FinopsApp, Opener  # imported late: the headless core never loads Textual

    opened: list[CostReader] = []

    def open_source() -> tuple[Settings, CostReader, Refresher | None]:
        from finops_tui.logs import configure_logging
        from finops_tui.reader_opening import open_cockpit

        settings = _settings(args)
        configure_logging(settings.log_level)
        reader, refresher = open_cockpit(args, settings)
        opened.append(reader)
        return settings, reader, refresher

    shell_theme = theme if isinstance(theme, str) else DEFAULT_THEME
    app = FinopsApp(None, None, opener=Opener(choice.describe(), shell_theme, open_source))
    try:
        app.run()
    finally:
        for reader in opened:
            reader.close()
    if app.open_error is not None:
        raise app.open_error
    return 0


def _build_demo_before_the_terminal_is_taken() -> None:
    """The first run builds the DEMO cache (seconds), saying so on stderr: that cannot print under Textual."""
    from finops_tui import locations

    if not locations.demo_cache_file().exists():
        from finops_tui.reader_opening import demo_cache

        demo_cache()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
