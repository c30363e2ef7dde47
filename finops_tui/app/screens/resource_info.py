"""What one resource is: inventory and billing fields, tags, metrics, cost per month, findings that name it."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.widgets import Static

from finops_tui.contract.details import ResourceDetail
from finops_tui.contract.reader import CostReader
from finops_tui.contract.scope import ViewScope
from finops_tui.money import format_money
from finops_tui.terminal_text import escape_controls

_BLOCKS = " ▁▂▃▄▅▆▇█"


def _pairs(values: dict[str, Any]) -> str:
    return ", ".join(
        f"{escape_controls(str(k))}={escape_controls(json.dumps(v) if isinstance(v, dict | list) else str(v))}"
        for k, v in values.items()
    )


def _history(r: ResourceDetail) -> str | Text:
    if not r.history:
        return Text(f"no {r.scope.metric} billed in {r.scope.label}", style="dim")
    top = max(m.cost for m in r.history) or 1
    bars = "".join(_BLOCKS[max(1, round(max(m.cost, 0) / top * 8))] for m in r.history)
    last = r.history[-1]
    span = f"{r.history[0].month:%b %Y}–{last.month:%b %Y}"
    return f"{bars}  {span}, latest month {format_money(last.cost, r.scope.currency)}"


def _findings(r: ResourceDetail) -> str | Text:
    lines = []
    for row in r.anomalies.rows():
        impact = format_money(row["impact"], row["currency"], signed=True)
        lines.append(f"anomaly {row['anomaly_id']}: {row['severity']} {impact}")
    for row in r.optimizations.rows():
        savings = format_money(row["monthly_savings"], row["currency"])
        description = escape_controls(str(row["description"]))
        lines.append(f"optimization {row['type']}: {description} ({savings}/month)")
    return "\n".join(lines) if lines else Text("no anomaly or optimization names it", style="dim")


def resource_renderable(r: ResourceDetail) -> Group:
    """What matters first (cost, findings, tags, metrics), then every other field that has a value."""
    fields = Table.grid(padding=(0, 2))
    fields.add_column(style="bold", no_wrap=True)
    fields.add_column(overflow="fold")
    fields.add_row("cost by month", _history(r))
    fields.add_row("findings", _findings(r))
    fields.add_row("tags", _pairs(r.tags) if r.tags else Text("none recorded", style="dim"))
    fields.add_row("metrics", _pairs(r.metrics) if r.metrics else Text("none recorded", style="dim"))
    known = {str(v) for k, v in r.fields.items() if not k.startswith("billed_") and v is not None}
    for name, value in r.fields.items():
        if value in (None, "") or name.startswith("billed_") and str(value) in known:
            continue  # billing says what the inventory already said
        fields.add_row(escape_controls(name.replace("_", " ")), escape_controls(str(value)))
    return Group(fields)


class ResourceInfo(Static):
    DEFAULT_CSS = """
    ResourceInfo { height: auto; max-height: 30%; padding: 0 1; overflow-y: auto; border-bottom: solid $panel; }
    """

    class Loaded(Message):
        def __init__(self, detail: ResourceDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, reader: CostReader, scope: ViewScope, resource_id: str, **kwargs: Any) -> None:
        super().__init__(Text(f"{resource_id} · loading…", style="dim"), **kwargs)
        self.reader, self.scope, self.resource_id = reader, scope, resource_id
        self.detail: ResourceDetail | None = None

    def on_mount(self) -> None:
        self._fetch()

    @work(thread=True, exclusive=True, exit_on_error=False, group="resource-detail")
    def _fetch(self) -> None:
        try:
            self.post_message(self.Loaded(self.reader.resource_detail(self.scope, self.resource_id)))
        except Exception as exc:
            self.app.call_from_thread(self.app.notify, str(exc), title="Could not load the resource", severity="error")

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        message.stop()
        self.detail = message.detail
        self.update(resource_renderable(message.detail))
