"""The SQL behind local anomaly detection: the daily series it judges and the costs that explain an anomaly.

Series come from the `cost_daily` rollup (export precedence over Cost Explorer already applied),
EffectiveCost of Usage charges only: amortised, so buying a reservation upfront is not a spike,
and without tax, credits and refunds, which follow invoices rather than usage. One series per
(currency, provider, sub-account, service), plus one total per (currency, provider) when that
provider has more than one series. Days after today (a future-dated row) are not judged.

Drivers come from the `costs` line items of the same series (the rollup has no ResourceId), over
the anomaly's days and the `BASELINE_DAYS` before them, in one scan for all anomalies.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import pyarrow as pa

from finops_tui.analysis.anomaly_detector import Series
from finops_tui.analysis.anomaly_drivers import BASELINE_DAYS, DriverCost

TOTAL = "*"  # the sub-account and service of a provider's total series
_USAGE = "(ChargeCategory = 'Usage' OR ChargeCategory IS NULL)"


@dataclass(frozen=True)
class SeriesId:
    """What a series is the spend of; `account` and `service` are TOTAL for a provider's total."""

    currency: str
    provider: str
    account: str
    service: str

    @property
    def key(self) -> str:
        return f"{self.provider}|{self.account}|{self.service}|{self.currency}"

    @property
    def is_total(self) -> bool:
        return self.account == TOTAL


def daily_series(con: duckdb.DuckDBPyConnection, today: date) -> Iterator[tuple[SeriesId, Series]]:
    """Every series with at least one day of cost, each dense from its first day to its last (gaps are 0)."""
    rows = con.execute(
        f"""
        SELECT coalesce(BillingCurrency, '') AS currency, coalesce(ProviderName, '') AS provider,
               CASE WHEN grouping(SubAccountId) = 1 THEN '{TOTAL}' ELSE coalesce(SubAccountId, '') END AS account,
               CASE WHEN grouping(ServiceName) = 1 THEN '{TOTAL}' ELSE coalesce(ServiceName, '') END AS service,
               ChargeDate AS day, sum(EffectiveCost)::DOUBLE AS cost
        FROM cost_daily
        WHERE {_USAGE} AND ChargeDate <= ?
        GROUP BY GROUPING SETS ((BillingCurrency, ProviderName, SubAccountId, ServiceName, ChargeDate),
                                (BillingCurrency, ProviderName, ChargeDate))
        ORDER BY currency, provider, account, service, day
        """,
        [today],
    ).fetchall()
    by_series: dict[tuple[str, str, str, str], dict[date, float]] = {}
    for currency, provider, account, service, day, cost in rows:  # plain tuples: 10^5 rows stay well under 0.1 s
        key = (currency, provider, account, service)
        days = by_series.get(key)
        if days is None:
            days = by_series[key] = {}
        days[day] = cost or 0.0
    per_provider: dict[tuple[str, str], int] = {}
    for currency, provider, account, _ in by_series:
        if account != TOTAL:
            per_provider[(currency, provider)] = per_provider.get((currency, provider), 0) + 1
    for key, days in by_series.items():
        sid = SeriesId(*key)
        if sid.is_total and per_provider.get((sid.currency, sid.provider), 0) < 2:
            continue  # the same numbers as its only series: judging it again would report everything twice
        first, last = min(days), max(days)
        costs = [days.get(first + timedelta(days=i), 0.0) for i in range((last - first).days + 1)]
        yield sid, Series(sid.key, first, costs)


@dataclass(frozen=True)
class Window:
    """One anomaly whose drivers are wanted: its series and its days."""

    index: int
    series: SeriesId
    start: date
    end: date


_DRIVERS = """
SELECT w.idx, c.ResourceId, c.SkuId, c.ChargeDescription, c.RegionId,
       sum(c.EffectiveCost) FILTER (WHERE c.ChargePeriodStart >= w.start_date)::DOUBLE AS during,
       sum(c.EffectiveCost) FILTER (WHERE c.ChargePeriodStart < w.start_date)::DOUBLE AS before
FROM costs c JOIN anomaly_windows w
  ON coalesce(c.BillingCurrency, '') = w.currency AND coalesce(c.ProviderName, '') = w.provider {match}
 AND c.ChargePeriodStart >= w.base_start AND c.ChargePeriodStart < w.end_date + 1
WHERE {usage} AND c.ChargePeriodStart >= ? AND c.x_DatasetId IN (SELECT DISTINCT x_DatasetId FROM cost_daily)
GROUP BY ALL
"""
_SERIES_MATCH = "AND coalesce(c.SubAccountId, '') = w.account AND coalesce(c.ServiceName, '') = w.service"


def driver_costs(con: duckdb.DuckDBPyConnection, windows: list[Window]) -> dict[int, list[DriverCost]]:
    """Per window: each resource's, usage type's and region's cost during it and in the days before."""
    if not windows:
        return {}
    table = pa.table(
        {
            "idx": [w.index for w in windows],
            "currency": [w.series.currency for w in windows],
            "provider": [w.series.provider for w in windows],
            "account": [w.series.account for w in windows],
            "service": [w.series.service for w in windows],
            "is_total": [w.series.is_total for w in windows],
            "base_start": [w.start - timedelta(days=BASELINE_DAYS) for w in windows],
            "start_date": [w.start for w in windows],
            "end_date": [w.end for w in windows],
        }
    )
    earliest = min(w.start for w in windows) - timedelta(days=BASELINE_DAYS)
    series = _DRIVERS.format(match=_SERIES_MATCH + " AND NOT w.is_total", usage=_USAGE)
    totals = _DRIVERS.format(match="AND w.is_total", usage=_USAGE)
    con.register("anomaly_windows", table)
    try:
        rows = con.execute(
            f"""
            WITH hits AS (
                SELECT idx, ResourceId, coalesce(nullif(SkuId, ''), ChargeDescription) AS usage_type, RegionId,
                       during, before
                FROM ({series} UNION ALL {totals}))
            SELECT idx,
                   CASE WHEN grouping(ResourceId) = 0 THEN 'resource'
                        WHEN grouping(usage_type) = 0 THEN 'usage type' ELSE 'region' END AS dimension,
                   coalesce(ResourceId, usage_type, RegionId) AS value,
                   coalesce(sum(during), 0) AS during, coalesce(sum(before), 0) AS before
            FROM hits
            GROUP BY GROUPING SETS ((idx, ResourceId), (idx, usage_type), (idx, RegionId))
            """,
            [earliest, earliest],
        ).fetchall()
    finally:
        con.unregister("anomaly_windows")
    found: dict[int, list[DriverCost]] = {}
    for idx, dimension, value, during, before in rows:
        found.setdefault(int(idx), []).append(DriverCost(dimension, value, float(during), float(before)))
    return found
