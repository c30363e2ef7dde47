"""Settings: a TOML file validated with pydantic, each key overridable by a `FINOPS_TUI_*` env var.

Precedence, highest first: command-line flags (applied by the CLI), environment, config file, defaults.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from finops_tui import locations
from finops_tui.contract.vocabulary import Metric
from finops_tui.errors import ConfigError
from finops_tui.settings_layers import DEFAULT_THEME, from_environment, from_file, merged

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


class RuleThresholds(BaseModel):
    """Thresholds of the optimization rules (finops_tui/analysis/optimization_rules.py), `[rules]` in the file.

    Each default is what a FinOps practitioner would use on a first pass; tighten them when the
    recommendations are too many to act on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    idle_cpu_max_percent: float = Field(
        5.0, gt=0, le=100, description="An EC2 instance whose CPU never went above this over 14 days is idle."
    )
    min_monthly_cost: float = Field(
        1.0, ge=0, description="A resource costing less than this a month is not worth a change (nothing to save)."
    )
    snapshot_max_age_days: int = Field(
        90, ge=1, description="A snapshot older than this is old enough to question (most backups keep 30-90 days)."
    )
    gp3_saving_share: float = Field(
        0.20, gt=0, lt=1, description="Share of a gp2 volume's cost gp3 saves (gp3 lists 20% lower per GiB)."
    )
    untagged_min_monthly_cost: float = Field(
        10.0, ge=0, description="Untagged spend of an account and service below this a month is not worth a row."
    )
    nonprod_tag_keys: list[str] = Field(
        ["env", "environment", "stage"], description="Tag keys that say which environment a resource belongs to."
    )
    nonprod_tag_values: list[str] = Field(
        ["dev", "development", "test", "qa", "staging", "sandbox"],
        description="Values of those tags that mean 'not production': such resources need not run at night.",
    )
    nonprod_days_billed: int = Field(
        28,
        ge=7,
        le=56,  # the rules read the latest two billing months
        description="Billed on every one of this many last days means the resource never stops.",
    )
    office_hours_per_week: float = Field(
        60.0, gt=0, lt=168, description="Hours a week a non-production resource must run when it is scheduled."
    )


class Settings(BaseModel):
    """Everything a user may set. Unknown keys in the file are an error, not silently ignored.

    `load_settings` fills it from the file and the environment; constructed directly it holds the
    defaults and what it is given (tests, the server's copies)."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    cache: Path | None = Field(None, description="Cache file; default is the platform data dir.")
    theme: str = Field(DEFAULT_THEME, description="Theme name: built-in or a file in the themes dir.")
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
    rules: RuleThresholds = Field(
        default_factory=RuleThresholds, description="Thresholds of the optimization rules ([rules] table)."
    )
    # Local anomaly detection (finops_tui/analysis/anomaly_detector.py explains the method). A day is
    # unusual only when it exceeds its same-weekday baseline by every one of the first three.
    anomaly_min_impact: float = Field(
        20.0, ge=0, description="Money a day must cost over its baseline, in the series' currency, to be unusual."
    )
    anomaly_min_percent: float = Field(
        30.0, ge=0, description="Percent over its baseline a day must cost to be unusual."
    )
    anomaly_sensitivity: float = Field(
        4.0, gt=0, description="Robust deviations (MAD x 1.4826) over the baseline; higher reports fewer anomalies."
    )
    anomaly_baseline_weeks: int = Field(
        8, ge=2, le=52, description="Weeks of the same weekday the baseline's median and MAD are taken over."
    )
    anomaly_min_history_days: int = Field(
        28, ge=14, description="Days of cost a series needs before any of its days is judged."
    )
    anomaly_level_shift_days: int = Field(
        7, ge=2, description="Unusual days in a row that make a level shift (reported once) instead of a spike."
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
    """Defaults, then the config file, then `FINOPS_TUI_*` variables, then the command line's `overrides`.

    Raises ConfigError naming the bad key. The layers are read by settings_layers.py (tomllib and
    os.environ; pydantic-settings cost ~90 ms of imports on every start) and validated here."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    path = locations.config_file()
    try:
        layers = merged(from_file(path), from_environment(Settings.model_fields, tables=("rules",)), clean)
        return Settings.model_validate(layers)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'config'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(
            f"Invalid configuration ({problems}). Fix {path} or the FINOPS_TUI_* environment variables."
        ) from None
    except ValueError as exc:  # a TOML syntax error surfaces as a ValueError subclass
        raise ConfigError(f"Cannot read config file {path}: {exc}. Fix the TOML syntax.") from None


_TOP_LEVEL_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


def save_setting(key: str, value: str) -> Path:
    """Write `key = "value"` into the config file, keeping every other line (comments, other keys) as it was.

    Only top-level string settings (the theme) are saved this way: the line is replaced where it is,
    or added before the first table. Raises ConfigError when the file cannot be written.
    """
    if key not in Settings.model_fields:
        raise ValueError(f"unknown setting {key!r}")
    path = locations.config_file()
    line = f"{key} = {_toml_string(value)}\n"
    try:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True) if path.exists() else []
        table_at = next((i for i, text in enumerate(lines) if text.lstrip().startswith("[")), len(lines))
        for i, text in enumerate(lines[:table_at]):
            match = _TOP_LEVEL_KEY.match(text)
            if match and match.group(1) == key:
                lines[i] = line
                break
        else:
            if table_at and not lines[table_at - 1].endswith("\n"):
                lines[table_at - 1] += "\n"
            lines.insert(table_at, line)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".toml.tmp")
        tmp.write_text("".join(lines), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise ConfigError(f"Could not save {key} to {path}: {exc}. Check the folder's permissions.") from None
    return path


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
