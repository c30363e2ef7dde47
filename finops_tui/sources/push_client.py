"""Sending a cache's datasets to a finops-tui server: the collector side of `POST /api/push/<kind>`.

Each dataset is read from a local (private, temporary) cache, checked with the same `PushPayload` the
server checks, and sent with the collector token. A refused push stops with the server's own message.
"""

from __future__ import annotations

import importlib
import json
import os
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from finops_tui.cache import files
from finops_tui.cache.schema import DATASET_TABLES
from finops_tui.cache.tables import DATASET_ID
from finops_tui.contract.tables import TableData
from finops_tui.errors import ConfigError, SourceError
from finops_tui.sources.push_payload import COST_DATASET_COLUMN, PushedFile, PushPayload

TOKEN_ENV = "FINOPS_TUI_TOKEN"
TIMEOUT = httpx.Timeout(30.0, read=600.0)  # a large dataset is written (copy-and-swap) before the answer


@dataclass(frozen=True)
class Pushed:
    dataset_id: str
    kind: str
    rows: int


def collector_token(backend_url: str) -> str:
    """$FINOPS_TUI_TOKEN, else the token `finops-tui login URL` stored for this server (remote/credentials.py)."""
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        try:  # the client's credential store; looked up by name so a build without it still pushes with the env var
            credentials = importlib.import_module("finops_tui.remote.credentials")
            token = str(credentials.token_for(backend_url) or "").strip()
        except ImportError:
            token = ""
    if not token:
        raise ConfigError(
            f"--backend-url needs a collector token: in ${TOKEN_ENV}, or stored by `finops-tui login {backend_url}`; "
            "an admin makes one on the server with `finops-tui token create --role collector`."
        )
    return token


def _select(kind: str, columns: list[str]) -> str:
    """Every declared column but the dataset id (costs: with it), JSON as text: the shape the writer takes."""
    table = DATASET_TABLES[kind]
    chosen = [c for c in table.columns if c.name in columns and c.name != DATASET_ID]
    cols = ", ".join(f'"{c.name}"::VARCHAR AS "{c.name}"' if c.type == "JSON" else f'"{c.name}"' for c in chosen)
    where = COST_DATASET_COLUMN if kind == "costs" else DATASET_ID
    return f'SELECT {cols} FROM "{kind}" WHERE "{where}" = ?'


def payloads(cache: Path, since: datetime | None = None) -> list[tuple[str, PushPayload]]:
    """(kind, payload) for each dataset in `cache` (loaded at or after `since`, when given), checked."""
    con = files.connect_read_only(cache)
    try:
        rows = con.execute(
            "SELECT dataset_id, kind, source_kind, source, provider, account_id, data_through, files::VARCHAR "
            "FROM datasets WHERE ? IS NULL OR loaded_at >= ? ORDER BY kind, dataset_id",
            [since, since],
        ).fetchall()
        result = []
        for dataset_id, kind, source_kind, source, provider, account_id, data_through, files_json in rows:
            if kind not in DATASET_TABLES:
                continue
            columns = [r[0] for r in con.execute(f'DESCRIBE "{kind}"').fetchall()]
            table = con.sql(_select(kind, columns), params=[dataset_id]).to_arrow_table()
            pushed_files = [PushedFile(**f) for f in json.loads(files_json or "[]")] if kind == "costs" else []
            payload = PushPayload(
                dataset_id=dataset_id, source_kind=source_kind, source=source or dataset_id, provider=provider,
                account_id=account_id, data_through=data_through, table=TableData(table=table), files=pushed_files,
            )  # fmt: skip
            payload.rows_for(kind)  # the server's own check, before anything is sent
            result.append((kind, payload))
        return result
    finally:
        con.close()


def _message(response: httpx.Response) -> str:
    try:
        body: Any = response.json()
        return str(body["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return f"HTTP {response.status_code}"


def push_cache(
    cache: Path,
    backend_url: str,
    token: str,
    *,
    since: datetime | None = None,
    verify: bool | ssl.SSLContext = True,
    progress: Callable[[Pushed], None] | None = None,
) -> list[Pushed]:
    """Send every dataset of `cache` to the server; SourceError with the server's message when one is refused."""
    base = backend_url.rstrip("/")
    sent: list[Pushed] = []
    with httpx.Client(timeout=TIMEOUT, verify=verify, headers={"Authorization": f"Bearer {token}"}) as client:
        for kind, payload in payloads(cache, since):
            try:
                response = client.post(
                    f"{base}/api/push/{kind}",
                    content=payload.model_dump_json(),
                    headers={"Content-Type": "application/json"},
                )
            except httpx.HTTPError as exc:
                raise SourceError(
                    f"Cannot reach {base} ({type(exc).__name__}: {exc}); {len(sent)} dataset(s) were sent. "
                    "Check the URL and that `finops-tui serve` runs there, then run this again (resending is safe)."
                ) from None
            if response.status_code != 200:
                raise SourceError(
                    f"{base} refused {kind} dataset {payload.dataset_id} (HTTP {response.status_code}): "
                    f"{_message(response)} {len(sent)} dataset(s) were sent before it."
                )
            data = response.json()["data"]
            done = Pushed(dataset_id=data["dataset_id"], kind=data["kind"], rows=int(data["rows"]))
            sent.append(done)
            if progress is not None:
                progress(done)
    return sent
