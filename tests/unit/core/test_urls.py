"""The URL helpers above the wire live in core.urls, once, and agree with each other."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatdesk.api.errors import ValidationError
from chatdesk.core import keys, services, urls
from chatdesk.core.keys import KeyStore, is_openai_url
from chatdesk.core.services import resolve_endpoint, server_from_ref, server_ref
from chatdesk.core.urls import (
    URL_REF,
    is_local_url,
    normalized_base_url,
    same_base_url,
    url_host,
    url_identity,
)
from chatdesk.store import Store


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://localhost:8080/v1", True),
        ("http://LOCALHOST:8080/v1", True),
        ("http://llama.localhost/v1", True),
        ("http://127.0.0.1:11434/v1", True),
        ("http://127.8.9.1/v1", True),
        ("http://[::1]:8000/v1", True),
        ("https://api.openai.com/v1", False),
        ("http://192.168.1.5:8000/v1", False),
        ("http://localhost.example.com/v1", False),
        ("http://[::1/v1", False),  # not a URL: urlsplit raises, the answer is "no"
        ("", False),
    ],
)
def test_is_local_url(url: str, local: bool) -> None:
    assert is_local_url(url) is local


def test_url_host_is_lower_case_and_never_raises() -> None:
    assert url_host("https://API.OpenAI.com/v1") == "api.openai.com"
    assert url_host("http://[::1/v1") == ""
    assert url_host("no scheme") == ""


def test_same_base_url_uses_the_wire_rule() -> None:
    assert same_base_url("https://host/v1/chat/completions", "https://host/")
    assert not same_base_url("https://host/v1", "https://other/v1")
    assert not same_base_url("not a url", "not a url")  # neither is a base URL


def test_normalized_base_url_is_the_api_rule() -> None:
    assert normalized_base_url("https://host/api/v1/") == "https://host/api/v1"
    with pytest.raises(ValidationError):
        normalized_base_url("ftp://host")


def test_one_prefix_names_a_server_given_by_url(tmp_path: Path) -> None:
    """Keyring entry, model cache and a conversation's server use the same identity."""
    pasted = "https://relay.example/v1/chat/completions"
    assert url_identity(pasted) == URL_REF + "https://relay.example/v1"
    assert url_identity("garbage") == URL_REF + "garbage"
    with Store(tmp_path / "h.sqlite3") as store:
        endpoint = resolve_endpoint(store, KeyStore(), base_url=pasted)
    assert endpoint.cache_key == url_identity(pasted)
    assert server_ref(endpoint) == url_identity(pasted)
    assert server_from_ref(server_ref(endpoint)) == (None, "https://relay.example/v1")


def test_openai_key_goes_to_the_configured_openai_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "https://proxy.example/v1/")
    assert is_openai_url("https://API.OPENAI.COM/v1")
    assert is_openai_url("https://proxy.example/v1/chat/completions")
    assert not is_openai_url("https://proxy.example/other")
    assert not is_openai_url("http://[::1/v1")


def test_no_second_home_for_url_helpers() -> None:
    """services and keys use core.urls; they keep no copy of their own."""
    for name in ("is_local_url", "url_identity", "normalized_base_url", "URL_REF"):
        assert not hasattr(services, name) or getattr(services, name) is getattr(urls, name)
    assert not hasattr(keys, "_same_url")
