"""Extra body JSON in the window: typed in Settings, checked as typed, sent and shown."""

from __future__ import annotations

import argparse
import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from chatdesk.core.chat.extrabody import model_extra_bodies, set_model_extra_bodies
from chatdesk.paths import database_path
from chatdesk.store import Store
from chatdesk.store.rows import ProviderRow
from chatdesk.ui.settings import SettingsDialog
from tests.fakeserver import FakeServer, Reply
from tests.qtloop import TestLoop

pytestmark = pytest.mark.ui

KEY = "sk-extra-window-13579"
RELAY = ProviderRow("relay", "https://relay.example/v1", "qwen3")


@pytest.fixture
def dialog(qtbot: QtBot) -> SettingsDialog:
    d = SettingsDialog()
    qtbot.addWidget(d)
    d.set_model_extra_bodies({"relay": {"qwen3": {"enable_thinking": True}}})
    d.set_providers([(RELAY, True)])
    d.show()
    return d


def test_checked_as_typed(dialog: SettingsDialog, qtbot: QtBot) -> None:
    dialog.select_provider("relay")
    dialog.edit_button.click()
    assert '"enable_thinking": true' in dialog.model_extra_edit.toPlainText()
    dialog.extra_edit.setPlainText('{"top_k": 20,')
    assert dialog.extra_message.isVisible()
    assert "not valid JSON" in dialog.extra_message.text()
    assert not dialog.save_button.isEnabled()
    dialog.extra_edit.setPlainText('{"model": "other"}')
    assert '"model" cannot be set here' in dialog.extra_message.text()
    dialog.extra_edit.setPlainText("[1]")
    assert "JSON object" in dialog.extra_message.text()
    dialog.extra_edit.setPlainText('{"top_k": 20}')
    dialog.model_extra_edit.setPlainText('{"qwen3": true}')
    assert 'model "qwen3"' in dialog.extra_message.text()
    dialog.model_extra_edit.setPlainText('{"qwen3": {"enable_thinking": false}}')
    assert not dialog.extra_message.isVisible() and dialog.save_button.isEnabled()
    with (
        qtbot.waitSignal(dialog.model_extra_saved, timeout=1000) as per_model,
        qtbot.waitSignal(dialog.provider_saved, timeout=1000) as saved,
    ):
        dialog.save_button.click()
    assert per_model.args == ["relay", {"qwen3": {"enable_thinking": False}}]
    assert saved.args[0].options == {"extra_body": {"top_k": 20}}


def test_cleared_fields_remove_the_extra_body(dialog: SettingsDialog, qtbot: QtBot) -> None:
    row = ProviderRow("relay", RELAY.base_url, "qwen3", options={"extra_body": {"a": 1}, "k": 2})
    dialog.set_providers([(row, True)])
    dialog.select_provider("relay")
    dialog.edit_button.click()
    assert '"a": 1' in dialog.extra_edit.toPlainText()
    dialog.extra_edit.setPlainText("")
    dialog.model_extra_edit.setPlainText("  ")
    with qtbot.waitSignal(dialog.provider_saved, timeout=1000) as saved:
        dialog.save_button.click()
    assert saved.args[0].options == {"k": 2}


# --- the built window -----------------------------------------------------------------------


@pytest.fixture
def window_run(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestLoop, FakeServer, Any, Any, str]]:
    monkeypatch.setenv("CHATDESK_API_KEY", KEY)
    provider = f"relay-{uuid.uuid4().hex[:6]}"
    loop = TestLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    with FakeServer(api_key=KEY) as server:
        with Store(database_path()) as store:
            store.upsert_provider(
                ProviderRow(provider, server.base_url, "qwen3", {"extra_body": {"top_k": 20}})
            )
            set_model_extra_bodies(store, provider, {"qwen3": {"enable_thinking": True}})
            store.set_setting("default_provider", provider)
        from chatdesk.app import build

        store, window, desk = build(argparse.Namespace(base_url=None, model=None, provider=None))
        window.show()

        async def boot() -> None:
            desk.start()
            await asyncio.sleep(0)

        loop.run_until_complete(boot())
        try:
            yield loop, server, window, desk, provider
        finally:
            window.close()
            loop.run_until_complete(desk.aclose())
            store.close()
    loop.release()
    loop.close()
    asyncio.set_event_loop(None)


def _wait(loop: TestLoop, cond: Any, timeout: float = 10) -> None:
    async def waiter() -> None:
        for _ in range(int(timeout * 100)):
            if cond():
                return
            await asyncio.sleep(0.01)
        raise AssertionError("condition not met in time")

    loop.run_until_complete(waiter())


def _send(loop: TestLoop, window: Any, controller: Any, text: str) -> None:
    window.composer.set_text(text)
    assert window.composer.send()
    _wait(loop, lambda: controller._task is not None and not controller.busy)


def test_window_sends_and_shows_the_extra_body(window_run: Any) -> None:
    loop, server, window, desk, provider = window_run
    controller = desk.chat
    window.model_picker.set_current("qwen3")
    preview = controller.current_request_body()
    assert preview["enable_thinking"] is True and preview["top_k"] == 20
    server.script(Reply(text="thought"))
    _send(loop, window, controller, "hi")
    body = server.chat_requests[-1].json
    assert body["enable_thinking"] is True and body["top_k"] == 20
    assert body["model"] == "qwen3" and body["stream"] is True

    # Edited in Settings, the next request carries the new values.
    ctl = desk.settings_ctl
    ctl.open_settings()
    dialog = ctl._settings_dialog
    try:
        dialog.select_provider(provider)
        dialog.edit_button.click()
        dialog.extra_edit.setPlainText('{"reasoning_effort": "high"}')
        dialog.model_extra_edit.setPlainText('{"qwen3": {"enable_thinking": false}}')
        dialog.save_button.click()
    finally:
        dialog.close()
    saved = model_extra_bodies(desk.services.store, provider)
    assert saved == {"qwen3": {"enable_thinking": False}}
    server.script(Reply(text="again"))
    _send(loop, window, controller, "again")
    body = server.chat_requests[-1].json
    assert body["enable_thinking"] is False and body["reasoning_effort"] == "high"
    assert "top_k" not in body


@pytest.mark.parametrize("text", ['{"n": 1e400}', '{"temperature": NaN}'])
def test_numbers_json_cannot_carry_are_refused_as_typed(
    dialog: SettingsDialog, qtbot: QtBot, text: str
) -> None:
    """The same core check as ``--extra-body``: Infinity / NaN would not be JSON on the wire."""
    dialog.select_provider("relay")
    dialog.edit_button.click()
    dialog.extra_edit.setPlainText(text)
    assert dialog.extra_message.isVisible()
    assert "not valid JSON" in dialog.extra_message.text()
    assert "not a number JSON allows" in dialog.extra_message.text()
    assert not dialog.save_button.isEnabled()
    dialog.extra_edit.setPlainText("")
    dialog.model_extra_edit.setPlainText('{"qwen3": ' + text + "}")
    assert "not valid JSON" in dialog.extra_message.text()
    assert not dialog.save_button.isEnabled()
