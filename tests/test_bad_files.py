"""Bad billing files: a clear message naming file, column and row, a non-zero exit, and an unchanged cache."""

from __future__ import annotations

import gzip
import hashlib
import os
import zipfile

import pytest

from finops_tui.errors import IngestError
from finops_tui.sources.ingest import ingest_paths

HEADER = "BilledCost,EffectiveCost,ChargePeriodStart,BillingPeriodStart,BillingCurrency,ProviderName,BillingAccountId"
GOOD = (
    HEADER
    + "\n"
    + "\n".join(f"{i}.25,{i},2025-03-0{i}T00:00:00Z,2025-03-01T00:00:00Z,USD,Acme,a1" for i in range(1, 5))
)


def _write(path, content):
    (path.write_bytes if isinstance(content, bytes) else path.write_text)(content)
    return path


def _zip(path, inner):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("inner.csv", inner)
    return path


def _gzip_truncated(path):
    body = gzip.compress((GOOD + "\n" + "\n".join(GOOD.splitlines()[1:]) * 200).encode())
    return _write(path, body[: len(body) // 2])


def _wide(path, columns=1000):
    header = ",".join(f"c{i}" for i in range(columns))
    return _write(path, header + "\n" + ",".join("1" for _ in range(columns)) + "\n")


CASES = {
    "missing_cost_column": (
        lambda p: _write(p, "EffectiveCost,ChargePeriodStart\n1,2025-01-01\n"),
        ["BilledCost", "not found"],
    ),
    "bad_date_on_row_3": (
        lambda p: _write(p, GOOD.replace("2025-03-03T00:00:00Z", "yesterday-ish")),
        ["ChargePeriodStart", "data row 3", "yesterday-ish"],
    ),
    "bad_number": (
        lambda p: _write(p, GOOD.replace("2.25,", "two dollars,")),
        ["BilledCost", "data row 2", "not a number"],
    ),
    "binary_garbage": (lambda p: _write(p, os.urandom(2048) + b"\x00\x00"), ["binary file", "CSV"]),
    "empty_file": (lambda p: _write(p, ""), ["empty"]),
    "header_only": (lambda p: _write(p, HEADER + "\n"), ["no data rows"]),
    "zip_with_a_bad_member": (
        lambda p: _zip(p, GOOD.replace("2.25,", "two dollars,")),
        ["!inner.csv", "BilledCost", "data row 2"],
    ),
    "broken_zip": (lambda p: _write(p, b"PK\x03\x04" + os.urandom(64)), ["zip archive", "Download it again"]),
    "truncated_gzip": (_gzip_truncated, ["truncated", "complete"]),
    "wrong_delimiter_decimal_comma": (
        lambda p: _write(p, GOOD.replace(",", ";").replace(".25", ",25")),
        ["BilledCost", "data row 1", "'1,25'", "decimal comma"],
    ),
    "duplicate_headers": (
        lambda p: _write(p, GOOD.replace("EffectiveCost", "BilledCost")),
        ["duplicate column", "BilledCost"],
    ),
    "thousand_columns_no_cost": (_wide, ["unknown billing format", "1000 columns"]),
    "non_utf8_text": (lambda p: _write(p, (GOOD.replace("Acme", "Café")).encode("latin-1")), ["UTF-8", "iconv"]),
}


def _content(cache) -> str:
    return hashlib.sha256(cache.read_bytes()).hexdigest()


@pytest.fixture
def loaded_cache(tmp_path):
    cache = tmp_path / "cache.duckdb"
    ingest_paths([str(_write(tmp_path / "good.csv", GOOD))], cache)
    return cache


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_is_refused_with_advice_and_leaves_the_cache_unchanged(case, tmp_path, loaded_cache):
    make, needles = CASES[case]
    bad = make(tmp_path / f"{case}.csv")
    before = _content(loaded_cache)
    with pytest.raises(IngestError) as err:
        ingest_paths([str(bad)], loaded_cache)
    message = str(err.value)
    assert str(bad.name) in message
    for needle in needles:
        assert needle in message, message
    assert _content(loaded_cache) == before
    assert not list(tmp_path.glob("cache.duckdb.tmp-*"))


def test_a_good_file_with_a_bad_one_loads_nothing(tmp_path, loaded_cache):
    other = _write(tmp_path / "other.csv", GOOD.replace("a1", "a2"))
    bad = CASES["bad_number"][0](tmp_path / "bad.csv")
    before = _content(loaded_cache)
    with pytest.raises(IngestError):
        ingest_paths([str(other), str(bad)], loaded_cache)
    assert _content(loaded_cache) == before


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_cli_exits_1_with_one_line_of_advice_for_each_bad_file(case, tmp_path, loaded_cache, capsys):
    from finops_tui.cli import main

    bad = CASES[case][0](tmp_path / f"{case}.csv")
    before = _content(loaded_cache)
    assert main(["ingest", "--cache", str(loaded_cache), str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("finops-tui: error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert CASES[case][1][0] in err
    assert _content(loaded_cache) == before
