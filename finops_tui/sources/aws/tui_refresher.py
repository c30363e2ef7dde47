"""The AWS refresh as the cockpit runs it: the `Refresher` the read interface defines.

The collectors run in a child process (`finops-tui refresh --progress-json`), not in a thread of
the cockpit: boto3 loads multi-megabyte service models and parses responses in Python while
holding the GIL, which stalled the UI for 150–200 ms per burst when it ran in-process. The
cockpit's worker thread only reads the child's JSON lines (blocking I/O releases the GIL), so
frames keep coming; the child commits through the same copy-and-swap writer as any refresh.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from finops_tui.errors import SourceError
from finops_tui.reader import RefreshOutcome, RefreshProgress


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
            [sys.executable, "-m", "finops_tui", *self.args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        outcome, error = None, None
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if "progress" in message:
                p = message["progress"]
                progress(RefreshProgress(p["step"], p["region"], p["state"], p.get("detail", "")))
            elif "outcome" in message:
                o = message["outcome"]
                outcome = RefreshOutcome(o["status"], o["ce_requests"], o["ce_cost_usd"], o["failures"])
            elif "error" in message:
                error = message["error"]
        stderr = proc.stderr.read() if proc.stderr else ""
        proc.wait()
        if outcome is not None:
            return outcome
        detail = error or (stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
        raise SourceError(detail.removeprefix("finops-tui: error: "))
