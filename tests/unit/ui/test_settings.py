"""Tests for the Settings dialog."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit
from pytestqt.qtbot import QtBot

from chatdesk.store.rows import ProviderRow
from chatdesk.ui.settings import DEFAULT_SETTINGS, SettingsDialog, valid_base_url

pytestmark = pytest.mark.ui

SETTINGS: dict[str, Any] = {
    "theme": "dark",
    "font_size": 17,
    "language": "zh_CN",
    "send_key": "ctrl+enter",
    "proxy_mode": "custom",
    "proxy_url": "socks5://127.0.0.1:1080",
    "connect_timeout": 7.5,
    "read_timeout": 120.0,
    "total_timeout": 300.0,
    "title_model": "gpt-4o-mini",
    "notify": False,
}
ZERO = ProviderRow("Zero", "https://api000.com/v1", "gpt-4o", options={"x": 1})
LOCAL = ProviderRow("Local", "http://127.0.0.1:8080/v1")


@pytest.fixture
def dialog(qtbot: QtBot) -> SettingsDialog:
    d = SettingsDialog()
    qtbot.addWidget(d)
    d.set_providers([(ZERO, True), (LOCAL, False)])
    return d


def test_defaults(dialog: SettingsDialog) -> None:
    assert dialog.settings() == DEFAULT_SETTINGS
    assert set(DEFAULT_SETTINGS) == set(SETTINGS)


def test_settings_round_trip(dialog: SettingsDialog) -> None:
    dialog.set_settings(SETTINGS)
    assert dialog.settings() == SETTINGS
    assert dialog.proxy_url_edit.isEnabled()


@pytest.mark.parametrize("mode", ["system", "none"])
def test_proxy_url_only_for_custom(dialog: SettingsDialog, mode: str) -> None:
    dialog.set_settings({"proxy_mode": mode})
    assert not dialog.proxy_url_edit.isEnabled()


def test_bad_values_fall_back_to_defaults(dialog: SettingsDialog) -> None:
    dialog.set_settings({"theme": "purple", "font_size": "big", "language": "xx"})
    s = dialog.settings()
    assert (s["theme"], s["font_size"], s["language"]) == ("system", 11, "en")
    dialog.set_settings({"font_size": 99})
    assert dialog.settings()["font_size"] == 28


def test_ok_and_apply_emit(dialog: SettingsDialog, qtbot: QtBot) -> None:
    dialog.set_settings(SETTINGS)
    apply = dialog.button_box.button(QDialogButtonBox.StandardButton.Apply)
    with qtbot.waitSignal(dialog.settings_changed, timeout=1000) as blocker:
        apply.click()
    assert blocker.args == [SETTINGS]
    dialog.font_size_spin.setValue(9)
    ok = dialog.button_box.button(QDialogButtonBox.StandardButton.Ok)
    with qtbot.waitSignal(dialog.settings_changed, timeout=1000) as blocker:
        ok.click()
    assert blocker.args[0]["font_size"] == 9
    assert dialog.result() == dialog.DialogCode.Accepted


def test_cancel_does_not_emit(dialog: SettingsDialog, qtbot: QtBot) -> None:
    with qtbot.assertNotEmitted(dialog.settings_changed):
        dialog.button_box.button(QDialogButtonBox.StandardButton.Cancel).click()


def test_bad_proxy_url_blocks_ok(dialog: SettingsDialog, qtbot: QtBot) -> None:
    dialog.set_settings({"proxy_mode": "custom", "proxy_url": "127.0.0.1:7890"})
    with qtbot.assertNotEmitted(dialog.settings_changed):
        dialog.button_box.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.settings_message.isVisibleTo(dialog)
    assert dialog.tabs.currentIndex() == 2


def test_provider_list(dialog: SettingsDialog) -> None:
    texts = [dialog.provider_list.item(i).text() for i in range(dialog.provider_list.count())]
    assert len(texts) == 2
    assert "Zero" in texts[0] and "no key" not in texts[0]
    assert "Local" in texts[1] and "no key" in texts[1]


@pytest.mark.parametrize("url", ["https://api000.com/v1", "http://localhost:11434/v1"])
def test_valid_base_url(url: str) -> None:
    assert valid_base_url(url)


@pytest.mark.parametrize("url", ["", "api000.com/v1", "ftp://x/v1", "https://", "https://a b"])
def test_invalid_base_url(url: str) -> None:
    assert not valid_base_url(url)


def test_add_provider_validation(dialog: SettingsDialog, qtbot: QtBot) -> None:
    dialog.add_button.click()
    assert dialog.editor_box.isEnabled()
    with qtbot.assertNotEmitted(dialog.provider_saved):
        dialog.save_button.click()
        assert "name" in dialog.form_message.text()
        dialog.name_edit.setText("DeepSeek")
        dialog.base_url_edit.setText("api.deepseek.com")
        dialog.save_button.click()
        assert "http://" in dialog.form_message.text()
        dialog.name_edit.setText("Zero")
        dialog.base_url_edit.setText("https://x.example/v1")
        dialog.save_button.click()
        assert "already exists" in dialog.form_message.text()
    assert dialog.form_message.isVisibleTo(dialog)


def test_add_provider_saves(dialog: SettingsDialog, qtbot: QtBot) -> None:
    dialog.add_button.click()
    dialog.name_edit.setText("深度求索")
    dialog.base_url_edit.setText("  https://api.deepseek.com/v1 ")
    dialog.key_field.edit.setText(" sk-new-key \n")
    dialog.model_edit.setText("deepseek-chat")
    with qtbot.waitSignal(dialog.provider_saved, timeout=1000) as blocker:
        dialog.save_button.click()
    row, key = blocker.args
    assert row == ProviderRow("深度求索", "https://api.deepseek.com/v1", "deepseek-chat")
    assert key == "sk-new-key"
    assert dialog.provider_list.count() == 3
    assert not dialog.editor_box.isEnabled()


def test_edit_never_shows_stored_key(dialog: SettingsDialog, qtbot: QtBot) -> None:
    dialog.select_provider("Zero")
    dialog.edit_button.click()
    assert dialog.key_field.edit.text() == ""
    assert dialog.key_field.edit.echoMode() == QLineEdit.EchoMode.Password
    assert "kept" in dialog.key_field.edit.placeholderText()
    assert dialog.name_edit.text() == "Zero" and dialog.name_edit.isReadOnly()
    assert dialog.base_url_edit.text() == ZERO.base_url
    assert dialog.model_edit.text() == "gpt-4o"
    dialog.model_edit.setText("")
    with qtbot.waitSignal(dialog.provider_saved, timeout=1000) as blocker:
        dialog.save_button.click()
    assert blocker.args == [ProviderRow("Zero", ZERO.base_url, None, {"x": 1}), ""]


def test_key_show_toggle(dialog: SettingsDialog) -> None:
    dialog.add_button.click()
    dialog.key_field.show_button.click()
    assert dialog.key_field.edit.echoMode() == QLineEdit.EchoMode.Normal
    dialog.key_field.show_button.click()
    assert dialog.key_field.edit.echoMode() == QLineEdit.EchoMode.Password


def test_test_connection(dialog: SettingsDialog, qtbot: QtBot) -> None:
    dialog.select_provider("Local")
    dialog.edit_button.click()
    dialog.key_field.edit.setText("sk-typed")
    dialog.model_edit.setText("llama-3.1-8b-instruct")
    with qtbot.waitSignal(dialog.test_requested, timeout=1000) as blocker:
        dialog.test_button.click()
    assert blocker.args == ["Local", LOCAL.base_url, "sk-typed", "llama-3.1-8b-instruct"]
    assert not dialog.test_button.isEnabled()
    report = "GET /models: 200 OK (3 models)\nPOST /chat/completions: 401\n密钥无效"
    dialog.show_test_result(False, report)
    assert dialog.test_output.toPlainText() == report
    assert "failed" in dialog.test_header.text()
    assert dialog.test_button.isEnabled()
    dialog.show_test_result(True, "All good")
    assert "works" in dialog.test_header.text()


def test_test_connection_validates_url(dialog: SettingsDialog, qtbot: QtBot) -> None:
    dialog.add_button.click()
    dialog.base_url_edit.setText("not a url")
    with qtbot.assertNotEmitted(dialog.test_requested):
        dialog.test_button.click()
    assert dialog.form_message.isVisibleTo(dialog)


def test_remove_provider(
    dialog: SettingsDialog, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([False, True])
    monkeypatch.setattr(dialog, "_confirm", lambda _title, _text: next(answers))
    dialog.select_provider("Local")
    with qtbot.assertNotEmitted(dialog.provider_removed):
        dialog.remove_button.click()
    with qtbot.waitSignal(dialog.provider_removed, timeout=1000) as blocker:
        dialog.remove_button.click()
    assert blocker.args == ["Local"]
    assert dialog.provider_list.count() == 1


def test_set_models_keeps_typed_title_model(dialog: SettingsDialog) -> None:
    dialog.set_settings({"title_model": "custom-model"})
    dialog.set_models(["gpt-4o-mini", "qwen-turbo"])
    assert dialog.settings()["title_model"] == "custom-model"
    assert dialog.title_model_combo.count() == 2
