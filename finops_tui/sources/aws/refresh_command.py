"""The `finops-tui refresh` command: options, --dry-run, --continuous, and the printed report."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from finops_tui.cache import refresh_records
from finops_tui.contract.refresh import RefreshError, RefreshOutcome, RefreshProgress
from finops_tui.errors import ConfigError, FinopsError, SourceError
from finops_tui.money import format_money
from finops_tui.sources.aws import cost_explorer, inventory
from finops_tui.sources.aws.clients import open_account
from finops_tui.sources.aws.guards import Guards
from finops_tui.sources.aws.refresh import RefreshOptions, _ce_cache, run_refresh


def options_from(args: argparse.Namespace) -> RefreshOptions:
    services = {s.strip() for s in args.services.split(",")} if args.services else None
    unknown = (services or set()) - set(inventory.SERVICES)
    if unknown:
        raise ConfigError(f"Unknown --services {', '.join(sorted(unknown))}; use {', '.join(inventory.SERVICES)}.")
    regions = [r.strip() for r in args.regions.split(",") if r.strip()] if args.regions else None
    return RefreshOptions(
        profiles=args.profile or [None],
        regions=regions,
        services=services,
        role_arn=args.role_arn,
        ce_analyses=not args.no_ce_analyses,
    )


def dry_run(cache: Path, options: RefreshOptions) -> int:
    """Print what a refresh would call; only STS GetCallerIdentity (free) is called, to know the accounts."""
    now = options.now()
    out = sys.stdout
    out.write(f"Dry run: nothing that costs money is called. Cache: {cache}\n")
    total = 0
    for profile in options.profiles:
        try:
            account = open_account(profile, Guards(), options.client_settings, options.role_arn)
        except SourceError as exc:
            out.write(f"  {profile or 'default credentials'}: cannot identify: {exc}\n")
            continue
        plan = cost_explorer.plan(account.account_id, now.date(), now, _ce_cache(cache, account.account_id))
        total += len(plan.requests)
        out.write(f"  {account.label}\n")
        out.write(
            f"    Cost Explorer GetCostAndUsage: {len(plan.requests)} request(s) (at least one page each, "
            f"$0.01 per page), {len(plan.reused)} month(s) answered from the cache\n"
        )
        for request in plan.requests:
            period = request["TimePeriod"]
            out.write(f"      DAILY by SERVICE, REGION: {period['Start']} .. {period['End']}\n")
        if options.ce_analyses:
            out.write(
                "    Cost Explorer GetCostForecast, GetAnomalies (+ GetAnomalyMonitors), "
                "GetRightsizingRecommendation: up to 4 requests ($0.01 each), at most once per 6 hours\n"
            )
            total += 4
        out.write("    Budgets DescribeBudgets, Organizations ListAccounts (free)\n")
        regions = options.regions or ["every enabled region (EC2 DescribeRegions)"]
        services = sorted(options.services or inventory.SERVICES)
        out.write(
            f"    inventory in {', '.join(regions)}: {', '.join(services)}; CloudWatch GetMetricData "
            "(about $0.01 per 1,000 metrics)\n"
        )
    out.write(
        f"Estimated Cost Explorer charge: {format_money(float(cost_explorer.PRICE_PER_PAGE * total), 'USD')} "
        f"or more (pages beyond the first cost $0.01 each)\n"
    )
    return 0


def _print_progress(p: RefreshProgress) -> None:
    if p.state != "running":
        where = f" {p.region}" if p.region else ""
        print(f"  {p.state:6} {p.step}{where}: {p.detail}", file=sys.stderr, flush=True)


def _json_line(event: RefreshProgress | RefreshOutcome | RefreshError) -> None:
    print(event.model_dump_json(), flush=True)


def once_json(cache: Path, options: RefreshOptions, memory_limit: str | None) -> int:
    """For the cockpit, which runs the refresh in a child process: one `RefreshEvent` per line."""
    try:
        run = run_refresh(cache, options, _json_line, memory_limit).run
    except FinopsError as exc:
        _json_line(RefreshError(message=str(exc)))
        return 1
    spend = refresh_records.cost_explorer_spend(run.ce_requests, run.ce_cost_usd, None)
    _json_line(RefreshOutcome(status=run.status, failures=run.failures, spend=[spend]))
    return 0


def once(cache: Path, options: RefreshOptions, memory_limit: str | None) -> int:
    summary = run_refresh(cache, options, _print_progress, memory_limit)
    run = summary.run
    print(f"Refresh {run.status}: {run.source}; regions {', '.join(run.regions) or '—'}")
    print(f"  Cost Explorer: {run.ce_requests} request page(s), ${run.ce_cost_usd:.2f}")
    calls = ", ".join(f"{k} {v}" for k, v in sorted(run.api_calls.items()))
    print(f"  API calls: {sum(run.api_calls.values())} ({calls})")
    for failure in run.failures:
        print(f"  problem: {failure}")
    return 0 if run.status == "ok" else 1


def main(args: argparse.Namespace, cache: Path, memory_limit: str | None) -> int:
    options = options_from(args)
    if args.progress_json:
        return once_json(cache, options, memory_limit)
    if args.dry_run:
        return dry_run(cache, options)
    if not args.continuous:
        return once(cache, options, memory_limit)
    while True:
        try:
            once(cache, options, memory_limit)
        except SourceError as exc:  # keep going: the next round may work (credentials renewed, network back)
            print(f"finops-tui: refresh failed: {exc}", file=sys.stderr)
        at = datetime.fromtimestamp(time.time() + args.interval, UTC)
        print(f"Next refresh at {at:%H:%M:%S} UTC (in {args.interval} s); Ctrl-C stops.", file=sys.stderr)
        time.sleep(args.interval)
