"""Formatting of money, deltas and ages for people (shared by the CLI and the TUI)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}


def format_money(
    value: float | Decimal | None, currency: str | None, *, cents: bool = True, signed: bool = False
) -> str:
    """'$1,234.50', '1,234.50 CHF'; `signed` for deltas ('+$12.00', '-$3.10'). One format everywhere."""
    if value is None:
        return "—"
    symbol = _SYMBOLS.get(currency or "")
    digits = 2 if cents else 0
    text = f"{abs(float(value)):,.{digits}f}"
    rounded_zero = float(text.replace(",", "")) == 0
    sign = "-" if float(value) < 0 and not rounded_zero else "+" if signed and not rounded_zero else ""
    if symbol:
        return f"{sign}{symbol}{text}"
    return f"{sign}{text} {currency or '(no currency)'}"


def format_delta_pct(current: float | Decimal | None, previous: float | Decimal | None) -> str:
    """'+12.3%' or 'new' (no previous spend) or '—' (nothing to compare)."""
    if current is None or previous is None:
        return "—"
    if float(previous) == 0:
        return "new" if float(current) else "0.0%"
    pct = (float(current) - float(previous)) / abs(float(previous)) * 100
    return f"{pct:+.1f}%"


def format_age(then: datetime | None, now: datetime) -> str:
    if then is None:
        return "never"
    seconds = max((now - then).total_seconds(), 0)
    if seconds < 90:
        return f"{int(seconds)}s"
    if seconds < 90 * 60:
        return f"{int(seconds // 60)}m"
    if seconds < 48 * 3600:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 86400)}d"


def is_stale(then: datetime | None, now: datetime, after: timedelta) -> bool:
    return then is None or now - then > after
