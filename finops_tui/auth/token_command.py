"""`finops-tui token create|list|revoke`: managing the server's tokens on the server host (admin's job)."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path

from finops_tui.auth.tokens import TokenInfo, TokenStore


def _store(args: argparse.Namespace) -> TokenStore:
    return TokenStore(Path(args.auth_db) if getattr(args, "auth_db", None) else None)


def _describe(info: TokenInfo, now: datetime) -> str:
    accounts = ",".join(info.accounts) if info.accounts else "all accounts"
    expires = f"expires {info.expires_at:%Y-%m-%d %H:%M} UTC" if info.expires_at else "never expires"
    return f"{info.token_id}  {info.name:<20} {info.role:<9} {info.state(now):<7} {accounts}  ({expires})"


def main(args: argparse.Namespace) -> int:
    store = _store(args)
    now = datetime.now(UTC)
    out = sys.stdout
    if args.token_command == "create":
        accounts = [a for a in args.accounts.split(",") if a.strip()] if args.accounts else None
        name = args.name or f"{args.role}-{getpass.getuser()}"
        token, info = store.create(args.role, name=name, accounts=accounts, expires_days=args.expires)
        out.write(f"Created {_describe(info, now)} in {store.path}.\n")
        out.write("The token is shown once, on the last line; the server keeps only its hash.\n")
        out.write(token + "\n")
    elif args.token_command == "list":
        tokens = store.all()
        if not tokens:
            out.write(f"No tokens in {store.path}.\n")
        for info in tokens:
            out.write(_describe(info, now) + "\n")
    else:
        for info in store.revoke(args.key):
            out.write(f"Revoked {_describe(info, now)}\n")
    return 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    token = sub.add_parser("token", help="create, list and revoke the API tokens `serve` accepts")
    token.add_argument("--auth-db", metavar="FILE", help="token database (default: auth.sqlite3 in the data dir)")
    verbs = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = verbs.add_parser("create", help="make a token; it is printed once, as the last line")
    create.add_argument("--role", required=True, choices=("viewer", "analyst", "admin", "collector"))
    create.add_argument("--accounts", metavar="ID,...", help="limit the token to these accounts' rows")
    create.add_argument("--expires", type=float, metavar="DAYS", help="days until it stops working")
    create.add_argument("--name", metavar="NAME", help="a label for `token list` and `token revoke`")
    create.add_argument("--auth-db", metavar="FILE", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    verbs.add_parser("list", help="every token: id, name, role, state, accounts (never the secret)").add_argument(
        "--auth-db", metavar="FILE", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    revoke = verbs.add_parser("revoke", help="revoke a token by id or name")
    revoke.add_argument("key", metavar="ID_OR_NAME")
    revoke.add_argument("--auth-db", metavar="FILE", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
