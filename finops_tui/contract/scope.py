"""What the user is looking at: one currency, one cost metric, one provider or all of them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from finops_tui.contract.vocabulary import Metric


class ViewScope(BaseModel):
    """Every cost figure is for one currency (never summed across) and optionally one provider.

    `provider=None` means every provider that has data in this currency.
    """

    model_config = ConfigDict(frozen=True)

    currency: str | None
    metric: Metric = "EffectiveCost"
    provider: str | None = None

    @property
    def label(self) -> str:
        return f"{self.currency or '(no currency)'} · {self.provider or 'all providers'}"
