"""`WarmStartCache`: the cockpit's first two reads start before the cockpit has finished starting.

The KPI tab needs the overview (to choose the currency) and then the KPI view. Asked for by the app,
they ran one after the other only once Textual had imported, composed and painted its first frame.
Started in a thread as soon as the cache is open, they run while the main thread is still importing
and painting (DuckDB works without the GIL), so the KPI numbers are on screen sooner
(benchmarks/compare_harlequin.py). Each answer is served once, only for the scope it was computed
for and only if the file was not reopened since; anything else is read as usual.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from finops_tui.cache.local_reader import LocalCache
from finops_tui.contract.provenance import Overview
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.views import KpiView
from finops_tui.contract.vocabulary import Metric

if TYPE_CHECKING:
    import duckdb


def first_scope(overview: Overview, metric: Metric) -> ViewScope:
    """The scope the cockpit opens on (FinopsApp.watch_overview): the first currency, every provider."""
    return ViewScope(currency=overview.currencies[0].currency if overview.currencies else None, metric=metric)


class WarmStartCache(LocalCache):
    """A `LocalCache` whose first overview and first KPI view were computed ahead, in a thread."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._warming: threading.Thread | None = None
        self._overview_ready, self._kpis_ready = threading.Event(), threading.Event()
        self._early_overview: tuple[duckdb.DuckDBPyConnection | None, Overview] | None = None
        self._early_kpis: tuple[duckdb.DuckDBPyConnection | None, ViewScope, KpiView] | None = None

    def start_warming(self, metric: Metric) -> None:
        self._warming = threading.Thread(target=self._warm, args=(metric,), name="warm-start", daemon=True)
        self._warming.start()

    def _warm(self, metric: Metric) -> None:
        try:
            con = self._con
            overview = super().overview()
            self._early_overview = (con, overview)
            self._overview_ready.set()
            scope = first_scope(overview, metric)
            self._early_kpis = (con, scope, super().kpi_view(scope))
        except Exception:  # the app asks again, and shows the error itself
            pass
        finally:
            self._overview_ready.set()
            self._kpis_ready.set()

    def _waits(self, ready: threading.Event) -> bool:
        """True when the warm-up was started by another thread: wait for its answer rather than query twice."""
        if self._warming is None or threading.current_thread() is self._warming:
            return False
        ready.wait()
        return True

    def overview(self) -> Overview:
        if self._waits(self._overview_ready) and self._early_overview is not None:
            con, overview = self._early_overview
            self._early_overview = None
            if con is self._con:
                return overview
        return super().overview()

    def kpi_view(self, scope: ViewScope) -> KpiView:
        if self._waits(self._kpis_ready) and self._early_kpis is not None:
            con, early_scope, view = self._early_kpis
            self._early_kpis = None
            if con is self._con and early_scope == scope:
                return view
        return super().kpi_view(scope)
