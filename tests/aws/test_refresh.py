"""`finops-tui refresh` against moto as a real HTTP server: what it fills, what it costs, how it fails."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import duckdb
import pytest

from finops_tui.cache.local_reader import LocalCache
from finops_tui.contract.scope import ViewScope
from finops_tui.errors import SourceError
from finops_tui.sources.aws import clients
from finops_tui.sources.aws.refresh import run_refresh
from tests.aws.conftest import NOW, fail_with, options


def q(cache, sql):
    with duckdb.connect(str(cache), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_refresh_fills_costs_budgets_and_resources_with_idle_flags(seeded, budget, tmp_path):
    cache = tmp_path / "c.duckdb"
    summary = run_refresh(cache, options())
    assert summary.run.status == "ok", summary.failures
    assert q(cache, "SELECT count(DISTINCT x_DatasetId), sum(BilledCost), sum(EffectiveCost) FROM costs") == [
        (13, 13 * 12.75, 13 * 11.75)
    ]
    assert q(cache, "SELECT DISTINCT x_SourceKind, x_Extensions->>'Estimated' FROM costs") == [("API", "true")]
    assert q(cache, "SELECT budget_name, budget_amount FROM budgets") == [("team-web", 500)]
    assert q(cache, "SELECT period_start, actual FROM budget_history ORDER BY 1") == [
        (date(2026, 9, 1), Decimal("480.20")),
        (date(2026, 10, 1), Decimal("530.75")),
    ]
    by_type = dict(q(cache, "SELECT resource_type, count(*) FROM resources GROUP BY 1"))
    assert by_type["Instance t3.micro"] == 4 and by_type["Elastic IP"] == 1 and by_type["Bucket"] == 1
    idle = sorted(q(cache, "SELECT resource_type, idle_reason FROM resources WHERE is_idle"))
    assert idle == [
        ("Elastic IP", "Elastic IP not associated with anything"),
        ("Volume gp2 50 GiB", "unattached volume (state available)"),
        ("Volume gp2 50 GiB", "unattached volume (state available)"),
    ]
    # The cockpit reads it through the same interface as exports.
    reader = LocalCache(cache, clock=lambda: NOW)
    usd = ViewScope(currency="USD", metric="BilledCost")
    assert reader.kpi_view(usd).summary.month_to_date == 12.75
    budgets = reader.budgets_view(usd).table.rows()
    assert [(b["budget"], b["actual"], b["last_period"]) for b in budgets] == [("team-web", 12.75, 530.75)]
    reader.close()
    run = q(cache, "SELECT status, ce_requests, ce_cost_usd, api_calls FROM refresh_runs")[0]
    assert run[:3] == ("ok", 13 + 4, Decimal("0.17"))  # 13 months, then forecast, 2 for anomalies, rightsizing
    assert json.loads(run[3])["ce.GetCostAndUsage"] == 13


def test_a_repeat_refresh_inside_the_latency_window_makes_zero_cost_explorer_requests(seeded, tmp_path):
    cache = tmp_path / "c.duckdb"
    run_refresh(cache, options())
    before = q(cache, "SELECT sum(BilledCost) FROM costs")
    again = run_refresh(cache, options())
    assert again.run.ce_requests == 0 and "ce.GetCostAndUsage" not in again.run.api_calls
    assert q(cache, "SELECT sum(BilledCost) FROM costs") == before
    # Seven hours later only the months that can still change are asked again (this one; last month is
    # settled), and the analyses, whose window has passed too.
    later = run_refresh(cache, options(now=lambda: NOW.replace(hour=16, minute=45)))
    assert later.run.api_calls["ce.GetCostAndUsage"] == 1 and later.run.ce_requests == 1 + 4


def test_export_rows_win_over_cost_explorer_for_the_same_account_and_day(seeded, tmp_path):
    from finops_tui.sources.ingest import ingest_paths

    cache = tmp_path / "c.duckdb"
    run_refresh(cache, options())
    account = q(cache, "SELECT DISTINCT SubAccountId FROM costs")[0][0]
    export = tmp_path / "focus.csv"
    export.write_text(
        "BilledCost,EffectiveCost,ChargePeriodStart,BillingPeriodStart,BillingCurrency,ProviderName,"
        f"BillingAccountId,SubAccountId\n100,100,2026-11-01T00:00:00Z,2026-11-01T00:00:00Z,USD,AWS,"
        f"payer,{account}\n"
    )
    ingest_paths([str(export)], cache)
    reader = LocalCache(cache, clock=lambda: NOW)
    assert (
        reader.kpi_view(ViewScope(currency="USD", metric="BilledCost")).summary.month_to_date == 100.0
    )  # not 112.75: the export covers that day
    reader.close()
    assert q(cache, "SELECT count(*) FROM costs WHERE x_SourceKind = 'API'")[0][0] > 0  # both kept, raw


def test_access_denied_in_one_region_is_recorded_and_the_rest_commits(seeded, tmp_path, monkeypatch):
    cache = tmp_path / "c.duckdb"
    run_refresh(cache, options())
    before = q(cache, "SELECT dataset_id, loaded_at FROM datasets WHERE dataset_id LIKE 'resources:%eu-west-1:ec2'")
    monkeypatch.setattr(
        clients.AwsAccount,
        "client",
        fail_with(
            clients.AwsAccount.client,
            lambda s, r: s == "ec2" and r == "eu-west-1",
            403,
            "UnauthorizedOperation",
            "You are not authorized to perform this operation.",
        ),
    )
    summary = run_refresh(cache, options(now=lambda: NOW.replace(hour=10)))
    assert summary.run.status == "partial"
    assert any("ec2 DescribeInstances in eu-west-1: UnauthorizedOperation" in f for f in summary.failures)
    # The failed dataset keeps its rows and its old age; us-east-1 was refreshed.
    assert (
        q(cache, "SELECT dataset_id, loaded_at FROM datasets WHERE dataset_id LIKE 'resources:%eu-west-1:ec2'")
        == before
    )
    assert q(
        cache, "SELECT count(*) FROM resources WHERE region_id = 'eu-west-1' AND resource_type LIKE 'Instance%'"
    ) == [(2,)]


def test_throttling_until_retries_run_out_keeps_the_last_good_costs(seeded, tmp_path, monkeypatch):
    cache = tmp_path / "c.duckdb"
    run_refresh(cache, options())
    before = q(cache, "SELECT x_DatasetId, sum(BilledCost) FROM costs GROUP BY 1 ORDER BY 1")
    monkeypatch.setattr(
        clients.AwsAccount,
        "client",
        fail_with(clients.AwsAccount.client, lambda s, r: s == "ce", 400, "ThrottlingException", "Rate exceeded"),
    )
    summary = run_refresh(cache, options(now=lambda: NOW.replace(hour=17)))
    assert summary.run.status == "partial"
    assert any("ThrottlingException" in f and "try again later" in f for f in summary.failures)
    assert q(cache, "SELECT x_DatasetId, sum(BilledCost) FROM costs GROUP BY 1 ORDER BY 1") == before


def test_expired_credentials_say_what_to_run(seeded, tmp_path, monkeypatch):
    monkeypatch.setattr(
        clients.AwsAccount,
        "client",
        fail_with(
            clients.AwsAccount.client, lambda s, r: s == "sts", 403, "ExpiredToken", "The security token has expired"
        ),
    )
    with pytest.raises(SourceError, match="expired.*aws sso login"):
        run_refresh(tmp_path / "c.duckdb", options())


def test_a_second_refresh_while_one_runs_is_refused(seeded, tmp_path):
    from finops_tui.sources.aws.refresh_lock import refresh_lock

    cache = tmp_path / "c.duckdb"
    with refresh_lock(cache), pytest.raises(SourceError, match="already running"):
        run_refresh(cache, options())


def test_cost_explorer_analyses_fill_anomalies_optimizations_and_forecast_once_per_window(seeded, tmp_path, ce_asked):
    asked = ce_asked
    cache = tmp_path / "c.duckdb"
    summary = run_refresh(cache, options())
    assert sorted(asked) == ["GetAnomalies", "GetAnomalyMonitors", "GetCostForecast", "GetRightsizingRecommendation"]
    assert summary.run.ce_requests == 13 + 4
    assert q(cache, "SELECT anomaly_id, severity, actual_cost, expected_cost, service_name, status FROM anomalies") == [
        ("anomaly-1", "high", 200, 50, "Amazon Elastic Compute Cloud - Compute", "open")
    ]
    aws_own = (  # the rules' own recommendations are tested in test_optimization_rules.py
        "SELECT resource_id, optimization_type, estimated_savings, description FROM optimizations WHERE rule_id IS NULL"
    )
    assert q(cache, aws_own) == [
        (
            "i-0abc",
            "rightsizing (modify)",
            Decimal("70.08"),
            "resize m5.xlarge to m5.large; monthly cost now 140.16 USD",
        )
    ]
    assert q(cache, "SELECT mean, lower_bound, upper_bound FROM cost_forecasts") == [
        (Decimal("395.25"), Decimal("350.10"), Decimal("440.90"))
    ]
    reader = LocalCache(cache, clock=lambda: NOW)
    usd = ViewScope(currency="USD", metric="BilledCost")
    forecast = reader.kpi_view(usd).summary.forecast
    assert forecast.provider_rest == 395.25 and "350–441 (80% interval)" in forecast.provider_label
    assert reader.kpi_view(usd.model_copy(update={"provider": "Google Cloud"})).summary is None
    reader.close()
    asked.clear()
    run_refresh(cache, options(now=lambda: NOW.replace(hour=11)))
    assert asked == []  # two hours later: the same answers, not paid for again


def test_bucket_sizes_come_from_cloudwatch_in_each_buckets_region(seeded, tmp_path):
    import boto3

    boto3.client("s3", region_name="eu-west-1").create_bucket(
        Bucket="eu-archive", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    for region, bucket, size in (("us-east-1", "logs-bucket", 5e9), ("eu-west-1", "eu-archive", 7.5e11)):
        boto3.client("cloudwatch", region_name=region).put_metric_data(
            Namespace="AWS/S3",
            MetricData=[
                {
                    "MetricName": "BucketSizeBytes",
                    "Value": size,
                    "Timestamp": NOW - timedelta(days=2),
                    "Dimensions": [
                        {"Name": "BucketName", "Value": bucket},
                        {"Name": "StorageType", "Value": "StandardStorage"},
                    ],
                }
            ],
        )
    cache = tmp_path / "c.duckdb"
    run_refresh(cache, options(now=lambda: datetime.now(UTC).replace(tzinfo=None)))
    sizes = dict(
        q(cache, "SELECT resource_id, utilization->>'size_bytes' FROM resources WHERE resource_type = 'Bucket'")
    )
    assert sizes == {"logs-bucket": "5000000000.0", "eu-archive": "750000000000.0"}
