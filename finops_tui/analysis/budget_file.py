"""The budgets file: TOML, validated with pydantic; every error names the key and its line.

    [[budget]]
    id = "data"                      # optional; default: the name, lower-case, dashes for spaces
    name = "Data platform"
    amount = 40000
    currency = "USD"
    period = "monthly"               # monthly | quarterly | annual (calendar: the year starts in January)
    parent = "total"                 # optional: another budget's id (or name)
    [budget.filters]                 # optional; several values of one key: any of them; several keys: all
    provider = ["AWS"]
    account = ["410987654321"]
    service = ["Amazon Simple Storage Service"]
    region = ["us-east-1"]
    tag = ["team=data"]              # key=value, matched against the cost rows' Tags

tomllib reports a syntax error's line itself but knows nothing of lines once parsed, so
`key_lines` scans the text for where each table and key starts, and a pydantic error's location
(`budget.2.amount`) is mapped back to that line.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from finops_tui.errors import ConfigError

Period = Literal["monthly", "quarterly", "annual"]
Loc = tuple[str | int, ...]


class BudgetFileError(ConfigError):
    """The budgets file cannot be used; the message has the file, the line and the key."""

    def __init__(self, path: Path, line: int, key: str, problem: str) -> None:
        self.path, self.line, self.key = path, line, key
        super().__init__(f"{path}, line {line}: {key}: {problem}. Fix the file; the last good budgets stay in use.")


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


class BudgetFilters(BaseModel):
    """Which cost rows count: within a key any value matches; every key given must match."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: list[str] = Field(default_factory=list, description="ProviderName, e.g. AWS")
    account: list[str] = Field(default_factory=list, description="SubAccountId")
    service: list[str] = Field(default_factory=list, description="ServiceName")
    region: list[str] = Field(default_factory=list, description="RegionId")
    tag: list[str] = Field(default_factory=list, description="key=value against the rows' Tags")

    _lists = field_validator("provider", "account", "service", "region", "tag", mode="before")(_as_list)

    @field_validator("tag")
    @classmethod
    def _key_value(cls, tags: list[str]) -> list[str]:
        for tag in tags:
            key, eq, _ = tag.partition("=")
            if not eq or not key.strip():
                raise ValueError(f"{tag!r} is not key=value (e.g. team=data)")
        return tags

    def tags(self) -> dict[str, list[str]]:
        pairs: dict[str, list[str]] = {}
        for tag in self.tag:
            key, _, value = tag.partition("=")
            pairs.setdefault(key.strip(), []).append(value.strip())
        return pairs


class FileBudget(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str | None = Field(None, min_length=1)
    name: str = Field(min_length=1)
    amount: float = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217, e.g. USD")
    period: Period = "monthly"
    parent: str | None = None
    filters: BudgetFilters = Field(default_factory=BudgetFilters)

    @property
    def key(self) -> str:
        return self.id or re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") or self.name


class BudgetFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    budget: list[FileBudget] = Field(default_factory=list)


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*([A-Za-z0-9_\-."']+?)\s*=""")
_INLINE_KEY = re.compile(r"""[{,]\s*([A-Za-z0-9_\-"']+)\s*=""")


def key_lines(text: str) -> dict[Loc, int]:
    """Where each table and key starts: ("budget", 0, "filters", "tag") -> line number (1-based)."""
    lines: dict[Loc, int] = {}
    counts: dict[str, int] = {}
    table: Loc = ()
    for number, raw in enumerate(text.splitlines(), start=1):
        if header := _HEADER.match(raw):
            parts = tuple(p.strip().strip("\"'") for p in header.group(2).split("."))
            if header.group(1) == "[[":
                counts[parts[0]] = counts.get(parts[0], -1) + 1
                table = (parts[0], counts[parts[0]], *parts[1:])
            elif parts[0] in counts:  # [budget.filters] belongs to the latest [[budget]]
                table = (parts[0], counts[parts[0]], *parts[1:])
            else:
                table = parts
            lines.setdefault(table, number)
        elif key := _KEY.match(raw):
            path = (*table, *(p.strip().strip("\"'") for p in key.group(1).split(".")))
            lines.setdefault(path, number)
            for inner in _INLINE_KEY.findall(raw[key.end() :]):
                lines.setdefault((*path, inner.strip("\"'")), number)
    return lines


def line_of(lines: dict[Loc, int], loc: Loc) -> int:
    """The line of `loc`, or of the nearest enclosing key or table that has one; 1 if none."""
    for cut in range(len(loc), 0, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return 1


def _key_label(loc: Loc, data: dict[str, Any]) -> str:
    """`budget "EC2" amount` for ("budget", 3, "amount"): which budget, in the user's words."""
    if len(loc) >= 2 and loc[0] == "budget" and isinstance(loc[1], int):
        entries = data.get("budget")
        entry = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else {}
        name = entry.get("name") if isinstance(entry, dict) else None
        which = f'"{name}"' if isinstance(name, str) else f"#{loc[1] + 1}"
        rest = ".".join(str(p) for p in loc[2:])
        return f"[[budget]] {which}" + (f" {rest}" if rest else "")
    return ".".join(str(p) for p in loc) or "file"


def parse_budgets(text: str, path: Path) -> list[FileBudget]:
    """The budgets in `text`; BudgetFileError (with the line and key) for the first problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise BudgetFileError(path, int(match.group(1)) if match else 1, "TOML syntax", str(exc)) from None
    lines = key_lines(text)
    try:
        parsed = BudgetFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        msg = "unknown key (see the budgets file's documented keys)" if err["type"] == "extra_forbidden" else err["msg"]
        raise BudgetFileError(path, line_of(lines, loc), _key_label(loc, data), msg) from None
    _check_hierarchy(parsed.budget, lines, data, path)
    return parsed.budget


def _check_hierarchy(budgets: list[FileBudget], lines: dict[Loc, int], data: dict[str, Any], path: Path) -> None:
    """Ids are unique, every parent exists, and following parents never comes back (no cycle)."""
    index: dict[str, int] = {}
    for i, b in enumerate(budgets):
        if b.key in index:
            loc: Loc = ("budget", i, "id") if b.id else ("budget", i, "name")
            raise BudgetFileError(path, line_of(lines, loc), _key_label(loc, data), f"id {b.key!r} is used twice")
        index[b.key] = i
    names = {b.name: b.key for b in budgets}
    for i, b in enumerate(budgets):
        if b.parent is not None and b.parent not in index and b.parent not in names:
            loc = ("budget", i, "parent")
            known = ", ".join(sorted(index)) or "none"
            raise BudgetFileError(
                path, line_of(lines, loc), _key_label(loc, data), f"no budget {b.parent!r} (ids: {known})"
            )
    for i, b in enumerate(budgets):
        seen, at = {b.key}, b
        while at.parent is not None:
            at = budgets[index.get(at.parent, index.get(names.get(at.parent, ""), 0))]
            if at.key in seen and at.key != b.key:
                break  # a cycle further up: reported at one of its own members
            if at.key in seen:
                loc = ("budget", i, "parent")
                raise BudgetFileError(
                    path, line_of(lines, loc), _key_label(loc, data), f"parents go round in a cycle back to {b.key!r}"
                )
            seen.add(at.key)


def parent_key(budget: FileBudget, budgets: list[FileBudget]) -> str | None:
    """The parent's id, whether the file named it by id or by name."""
    if budget.parent is None:
        return None
    keys = {b.key for b in budgets}
    return budget.parent if budget.parent in keys else next(b.key for b in budgets if b.name == budget.parent)
