"""Running a long DuckDB call so that Ctrl-C stops it at once, with no traceback.

A main thread inside DuckDB may notice SIGINT only when the statement ends (a big INSERT) or not
at all. So the call runs in a worker thread while the main thread waits on an Event, not on
`Thread.join` (a join that Ctrl-C cut short can report a live thread dead on Python 3.11). On
Ctrl-C the main thread interrupts the call until the worker has stopped, then re-raises
KeyboardInterrupt for the command to turn into its one-line "cancelled" and exit 130.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def run_interruptibly(job: Callable[[], T], interrupt: Callable[[], object], *, name: str) -> T:
    """`job()` in a worker thread; on Ctrl-C, `interrupt()` until it ends (30 s at most), then re-raise."""
    outcome: list[T] = []
    failure: list[BaseException] = []
    done = threading.Event()

    def run() -> None:
        try:
            outcome.append(job())
        except BaseException as exc:
            failure.append(exc)  # handed to the main thread as it is
        finally:
            done.set()

    threading.Thread(target=run, name=name, daemon=True).start()
    try:
        while not done.wait(0.1):
            pass
    except KeyboardInterrupt:
        for _ in range(300):
            interrupt()
            if done.wait(0.1):
                break
        raise
    if failure:
        raise failure[0]
    return outcome[0]
