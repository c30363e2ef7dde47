"""The moto server fixture is a real HTTP endpoint that boto3 reaches through AWS_ENDPOINT_URL."""

import boto3


def test_boto3_reaches_moto_over_http_and_state_resets_between_tests(moto_server):
    ec2 = boto3.client("ec2", region_name="eu-west-1")
    assert ec2.meta.endpoint_url == moto_server.url
    assert ec2.describe_volumes()["Volumes"] == []
    ec2.create_volume(AvailabilityZone="eu-west-1a", Size=8)
    assert len(ec2.describe_volumes()["Volumes"]) == 1
    moto_server.reset()
    assert ec2.describe_volumes()["Volumes"] == []


def test_cost_explorer_results_are_injected_through_motos_api(moto_server):
    result = {
        "ResultsByTime": [
            {
                "TimePeriod": {"Start": "2026-11-01", "End": "2026-11-02"},
                "Total": {"UnblendedCost": {"Amount": "12.5", "Unit": "USD"}},
                "Groups": [],
                "Estimated": True,
            }
        ]
    }
    moto_server.inject_cost_and_usage([result])
    ce = boto3.client("ce", region_name="us-east-1")
    got = ce.get_cost_and_usage(
        TimePeriod={"Start": "2026-11-01", "End": "2026-11-02"}, Granularity="DAILY", Metrics=["UnblendedCost"]
    )
    assert got["ResultsByTime"][0]["Total"]["UnblendedCost"]["Amount"] == "12.5"
