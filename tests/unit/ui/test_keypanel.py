"""Tests for the first-run key panel."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from chatdesk.ui.keypanel import DEFAULT_BASE_URL, KeyPanel

pytestmark = pytest.mark.ui


@pytest.fixture
def panel(qtbot: QtBot) -> KeyPanel:
    p = KeyPanel()
    qtbot.addWidget(p)
    return p


def test_initial_state(panel: KeyPanel) -> None:
    assert panel.base_url_edit.text() == DEFAULT_BASE_URL == "https://api000.com/v1"
    assert panel.key_edit.echoMode() == QLineEdit.EchoMode.Password
    assert not panel.keyring_frame.isVisibleTo(panel)
    assert not panel.result_label.isVisibleTo(panel)


def test_test_requested(panel: KeyPanel, qtbot: QtBot) -> None:
    qtbot.keyClicks(panel.key_edit, "sk-abc123")
    with qtbot.waitSignal(panel.test_requested, timeout=1000) as blocker:
        panel.test_button.click()
    assert blocker.args == [DEFAULT_BASE_URL, "sk-abc123"]
    assert not panel.test_button.isEnabled()
    panel.show_result(True, "Connected: 42 models")
    assert panel.test_button.isEnabled()
    assert "42 models" in panel.result_label.text()


def test_save_requested_strips_whitespace(panel: KeyPanel, qtbot: QtBot) -> None:
    panel.base_url_edit.setText(" http://localhost:8080/v1 ")
    panel.key_edit.setText("  sk-pasted\n")
    with qtbot.waitSignal(panel.save_requested, timeout=1000) as blocker:
        panel.save_button.click()
    assert blocker.args == ["http://localhost:8080/v1", "sk-pasted"]


def test_enter_in_key_field_saves(panel: KeyPanel, qtbot: QtBot) -> None:
    panel.key_edit.setText("sk-x")
    with qtbot.waitSignal(panel.save_requested, timeout=1000):
        qtbot.keyClick(panel.key_edit, Qt.Key.Key_Return)


def test_save_needs_key_and_valid_url(panel: KeyPanel, qtbot: QtBot) -> None:
    with qtbot.assertNotEmitted(panel.save_requested):
        panel.save_button.click()
    assert "key" in panel.result_label.text()
    panel.key_edit.setText("sk-x")
    panel.base_url_edit.setText("api000.com/v1")
    with qtbot.assertNotEmitted(panel.save_requested), qtbot.assertNotEmitted(panel.test_requested):
        panel.save_button.click()
        panel.test_button.click()
    assert "https://" in panel.result_label.text()


def test_show_failure(panel: KeyPanel) -> None:
    panel.show_result(False, "401 Unauthorized\n无效的令牌")
    assert "无效的令牌" in panel.result_label.text()
    assert panel.result_label.isVisibleTo(panel)


def test_keyring_problem_offers_session_key(panel: KeyPanel, qtbot: QtBot) -> None:
    panel.key_edit.setText("sk-session")
    panel.show_keyring_problem("The keyring is locked.")
    assert panel.keyring_frame.isVisibleTo(panel)
    assert panel.keyring_label.text() == "The keyring is locked."
    with qtbot.waitSignal(panel.use_for_session, timeout=1000) as blocker:
        panel.session_button.click()
    assert blocker.args == [DEFAULT_BASE_URL, "sk-session"]


def test_show_key_toggle(panel: KeyPanel) -> None:
    panel.show_key_button.click()
    assert panel.key_edit.echoMode() == QLineEdit.EchoMode.Normal
    panel.show_key_button.click()
    assert panel.key_edit.echoMode() == QLineEdit.EchoMode.Password
