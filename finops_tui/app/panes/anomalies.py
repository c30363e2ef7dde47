"""The Anomalies tab: computed-here and AWS anomalies with their root cause, and keys to acknowledge or mute.

Rows come from `analysis.anomaly_listing.visible`, the function `finops-tui anomalies` uses, so the
tab and the command list the same anomalies. Feedback is written through the reader (the cache's
copy-and-swap writer for a local cache) in a worker; the tab reloads when it is saved.
"""

from __future__ import annotations

from typing import Any

from textual import on, work
from textual.binding import Binding
from textual.message import Message

from finops_tui.analysis.anomaly_listing import AnomalyListing, visible
from finops_tui.app.panes.tables import TablePane
from finops_tui.app.widgets.data_grid import DataGrid
from finops_tui.app.widgets.grid_format import GridFormat
from finops_tui.contract.reader import CostReader
from finops_tui.contract.scope import ViewScope
from finops_tui.contract.tables import TableData
from finops_tui.contract.views import AnomaliesView, AnomalyStatus

# Shown in this order; drivers and series_key stay in the data (root_cause says the same for people).
# Impact and root cause come early: at 3 a.m. the question is how much, and because of what.
_COLUMNS = (
    "severity", "status", "start_date", "service", "account", "impact", "root_cause", "type", "end_date", "actual",
    "expected", "currency", "origin", "region", "anomaly_id",
)  # fmt: skip


class FeedbackSaved(Message):
    def __init__(self, anomaly_id: str, status: AnomalyStatus) -> None:
        super().__init__()
        self.anomaly_id, self.status = anomaly_id, status


class FeedbackFailed(Message):
    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class AnomaliesPane(TablePane[AnomaliesView]):
    title = "Anomalies"
    noun = "anomalies"
    fmt = GridFormat(
        money=frozenset({"actual", "expected", "impact"}),
        signed=frozenset({"impact"}),
        currency_column="currency",
        drop_order=("anomaly_id", "status", "root_cause", "type", "end_date", "expected", "region", "account"),
    )
    empty_message = (
        "No anomalies. finops-tui's own detector judges every day of cost data against the same weekday of "
        "the last 8 weeks (computed here after each ingest and refresh); AWS Cost Anomaly Detection's come "
        "from `finops-tui refresh`. A series needs 4 weeks of history before it is judged."
    )
    BINDINGS = [
        Binding("a", "acknowledge", "Ack", id="anomalies.ack", tooltip="acknowledge the anomaly (again: reopen it)"),
        Binding("x", "mute", "Mute", id="anomalies.mute", tooltip="mute the anomaly's series: hides it and later ones"),
        Binding("v", "toggle_muted", "Show muted", id="anomalies.show_muted", tooltip="show or hide muted anomalies"),
    ]

    def __init__(self, reader: CostReader, **kwargs: Any) -> None:
        super().__init__(reader, **kwargs)
        self.show_muted = False
        self._view: AnomaliesView | None = None
        self._listing: AnomalyListing | None = None
        self._scope: ViewScope | None = None
        self._refocus = False

    def fetch(self, scope: ViewScope) -> AnomaliesView:
        self._scope = scope
        return self.reader.anomalies_view(scope)

    def table_of(self, view: AnomaliesView) -> TableData:
        self._listing = visible(view.table, include_muted=self.show_muted)
        return TableData(table=self._listing.table.select(list(_COLUMNS)))

    async def show(self, view: AnomaliesView) -> None:
        self._view = view
        await super().show(view)
        if self._refocus:  # the reload after feedback took focus away (loading overlay): give it back
            self._refocus = False
            self.focus_main()

    def caption(self, view: AnomaliesView) -> str:
        listing = visible(view.table, include_muted=self.show_muted)
        counts = ", ".join(f"{n} {status}" for status, n in listing.counts.items()) or "none"
        hidden = f" · {listing.muted_hidden} muted hidden (v shows)" if listing.muted_hidden else ""
        shown = " · muted shown (v hides)" if self.show_muted else ""
        origins = listing.table["origin"].to_pylist()
        sources = " + ".join(f"{origins.count(o)} {o}" for o in ("computed here", "AWS") if o in origins)
        return f"Anomalies · {sources or 'computed here and from AWS'} · {counts}{hidden}{shown} · a ack, x mute"

    # -- feedback -------------------------------------------------------------------------
    def _cursor_anomaly(self) -> tuple[str, str] | None:
        grid = self.query_one(DataGrid)
        if grid.shown is None or not grid.shown.num_rows:
            return None
        row = min(grid.table.cursor_coordinate.row, grid.shown.num_rows - 1)
        return grid.shown["anomaly_id"][row].as_py(), grid.shown["status"][row].as_py()

    def action_acknowledge(self) -> None:
        chosen = self._cursor_anomaly()
        if chosen is not None:
            self._save(chosen[0], "open" if chosen[1] == "acknowledged" else "acknowledged")

    def action_mute(self) -> None:
        chosen = self._cursor_anomaly()
        if chosen is not None:
            self._save(chosen[0], "open" if chosen[1] == "muted" else "muted")

    async def action_toggle_muted(self) -> None:
        self.show_muted = not self.show_muted
        if self._view is not None:
            await self.show(self._view)

    @work(thread=True, exclusive=True, exit_on_error=False, group="anomaly-feedback")
    def _save(self, anomaly_id: str, status: AnomalyStatus) -> None:
        try:
            self.reader.set_anomaly_feedback(anomaly_id, status)
        except Exception as exc:
            self.post_message(FeedbackFailed(exc))
            return
        self.post_message(FeedbackSaved(anomaly_id, status))

    @on(FeedbackSaved)
    def _saved(self, message: FeedbackSaved) -> None:
        what = {"open": "reopened", "acknowledged": "acknowledged", "muted": "muted (its series too)"}[message.status]
        self.app.notify(f"Anomaly {message.anomaly_id} {what}.", timeout=4)
        if self._scope is not None:
            self.stale = True
            self._refocus = True
            self.load(self._scope)

    @on(FeedbackFailed)
    def _failed_feedback(self, message: FeedbackFailed) -> None:
        self.app.notify(str(message.error), title="Could not save", severity="error", timeout=10)

    def row_label(self, row: dict[str, Any]) -> str:
        return f"anomaly {row.get('service') or row.get('anomaly_id')} {row.get('start_date')}"
