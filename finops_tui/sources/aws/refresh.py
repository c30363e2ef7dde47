"""`finops-tui refresh`: run the AWS collectors and commit what succeeded in one step.

Accounts (one per --profile) are identified first (STS, free). Then, in a bounded thread pool:
Cost Explorer (incremental, see cost_explorer.py), Budgets, Organizations account names, and the
inventory of every region. Failures are data: each is recorded in the run and shown, the rest
commits. Everything that succeeded is written in one `write_session` (a private copy swapped in),
so nothing half-written is ever visible and a killed refresh leaves the previous cache intact; a
dataset whose collector failed is not touched, so it keeps its rows and its old age.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, cast

import duckdb
import pyarrow as pa
from botocore.exceptions import BotoCoreError, ClientError

from finops_tui.cache import analysis_writes, cost_writes, dataset_ids, dataset_writes, files, refresh_records
from finops_tui.contract.refresh import RefreshProgress
from finops_tui.contract.vocabulary import DatasetKind
from finops_tui.errors import SourceError
from finops_tui.logs import logged
from finops_tui.sources.aws import account_info, ce_insights, cost_explorer, inventory
from finops_tui.sources.aws.clients import AwsAccount, ClientSettings, open_account
from finops_tui.sources.aws.guards import Guards
from finops_tui.sources.aws.outcome import CollectorResult
from finops_tui.sources.aws.refresh_lock import refresh_lock


@dataclass
class RefreshOptions:
    profiles: list[str | None] = field(default_factory=lambda: [None])
    regions: list[str] | None = None  # None: every region enabled for the account
    services: set[str] | None = None  # inventory services; None: all (see inventory.SERVICES)
    role_arn: str | None = None
    ce_analyses: bool = True  # forecast, anomalies, rightsizing: $0.01 per request each
    client_settings: ClientSettings = field(default_factory=ClientSettings)
    workers: int = 8
    now: Callable[[], datetime] = lambda: datetime.now(UTC).replace(tzinfo=None)


@dataclass
class RefreshSummary:
    run: refresh_records.RefreshRun
    results: list[CollectorResult]
    notes: list[str]

    @property
    def failures(self) -> list[str]:
        return self.run.failures


ProgressCallback = Callable[[RefreshProgress], None]


def _regions(account: AwsAccount, options: RefreshOptions) -> list[str]:
    if options.regions:
        return options.regions
    try:
        found = account.client("ec2").describe_regions()["Regions"]
    except (BotoCoreError, ClientError) as exc:
        raise SourceError(f"Cannot list the account's regions ({exc}); pass --regions.") from None
    return sorted(r["RegionName"] for r in found)


def _stored(cache_path: Path, service: str, account_id: str) -> dict[str, tuple[list[dict[str, Any]], datetime]]:
    if not cache_path.exists():
        return {}
    con = files.connect_read_only(cache_path)
    try:
        return refresh_records.stored_answers(con, service, account_id)
    finally:
        con.close()


def _ce_cache(cache_path: Path, account_id: str) -> dict[str, cost_explorer.CachedAnswer]:
    return {
        h: cost_explorer.CachedAnswer(pages, at) for h, (pages, at) in _stored(cache_path, "ce", account_id).items()
    }


def _insights_asked(cache_path: Path, account_id: str) -> dict[str, datetime]:
    """When each Cost Explorer analysis was last fetched for the account: {forecast|anomalies|rightsizing: time}."""
    return {
        h.split(":")[1].removeprefix("ce."): at for h, (_, at) in _stored(cache_path, "ce-insights", account_id).items()
    }


def run_refresh(
    cache_path: Path, options: RefreshOptions, progress: ProgressCallback | None = None, memory_limit: str | None = None
) -> RefreshSummary:
    """One refresh of every account and region; raises SourceError only when nothing at all could run."""
    notify = progress or (lambda p: None)
    with refresh_lock(cache_path), logged("refresh", "run", cache=str(cache_path)) as info:
        files.ensure_cache(cache_path, memory_limit)
        started = options.now()
        guards = Guards()
        accounts: list[AwsAccount] = []
        notes: list[str] = []
        failures: list[str] = []
        for profile in options.profiles:
            notify(RefreshProgress(step="sts.identify", region=None, state="running", detail=profile or "default"))
            try:
                accounts.append(open_account(profile, guards, options.client_settings, options.role_arn))
                notify(RefreshProgress(step="sts.identify", region=None, state="ok", detail=accounts[-1].label))
            except SourceError as exc:
                failures.append(f"{profile or 'default credentials'}: {exc}")
                notify(RefreshProgress(step="sts.identify", region=None, state="failed", detail=str(exc)))
        if not accounts:
            raise SourceError("; ".join(failures))
        results = _collect(cache_path, accounts, options, notify, notes, started)
        run = _commit(cache_path, accounts, options, results, notes, failures, started, guards, memory_limit)
        info.update(run_status=run.status, ce_requests=run.ce_requests)
        return RefreshSummary(run, results, notes)


def _region_clients(account: AwsAccount, region: str) -> Callable[[str], Any]:
    """Clients for one region's inventory; "service@region" asks for another region (e.g. global S3 calls)."""

    def client(service: str) -> Any:
        return account.client(*service.split("@")) if "@" in service else account.client(service, region)

    return client


