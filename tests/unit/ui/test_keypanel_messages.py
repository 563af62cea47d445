"""What the key panel and the Settings dialog say: one set of marks, nothing stale or silent."""

from __future__ import annotations

import argparse
import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from chatdesk.core.services import ensure_default_provider
from chatdesk.paths import database_path
from chatdesk.store import Store
from chatdesk.store.rows import ProviderRow
from chatdesk.ui.keypanel import KeyPanel
from chatdesk.ui.settings import SettingsDialog
from tests.fakeserver import FakeServer, Reply
from tests.qtloop import TestLoop

pytestmark = pytest.mark.ui

KEY = "sk-messages-key-24680"
OLD_MARKS = ("\u2714", "\u2716")  # the heavy marks the report never used


@pytest.fixture
def panel(qtbot: QtBot) -> KeyPanel:
    p = KeyPanel()
    qtbot.addWidget(p)
    p.show()
    return p


def test_no_api_key_report_goes_once_a_key_is_typed(panel: KeyPanel, qtbot: QtBot) -> None:
    panel.show_result(False, "Base URL: http://x/v1\nNo API key given.")
    assert panel.result_label.isVisible()
    qtbot.keyClicks(panel.key_edit, "sk-1")
    assert not panel.result_label.isVisible()
    assert "No API key given." not in panel.result_label.text()


def test_save_with_empty_key_says_so(panel: KeyPanel, qtbot: QtBot) -> None:
    with qtbot.assertNotEmitted(panel.save_requested):
        panel.save_button.click()
    assert panel.result_label.isVisible()
    assert "nothing was saved" in panel.result_label.text()
    assert panel.result_label.text().startswith("\u2717 ")


def test_keyring_problem_replaces_a_failed_test(panel: KeyPanel) -> None:
    panel.show_result(False, "Connection failed")
    panel.key_edit.setText("sk-x")
    panel.save_button.click()  # the save hides the earlier test's outcome
    assert not panel.result_label.isVisible()
    panel.show_result(False, "still failing")
    panel.show_keyring_problem("No keyring is available.")
    assert panel.keyring_frame.isVisible()
    assert not panel.result_label.isVisible()


def test_one_set_of_marks(panel: KeyPanel, qtbot: QtBot) -> None:
    panel.show_result(True, "ok")
    assert panel.result_label.text().startswith("\u2713 ")
    panel.show_result(False, "bad")
    assert panel.result_label.text().startswith("\u2717 ")
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    for ok in (True, False):
        dialog.show_test_result(ok, "report")
        header = dialog.test_header.text()
        assert header[0] == ("\u2713" if ok else "\u2717")
        assert not any(m in header for m in OLD_MARKS)


def test_settings_clears_the_report_when_the_key_changes(qtbot: QtBot) -> None:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.add_button.click()
    dialog.show_test_result(False, "No API key given.")
    assert dialog.test_header.isVisible()
    qtbot.keyClicks(dialog.key_field.edit, "sk-2")
    assert not dialog.test_header.isVisible() and dialog.test_output.toPlainText() == ""


def test_settings_save_without_key_is_said(qtbot: QtBot) -> None:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.add_button.click()
    dialog.name_edit.setText("local")
    dialog.base_url_edit.setText("http://127.0.0.1:8080/v1")
    with qtbot.waitSignal(dialog.provider_saved, timeout=1000):
        dialog.save_button.click()
    assert dialog.provider_message.isVisible()
    assert "without an API key" in dialog.provider_message.text()


# --- the built window against the fake server ---------------------------------------------


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def first_run(qapp: QApplication) -> Iterator[tuple[TestLoop, FakeServer, Any, Any]]:
    provider = f"relay-{uuid.uuid4().hex[:6]}"
    loop = TestLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    with FakeServer(api_key=KEY) as server:
        with Store(database_path()) as store:
            ensure_default_provider(store)
            store.upsert_provider(ProviderRow(provider, server.base_url, "gpt-4o"))
            store.set_setting("default_provider", provider)
        from chatdesk.app import build

        store, window, desk = build(argparse.Namespace(base_url=None, model=None, provider=None))
        window.show()

        async def boot() -> None:
            desk.start()
            await asyncio.sleep(0)

        loop.run_until_complete(boot())
        try:
            yield loop, server, window, desk
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


def test_first_run_test_uses_the_model_in_the_model_box(first_run: Any) -> None:
    loop, server, window, controller = first_run
    assert window.centre.currentWidget() is window.key_panel
    window.model_picker.set_current("qwen3-chosen")
    server.script(Reply(text="OK"))
    panel = window.key_panel
    panel.base_url_edit.setText(server.base_url)
    panel.key_edit.setText(KEY)
    panel.test_button.click()
    _wait(loop, lambda: panel.test_button.isEnabled())
    assert [r.json["model"] for r in server.chat_requests] == ["qwen3-chosen"]
    assert "qwen3-chosen" in panel.result_label.text()


def test_settings_save_without_keyring_is_not_a_connection_failure(
    first_run: Any, no_keyring: None
) -> None:
    loop, server, window, desk = first_run
    desk.settings_ctl.open_settings()
    dialog = desk.settings_ctl._settings_dialog
    try:
        dialog.add_button.click()
        dialog.name_edit.setText("other")
        dialog.base_url_edit.setText(server.base_url)
        dialog.key_field.edit.setText("sk-other")
        dialog.save_button.click()
        assert dialog.provider_message.isVisible()
        assert "session only" in dialog.provider_message.text()
        assert dialog.provider_message.text().startswith("\u2717 ")
        assert not dialog.test_header.isVisible()
        assert "Connection failed" not in dialog.test_header.text()
    finally:
        dialog.close()
