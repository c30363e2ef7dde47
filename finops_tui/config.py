"""Settings: a TOML file validated with pydantic, each key overridable by a `FINOPS_TUI_*` env var.

Precedence, highest first: command-line flags (applied by the CLI), environment, config file, defaults.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from finops_tui import locations
from finops_tui.contract.vocabulary import Metric
from finops_tui.errors import ConfigError

# Units DuckDB's memory_limit accepts, in bytes. DuckDB also takes a bare 'G' or words ('1 gigabyte');
# only the unambiguous spellings are offered here.
_MEMORY_UNITS = {"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_SIZE = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*([a-z]+)", re.IGNORECASE)
_PERCENT = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*%")
MIN_MEMORY_BYTES = 16e6  # below this DuckDB cannot load even a small billing file (it accepts '1KB', then fails)
MEMORY_LIMIT_HELP = (
    "give a size with a unit (KB, MB, GB, TB or KiB, MiB, GiB, TiB) such as 512MB, 2GB or 1.5GiB, "
    "at least 16MB, or a share of this machine's memory such as 50%"
)


def _physical_memory() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def memory_limit(value: str) -> str:
    """A DuckDB memory_limit, checked: '2GB' as given; a percentage becomes the size it stands for here.

    DuckDB itself takes sizes it cannot work with ('1KB', '-1GB' wraps to 16 EiB) and fails only
    later, mid-load; so the checks are ours. ValueError says what a valid value looks like."""
    text = value.strip()
    if percent := _PERCENT.fullmatch(text):
        share = float(percent.group(1))
        if not 0 < share <= 100:
            raise ValueError(f"{value!r} is not a share between 0% and 100%; {MEMORY_LIMIT_HELP}")
        size = int(_physical_memory() * share / 100)
        if size < MIN_MEMORY_BYTES:
            raise ValueError(f"{value!r} of this machine's memory is under 16MB; {MEMORY_LIMIT_HELP}")
        return f"{size // 2**20}MiB"
    size_match = _SIZE.fullmatch(text)
    unit = _MEMORY_UNITS.get(size_match.group(2).lower()) if size_match else None
    if size_match is None or unit is None:
        raise ValueError(f"{value!r} is not a memory size DuckDB knows; {MEMORY_LIMIT_HELP}")
    if float(size_match.group(1)) * unit < MIN_MEMORY_BYTES:
        raise ValueError(f"{value!r} is too small for DuckDB to load billing files; {MEMORY_LIMIT_HELP}")
    return text


class Settings(BaseSettings):
    """Everything a user may set. Unknown keys in the file are an error, not silently ignored."""

    model_config = SettingsConfigDict(env_prefix="FINOPS_TUI_", extra="forbid")

    cache: Path | None = Field(None, description="Cache file; default is the platform data dir.")
    theme: str = Field("finops-dark", description="Theme name: built-in or a file in the themes dir.")
    metric: Metric = Field("EffectiveCost", description="Cost column the KPIs start with.")
    stale_after_hours: float = Field(
        36.0, gt=0, description="A dataset whose data is older than this is shown as stale."
    )
    sql_row_limit: int = Field(
        10_000, ge=1, le=1_000_000, description="Rows the SQL pane fetches before saying 'showing N of M'."
    )
    duckdb_memory_limit: str = Field("2GB", description="DuckDB memory_limit for ingest and queries.")
    query_timeout_seconds: float = Field(
        300.0, ge=0, description="`finops-tui query` stops a query after this long; 0 means never."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    server_rate_per_second: float = Field(
        20.0, gt=0, description="`serve`: requests a token may make per second, sustained."
    )
    server_rate_burst: int = Field(200, ge=1, description="`serve`: requests a token may make at once.")
    server_sql_timeout_seconds: float = Field(
        30.0, gt=0, description="`serve`: the SQL lab stops a query after this long."
    )
    server_sql_row_limit: int = Field(
        10_000, ge=1, le=1_000_000, description="`serve`: rows the SQL lab returns at most."
    )
    server_cache_seconds: float = Field(
        30.0, ge=0, description="`serve`: how long an answer is reused while the cache file is unchanged."
    )
    budgets_file: Path | None = Field(
        None, description="Budgets file (TOML); default budgets.toml in the config dir. `--budgets FILE` overrides it."
    )

    @field_validator("cache", mode="before")
    @classmethod
    def _cache_is_a_file_path(cls, value: object) -> object:
        """An empty value would be the current directory; a directory is not a cache file."""
        if isinstance(value, str | Path) and not str(value).strip():
            raise ValueError(
                "empty: give the cache file's path, or remove the key to use the default "
                f"({locations.default_cache_file()})"
            )
        if isinstance(value, str | Path) and Path(value).expanduser().is_dir():
            raise ValueError(f"{value} is a directory: give the path of a cache file, such as {value}/cache.duckdb")
        return value

    @field_validator("duckdb_memory_limit")
    @classmethod
    def _memory_limit_duckdb_accepts(cls, value: str) -> str:
        return memory_limit(value)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=locations.config_file())
        return (init_settings, env_settings, toml)

    def cache_file(self) -> Path:
        return (self.cache or locations.default_cache_file()).expanduser()

    def budgets_path(self) -> Path:
        return (self.budgets_file or locations.budgets_file()).expanduser()


MAX_ROW_LIMIT = 10**12  # beyond any result a query can return; DuckDB's LIMIT itself ends at 2**63 - 2


def check_row_limit(flag: str, value: int) -> None:
    """A row limit given on the command line: 0 or more, and not past MAX_ROW_LIMIT (ConfigError, exit 2)."""
    if value < 0:
        raise ConfigError(f"{flag} {value}: give a number of rows, 0 or more.")
    if value > MAX_ROW_LIMIT:
        raise ConfigError(f"{flag} {value}: at most {MAX_ROW_LIMIT:,} rows; leave {flag} out to get every row.")


def load_settings(**overrides: object) -> Settings:
    """Read the config file and environment; raise ConfigError naming the bad key."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    path = locations.config_file()
    try:
        return Settings.model_validate(clean)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'config'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(
            f"Invalid configuration ({problems}). Fix {path} or the FINOPS_TUI_* environment variables."
        ) from None
    except ValueError as exc:  # a TOML syntax error surfaces as a ValueError subclass
        raise ConfigError(f"Cannot read config file {path}: {exc}. Fix the TOML syntax.") from None
