"""The cockpit's tabs, in key order: `1` opens the first. Palette, bindings and the keys list read this."""

from __future__ import annotations

TABS: tuple[tuple[str, str], ...] = (
    ("kpis", "KPIs"),
    ("resources", "Resources"),
    ("anomalies", "Anomalies"),
    ("budgets", "Budgets"),
    ("optimizations", "Optimizations"),
    ("sql", "SQL"),
)
TAB_LABELS = ", ".join(label for _, label in TABS)
TAB_KEYS = f"1-{len(TABS)}"
