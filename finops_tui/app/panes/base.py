"""What every tab shares: fetch in a worker thread, show on the UI thread, keep the last good data on error."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.containers import Vertical
from textual.message import Message
from textual.worker import get_current_worker

from finops_tui.reader import CostReader, Metric


@dataclass(frozen=True)
class ViewState:
    """What the user chose that every query depends on."""

    currency: str | None
    metric: Metric
    provider: str | None = None  # None: every provider (in the one currency)

    @property
    def scope_label(self) -> str:
        return f"{self.currency or '(no currency)'} · {self.provider or 'all providers'}"


class Pane(Vertical):
    """Subclasses implement `fetch` (worker thread: reader calls only) and `show` (UI thread: widgets only)."""

    class Loaded(Message):
        def __init__(self, pane: Pane, data: Any) -> None:
            super().__init__()
            self.pane, self.data = pane, data

    class Failed(Message):
        def __init__(self, pane: Pane, error: BaseException) -> None:
            super().__init__()
            self.pane, self.error = pane, error

    title = "pane"
    dirty = True

    def fetch(self, reader: CostReader, state: ViewState) -> Any:
        raise NotImplementedError

    async def show(self, data: Any) -> None:
        raise NotImplementedError

    def load(self) -> None:
        """Start (or restart) loading; the previous data stays on screen until the new data arrives."""
        self.dirty = False
        self.loading = True
        self._fetch_in_thread(self.app.reader, self.app.view_state)  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, exit_on_error=False, group="pane-load")
    def _fetch_in_thread(self, reader: CostReader, state: ViewState) -> None:
        worker = get_current_worker()
        try:
            data = self.fetch(reader, state)
        except Exception as exc:
            if not worker.is_cancelled:
                self.post_message(self.Failed(self, exc))
            return
        if not worker.is_cancelled:
            self.post_message(self.Loaded(self, data))

    @on(Loaded)
    async def _loaded(self, message: Loaded) -> None:
        if message.pane is self:
            message.stop()
            await self.show(message.data)
            self.loading = False

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        if message.pane is self:
            message.stop()
            self.loading = False
            self.dirty = True
            self.app.notify(
                f"{self.title}: {message.error}\nThe last good data stays on screen.",
                title="Could not load",
                severity="error",
                timeout=10,
            )