def _collect(
    cache_path: Path,
    accounts: list[AwsAccount],
    options: RefreshOptions,
    notify: ProgressCallback,
    notes: list[str],
    now: datetime,
) -> list[CollectorResult]:
    today = now.date()

    def traced(
        account: AwsAccount, name: str, region: str | None, job: Callable[[], CollectorResult | list[CollectorResult]]
    ) -> Callable[[], list[CollectorResult]]:
        def run() -> list[CollectorResult]:
            notify(RefreshProgress(step=name, region=region, state="running"))
            out = job()
            out = out if isinstance(out, list) else [out]
            for r in out:
                r.account_id = account.account_id
            bad = [f.describe() for r in out for f in r.failures]
            rows = sum(r.rows.num_rows for r in out if r.rows is not None)
            notify(
                RefreshProgress(
                    step=name,
                    region=region,
                    state="failed" if bad else "ok",
                    detail=bad[0] if bad else f"{rows:,} rows",
                )
            )
            return out

        return run

    jobs: list[Callable[[], list[CollectorResult]]] = []
    for a in accounts:
        cache = _ce_cache(cache_path, a.account_id)
        jobs.append(traced(a, "cost explorer", None, partial(cost_explorer.collect, a, today, now, cache)))
        asked = _insights_asked(cache_path, a.account_id)
        insights: tuple[tuple[str, Callable[[], CollectorResult]], ...] = (
            ("forecast", partial(ce_insights.forecast, a, today, now)),
            ("anomalies", partial(ce_insights.anomalies, a, today, now)),
            ("rightsizing", partial(ce_insights.rightsizing, a, now)),
        )
        for kind, job in insights:
            if not options.ce_analyses or (kind in asked and now - asked[kind] < cost_explorer.LATENCY):
                continue  # asked less than 6 h ago: Cost Explorer would answer the same, for $0.01 more
            jobs.append(traced(a, kind, None, job))
        jobs.append(traced(a, "budgets", None, partial(account_info.collect_budgets, a, today)))
        for region in _regions(a, options):
            collect = partial(
                inventory.collect_region_inventory, _region_clients(a, region), region, a.account_id,
                options.services, now,
            )  # fmt: skip
            jobs.append(traced(a, "inventory", region, collect))
    results: list[CollectorResult] = []
    with ThreadPoolExecutor(max_workers=options.workers, thread_name_prefix="refresh") as pool:
        for batch in pool.map(lambda job: job(), jobs):
            results.extend(batch)
    for a in accounts:
        names, note = account_info.account_names(a)
        if note:
            notes.append(f"{a.label}: {note}")
        for r in results:
            if isinstance(r, cost_explorer.CostExplorerResult) and r.rows is not None and names:
                accounts_column = r.rows.column("SubAccountId").to_pylist()
                r.rows = r.rows.append_column("SubAccountName", [[names.get(x) for x in accounts_column]])
    return results


