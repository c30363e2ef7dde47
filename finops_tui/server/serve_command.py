"""`finops-tui serve`: uvicorn over `create_app`, with TLS when given a certificate and key.

uvicorn's access log records method, path, query string and status, never headers, so tokens (sent
only as `Authorization: Bearer`) never reach a log line.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from finops_tui.auth.tokens import TokenStore
from finops_tui.errors import ConfigError

if TYPE_CHECKING:  # the CLI builds its parser from here: pydantic is not on the cockpit's start path
    from finops_tui.config import Settings


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    serve = sub.add_parser(
        "serve",
        help="serve the cache over HTTP(S) as a REST API (needs finops-tui[server])",
        description="Serve the cache as a REST API: tokens with roles (`finops-tui token create`), "
        "account-limited tokens, collector pushes. See docs/rest-api.md.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (default 8080; 0: any free port, logged)")
    serve.add_argument("--auth-db", metavar="FILE", help="token database (default: auth.sqlite3 in the data dir)")
    serve.add_argument("--ssl-certfile", metavar="FILE", help="TLS certificate (PEM); with --ssl-keyfile")
    serve.add_argument("--ssl-keyfile", metavar="FILE", help="TLS private key (PEM)")
    # Tests and the conformance run: answer as if it were this UTC time (views end at 'today').
    serve.add_argument("--now", metavar="ISO", help=argparse.SUPPRESS)
    return serve


def main(args: argparse.Namespace, settings: Settings, cache: Path) -> int:
    try:
        import uvicorn

        from finops_tui.reader_opening import budget_book
        from finops_tui.server.app import ServerConfig, create_app
    except ImportError as exc:
        missing = exc.name
        raise ConfigError(
            f"`serve` needs the server extra ({missing} is missing): pip install 'finops-tui[server]'."
        ) from None
    if bool(args.ssl_certfile) != bool(args.ssl_keyfile):
        raise ConfigError("Give both --ssl-certfile and --ssl-keyfile for TLS, or neither.")
    for flag in (args.ssl_certfile, args.ssl_keyfile):
        if flag and not Path(flag).expanduser().is_file():
            raise ConfigError(f"No file at {flag}. Check the path of the TLS certificate and key.")
    if not 0 <= args.port < 65536:
        raise ConfigError(f"--port {args.port}: give a port between 1 and 65535, or 0 for any free port.")
    try:
        now = datetime.fromisoformat(args.now) if args.now else None
    except ValueError:
        raise ConfigError(f"--now {args.now!r}: give an ISO time such as 2025-03-15T12:00:00.") from None
    config = ServerConfig(
        cache=cache,
        auth_db=Path(args.auth_db).expanduser() if args.auth_db else None,
        memory_limit=settings.duckdb_memory_limit,
        rate_per_second=settings.server_rate_per_second,
        rate_burst=settings.server_rate_burst,
        sql_timeout_seconds=settings.server_sql_timeout_seconds,
        sql_row_limit=settings.server_sql_row_limit,
        cache_seconds=settings.server_cache_seconds,
        now=now,
        budgets=budget_book(args, settings, demo=bool(getattr(args, "demo", False))),
    )
    app = create_app(config)
    store = TokenStore(config.auth_db)
    if not any(t.state(datetime.now(UTC)) == "active" for t in store.all()):
        print(f"No active token in {store.path} yet: every request but /health will get 401. Make one with "
              f"`finops-tui token create --role viewer` (same --auth-db).", file=sys.stderr)  # fmt: skip
    scheme = "https" if args.ssl_certfile else "http"
    print(f"Serving {config.cache} at {scheme}://{args.host}:{args.port} (Ctrl-C stops)", file=sys.stderr, flush=True)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
        log_level="info",
        server_header=False,
    )
    return 0
