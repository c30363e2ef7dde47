"""Where finops-tui keeps its config, cache, demo data and logs (XDG via platformdirs).

`FINOPS_TUI_CONFIG_DIR`, `FINOPS_TUI_DATA_DIR` and `FINOPS_TUI_LOG_DIR` move each root
(tests isolate every run this way); `--cache`/`FINOPS_TUI_CACHE` move the cache file alone.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import PlatformDirs

_DIRS = PlatformDirs("finops-tui", appauthor=False)


def _dir(env: str, default: str) -> Path:
    value = os.environ.get(env)
    return Path(value).expanduser() if value else Path(default)


def config_dir() -> Path:
    return _dir("FINOPS_TUI_CONFIG_DIR", _DIRS.user_config_dir)


def data_dir() -> Path:
    """Caches live here: they are the user's data, not disposable like ~/.cache."""
    return _dir("FINOPS_TUI_DATA_DIR", _DIRS.user_data_dir)


def log_dir() -> Path:
    return _dir("FINOPS_TUI_LOG_DIR", _DIRS.user_log_dir)


def config_file() -> Path:
    return config_dir() / "config.toml"


def default_cache_file() -> Path:
    return data_dir() / "cache.duckdb"


def demo_dir() -> Path:
    return data_dir() / "demo"


def demo_cache_file() -> Path:
    return demo_dir() / "demo.duckdb"


def user_themes_dir() -> Path:
    return config_dir() / "themes"


def log_file() -> Path:
    return log_dir() / "finops-tui.jsonl"
