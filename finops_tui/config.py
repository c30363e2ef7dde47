"""Settings: a TOML file validated with pydantic, each key overridable by a `FINOPS_TUI_*` env var.

Precedence, highest first: command-line flags (applied by the CLI), environment, config file, defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from finops_tui import locations
from finops_tui.contract.vocabulary import Metric
from finops_tui.errors import ConfigError


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
