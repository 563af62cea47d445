"""Credentials in a base URL are refused everywhere the CLI takes one (issue 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatdesk.core.urls import CredentialsInUrlError, mask_credentials, reject_credentials
from chatdesk.store import Store
from tests.fakeserver import FakeServer
from tests.unit.cli.test_cli_reliability import chatdesk

SECRET = "S3cretPassw0rd"


@pytest.fixture
def server() -> FakeServer:
    with FakeServer(api_key="k") as srv:
        yield srv


def test_url_credentials_are_refused_never_stored_or_printed(
    server: FakeServer, chatdesk_home: Path
) -> None:
    url = server.base_url.replace("http://", f"http://user:{SECRET}@")
    attempts = [
        ("providers", "add", "leaky", "--base-url", url),
        ("ask", "--base-url", url, "-m", "m", "hello"),
        ("models", "--base-url", url),
        ("--base-url", url),  # the window
    ]
    for argv in attempts:
        done = chatdesk(chatdesk_home, *argv)
        assert done.returncode == 2, (argv, done.stderr)
        assert SECRET not in done.stdout + done.stderr
        assert "user name or password" in done.stderr and "chatdesk keys set" in done.stderr
    assert server.requests == []  # nothing was sent anywhere
    listed = chatdesk(chatdesk_home, "providers", "list", "--json")
    assert "leaky" not in listed.stdout
    database = chatdesk_home / "history.sqlite3"
    if database.exists():
        assert SECRET.encode() not in database.read_bytes()


def test_a_row_saved_before_the_check_is_shown_masked(chatdesk_home: Path) -> None:
    from chatdesk.store.rows import ProviderRow

    assert chatdesk(chatdesk_home, "providers", "list").returncode == 0
    with Store(chatdesk_home / "history.sqlite3") as s:
        s.upsert_provider(ProviderRow("old", f"http://u:{SECRET}@host/v1", None))
    for argv in (("providers", "list"), ("providers", "list", "--json")):
        done = chatdesk(chatdesk_home, *argv)
        assert done.returncode == 0 and SECRET not in done.stdout
        assert "***@host/v1" in done.stdout


@pytest.mark.parametrize(
    "url",
    ["http://u:p@h/v1", "https://token@h", "u:p@h:8080/v1", " http://a:b@h "],
)
def test_reject_credentials_forms(url: str) -> None:
    with pytest.raises(CredentialsInUrlError) as info:
        reject_credentials(url)
    assert ":p@" not in str(info.value) and "***@" in str(info.value)


def test_plain_urls_pass() -> None:
    for url in ("http://127.0.0.1:8080/v1", "https://api.openai.com/v1", "host/v1?a=b@c"):
        assert reject_credentials(url) == url
    assert mask_credentials("https://api.openai.com/v1") == "https://api.openai.com/v1"
