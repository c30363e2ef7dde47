"""boto3 sessions and clients for a refresh: one session per profile (optionally assuming a role),
clients with adaptive retries, timeouts on every call, and the guards attached.

Credentials come from the boto3 chain (environment, shared config and credentials files, SSO,
instance roles); `--profile` picks a named profile. Expired or missing credentials become a
SourceError whose message says what to run.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound, TokenRetrievalError

from finops_tui.errors import SourceError
from finops_tui.sources.aws.guards import Guards

GLOBAL_REGION = "us-east-1"  # Cost Explorer, Budgets and Organizations answer only here


@dataclass(frozen=True)
class ClientSettings:
    max_attempts: int = 5  # botocore adaptive retry mode: backoff with a client-side rate estimate
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_pool_connections: int = 20

    def config(self, region: str) -> Config:
        return Config(
            region_name=region,
            retries={"mode": "adaptive", "max_attempts": self.max_attempts},
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            max_pool_connections=self.max_pool_connections,
        )


def credentials_advice(exc: BaseException, profile: str | None) -> str:
    """What to run when credentials fail, for messages."""
    flag = f" --profile {profile}" if profile else ""
    text = str(exc)
    if isinstance(exc, ProfileNotFound):
        return f"No AWS profile named {profile!r}. List profiles with `aws configure list-profiles`."
    if isinstance(exc, TokenRetrievalError) or "sso" in text.lower():
        return f"The SSO session has expired or was never started: run `aws sso login{flag}`."
    if isinstance(exc, NoCredentialsError):
        return (
            f"No AWS credentials found{' for profile ' + profile if profile else ''}. Configure them "
            f"(`aws configure{flag}` or `aws sso login{flag}`), set AWS_PROFILE, or pass --profile."
        )
    if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in (
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
    ):
        return f"The AWS credentials have expired: refresh them (`aws sso login{flag}` or renew the session token)."
    if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in (
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
    ):
        return "The AWS access key is not valid: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the profile's keys."
    return f"AWS did not accept the credentials ({text}). Check them with `aws sts get-caller-identity{flag}`."


@dataclass
class AwsAccount:
    """One credential to refresh with: the session, who it is, and guarded clients per region."""

    profile: str | None
    session: boto3.Session
    guards: Guards
    settings: ClientSettings = field(default_factory=ClientSettings)
    account_id: str = ""
    arn: str = ""
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def label(self) -> str:
        return f"{self.profile or 'default credentials'} ({self.account_id or 'unknown account'})"

    def client(self, service: str, region: str = GLOBAL_REGION) -> Any:
        with self._lock:  # boto3 client creation is not thread-safe; clients themselves are
            key = (service, region)
            if key not in self._clients:
                raw = self.session.client(service, config=self.settings.config(region))
                self._clients[key] = self.guards.attach(raw, service, region)
            return self._clients[key]

    def identify(self) -> None:
        """STS GetCallerIdentity: who these credentials are; SourceError with advice if they do not work."""
        try:
            identity = self.client("sts").get_caller_identity()
        except (BotoCoreError, ClientError) as exc:
            raise SourceError(credentials_advice(exc, self.profile)) from None
        self.account_id, self.arn = identity["Account"], identity["Arn"]


def open_account(
    profile: str | None, guards: Guards, settings: ClientSettings | None = None, role_arn: str | None = None
) -> AwsAccount:
    """A session for `profile` (None: the default chain), assuming `role_arn` if given, identified."""
    try:
        session = boto3.Session(profile_name=profile) if profile else boto3.Session()
    except ProfileNotFound as exc:
        raise SourceError(credentials_advice(exc, profile)) from None
    account = AwsAccount(profile, session, guards, settings or ClientSettings())
    if role_arn:
        try:
            creds = account.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="finops-tui")["Credentials"]
        except (BotoCoreError, ClientError) as exc:
            raise SourceError(
                f"Cannot assume {role_arn}: {exc}. The identity needs sts:AssumeRole on it, and the "
                "role's trust policy must allow this identity."
            ) from None
        session = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        account = AwsAccount(profile, session, guards, account.settings)
    account.identify()
    return account
