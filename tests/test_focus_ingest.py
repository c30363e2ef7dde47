"""FOCUS ingest: totals equal an independent DuckDB sum over the raw file; re-ingest never double counts."""

from __future__ import annotations

import gzip
import shutil

import duckdb
import pytest

from finops_tui.sources.ingest import ingest_paths


def cached(cache, sql: str) -> tuple:
    """One row straight from the cache file: these tests are about what ingest stored, not about a reader."""
    with duckdb.connect(str(cache), read_only=True) as con:
        return con.execute(sql).fetchall()[0]


def totals(cache) -> tuple[float, float, int]:
    return cached(cache, "SELECT sum(BilledCost)::DOUBLE, sum(EffectiveCost)::DOUBLE, count(*) FROM costs")


def raw_totals(path) -> tuple[float, float, int]:
    return duckdb.sql(
        f"SELECT sum(BilledCost)::DOUBLE, sum(EffectiveCost)::DOUBLE, count(*) FROM read_csv('{path}', nullstr='NULL')"
    ).fetchall()[0]


def test_focus_sample_totals_equal_a_sum_over_the_raw_file(shared_data, tmp_path):
    sample = shared_data / "focus" / "focus_sample.csv"
    report = ingest_paths([str(sample)], tmp_path / "c.duckdb")
    billed, effective, rows = totals(tmp_path / "c.duckdb")
    raw_billed, raw_effective, raw_rows = raw_totals(sample)
    assert rows == raw_rows == 1000
    assert billed == pytest.approx(raw_billed, abs=1e-9)
    assert effective == pytest.approx(raw_effective, abs=1e-9)
    assert [f.format_version for f in report.files] == ["1.0"]
    assert report.summary.providers == ["AWS", "Microsoft", "Oracle"]


def test_tags_are_json_and_extra_columns_are_kept(shared_data, tmp_path):
    sample = shared_data / "focus" / "focus_sample.csv"
    ingest_paths([str(sample)], tmp_path / "c.duckdb")
    ours = cached(
        tmp_path / "c.duckdb",
        "SELECT count(*) FILTER (WHERE Tags->>'environment' = 'dev') AS dev, "
        "count(*) FILTER (WHERE x_Extensions->>'Id' IS NOT NULL) AS ids FROM costs",
    )
    raw_dev = duckdb.sql(
        f"SELECT count(*) FROM read_csv('{sample}', nullstr='NULL') "
        "WHERE json_extract_string(Tags, '$.environment') = 'dev'"
    ).fetchall()[0][0]
    assert ours == (raw_dev, 1000)
    assert raw_dev > 0


def test_reingest_of_the_same_file_does_not_double_count(shared_data, tmp_path):
    sample = str(shared_data / "focus" / "focus_sample.csv")
    ingest_paths([sample], tmp_path / "c.duckdb")
    first = totals(tmp_path / "c.duckdb")
    ingest_paths([sample], tmp_path / "c.duckdb")
    assert totals(tmp_path / "c.duckdb") == first


def test_parquet_and_gzip_copies_give_the_same_totals(shared_data, tmp_path):
    sample = shared_data / "focus" / "focus_sample.csv"
    parquet = tmp_path / "sample.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{sample}', nullstr='NULL')) TO '{parquet}' (FORMAT parquet)")
    gz = tmp_path / "sample.csv.gz"
    with open(sample, "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    expected = raw_totals(sample)
    for path in (parquet, gz):
        cache = tmp_path / f"{path.name}.duckdb"
        ingest_paths([str(path)], cache)
        got = totals(cache)
        assert got[2] == expected[2] and got[0] == pytest.approx(expected[0], abs=1e-9)


@pytest.mark.parametrize(
    ("extra", "version"), [("", "1.0"), (",ServiceSubcategory", "1.1"), (",ServiceSubcategory,InvoiceId", "1.2")]
)
def test_focus_version_is_detected_from_columns(tmp_path, extra, version):
    path = tmp_path / "f.csv"
    cells = "," + ",".join(["x"] * extra.count(",")) if extra else ""
    path.write_text(
        f"BilledCost,EffectiveCost,ChargePeriodStart,BillingCurrency{extra}\n1.5,1.5,2025-01-02T00:00:00Z,USD{cells}\n"
    )
    report = ingest_paths([str(path)], tmp_path / "c.duckdb")
    assert [f.format_version for f in report.files] == [version]


def test_focus_1_3_provider_columns_and_vendor_extensions_are_readable(tmp_path):
    path = tmp_path / "focus13.csv"
    path.write_text(
        "BilledCost,EffectiveCost,ChargePeriodStart,BillingPeriodStart,BillingCurrency,ServiceProviderName,"
        "HostProviderName,InvoiceIssuerName,BillingAccountId,oci_CompartmentPath,x_SkuTier\n"
        "4.00,3.50,2026-05-02T00:00:00Z,2026-05-01T00:00:00Z,USD,Acme SaaS,AWS,AWS,ba-1,/root/prod,gold\n"
    )
    cache = tmp_path / "c.duckdb"
    report = ingest_paths([str(path)], cache)
    assert [(f.format, f.format_version) for f in report.files] == [("focus", "1.3")]
    with duckdb.connect(str(cache), read_only=True) as con:
        row = con.execute(
            "SELECT ProviderName, x_Extensions->>'HostProviderName', "
            "x_Extensions->>'ServiceProviderName', x_Extensions->>'oci_CompartmentPath', "
            "x_Extensions->>'x_SkuTier', x_DatasetId FROM costs"
        ).fetchall()
    assert row == [("Acme SaaS", "AWS", "Acme SaaS", "/root/prod", "gold", "costs:Acme SaaS:ba-1:2026-05")]
