"""Where settings come from, read but not validated: the config file, `FINOPS_TUI_*` variables, the command line.

config.load_settings merges these layers and validates them with pydantic. The cockpit's shell needs
two values (its theme and which cache) before its first frame, which comes before pydantic is imported
(cli._run_tui): `raw_settings` reads those the same way, without the rest.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from finops_tui import locations
from finops_tui.errors import ConfigError

ENV_PREFIX = "FINOPS_TUI_"
DEFAULT_THEME = "finops-dark"


def from_file(path: Path) -> dict[str, Any]:
    """The config file's keys, or none when there is no file. TOML errors are ValueErrors (tomllib)."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc}. Check its permissions.") from None


def from_environment(names: Iterable[str], tables: Collection[str] = ()) -> dict[str, Any]:
    """`FINOPS_TUI_<KEY>` for each setting (any case); a table such as `rules` is given as JSON.

    Other `FINOPS_TUI_*` variables (the folders in locations.py, the API token) are not settings and
    are left alone."""
    wanted = {f"{ENV_PREFIX}{name}".lower(): name for name in names}
    values: dict[str, Any] = {}
    for variable, text in os.environ.items():
        name = wanted.get(variable.lower())
        if name is None:
            continue
        if name in tables:
            try:
                values[name] = json.loads(text)
            except ValueError:
                raise ConfigError(
                    f"{variable} is not JSON; give the [{name}] table as JSON, e.g. "
                    f"{variable}='{{\"idle_cpu_max_percent\": 3}}'."
                ) from None
        else:
            values[name] = text
    return values


def merged(*layers: dict[str, Any]) -> dict[str, Any]:
    """Later layers win key by key; a table is merged key by key too (env `rules` over the file's [rules])."""
    out: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = {**out[key], **value}
            else:
                out[key] = value
    return out


def raw_settings(overrides: dict[str, object]) -> dict[str, object]:
    """The settings named in `overrides` as given (the command line's value when not None, else the
    environment, else the config file, each read once), None when none gives one; not validated:
    config.load_settings does that, and names a file it cannot parse (here that file gives nothing)."""
    try:
        in_file = from_file(locations.config_file())
    except (ValueError, ConfigError):
        in_file = {}
    layers = merged(in_file, from_environment(overrides), {k: v for k, v in overrides.items() if v is not None})
    return {name: layers.get(name) for name in overrides}
