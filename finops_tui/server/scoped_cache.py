"""A cache file holding only some accounts' rows: how a token limited to accounts is answered.

Scoping happens in the data, not in SQL text: the server copies the accounts' rows of every table into
a new file and opens a read-only LocalCache over it, so every view and every SQL query of that token can
only see those rows. A row belongs to the accounts when its account column (SubAccountId,
BillingAccountId, sub_account_id, account_id) is one of them, or when its dataset is one of theirs (the
datasets row's account_id; a payer account's billing export covers its member accounts).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from finops_tui.cache import cost_layouts, files
from finops_tui.cache.schema import COST_LAYOUTS, LAYOUT_PREFIX

_IN_SCOPE = "IN (SELECT id FROM scope_accounts)"
_DATASET_IN_SCOPE = "IN (SELECT dataset_id FROM scope_datasets)"

# `costs` is a view over layout tables (cache/cost_layouts.py): each layout's rows are copied under this.
_COSTS_FILTER = f"SubAccountId {_IN_SCOPE} OR BillingAccountId {_IN_SCOPE} OR x_DatasetId {_DATASET_IN_SCOPE}"
# table -> the condition its rows are copied under (tables not named here are not copied: api_request_cache
# holds raw provider answers for every account).
_ROW_FILTERS: dict[str, str] = {
    "cost_daily": f"SubAccountId {_IN_SCOPE} OR BillingAccountId {_IN_SCOPE} OR x_DatasetId {_DATASET_IN_SCOPE}",
    "cost_resource_monthly": f"SubAccountId {_IN_SCOPE} OR x_DatasetId {_DATASET_IN_SCOPE}",
    "resources": f"sub_account_id {_IN_SCOPE} OR x_dataset_id {_DATASET_IN_SCOPE}",
    "anomalies": f"sub_account_id {_IN_SCOPE} OR x_dataset_id {_DATASET_IN_SCOPE}",
    "optimizations": f"sub_account_id {_IN_SCOPE} OR x_dataset_id {_DATASET_IN_SCOPE}",
    "cost_forecasts": f"account_id {_IN_SCOPE} OR x_dataset_id {_DATASET_IN_SCOPE}",
    # A budget is theirs when it comes from their account, or when it filters on accounts that are all theirs;
    # an organisation-wide budget would tell them the organisation's spend.
    "budgets": f"x_dataset_id {_DATASET_IN_SCOPE} OR (lower(filter_dimension) LIKE '%account%' "
    "AND len(filter_values) > 0 AND list_has_all((SELECT list(id) FROM scope_accounts), filter_values))",
    "refresh_runs": "len(accounts) > 0 AND list_has_all((SELECT list(id) FROM scope_accounts), accounts)",
    "meta": "true",
}
# Copied after the tables above: rows that follow the rows kept.
_FOLLOWERS: dict[str, str] = {
    "budget_history": "budget_id IN (SELECT budget_id FROM budgets)",
    "anomaly_feedback": "anomaly_id IN (SELECT anomaly_id FROM anomalies)",
}
_DATASET_COLUMNS = {
    "costs": "x_DatasetId",
    "resources": "x_dataset_id",
    "budgets": "x_dataset_id",
    "budget_history": "x_dataset_id",
    "anomalies": "x_dataset_id",
    "optimizations": "x_dataset_id",
    "cost_forecasts": "x_dataset_id",
}


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def build(source: Path, target: Path, accounts: Sequence[str], memory_limit: str | None = None) -> None:
    """Write `target` (a new file) with only the rows of `accounts` from `source`; the same schema version."""
    with files.write_session(target, memory_limit) as con:
        con.execute(f"ATTACH {_text(str(source))} AS src (READ_ONLY)")
        try:
            _copy(con, accounts)
        finally:
            con.execute("DETACH src")


# Columns that name a row's account, in any table: a table added later that has one is copied filtered on it
# (and on its dataset, when it has one), so a new rollup is never silently empty for a scoped token.
_ACCOUNT_COLUMNS = ("SubAccountId", "sub_account_id", "account_id")
_DATASET_COLUMN_NAMES = ("x_DatasetId", "x_dataset_id")
# (`costs`, a view, and its registry are rebuilt by _copy_costs.)
_NEVER_COPIED = ("api_request_cache", "schema_migrations", "datasets", "costs", COST_LAYOUTS.name)


def _other_tables(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Tables of the source not named above, with the filter their account (and dataset) columns give."""
    known = set(_ROW_FILTERS) | set(_FOLLOWERS) | set(_NEVER_COPIED)
    columns: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = 'src' AND schema_name = 'main'"
    ).fetchall():
        columns.setdefault(str(table), set()).add(str(column))
    filters = {}
    for table, names in columns.items():
        if table in known or table.startswith(LAYOUT_PREFIX):  # layout tables: copied by _copy_costs
            continue
        account = next((c for c in _ACCOUNT_COLUMNS if c in names), None)
        if account is None:
            continue  # nothing says whose rows they are: left out
        where = f'"{account}" {_IN_SCOPE}'
        dataset = next((c for c in _DATASET_COLUMN_NAMES if c in names), None)
        if dataset:
            where += f' OR "{dataset}" {_DATASET_IN_SCOPE}'
        filters[table] = where
    return filters


def _copy(con: duckdb.DuckDBPyConnection, accounts: Sequence[str]) -> None:
    con.execute("CREATE TEMP TABLE scope_accounts (id VARCHAR)")
    con.executemany("INSERT INTO scope_accounts VALUES (?)", [[a] for a in accounts])
    con.execute(f"CREATE TEMP TABLE scope_datasets AS SELECT dataset_id FROM src.datasets WHERE account_id {_IN_SCOPE}")
    con.execute("DELETE FROM meta")
    _copy_costs(con)
    others = _other_tables(con)
    for table, where in (_ROW_FILTERS | others | _FOLLOWERS).items():  # followers last: they select from this file
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM src.{table} WHERE {where}")
    present = " UNION ".join(f"SELECT DISTINCT {column} FROM {table}" for table, column in _DATASET_COLUMNS.items())
    # Provenance of the datasets still present, with counts of what this file holds (not of the whole dataset).
    con.execute(f"INSERT INTO datasets BY NAME SELECT * FROM src.datasets WHERE dataset_id IN ({present})")
    for table, column in _DATASET_COLUMNS.items():
        con.execute(
            f"UPDATE datasets SET row_count = n.rows, totals = NULL FROM "
            f"(SELECT {column} AS id, count(*) AS rows FROM {table} GROUP BY 1) n WHERE datasets.dataset_id = n.id"
        )


def _copy_costs(con: duckdb.DuckDBPyConnection) -> None:
    """The accounts' rows of each layout table, into the same layout here (the view then shows them)."""
    for table, layout in cost_layouts.registered(con, "src").items():
        names = ", ".join(cost_layouts.quote(c) for c in layout.columns)
        mine, _ = cost_layouts.ensure(con, layout)
        con.execute(
            f"INSERT INTO {cost_layouts.quote(mine)} ({names}) SELECT {names} FROM "
            f"(SELECT {layout.projection()} FROM src.{cost_layouts.quote(table)}) WHERE {_COSTS_FILTER}"
        )
    cost_layouts.drop_empty(con)  # this file's own empty table, and layouts none of the accounts' rows have
