"""The REST client's tests: every backend's last good answers in the test's own folder, no token from outside."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from finops_tui.cache.local_reader import LocalCache
from tests.contract.conftest import NOW, build_cache
from tests.remote.mini_backend import MiniBackend


@pytest.fixture(autouse=True)
def isolated_backends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FINOPS_TUI_BACKENDS_DIR", str(tmp_path / "_backends"))
    monkeypatch.delenv("FINOPS_TUI_TOKEN", raising=False)
    return tmp_path / "_backends"


@pytest.fixture(scope="module")
def remote_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_cache(tmp_path_factory.mktemp("remote"))


@pytest.fixture
def mini(remote_cache: Path) -> Iterator[MiniBackend]:
    reader = LocalCache(remote_cache, clock=lambda: NOW)
    backend = MiniBackend(reader).start()
    yield backend
    backend.stop()
    reader.close()
