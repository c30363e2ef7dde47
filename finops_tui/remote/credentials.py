"""Backend tokens: `FINOPS_TUI_TOKEN`, else the system keyring, else a 0600 file when no keyring exists.

The cockpit, the headless commands and the collectors' push all ask `token_for(url)`. A keyring
that cannot store secrets safely (none installed, as on a headless server, or the plaintext
`keyrings.alt` backends) is treated as absent, and the token goes to `credentials_file()` (0600 in
a 0700 folder) instead; `store_token` says which was used. Tokens are keyed by the normalised URL.
"""

from __future__ import annotations

import json
import os
from contextlib import suppress
from pathlib import Path

import keyring

from finops_tui import locations
from finops_tui.errors import ConfigError

SERVICE = "finops-tui"
TOKEN_ENV = "FINOPS_TUI_TOKEN"


def _usable_keyring() -> object | None:
    """The system keyring, or None when there is none worth the name (fail backend, plaintext keyrings.alt)."""
    try:
        ring = keyring.get_keyring()
    except Exception:
        return None
    module = type(ring).__module__
    if module.startswith(("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")):
        return None
    return ring


def _read_file(path: Path) -> dict[str, str]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot read {path} ({exc}). Remove it and run `finops-tui login URL` again.") from None
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def _write_file(path: Path, tokens: dict[str, str]) -> None:
    """Atomically, created 0600 (never readable by others, even for a moment)."""
    locations.make_private_dir(path.parent)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(tokens, out, indent=1)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    os.replace(temp, path)


def token_for(url: str) -> str | None:
    """The token for `url`: the environment's first, then the keyring's, then the file's; None if none."""
    if env := os.environ.get(TOKEN_ENV, "").strip():
        return env
    ring = _usable_keyring()
    if ring is not None:
        with suppress(Exception):  # a locked or broken keyring: fall through to the file
            found = keyring.get_password(SERVICE, url)
            if found:
                return str(found)
    return _read_file(locations.credentials_file()).get(url)


def store_token(url: str, token: str) -> str:
    """Keep `token` for `url`; returns where, for the user to read ("the system keyring (…)" or the file)."""
    if not token.strip():
        raise ConfigError("Empty token: paste the token `finops-tui token create` printed.")
    ring = _usable_keyring()
    if ring is not None:
        try:
            keyring.set_password(SERVICE, url, token)
        except Exception:  # e.g. no D-Bus session on a jump host: the file it is
            pass
        else:
            _forget_in_file(url)
            return f"the system keyring ({type(ring).__name__})"
    path = locations.credentials_file()
    tokens = _read_file(path)
    tokens[url] = token
    _write_file(path, tokens)
    return f"{path} (mode 0600; no system keyring is available)"


def _forget_in_file(url: str) -> bool:
    path = locations.credentials_file()
    tokens = _read_file(path)
    if url not in tokens:
        return False
    del tokens[url]
    _write_file(path, tokens)
    return True


def forget_token(url: str) -> list[str]:
    """Remove the token for `url` wherever it is kept; returns the places it was removed from."""
    removed = []
    if _usable_keyring() is not None:
        with suppress(Exception):  # PasswordDeleteError when it held none
            keyring.delete_password(SERVICE, url)
            removed.append("the system keyring")
    if _forget_in_file(url):
        removed.append(str(locations.credentials_file()))
    return removed
