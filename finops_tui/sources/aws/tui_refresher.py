"""The AWS refresh as the cockpit runs it: the `Refresher` the read interface defines.

The collectors run in a child process (`finops-tui refresh --progress-json`), not in a thread of
the cockpit: boto3 loads multi-megabyte service models and parses responses in Python while
holding the GIL, which stalled the UI for 150–200 ms per burst when it ran in-process. The
cockpit's worker thread only reads the child's JSON lines (blocking I/O releases the GIL), so
frames keep coming; the child commits through the same copy-and-swap writer as any refresh.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from finops_tui.contract.refresh import REFRESH_EVENT, RefreshError, RefreshOutcome, RefreshProgress
from finops_tui.errors import SourceError
from finops_tui.logs import log_event


class AwsRefresher:
    def __init__(
        self,
        cache_path: Path,
        profiles: list[str] | None = None,
        regions: list[str] | None = None,
        services: list[str] | None = None,
        ce_analyses: bool = True,
    ) -> None:
        self.cache_path = cache_path
        self.args = ["refresh", "--cache", str(cache_path), "--progress-json"]
        if not ce_analyses:
            self.args.append("--no-ce-analyses")
        for profile in profiles or []:
            self.args += ["--profile", profile]
        if regions:
            self.args += ["--regions", ",".join(regions)]
        if services:
            self.args += ["--services", ",".join(services)]
        self.label = f"AWS {', '.join(profiles) if profiles else 'default credentials'}"

    def run(self, progress: Callable[[RefreshProgress], None]) -> RefreshOutcome:
        proc = subprocess.Popen(
            [sys.executable, "-m", "finops_tui", *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        outcome: RefreshOutcome | None = None
        error: str | None = None
        stray: list[str] = []  # lines that are not events: logged, and shown if the child gave no outcome
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                event = REFRESH_EVENT.validate_json(line)
            except ValidationError:
                stray.append(line.strip())
                log_event("refresh", "child-output", status="unparsed", line=line.strip()[:500])
                continue
            if isinstance(event, RefreshProgress):
                progress(event)
            elif isinstance(event, RefreshOutcome):
                outcome = event
            elif isinstance(event, RefreshError):
                error = event.message
        stderr = proc.stderr.read() if proc.stderr else ""
        proc.wait()
        if outcome is not None:
            return outcome
        lines = [ln for ln in stderr.strip().splitlines() + stray if ln.strip()]
        detail = error or (lines or [f"exit code {proc.returncode}"])[-1]
        raise SourceError(detail.removeprefix("finops-tui: error: "))
