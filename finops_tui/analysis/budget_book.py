"""The budgets file as the reader sees it: parsed when it changes, the last good version kept.

A bad edit must not empty the Budgets tab. The last budgets that parsed are kept twice:
- in memory, for the rest of the session (a file fixed again is picked up at the next read);
- as a JSON copy in the data dir (`budgets-last-good.json`, with the file it came from), so a
  session that starts on a bad file still shows the budgets of the last good one.
`load()` returns the budgets in use and the problem, if any, for the tab to show.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from finops_tui import locations
from finops_tui.analysis.budget_file import BudgetFileError, FileBudget, parent_key, parse_budgets
from finops_tui.analysis.budget_status import BudgetSpec, FilterColumn

_UNITS = {"monthly": "month", "quarterly": "quarter", "annual": "year"}
_COLUMNS: dict[str, FilterColumn] = {
    "provider": "ProviderName",
    "account": "SubAccountId",
    "service": "ServiceName",
    "region": "RegionId",
}
FILE_PREFIX = "file:"


def specs_of(budgets: list[FileBudget], origin: str = "file") -> list[BudgetSpec]:
    """File budgets in the shape every budget is judged in; ids are prefixed so they never meet AWS ones."""
    specs = []
    for b in budgets:
        parent = parent_key(b, budgets)
        columns = {_COLUMNS[k]: tuple(v) for k, v in b.filters.model_dump().items() if k in _COLUMNS and v}
        specs.append(
            BudgetSpec(
                budget_id=FILE_PREFIX + b.key,
                name=b.name,
                origin=origin,
                unit=_UNITS[b.period],  # type: ignore[arg-type]
                amount=b.amount,
                currency=b.currency,
                parent=FILE_PREFIX + parent if parent else None,
                columns=columns,
                tags={k: tuple(v) for k, v in b.filters.tags().items()},
            )
        )
    return specs


@dataclass(frozen=True)
class LoadedBudgets:
    budgets: list[FileBudget]
    problem: str | None  # the file's error, while older budgets stay in use
    source: Path | None


def last_good_file() -> Path:
    return locations.data_dir() / "budgets-last-good.json"


class BudgetBook:
    """The budgets file at `path` (absent: no file budgets), re-read only when its mtime or size change."""

    def __init__(self, path: Path, *, keep: Path | None = None, origin: str = "file") -> None:
        self.path = path.expanduser()
        self.keep = keep
        self.origin = origin
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._good: list[FileBudget] | None = None
        self._problem: str | None = None

    def load(self) -> LoadedBudgets:
        with self._lock:
            try:
                st = os.stat(self.path)
            except FileNotFoundError:
                self._stamp, self._good, self._problem = None, [], None
                return LoadedBudgets([], None, None)
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp != self._stamp:
                self._stamp = stamp
                self._read()
            return LoadedBudgets(self._good or [], self._problem, self.path)

    def specs(self) -> tuple[list[BudgetSpec], str | None]:
        loaded = self.load()
        return specs_of(loaded.budgets, self.origin), loaded.problem

    def _read(self) -> None:
        try:
            budgets = parse_budgets(self.path.read_text(encoding="utf-8"), self.path)
        except (OSError, UnicodeDecodeError) as exc:
            self._problem = f"{self.path}: cannot read the budgets file ({exc}); the last good budgets stay in use."
            self._good = self._good if self._good is not None else self._kept()
            return
        except BudgetFileError as exc:
            self._problem = str(exc)
            self._good = self._good if self._good is not None else self._kept()
            return
        self._good, self._problem = budgets, None
        self._save(budgets)

    def _kept(self) -> list[FileBudget]:
        """The copy a previous session saved for this same file, if any."""
        if self.keep is None or not self.keep.is_file():
            return []
        try:
            saved = json.loads(self.keep.read_text(encoding="utf-8"))
            if saved.get("source") != str(self.path.resolve()):
                return []
            return [FileBudget.model_validate(b) for b in saved["budgets"]]
        except (OSError, ValueError, KeyError, TypeError):
            return []

    def _save(self, budgets: list[FileBudget]) -> None:
        if self.keep is None:
            return
        payload = {
            "source": str(self.path.resolve()),
            "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "budgets": [b.model_dump() for b in budgets],
        }
        try:
            locations.make_private_dir(self.keep.parent)
            tmp = self.keep.with_name(self.keep.name + ".tmp")
            tmp.write_text(json.dumps(payload, indent=1), encoding="utf-8")
            os.replace(tmp, self.keep)
        except OSError:
            pass  # the in-memory copy still serves this session
