"""Tokens: the environment first, then the keyring, else a 0600 file; login checks before it stores."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import keyring
import keyring.core
import pytest

from finops_tui import locations
from finops_tui.cli import main
from finops_tui.contract.scope import ViewScope
from finops_tui.logs import configure_logging
from finops_tui.remote import credentials
from finops_tui.remote.rest_reader import RestReader
from tests.remote.mini_backend import MiniBackend

URL = "https://finops.example.com:8080"


def test_without_a_keyring_the_token_goes_to_a_0600_file() -> None:
    with pytest.raises(keyring.errors.NoKeyringError):  # this box has none: the fallback is the real path
        keyring.set_password("finops-tui-test", "u", "p")
    where = credentials.store_token(URL, "tok-1")
    path = locations.credentials_file()
    assert str(path) in where and "no system keyring" in where
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    assert credentials.token_for(URL) == "tok-1"
    credentials.store_token("http://other:1", "tok-2")
    assert json.loads(path.read_text()) == {URL: "tok-1", "http://other:1": "tok-2"}
    assert credentials.forget_token(URL) == [str(path)]
    assert credentials.token_for(URL) is None and credentials.token_for("http://other:1") == "tok-2"


def test_the_environment_overrides_the_stored_token(monkeypatch: pytest.MonkeyPatch) -> None:
    credentials.store_token(URL, "stored")
    monkeypatch.setenv("FINOPS_TUI_TOKEN", "from-env")
    assert credentials.token_for(URL) == "from-env"


def test_a_working_keyring_is_used_and_the_file_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    kept: dict[tuple[str, str], str] = {}

    class MemoryRing:  # not a KeyringBackend subclass: those register themselves for every later test
        def get_password(self, service: str, username: str) -> str | None:
            return kept.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            kept[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            kept.pop((service, username))

    monkeypatch.setattr(keyring.core, "_keyring_backend", MemoryRing())
    assert "system keyring (MemoryRing)" in credentials.store_token(URL, "tok-k")
    assert kept == {("finops-tui", URL): "tok-k"} and not locations.credentials_file().exists()
    assert credentials.token_for(URL) == "tok-k"
    assert credentials.forget_token(URL) == ["the system keyring"]


def test_login_checks_the_token_then_stores_it_and_says_where(
    mini: MiniBackend, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mini.token = "good-token-77"
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong-token\n"))
    assert main(["login", mini.url, "--token-stdin"]) == 2
    err = capsys.readouterr().err
    assert "refused the token (401" in err and "Nothing was stored" in err and "wrong-token" not in err
    assert credentials.token_for(mini.url) is None
    monkeypatch.setattr("sys.stdin", io.StringIO("good-token-77\n"))
    assert main(["login", mini.url + "/", "--token-stdin"]) == 0
    out = capsys.readouterr().out
    assert "Logged in to " + mini.url in out and "0600" in out and "good-token-77" not in out
    reader = RestReader.connect(mini.url)
    assert reader.kpi_view(ViewScope(currency="USD")).summary is not None  # the stored token is used
    assert main(["logout", mini.url]) == 0 and credentials.token_for(mini.url) is None


def test_no_token_reaches_the_log(mini: MiniBackend, tmp_path: Path) -> None:
    log = configure_logging("DEBUG", tmp_path / "client.jsonl")
    assert log is not None
    mini.token = "tok-NEVER-LOGGED-9"
    reader = RestReader(mini.url, "tok-NEVER-LOGGED-9")
    reader.overview()
    reader.kpi_view(ViewScope(currency="USD"))
    bad = RestReader(mini.url, "tok-WRONG-ALSO-SECRET")
    with pytest.raises(Exception, match="401"):
        bad.overview()
    mini.stop()
    reader.kpi_view(ViewScope(currency="USD"))  # STALE now: logged as such
    for handler in logging.getLogger("finops_tui").handlers:
        handler.flush()
    text = log.read_text()
    records = [json.loads(line) for line in text.splitlines()]
    assert any(r["service"] == "remote" and r["status"] == "error" for r in records)
    assert any(r["operation"] == "connection" for r in records)
    assert "tok-NEVER-LOGGED-9" not in text and "tok-WRONG-ALSO-SECRET" not in text and "Bearer" not in text


def test_without_any_token_the_advice_is_to_log_in(mini: MiniBackend, capsys: pytest.CaptureFixture[str]) -> None:
    mini.token = "needed"
    assert main(["query", "--backend", mini.url, "SELECT 1"]) == 2
    err = capsys.readouterr().err
    assert "needs a token, and none is stored" in err and f"finops-tui login {mini.url}" in err
