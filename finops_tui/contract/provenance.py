"""Where the numbers come from: the source, each dataset with its age, and what the data holds.

`Overview` is everything the header and the view choices need, fetched in one call.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from finops_tui.contract import CONTRACT_VERSION
from finops_tui.contract.refresh import RefreshStatus
from finops_tui.contract.vocabulary import Origin, SourceKind


class SourceInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: SourceKind
    location: str = Field(description="file path, AWS profile/account or backend URL")
    read_only: bool
    origin: str | None = Field(None, description="for snapshots: where and when the file was made")
    note: str | None = Field(None, description="e.g. why the DEMO is showing; 'DEMO' for a DEMO snapshot")

    @property
    def is_demo(self) -> bool:
        return self.kind == "DEMO" or self.note == "DEMO"


class DatasetInfo(BaseModel):
    """One loaded dataset: a billing-period slice of an export, or one collector's answer."""

    model_config = ConfigDict(frozen=True)

    dataset_id: str
    kind: str
    origin: Origin | str = Field(description="FILE, API or DEMO")
    source: str | None
    format: str | None = None
    format_version: str | None = None
    provider: str | None = None
    account_id: str | None = None
    billing_period: date | None = None
    row_count: int = 0
    loaded_at: datetime | None = None
    data_through: datetime | None = None


class CurrencySpend(BaseModel):
    """One billing currency, the spend it holds (absolute billed cost) and the providers billing in it."""

    model_config = ConfigDict(frozen=True)

    currency: str | None
    spend: float
    providers: list[str]
    latest_month_spend: float = Field(
        0.0, description="absolute billed cost in `latest_month`, the latest month with data in any currency"
    )
    latest_month: date | None = None


ConnectionState = Literal["live", "stale"]
BreakerState = Literal["closed", "open", "half-open"]


class BackendConnection(BaseModel):
    """How a remote reader reaches its backend, so the header can say STALE and since when.

    Set only by a reader over a network (never by the server, never for a local file): `state` is
    "stale" while the answers shown are the last good ones kept on disk, never invented ones.
    Times are naive UTC, like every other time in the contract.
    """

    model_config = ConfigDict(frozen=True)

    backend: str = Field(description="the backend URL")
    state: ConnectionState = "live"
    stale_since: datetime | None = Field(None, description="when the backend last answered; set while stale")
    breaker: BreakerState = Field("closed", description="the client's circuit breaker")
    problem: str | None = Field(None, description="why the backend is not answering, with advice")


class Overview(BaseModel):
    """The header and the view choices: source, datasets, currencies, providers, refresh.

    `currencies` come largest first by spend in the latest month with data: the first is the view to open on.
    """

    model_config = ConfigDict(frozen=True)

    contract_version: str = CONTRACT_VERSION
    source: SourceInfo
    datasets: list[DatasetInfo]
    currencies: list[CurrencySpend]
    providers: list[str] = Field(description="every provider with cost data, by name")
    refresh: RefreshStatus | None = Field(None, description="the latest live refresh, if there was one")
    empty_currency_rows: int = Field(
        0, description="line items with no currency and no cost: not a currency of their own, counted here"
    )

    def elsewhere(self, currency: str | None) -> dict[str, list[str]]:
        """Provider -> the other currencies it has data in, for providers with data outside `currency`."""
        other: dict[str, list[str]] = {}
        for c in self.currencies:
            if c.currency != currency:
                for name in c.providers:
                    other.setdefault(name, []).append(c.currency or "(no currency)")
        return other

    connection: BackendConnection | None = Field(None, description="remote readers only: backend, live or STALE")

    def providers_in(self, currency: str | None) -> list[str]:
        for c in self.currencies:
            if c.currency == currency:
                return c.providers
        return []
