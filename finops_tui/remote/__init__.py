"""The REST client: the second implementation of the read contract, over a `finops-tui serve` backend.

`RestReader` returns the contract's own models, parsed from the server's envelope. It keeps the
last good answer of every request on disk per backend, so a dead backend leaves the last good
data on screen, labelled STALE, instead of an error or invented figures. Headless: never imports
Textual.
"""

from importlib.util import find_spec

from finops_tui.errors import ConfigError


def ensure_installed() -> None:
    """httpx comes with the optional `remote` extra: say how to get it instead of an ImportError traceback."""
    if find_spec("httpx") is None:
        raise ConfigError("Talking to a backend needs the remote extra (httpx): pip install 'finops-tui[remote]'.")
