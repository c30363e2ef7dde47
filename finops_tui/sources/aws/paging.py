"""Following AWS's next-page tokens by hand, for the one API botocore ships no paginator for:
Cost Explorer's GetCostAndUsage (`client.can_paginate("get_cost_and_usage")` is False). Every
other paged call uses `client.get_paginator(...)`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


def pages(call: Callable[..., dict[str, Any]], token: str = "NextPageToken", **params: Any) -> Iterator[dict[str, Any]]:
    """Every page of `call(**params)`, passing each answer's `token` back until there is none."""
    next_token = None
    while True:
        page = call(**params, **({token: next_token} if next_token else {}))
        yield page
        next_token = page.get(token)
        if not next_token:
            return