def _write_dataset(
    con: duckdb.DuckDBPyConnection,
    kind: DatasetKind,
    account_id: str,
    rows: pa.Table,
    source: str,
    *parts: str,
    data_through: datetime | None = None,
) -> None:
    """Replace one account's dataset of `kind` with what an AWS API answered."""
    dataset_writes.replace_dataset(
        con,
        kind,
        dataset_ids.dataset_id(kind, "AWS", account_id, *parts),
        rows,
        source_kind="API",
        source=source,
        provider="AWS",
        account_id=account_id,
        data_through=data_through,
    )


def _commit(
    cache_path: Path,
    accounts: list[AwsAccount],
    options: RefreshOptions,
    results: list[CollectorResult],
    notes: list[str],
    failures: list[str],
    started: datetime,
    guards: Guards,
    memory_limit: str | None,
) -> refresh_records.RefreshRun:
    failures = failures + [f.describe() for r in results for f in r.failures]
    notes = notes + [n for r in results if isinstance(r, ce_insights.InsightResult) for n in r.notes]
    ce_pages = sum(
        r.pages for r in results if isinstance(r, (cost_explorer.CostExplorerResult, ce_insights.InsightResult))
    )
    labels = {a.account_id: a.label for a in accounts}
    with files.write_session(cache_path, memory_limit) as con:
        for r in results:
            if r.rows is None:
                continue  # failed: the previous dataset stays, with its old age
            account_id = r.account_id or ""  # set for every result by _collect
            label = labels[account_id]
            if isinstance(r, cost_explorer.CostExplorerResult):
                cost_writes.insert_api_costs(con, r.rows, f"AWS Cost Explorer, {label}")
                refresh_records.store_answers(
                    con,
                    [
                        refresh_records.StoredAnswer(
                            h, "ce", "GetCostAndUsage", account_id, request, answer.pages, answer.fetched_at
                        )
                        for h, (request, answer) in r.answers.items()
                    ],
                )
            elif isinstance(r, ce_insights.InsightResult):
                _write_dataset(
                    con, cast(DatasetKind, r.kind), account_id, r.rows, f"AWS Cost Explorer {r.collector[3:]}, {label}"
                )
                refresh_records.store_answers(
                    con,
                    [
                        refresh_records.StoredAnswer(
                            f"insight:{r.collector}:{account_id}",
                            "ce-insights",
                            r.collector,
                            account_id,
                            {},
                            [],
                            options.now(),
                        )
                    ],
                )
            elif r.collector.startswith("budgets"):
                _write_dataset(con, "budgets", account_id, r.rows, f"AWS Budgets, {label}")
                missing = r.history_missing(label) if isinstance(r, account_info.BudgetsResult) else None
                if missing:  # budgets stored; budget_history keeps its rows and its old age
                    failures.append(missing)
                elif isinstance(r, account_info.BudgetsResult) and r.history is not None:
                    source = f"AWS Budgets performance history, {label}"
                    _write_dataset(con, "budget_history", account_id, r.history, source)
            else:
                service = r.collector.removeprefix("inventory.")
                source = f"AWS {service} in {r.region}, {label}"
                parts = (r.region or "", service)
                _write_dataset(con, "resources", account_id, r.rows, source, *parts, data_through=options.now())
        dataset_writes.fill_current_costs(con)
        analysis_writes.refresh_local_analysis(con, now=options.now())  # before the swap: costs never without it
        status = "ok" if not failures else ("partial" if any(r.rows is not None for r in results) else "failed")
        run = refresh_records.RefreshRun(
            run_id=uuid.uuid4().hex[:12],
            started_at=started,
            finished_at=options.now(),
            source=", ".join(labels.values()),
            accounts=list(labels),
            regions=sorted({r.region for r in results if r.region}),
            status=status,
            api_calls=dict(guards.calls.counts),
            ce_requests=ce_pages,
            ce_cost_usd=cost_explorer.PRICE_PER_PAGE * ce_pages,
            collectors=[
                {
                    "collector": r.collector,
                    "region": r.region,
                    "account": r.account_id,
                    "rows": None if r.rows is None else r.rows.num_rows,
                    "status": "failed" if r.failures else "ok",
                }
                for r in results
            ],
            failures=failures + notes,
        )
        refresh_records.record_run(con, run)
    return run
