"""What live refreshes did, and the API answers they may reuse: tables `refresh_runs` and
`api_request_cache` (schema v3). Reading and writing them is SQL, so it lives here."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import duckdb

from finops_tui.contract.refresh import PaidApiSpend, RefreshStatus

COST_EXPLORER = "AWS Cost Explorer"


@dataclass(frozen=True)
class StoredAnswer:
    request_hash: str
    service: str
    operation: str
    account_id: str
    request: dict[str, Any]
    pages: list[dict[str, Any]]
    fetched_at: datetime


@dataclass(frozen=True)
class RefreshRun:
    run_id: str
    started_at: datetime
    finished_at: datetime
    source: str
    accounts: list[str]
    regions: list[str]
    status: str  # ok, partial, failed
    api_calls: dict[str, int]
    ce_requests: int
    ce_cost_usd: Decimal
    collectors: list[dict[str, Any]]  # {collector, region, status, rows, calls}
    failures: list[str]


def stored_answers(
    cur: duckdb.DuckDBPyConnection, service: str, account_id: str
) -> dict[str, tuple[list[dict[str, Any]], datetime]]:
    rows = cur.execute(
        "SELECT request_hash, response, fetched_at FROM api_request_cache WHERE service = ? AND account_id = ?",
        [service, account_id],
    ).fetchall()
    return {h: (json.loads(r), t) for h, r, t in rows}


def store_answers(con: duckdb.DuckDBPyConnection, answers: Iterable[StoredAnswer]) -> None:
    for a in answers:
        con.execute("DELETE FROM api_request_cache WHERE request_hash = ?", [a.request_hash])
        con.execute(
            "INSERT INTO api_request_cache VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                a.request_hash,
                a.service,
                a.operation,
                a.account_id,
                json.dumps(a.request),
                json.dumps(a.pages),
                len(a.pages),
                a.fetched_at,
            ],
        )


def record_run(con: duckdb.DuckDBPyConnection, run: RefreshRun) -> None:
    con.execute(
        "INSERT INTO refresh_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            run.run_id,
            run.started_at,
            run.finished_at,
            run.source,
            run.accounts,
            run.regions,
            run.status,
            json.dumps(run.api_calls),
            run.ce_requests,
            run.ce_cost_usd,
            json.dumps(run.collectors),
            json.dumps(run.failures),
        ],
    )


def ce_spend_since(cur: duckdb.DuckDBPyConnection, since: datetime) -> tuple[int, Decimal]:
    """Cost Explorer requests made and dollars spent by refreshes since `since`."""
    row = cur.execute(
        "SELECT coalesce(sum(ce_requests), 0), coalesce(sum(ce_cost_usd), 0) FROM refresh_runs WHERE started_at >= ?",
        [since],
    ).fetchall()[0]
    return int(row[0]), Decimal(row[1])


def has_runs_table(cur: duckdb.DuckDBPyConnection) -> bool:
    tables = {r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    return "refresh_runs" in tables


def cost_explorer_spend(requests: int, cost_usd: Decimal | float, today_usd: Decimal | float | None) -> PaidApiSpend:
    """What Cost Explorer billed, in the contract's provider-neutral shape."""
    today = None if today_usd is None else float(today_usd)
    return PaidApiSpend(service=COST_EXPLORER, requests=requests, cost_usd=float(cost_usd), cost_today_usd=today)


def latest_status(cur: duckdb.DuckDBPyConnection, start_of_today: datetime) -> RefreshStatus | None:
    """The latest refresh run, with what Cost Explorer cost in it and in every run since `start_of_today`."""
    rows = cur.execute(
        "SELECT source, finished_at, status, ce_requests, ce_cost_usd, failures "
        "FROM refresh_runs ORDER BY started_at DESC LIMIT 1"
    ).fetchall()
    if not rows:
        return None
    source, finished_at, status, requests, cost, failures = rows[0]
    _, today = ce_spend_since(cur, start_of_today)
    return RefreshStatus(
        source=source,
        finished_at=finished_at,
        status=status,
        failures=json.loads(failures) if failures else [],
        spend=[cost_explorer_spend(int(requests), cost, today)],
    )
