"""`finops-tui login URL` and `logout URL`: check a token against the backend, then keep it (or forget it).

The token is read without echo (getpass) or from stdin (`--token-stdin`, for scripts), checked
with one request before anything is stored (a mistyped token is refused, not kept), and never
printed. The user is told where it went: the system keyring or the 0600 file.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path

from finops_tui.errors import ConfigError, SourceError
from finops_tui.remote import credentials
from finops_tui.remote.backend_client import BackendClient, RetryPolicy, normalise_url
from finops_tui.remote.breaker import CircuitBreaker
from finops_tui.remote.failures import BackendAuthError, BackendUnreachable
from finops_tui.remote.routes import STATUS


def _read_token(url: str, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().strip()
    try:
        return getpass.getpass(f"Token for {url} (input hidden): ").strip()
    except EOFError:
        raise ConfigError("No token given. Paste it at the prompt, or pipe it in with --token-stdin.") from None


def check_token(url: str, token: str, ca_bundle: Path | None) -> str:
    """One status request with `token`; returns what the backend said of it, raises when it refuses it."""
    client = BackendClient(url, token, ca_bundle=ca_bundle, retry=RetryPolicy(attempts=1), breaker=CircuitBreaker())
    try:
        client.request(STATUS)
    except BackendAuthError as exc:
        if exc.status == 403:  # a valid token whose role cannot read (a collector's): still worth keeping
            return f"accepted; its role may not read the views ({exc.server_message})"
        raise ConfigError(f"{exc} Nothing was stored.") from None
    except BackendUnreachable as exc:
        raise SourceError(f"{exc} The token was not checked, so nothing was stored.") from None
    finally:
        client.close()
    return "accepted"


def login(url: str, *, token_stdin: bool, ca_bundle: Path | None) -> int:
    url = normalise_url(url)
    token = _read_token(url, token_stdin)
    if not token:
        raise ConfigError("Empty token: paste the token `finops-tui token create` printed.")
    verdict = check_token(url, token, ca_bundle)
    where = credentials.store_token(url, token)
    print(f"Logged in to {url}: the token was {verdict}, and is stored in {where}.")
    if os.environ.get(credentials.TOKEN_ENV):
        print(f"note: {credentials.TOKEN_ENV} is set and overrides the stored token while it is.")
    return 0


def logout(url: str) -> int:
    url = normalise_url(url)
    removed = credentials.forget_token(url)
    if removed:
        print(f"Logged out of {url}: token removed from {' and '.join(removed)}.")
    else:
        print(f"No token was stored for {url}; nothing to remove.")
    return 0
