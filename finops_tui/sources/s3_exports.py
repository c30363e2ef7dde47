"""Billing exports in S3 (`s3://bucket/prefix`), read with the boto3 credential chain.

The prefix is listed, thinned to the newest report version per billing period (manifests
first), and the chosen objects are downloaded into the caller's scratch folder, so ingest reads
local files and the cache never depends on the network mid-load. boto3 errors become
IngestError with what to do (credentials, permissions, bucket name, network); a malformed AWS
shared config or credentials file becomes a ConfigError naming its file and line, never its content.
"""

from __future__ import annotations

from pathlib import Path

from finops_tui.errors import FinopsError, IngestError
from finops_tui.logs import logged
from finops_tui.sources import report_versions
from finops_tui.sources.data_files import InputFile, is_data_file
from finops_tui.sources.report_versions import Candidate


def split_uri(uri: str) -> tuple[str, str]:
    rest = uri[len("s3://") :]
    bucket, _, prefix = rest.partition("/")
    if not bucket:
        raise IngestError(f"{uri}: no bucket name. Use s3://BUCKET/PREFIX.")
    return bucket, prefix


def _advice(exc: Exception, uri: str) -> FinopsError:
    from botocore.exceptions import ClientError, ConfigParseError, NoCredentialsError

    from finops_tui.sources.aws.clients import config_file_error, network_advice
    from finops_tui.sources.aws.outcome import is_network_error

    if isinstance(exc, ConfigParseError):
        return config_file_error(exc)
    if is_network_error(exc):
        return IngestError(f"{uri}: {network_advice(exc)} Nothing was loaded.")
    if isinstance(exc, NoCredentialsError):
        return IngestError(
            f"{uri}: no AWS credentials found. Configure them (aws configure, aws sso login "
            "--profile NAME, or AWS_PROFILE) and try again."
        )
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("NoSuchBucket", "404"):
            return IngestError(f"{uri}: the bucket does not exist (or is in another partition). Check the name.")
        if code in ("AccessDenied", "403", "AllAccessDisabled"):
            return IngestError(f"{uri}: access denied. The identity needs s3:ListBucket and s3:GetObject on it.")
        if code in ("ExpiredToken", "ExpiredTokenException", "InvalidToken"):
            return IngestError(
                f"{uri}: the AWS credentials expired. Run `aws sso login` (with --profile) and try again."
            )
        return IngestError(f"{uri}: S3 said {code}: {exc}. Nothing was loaded.")
    return IngestError(f"{uri}: cannot read from S3: {exc}. Nothing was loaded.")


def download_prefix(uri: str, scratch: Path, notes: list[str]) -> list[InputFile]:
    """Download the newest report version under `uri`; each file's origin is its s3:// URI."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, prefix = split_uri(uri)
    try:
        s3 = boto3.client("s3")  # reads the shared config and credentials files
        with logged("s3", "list_objects_v2", bucket=bucket, prefix=prefix) as info:
            objects = [
                o
                for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
                for o in page.get("Contents", [])
            ]
            info["objects"] = len(objects)
        candidates = [
            Candidate(o["Key"], o["LastModified"].timestamp(), o["Size"])
            for o in objects
            if is_data_file(o["Key"]) or report_versions.is_manifest(o["Key"])
        ]
        if not any(is_data_file(c.key) for c in candidates):
            raise IngestError(f"{uri}: no billing file (.csv, .csv.gz, .parquet, .json) under this prefix.")
        selection = report_versions.select_newest(
            candidates, lambda key: s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        )
        notes.extend(f"s3://{bucket}: {note}" for note in selection.notes)
        out = []
        for n, c in enumerate(selection.files):
            local = scratch / f"s3-{n:05d}-{Path(c.key).name}"
            with logged("s3", "download_file", bucket=bucket, key=c.key, size=c.size):
                s3.download_file(bucket, c.key, str(local))
            out.append(InputFile(local, f"s3://{bucket}/{c.key}"))
        return out
    except (ClientError, BotoCoreError) as exc:
        raise _advice(exc, uri) from None
