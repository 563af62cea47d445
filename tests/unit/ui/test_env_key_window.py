"""The window sends a key from the environment only where it belongs (issue 15): the
same rule as the terminal (core.keys.env_key_for, through KeyStore.resolve)."""

from __future__ import annotations

import pytest

from tests.unit.ui.harness import Harness

OPENAI_KEY = "sk-openai-only-window-0123"


def test_openai_key_is_not_used_for_another_server(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    monkeypatch.delenv("CHATDESK_API_KEY")
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    h.desk.endpoint.reload_endpoint()
    assert h.desk.endpoint.endpoint is not None
    assert h.desk.endpoint.endpoint.api_key is None  # the fake server is not OpenAI's
    assert h.window.centre.currentWidget() is h.window.key_panel  # asks for a key
    monkeypatch.setenv("OPENAI_BASE_URL", h.server.base_url)
    h.desk.endpoint.reload_endpoint()
    assert h.desk.endpoint.endpoint.api_key == OPENAI_KEY
