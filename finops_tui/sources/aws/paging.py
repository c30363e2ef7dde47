"""Following AWS's next-page tokens for APIs boto3 has no paginator for (Cost Explorer's among them)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


def pages(call: Callable[..., dict[str, Any]], token: str = "NextPageToken", **params: Any) -> Iterator[dict]:
    """Every page of `call(**params)`, passing each answer's `token` back until there is none."""
    next_token = None
    while True:
        page = call(**params, **({token: next_token} if next_token else {}))
        yield page
        next_token = page.get(token)
        if not next_token:
            return
