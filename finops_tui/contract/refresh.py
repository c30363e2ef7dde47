"""A live refresh as the contract sees it: progress events, the outcome, and the latest run's status.

Provider-neutral: what a source charges for its own API (AWS Cost Explorer bills per request
page) travels as a typed `PaidApiSpend` extension that the UI shows without knowing the service.
The cockpit's refresh child writes these events as JSON lines (`RefreshEvent`), one per line.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

RunStatus = Literal["ok", "partial", "failed"]
StepState = Literal["running", "ok", "failed"]


class PaidApiSpend(BaseModel):
    """What a refresh spent on a paid API, e.g. AWS Cost Explorer at $0.01 per request page."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["paid-api"] = "paid-api"
    service: str
    requests: int
    cost_usd: float
    cost_today_usd: float | None = Field(None, description="every refresh today, when the source knows it")

    def describe(self) -> str:
        today = f", ${self.cost_today_usd:.2f} today" if self.cost_today_usd is not None else ""
        return f"{self.service}: {self.requests} request(s), ${self.cost_usd:.2f}{today}"


class RefreshProgress(BaseModel):
    model_config = ConfigDict(frozen=True)

    event: Literal["progress"] = "progress"
    step: str = Field(description="collector, e.g. 'cost explorer', 'inventory'")
    region: str | None = None
    state: StepState
    detail: str = ""

    @property
    def key(self) -> str:
        return f"{self.step} {self.region}" if self.region else self.step


class RefreshOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    event: Literal["outcome"] = "outcome"
    status: RunStatus
    failures: list[str] = Field(default_factory=list)
    spend: list[PaidApiSpend] = Field(default_factory=list)


class RefreshError(BaseModel):
    """Nothing could run (no credentials, no account reachable): the message says what to do."""

    model_config = ConfigDict(frozen=True)

    event: Literal["error"] = "error"
    message: str


RefreshEvent = Annotated[RefreshProgress | RefreshOutcome | RefreshError, Field(discriminator="event")]
REFRESH_EVENT: TypeAdapter[RefreshProgress | RefreshOutcome | RefreshError] = TypeAdapter(RefreshEvent)


class RefreshStatus(BaseModel):
    """The latest live refresh recorded in the source."""

    model_config = ConfigDict(frozen=True)

    source: str = Field(description="profile/account labels")
    finished_at: datetime
    status: RunStatus
    failures: list[str] = Field(default_factory=list)
    spend: list[PaidApiSpend] = Field(default_factory=list)


class Refresher(Protocol):
    """Fetches live data into the source (the CLI wires the AWS collectors in); the UI only runs it."""

    label: str

    def run(self, progress: Callable[[RefreshProgress], None]) -> RefreshOutcome:
        """Blocking (call it from a worker thread); raises FinopsError when nothing could run."""
        ...
