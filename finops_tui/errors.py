"""One exception hierarchy; every message says what was wrong and what to do.

The CLI prints these without a traceback (exit 2 for usage/config, 1 for runtime);
the TUI shows them in a notification and keeps running.
"""

from __future__ import annotations


class FinopsError(Exception):
    """Base class. `str(err)` is the whole user-facing message, advice included."""

    exit_code = 1


class ConfigError(FinopsError):
    """A bad setting, path or command-line combination."""

    exit_code = 2


class CacheError(FinopsError):
    """The cache file cannot be opened, is too new, is locked or is damaged."""


class IngestError(FinopsError):
    """A billing file could not be loaded; the cache was left as it was."""


class SourceError(FinopsError):
    """A data source (cloud API, backend) failed."""


class QueryError(FinopsError):
    """A user's SQL failed; the message is DuckDB's, cleaned up."""


class Cancelled(FinopsError):
    """The user stopped a command (Ctrl-C); the message says what was left as it was. Exit 130, as for SIGINT."""

    exit_code = 130
