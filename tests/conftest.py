"""Every test runs with its own config, data, log and temp dirs, and no FINOPS_TUI_CACHE from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("FINOPS_TUI_CONFIG_DIR", str(tmp_path / "_config"))
    monkeypatch.setenv("FINOPS_TUI_DATA_DIR", str(tmp_path / "_data"))
    monkeypatch.setenv("FINOPS_TUI_LOG_DIR", str(tmp_path / "_logs"))
    # Per-process temp folders (zip members, S3 downloads, scratch and snapshot copies) go here, not under
    # ~/.cache/finops-tui/tmp: a test never touches the user's folders, and what it leaves goes with tmp_path.
    monkeypatch.setenv("FINOPS_TUI_TEMP_DIR", str(tmp_path / "_temp"))
    monkeypatch.delenv("FINOPS_TUI_CACHE", raising=False)


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():  # a failure, not a skip: CI always has it, and a skip would hide a regression
        pytest.fail(
            f"{SHARED_DATA} is missing: the shared billing samples must sit beside this checkout as ../shared/data",
            pytrace=False,
        )
    return SHARED_DATA


@pytest.fixture
def shared_focus_csv(shared_data) -> Path:
    return shared_data / "focus" / "focus_sample.csv"


pytest_plugins = ["tests.support.moto_server"]
