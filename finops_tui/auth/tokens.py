"""The token store: an SQLite file (0600) holding each token's id, role, accounts and a hash of its secret.

A token reads `ftk_<id>_<secret>`. Only sha256(token) is stored, so a copy of the file lets nobody in;
the server finds the row by its id and compares hashes in constant time. Revocation and expiry are
checked on every request (the file is read each time), so `token revoke` takes effect at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal, get_args

from finops_tui import locations
from finops_tui.errors import ConfigError

Role = Literal["viewer", "analyst", "admin", "collector"]
ROLES: tuple[Role, ...] = get_args(Role)
PREFIX = "ftk_"
_TOKEN = re.compile(r"ftk_([0-9a-f]{12})_([A-Za-z0-9_-]{20,100})")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    token_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    accounts TEXT,          -- JSON list of account ids, NULL for every account
    token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
)
"""


@dataclass(frozen=True)
class TokenInfo:
    """What the server knows about a token: never its secret."""

    token_id: str
    name: str
    role: Role
    accounts: tuple[str, ...] | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def _now() -> datetime:
    return datetime.now(UTC)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class TokenStore:
    """One auth database file; each call opens its own connection, so threads and processes can share it."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = (path or locations.auth_db_file()).expanduser()
        self._verified: dict[str, tuple[tuple[int, int, int, int], TokenInfo | None]] = {}  # sha256(token) -> record

    @contextmanager
    def _connect(self, create: bool = False) -> Iterator[sqlite3.Connection]:
        if not self.path.exists():
            if not create:
                raise ConfigError(
                    f"No token database at {self.path}. Create a token first: finops-tui token create --role viewer"
                )
            locations.make_private_dir(self.path.parent)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            os.close(fd)
        os.chmod(self.path, 0o600)  # tokens' hashes and who may read what: owner only
        with closing(sqlite3.connect(self.path, timeout=10)) as con:
            con.execute(_SCHEMA)
            yield con
            con.commit()

    def create(
        self, role: Role, *, name: str, accounts: list[str] | None = None, expires_days: float | None = None
    ) -> tuple[str, TokenInfo]:
        """A new token and its record; the token itself is returned once and never stored."""
        if role not in ROLES:
            raise ConfigError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
        if expires_days is not None and expires_days <= 0:
            raise ConfigError(f"--expires {expires_days:g}: give a number of days greater than 0.")
        token_id = secrets.token_hex(6)
        token = f"{PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        now = _now()
        expires = now + timedelta(days=expires_days) if expires_days is not None else None
        clean = sorted({a.strip() for a in accounts or [] if a.strip()}) or None
        with self._connect(create=True) as con:
            con.execute(
                "INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                [token_id, name, role, json.dumps(clean) if clean else None, _hash(token), now.isoformat(),
                 expires.isoformat() if expires else None],
            )  # fmt: skip
        info = TokenInfo(token_id, name, role, tuple(clean) if clean else None, now, expires, None)
        return token, info

    def all(self) -> list[TokenInfo]:
        if not self.path.exists():
            return []
        with self._connect() as con:
            rows = con.execute(
                "SELECT token_id, name, role, accounts, created_at, expires_at, revoked_at FROM tokens "
                "ORDER BY created_at"
            ).fetchall()
        return [_info(row) for row in rows]

    def revoke(self, key: str) -> list[TokenInfo]:
        """Revoke the token with this id or name (every token of that name); returns those revoked."""
        with self._connect() as con:
            con.execute(
                "UPDATE tokens SET revoked_at = ? WHERE (token_id = ? OR name = ?) AND revoked_at IS NULL",
                [_now().isoformat(), key, key],
            )
            rows = con.execute(
                "SELECT token_id, name, role, accounts, created_at, expires_at, revoked_at FROM tokens "
                "WHERE token_id = ? OR name = ?",
                [key, key],
            ).fetchall()
        if not rows:
            raise ConfigError(f"No token with id or name {key!r}; `finops-tui token list` shows them.")
        return [_info(row) for row in rows]

    def verify(self, token: str) -> TokenInfo | None:
        """The active token's record, or None for a malformed, unknown, expired or revoked token.

        Records are kept in memory while the database file is unchanged (inode, mtime, size and SQLite's
        change counter), so a request costs a stat and a 28-byte read; `token revoke` or `create` changes
        the file, and the next request reads it again."""
        match = _TOKEN.fullmatch(token)
        if match is None:
            return None
        try:
            st = os.stat(self.path)
            with open(self.path, "rb") as db:  # SQLite's file change counter: bumped by every write, whatever the clock
                counter = int.from_bytes(db.read(28)[24:28], "big")
        except FileNotFoundError:
            return None
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size, counter)
        key = _hash(token)
        known = self._verified.get(key)
        if known is not None and known[0] == stamp:
            info = known[1]
        else:
            info = self._lookup(token, match.group(1))
            if len(self._verified) > 10_000:
                self._verified.clear()
            self._verified[key] = (stamp, info)
        return info if info is not None and info.state(_now()) == "active" else None

    def _lookup(self, token: str, token_id: str) -> TokenInfo | None:
        # Read-only and without the schema check: this runs on every request, from many threads at once.
        with closing(sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)) as con:
            row = con.execute(
                "SELECT token_id, name, role, accounts, created_at, expires_at, revoked_at, token_hash FROM tokens "
                "WHERE token_id = ?",
                [token_id],
            ).fetchone()
        if row is None or not hmac.compare_digest(str(row[7]), _hash(token)):
            return None
        return _info(row[:7])


def _info(row: tuple[object, ...]) -> TokenInfo:
    token_id, name, role, accounts, created, expires, revoked = row
    parsed = json.loads(str(accounts)) if accounts else None
    return TokenInfo(
        token_id=str(token_id),
        name=str(name),
        role=str(role),  # type: ignore[arg-type]  # written only from ROLES
        accounts=tuple(parsed) if parsed else None,
        created_at=_time(str(created)) or _now(),
        expires_at=_time(expires if isinstance(expires, str) else None),
        revoked_at=_time(revoked if isinstance(revoked, str) else None),
    )
