"""boto3 sessions and clients for a refresh: one session per profile (optionally assuming a role),
clients with adaptive retries, timeouts on every call, and the guards attached.

Credentials come from the boto3 chain (environment, shared config and credentials files, SSO,
instance roles); `--profile` picks a named profile. Expired or missing credentials become a
SourceError whose message says what to run; an unreachable endpoint says "network", not
"credentials". A malformed shared config or credentials file becomes a ConfigError naming the
file and line only: the line itself may hold a secret, so no message or log ever quotes it.
"""

from __future__ import annotations

import configparser
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConfigParseError,
    NoCredentialsError,
    ProfileNotFound,
    TokenRetrievalError,
)

from finops_tui.errors import ConfigError, SourceError
from finops_tui.sources.aws.guards import Guards
from finops_tui.sources.aws.outcome import NETWORK_ADVICE, is_network_error

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


def shared_files() -> list[tuple[str, Path]]:
    """The AWS shared files boto3 reads, as (label, path): the credentials file, then the config file."""
    return [
        ("credentials", Path(os.environ.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")).expanduser()),
        ("config", Path(os.environ.get("AWS_CONFIG_FILE", "~/.aws/config")).expanduser()),
    ]


def _parse_problem(error: configparser.Error) -> tuple[int | None, str]:
    """(line, what is wrong) from configparser's error, from its attributes only: its text quotes the line."""
    if isinstance(error, configparser.MissingSectionHeaderError):
        return error.lineno, "a setting comes before any [section] header (start the file with [default])"
    if isinstance(error, configparser.DuplicateSectionError):
        return error.lineno, "a [section] that already appeared above (each profile may appear once)"
    if isinstance(error, configparser.DuplicateOptionError):
        return error.lineno, "a setting that already appeared in the same section"
    if isinstance(error, configparser.ParsingError) and error.errors:
        more = len(error.errors) - 1
        also = f" ({more} more such line{'s' if more != 1 else ''} below)" if more else ""
        return error.errors[0][0], f"not a `name = value` setting nor a [section] header{also}"
    return None, "it is not an INI file boto3 can read"


def ini_file_problem(path: Path) -> str | None:
    """What is wrong with an AWS shared config/credentials file, as 'line N: why' without the line's
    content; None when it parses (or cannot be read at all, which boto3 treats as absent)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    for number, text in enumerate(raw.splitlines(), start=1):
        try:
            text.decode("utf-8")
        except UnicodeDecodeError:
            return f"line {number}: not UTF-8 text"
    try:
        configparser.RawConfigParser().read_string(raw.decode("utf-8"), source=str(path))
    except configparser.Error as error:
        line, why = _parse_problem(error)
        return f"line {line}: {why}" if line else why
    return None


def config_file_error(exc: ConfigParseError) -> ConfigError:
    """A ConfigError naming the malformed file and line, for botocore's ConfigParseError."""
    path = Path(str(exc.kwargs.get("path", "")))
    inner = exc.kwargs.get("error")
    if isinstance(inner, configparser.Error):
        line, why = _parse_problem(inner)
        problem: str | None = f"line {line}: {why}" if line else why
    else:
        problem = ini_file_problem(path)
    return malformed_file_error(path, problem or "it cannot be parsed")


def malformed_file_error(path: Path, problem: str) -> ConfigError:
    label = next((label for label, known in shared_files() if known == path.expanduser()), "config")
    variable = "AWS_SHARED_CREDENTIALS_FILE" if label == "credentials" else "AWS_CONFIG_FILE"
    return ConfigError(
        f"The AWS {label} file {path} is malformed: {problem}. The line is not shown because it may hold "
        f"a secret; fix that line (or point {variable} at another file) and try again."
    )


def network_advice(exc: BaseException) -> str:
    return f"Cannot reach AWS (network): {exc}. {NETWORK_ADVICE[0].upper()}{NETWORK_ADVICE[1:]}."


def credentials_advice(exc: BaseException, profile: str | None) -> str:
    """What to run when credentials fail, for messages."""
    flag = f" --profile {profile}" if profile else ""
    text = str(exc)
    if is_network_error(exc):
        return network_advice(exc)
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
                try:
                    raw = self.session.client(service, config=self.settings.config(region))
                except ConfigParseError as exc:
                    raise config_file_error(exc) from None
                self._clients[key] = self.guards.attach(raw, service, region)
            return self._clients[key]

    def identify(self) -> None:
        """STS GetCallerIdentity: who these credentials are; SourceError with advice if they do not work."""
        try:
            identity = self.client("sts").get_caller_identity()
        except ConfigParseError as exc:
            raise config_file_error(exc) from None
        except (BotoCoreError, ClientError) as exc:
            raise SourceError(credentials_advice(exc, self.profile)) from None
        self.account_id, self.arn = identity["Account"], identity["Arn"]


def open_account(
    profile: str | None, guards: Guards, settings: ClientSettings | None = None, role_arn: str | None = None
) -> AwsAccount:
    """A session for `profile` (None: the default chain), assuming `role_arn` if given, identified.

    ConfigError when a shared config/credentials file is malformed; SourceError when the
    credentials or the network fail."""
    try:
        session = boto3.Session(profile_name=profile) if profile else boto3.Session()
    except ProfileNotFound as exc:
        raise SourceError(credentials_advice(exc, profile)) from None
    except ConfigParseError as exc:
        raise config_file_error(exc) from None
    account = AwsAccount(profile, session, guards, settings or ClientSettings())
    if role_arn:
        try:
            creds = account.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="finops-tui")["Credentials"]
        except ConfigParseError as exc:
            raise config_file_error(exc) from None
        except (BotoCoreError, ClientError) as exc:
            if is_network_error(exc):
                raise SourceError(network_advice(exc)) from None
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
