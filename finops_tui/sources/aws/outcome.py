"""What one collector run produced: rows, API calls made, and the failures it recorded.

Partial failure is normal for a refresh (one region denied, one service throttled): collectors
return failures as data instead of raising, so the rest of the refresh still commits and the
UI can show exactly which part is stale and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyarrow as pa
from botocore.exceptions import ClientError, HTTPClientError, NoCredentialsError
from botocore.exceptions import ConnectionError as BotoConnectionError

NETWORK_ADVICE = "check the network connection, VPN and proxy (HTTPS_PROXY), or AWS_ENDPOINT_URL if set; then try again"

_ADVICE = {
    "AccessDenied": "grant the IAM permission {service}:{operation} to this identity (see `finops-tui doctor "
    "--test-connection`)",
    "AccessDeniedException": "grant the IAM permission {service}:{operation} to this identity (see "
    "`finops-tui doctor --test-connection`)",
    "UnauthorizedOperation": "grant the IAM permission {service}:{operation} to this identity",
    "ExpiredToken": "the credentials expired: run `aws sso login` (add --profile NAME) or refresh them",
    "ExpiredTokenException": "the credentials expired: run `aws sso login` (add --profile NAME) or refresh them",
    "OptInRequired": "the region is not enabled for this account; enable it or leave it out with --regions",
    "AuthFailure": "the region is not enabled or the credentials are not valid there; check --regions",
    "Throttling": "AWS throttled the calls after all retries; try again later or narrow --regions/--services",
    "ThrottlingException": "AWS throttled the calls after all retries; try again later or narrow --regions/--services",
    "RequestLimitExceeded": "AWS throttled the calls after all retries; try again later",
}


@dataclass(frozen=True)
class CallFailure:
    service: str
    region: str | None
    operation: str
    code: str  # AWS error code, or a local one such as Timeout, CircuitOpen, NoCredentials
    message: str
    advice: str

    def describe(self) -> str:
        where = f" in {self.region}" if self.region else ""
        return f"{self.service} {self.operation}{where}: {self.code}: {self.message}. What to do: {self.advice}"


@dataclass
class CollectorResult:
    collector: str  # e.g. "ce.cost_and_usage", "inventory.ec2"
    region: str | None
    rows: pa.Table | None  # None when nothing usable was collected (keep the previous dataset)
    calls: int = 0
    failures: list[CallFailure] = field(default_factory=list)
    account_id: str | None = None  # set by the refresh, which knows whose credentials ran it

    @property
    def ok(self) -> bool:
        return self.rows is not None and not self.failures


def one_line(text: str, limit: int = 160) -> str:
    """An error body as one short line: HTML error pages (some 5xx answers) lose their tags."""
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_network_error(exc: BaseException) -> bool:
    """No answer from AWS at all (DNS, refused, timeout, proxy, TLS), as opposed to an answer that said no."""
    return isinstance(exc, BotoConnectionError | HTTPClientError)


def failure_from(exc: BaseException, service: str, region: str | None, operation: str) -> CallFailure:
    """Turn a boto3/botocore exception into a CallFailure whose advice says what to do."""
    if is_network_error(exc):
        return CallFailure(
            service, region, operation, "Network", f"cannot reach AWS: {one_line(str(exc))}", NETWORK_ADVICE
        )
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = str(error.get("Code") or "ClientError")
        message = one_line(str(error.get("Message") or exc))
        if code.isdigit() or (status and status >= 500 and code in ("ClientError", str(status))):
            code = f"HTTP {status or code}"
            message = one_line(message, 40)
            return CallFailure(
                service,
                region,
                operation,
                code,
                message,
                "the service answered with a server error; the refresh keeps the previous data "
                "and asks again next time",
            )
    elif isinstance(exc, NoCredentialsError):
        code, message = "NoCredentials", "no AWS credentials were found"
        return CallFailure(
            service,
            region,
            operation,
            code,
            message,
            "configure credentials (aws configure, aws sso login --profile NAME, or "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) or pass --profile",
        )
    else:
        code, message = type(exc).__name__, one_line(str(exc))
    advice = _ADVICE.get(
        code,
        "see the log file for the full response; try again, or leave this service/region out with --services/--regions",
    )
    return CallFailure(service, region, operation, code, message, advice.format(service=service, operation=operation))
