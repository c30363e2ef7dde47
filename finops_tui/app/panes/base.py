"""What every tab shares.

`CockpitPane` is the small protocol the app drives: `load(scope)` when the view changed and the
tab is visible, `mark_stale()` when it changed while hidden, `focus_main()` when the tab opens.
`DataPane` fetches one view from the reader in a worker thread and shows it on the UI thread;
the worker only posts messages, the `@on` handlers own the widgets, and the last good data stays
on screen when a fetch fails.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from textual import on, work
from textual.containers import Vertical
from textual.message import Message
from textual.worker import get_current_worker

from finops_tui.contract.reader import CostReader
from finops_tui.contract.scope import ViewScope

ViewT = TypeVar("ViewT")


class CockpitPane(Vertical):
    """A tab's content. The app holds one per tab and gives each the reader at construction."""

    title = "pane"

    def __init__(self, reader: CostReader, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reader = reader
        self.stale = True

    def mark_stale(self) -> None:
        self.stale = True

    def load(self, scope: ViewScope) -> None:
        """Load for `scope` if stale; panes with nothing to fetch ignore it."""
        self.stale = False

    def focus_main(self) -> None:
        """Give focus to the widget the user works with on this tab."""


class DataPane(CockpitPane, Generic[ViewT]):
    """Subclasses implement `fetch` (worker thread: reader calls only) and `show` (UI thread: widgets only)."""

    class Loaded(Message):
        def __init__(self, pane: DataPane[Any], view: Any) -> None:
            super().__init__()
            self.pane, self.view = pane, view

    class Failed(Message):
        def __init__(self, pane: DataPane[Any], error: BaseException) -> None:
            super().__init__()
            self.pane, self.error = pane, error

    def fetch(self, scope: ViewScope) -> ViewT:
        raise NotImplementedError

    async def show(self, view: ViewT) -> None:
        raise NotImplementedError

    def load(self, scope: ViewScope) -> None:
        """Start (or restart) loading; the previous data stays on screen until the new data arrives."""
        if not self.stale:
            return
        self.stale = False
        self.loading = True
        self._fetch(scope)

    @work(thread=True, exclusive=True, exit_on_error=False, group="pane-load")
    def _fetch(self, scope: ViewScope) -> None:
        worker = get_current_worker()
        try:
            view = self.fetch(scope)
        except Exception as exc:
            if not worker.is_cancelled:
                self.post_message(self.Failed(self, exc))
            return
        if not worker.is_cancelled:
            self.post_message(self.Loaded(self, view))

    @on(Loaded)
    async def _loaded(self, message: Loaded) -> None:
        if message.pane is self:
            message.stop()
            await self.show(message.view)
            self.loading = False

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        if message.pane is self:
            message.stop()
            self.loading = False
            self.stale = True
            self.app.notify(
                f"{self.title}: {message.error}\nThe last good data stays on screen.",
                title="Could not load",
                severity="error",
                timeout=10,
            )
