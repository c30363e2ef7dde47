"""finops-tui: a terminal cockpit for cloud cost operations over a FOCUS-shaped DuckDB cache."""

__version__ = "0.1.0"
