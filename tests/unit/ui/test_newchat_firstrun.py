"""The new-chat page (model, assistant, suggestions) and the first-run provider screen."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import keyring
import pytest
from PySide6.QtWidgets import QApplication

from chatdesk.core.services import DEFAULT_BASE_URL, DEFAULT_PROVIDER
from chatdesk.paths import database_path
from chatdesk.store import Store
from tests.fakeserver import FakeServer, Reply
from tests.qtloop import TestLoop
from tests.unit.ui.harness import Harness
from tests.unit.ui.test_firstrun import _build, _secret_service, _wait

KEY = "sk-first-run-screen-24680"


def test_new_chat_shows_model_and_suggestions(harness: Harness) -> None:
    w = harness.window
    page = w.empty_state
    assert page.isVisible()
    harness.wait(lambda: "gpt-4o" in page.context_text(), timeout=0.5)
    assert len(page.suggestions) == 4
    assert all(b.accessibleName() and b.isVisible() for b in page.suggestions)
    page.suggestions[0].click()
    assert w.composer.text() == "Explain in simple terms: "
    assert w.composer.editor().hasFocus() or not w.isActiveWindow()
    harness.server.script(Reply(text="An answer"))
    harness.send("hello")
    assert not page.isVisible()  # the conversation takes the page
    w.conversations.new_requested.emit()
    harness.wait(lambda: page.isVisible())


def test_new_chat_from_an_assistant_names_it(harness: Harness) -> None:
    from chatdesk.core.chat.assistants import Assistant, upsert_assistant

    upsert_assistant(harness.store, Assistant(name="Pirate", system_prompt="Arr."))
    harness.window.preset_chosen.emit("Pirate")
    QApplication.processEvents()
    page = harness.window.empty_state
    assert page.isVisible() and "Assistant: Pirate" in page.context_text()
    harness.window.conversations.new_requested.emit()
    assert "Pirate" not in page.context_text()


@pytest.fixture
def fresh(qapp: QApplication) -> Iterator[tuple[TestLoop, FakeServer]]:
    """A first start: the default provider exists, with no key anywhere."""
    loop = TestLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    with FakeServer(api_key=KEY) as server:
        yield loop, server
    loop.release()
    loop.close()
    asyncio.set_event_loop(None)


@pytest.mark.skipif(
    not _secret_service() and not os.environ.get("CI"), reason="needs Secret Service"
)
def test_first_run_screen_saves_key_provider_and_model(fresh) -> None:
    loop, server = fresh
    store, window, desk = _build(loop)
    panel = window.key_panel
    try:
        assert window.centre.currentWidget() is panel
        # The Zero API preset fills its address; another server clears it for typing.
        panel.preset_combo.setCurrentIndex(1)
        panel.preset_combo.activated.emit(1)
        assert panel.base_url_edit.text() == ""
        panel.preset_combo.setCurrentIndex(0)
        panel.preset_combo.activated.emit(0)
        assert panel.base_url_edit.text() == DEFAULT_BASE_URL
        # Models to pick from are offered before any key (the built-in list).
        _wait(loop, lambda: panel.model_combo.count() > 0)
        # This test's server instead of the real relay.
        panel.base_url_edit.setText(server.base_url)
        assert panel.preset_combo.currentIndex() == 1  # a typed address is "another server"
        panel.key_edit.setText(KEY)
        ids = ("server-only-model", "gpt-4o")
        server.models = [{"id": m, "object": "model", "owned_by": "t"} for m in ids]
        panel.test_button.click()
        _wait(loop, lambda: panel.test_button.isEnabled())
        assert panel.result_label.text().startswith("\u2713"), panel.result_label.text()
        # The server's own models are offered once the key works (not the built-in list).
        offered = [panel.model_combo.itemText(i) for i in range(panel.model_combo.count())]
        assert offered == ["server-only-model", "gpt-4o"]
        panel.model_combo.setEditText("gpt-4o")
        panel.save_button.click()
        assert keyring.get_password("chatdesk", DEFAULT_PROVIDER) == KEY
        row = store.get_provider(DEFAULT_PROVIDER)
        assert row is not None
        assert (row.base_url, row.default_model) == (server.base_url, "gpt-4o")
        assert window.centre.currentIndex() == 0  # the chat, on the new chat page
        assert window.model_picker.current() == "gpt-4o"
        server.script(Reply(text="Hello after set-up"))
        window.composer.set_text("hi")
        window.composer.send()
        _wait(loop, lambda: not desk.chat.busy and len(window.message_model.messages()) == 2)
        assert window.message_model.messages()[-1].content == "Hello after set-up"
        window.close()
        loop.run_until_complete(desk.aclose())
        store.close()
        assert KEY.encode() not in database_path().read_bytes()
        with Store(database_path()) as again:
            assert again.get_provider(DEFAULT_PROVIDER).default_model == "gpt-4o"
    finally:
        keyring.delete_password("chatdesk", DEFAULT_PROVIDER)
