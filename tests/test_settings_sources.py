"""Where settings come from: defaults, then the config file, then FINOPS_TUI_* variables, then the command line."""

from __future__ import annotations

import pytest

from finops_tui import locations
from finops_tui.config import load_settings
from finops_tui.errors import ConfigError


def _config(text: str) -> None:
    path = locations.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_each_layer_overrides_the_one_before(monkeypatch):
    assert load_settings().stale_after_hours == 36.0  # the default
    _config("stale_after_hours = 12\ntheme = 'nord'\n")
    assert load_settings().stale_after_hours == 12.0
    monkeypatch.setenv("FINOPS_TUI_STALE_AFTER_HOURS", "6.5")  # text from the environment, validated as a number
    settings = load_settings()
    assert (settings.stale_after_hours, settings.theme) == (6.5, "nord")
    assert load_settings(theme="gruvbox").theme == "gruvbox"  # the command line last


def test_variable_names_match_in_any_case_and_other_finops_variables_are_not_settings(monkeypatch):
    monkeypatch.setenv("finops_tui_sql_row_limit", "77")
    monkeypatch.setenv("FINOPS_TUI_API_TOKEN", "not-a-setting")  # read by the REST client, not here
    assert load_settings().sql_row_limit == 77


def test_a_table_in_the_environment_is_json_merged_key_by_key_over_the_file(monkeypatch):
    _config("[rules]\nsnapshot_max_age_days = 30\nidle_cpu_max_percent = 2\n")
    monkeypatch.setenv("FINOPS_TUI_RULES", '{"idle_cpu_max_percent": 3}')
    rules = load_settings().rules
    assert (rules.idle_cpu_max_percent, rules.snapshot_max_age_days) == (3.0, 30)


def test_a_table_that_is_not_json_names_the_variable(monkeypatch):
    monkeypatch.setenv("FINOPS_TUI_RULES", "idle_cpu_max_percent=3")
    with pytest.raises(ConfigError, match="FINOPS_TUI_RULES is not JSON"):
        load_settings()


def test_bad_values_and_unknown_keys_name_the_key_and_where_to_fix_it(monkeypatch):
    monkeypatch.setenv("FINOPS_TUI_SQL_ROW_LIMIT", "lots")
    with pytest.raises(ConfigError, match="sql_row_limit") as bad_env:
        load_settings()
    assert "FINOPS_TUI_* environment variables" in str(bad_env.value)
    monkeypatch.delenv("FINOPS_TUI_SQL_ROW_LIMIT")
    _config("colour = 'blue'\n")
    with pytest.raises(ConfigError, match="colour"):
        load_settings()
    _config("theme = \n")
    with pytest.raises(ConfigError, match="Fix the TOML syntax"):
        load_settings()


def test_a_memory_limit_from_the_environment_is_checked_and_converted(monkeypatch):
    """A share of memory becomes a size, whatever layer it came from."""
    monkeypatch.setenv("FINOPS_TUI_DUCKDB_MEMORY_LIMIT", "50%")
    assert load_settings().duckdb_memory_limit.endswith("MiB")


def test_the_shell_reads_its_settings_as_given_with_the_same_precedence(monkeypatch):
    """What the cockpit's shell reads before pydantic: command line, then environment, then the file."""
    from finops_tui.settings_layers import raw_settings

    _config("theme = 'nord'\ncache = '/from/file.duckdb'\n")
    monkeypatch.setenv("FINOPS_TUI_CACHE", "/from/env.duckdb")
    assert raw_settings({"cache": None, "theme": None}) == {"cache": "/from/env.duckdb", "theme": "nord"}
    assert raw_settings({"cache": None, "theme": "gruvbox"})["theme"] == "gruvbox"
    _config("theme = \n")  # unreadable: nothing from the file here; load_settings reports it
    assert raw_settings({"cache": None, "theme": None}) == {"cache": "/from/env.duckdb", "theme": None}
