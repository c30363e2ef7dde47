"""WarmStartCache: the cockpit's first overview and KPI view, computed in a thread while it starts, are the
answers a cold read gives, served once, and never for another scope or after the file was reopened."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from finops_tui.cache.local_reader import LocalCache
from finops_tui.cache.warm_start import WarmStartCache, first_scope
from finops_tui.contract.scope import ViewScope
from tests.contract.conftest import NOW, build_cache


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_cache(tmp_path_factory.mktemp("warm"))


@pytest.fixture
def warm(cache: Path) -> Iterator[WarmStartCache]:
    reader = WarmStartCache(cache, clock=lambda: NOW)
    reader.start_warming("EffectiveCost")
    yield reader
    reader.close()


@pytest.fixture
def cold(cache: Path) -> Iterator[LocalCache]:
    reader = LocalCache(cache, clock=lambda: NOW)
    yield reader
    reader.close()


def test_the_first_reads_are_the_warm_answers_and_equal_a_cold_read(warm: WarmStartCache, cold: LocalCache) -> None:
    warm._kpis_ready.wait()
    assert warm._early_overview is not None and warm._early_kpis is not None
    early_overview, early_kpis = warm._early_overview[1], warm._early_kpis[2]

    overview = warm.overview()
    assert overview is early_overview
    assert overview == cold.overview()
    scope = first_scope(overview, "EffectiveCost")
    kpis = warm.kpi_view(scope)
    assert kpis is early_kpis
    assert kpis == cold.kpi_view(scope)
    assert kpis.summary is not None and kpis.summary.month_to_date > 0

    again = warm.kpi_view(scope)  # served once: later reads are read afresh
    assert again is not early_kpis and again == kpis


def test_another_scope_is_read_for_that_scope(warm: WarmStartCache, cold: LocalCache) -> None:
    eur = ViewScope(currency="EUR", metric="BilledCost")
    view = warm.kpi_view(eur)
    assert view.scope == eur
    assert view == cold.kpi_view(eur)
    assert warm._early_kpis is None  # the unused warm answer is dropped, not kept for later


def test_a_reopened_file_is_read_again(warm: WarmStartCache) -> None:
    warm._kpis_ready.wait()
    assert warm._early_overview is not None
    early = warm._early_overview[1]
    warm.reload()  # what the cockpit does when another process swapped in a new file
    assert warm.overview() is not early


def test_without_warming_it_reads_like_the_local_cache(cache: Path, cold: LocalCache) -> None:
    reader = WarmStartCache(cache, clock=lambda: NOW)
    try:
        assert reader.overview() == cold.overview()
    finally:
        reader.close()
