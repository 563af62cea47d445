"""Simplified Chinese: the .ts is complete, the .qm translates, the whole window shows Chinese."""

from __future__ import annotations

import argparse
import asyncio
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

from chatdesk.store.rows import MessageRow

I18N = Path(__file__).resolve().parents[3] / "resources" / "i18n"
TS = I18N / "chatdesk_zh_CN.ts"
QM = I18N / "chatdesk_zh_CN.qm"

# %1, %n, %L1 and {0}, {name} style placeholders
_PLACEHOLDER = re.compile(r"%L?\d+|%n|\{[A-Za-z_0-9]*\}")


def _messages() -> Iterator[tuple[str, ET.Element]]:
    root = ET.parse(TS).getroot()
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            yield name, message


def _translations(message: ET.Element) -> list[str]:
    translation = message.find("translation")
    assert translation is not None
    forms = translation.findall("numerusform")
    if forms:
        return [form.text or "" for form in forms]
    return [translation.text or ""]


def test_ts_is_complete() -> None:
    messages = list(_messages())
    assert len(messages) > 200
    for context, message in messages:
        source = message.findtext("source") or ""
        translation = message.find("translation")
        assert translation is not None
        where = f"{context}|{source}"
        assert translation.get("type") not in ("unfinished", "obsolete", "vanished"), where
        for text in _translations(message):
            assert text.strip(), f"empty translation: {where}"
            for placeholder in _PLACEHOLDER.findall(source):
                assert placeholder in text, f"{placeholder} missing in the translation of {where}"


@pytest.fixture
def zh_translator(qapp: QApplication) -> Iterator[QTranslator]:
    translator = QTranslator()
    assert translator.load(str(QM))
    qapp.installTranslator(translator)
    try:
        yield translator
    finally:
        qapp.removeTranslator(translator)


def test_qm_translates_across_contexts(zh_translator: QTranslator) -> None:
    tr = QCoreApplication.translate
    assert tr("Composer", "Send") == "发送"
    assert tr("MainWindow", "Parameters") == "参数"
    assert tr("MainWindow", "New chat") == "新对话"
    assert tr("MessageView", "Regenerate") == "重新生成"
    assert tr("MessageView", "Thinking") == "思考过程"
    assert (
        tr("ToolsEditor", "Line {line}, column {col}: {msg}") == "第 {line} 行，第 {col} 列：{msg}"
    )
    assert tr("ToolsEditor", "Valid: %n tools", "", 3) == "有效：3 个工具"
    assert tr("ModelPicker", "Other") == "其他"


def test_messageview_dict_strings_are_translated(zh_translator: QTranslator) -> None:
    from chatdesk.ui import messagehtml, render

    row = MessageRow(1, 1, None, "assistant", status="error", error_category="auth")
    assert messagehtml.error_sentence(row, None) == "API 密钥被拒绝。请检查此服务商的密钥。"
    row.error_category = "something new"
    assert messagehtml.error_sentence(row, None) == "请求失败。"
    row.error_category = "rate_limit"
    assert messagehtml.error_sentence(row, 5) == "请求过于频繁：5 秒后可重试"
    assert messagehtml.tr_view(messagehtml.ROLE_NAMES["assistant"]) == "助手"
    # The code header's Copy link: an icon (with a window) and the translated word.
    assert "复制</a>" in render.render_code("print(1)", "python", 0, False, highlight=False)


def test_english_without_translator() -> None:
    from chatdesk.ui import messagehtml, render

    row = MessageRow(1, 1, None, "assistant", status="error", error_category="auth")
    assert messagehtml.error_sentence(row, None).startswith("The API key was rejected.")
    assert "Copy</a>" in render.render_code("x", "", 0, False, highlight=False)


def test_whole_window_in_chinese(qapp: QApplication, tmp_path: Path) -> None:
    from chatdesk.app import build, install_translations

    translators = install_translations(qapp, "zh_CN")
    assert translators, "chatdesk_zh_CN.qm did not load"
    store = window = None
    # The window's controllers take the thread's event loop, as the app sets it before
    # wiring: give them one this test closes (asyncio would make one that no one closes,
    # and its ResourceWarning would fail whichever test runs next).
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        store, window, _controller = build(
            argparse.Namespace(base_url=None, model=None, provider=None)
        )
        assert window.params_action.text() == "参数"
        assert window.params_dock.windowTitle() == "参数"
        assert window.presets_menu.title() == "助手"
        assert window.header.more_button.accessibleName() == "更多"
        labels = {w.text() for w in window.findChildren(QLabel)}
        assert "系统提示词" in labels
        buttons = {w.text() for w in window.findChildren(QAbstractButton)}
        assert "新对话" in buttons
        assert "发送" in buttons
        assert "测试连接" in buttons

        # Show the chat page with a few messages so the message view is in the shot too.
        window.show_key_panel(False)
        window.message_model.set_messages(
            [
                MessageRow(1, 1, None, "user", "用一句话介绍一下 Python。"),
                MessageRow(
                    2,
                    1,
                    1,
                    "assistant",
                    "Python 是一种简洁易读的编程语言。\n\n```python\nprint('你好')\n```",
                    reasoning="用户想要一句话的介绍。",
                    model="gpt-4o",
                    usage={"prompt_tokens": 12, "completion_tokens": 20},
                    ttft_ms=250.0,
                    duration_ms=1250.0,
                ),
                MessageRow(3, 1, 2, "user", "再详细一点。"),
                MessageRow(
                    4, 1, 3, "assistant", status="error", error_category="network", error="boom"
                ),
            ]
        )
        window.resize(1200, 800)
        window.show()
        QApplication.processEvents()
        shot = window.grab()
        QApplication.processEvents()
        path = tmp_path / "zh_window.png"
        assert shot.save(str(path))
        assert path.stat().st_size > 0

        view = window.message_view
        text = "\n".join(doc.toPlainText() for item in view._items.values() for doc in item.parts)
        for expected in ("你", "助手", "思考过程", "复制", "无法连接服务器", "重试"):
            assert expected in text, expected
        # The actions are icons now: their names are the tooltips and accessible names.
        from chatdesk.ui.messagestyle import link_label

        assert link_label("action:regenerate") == "重新生成"
        assert link_label("action:copy") == "复制"
        assert not re.search(r"\b(Regenerate|Retry|Thinking|Assistant)\b", text)
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)
        if window is not None:
            window.close()
            window.deleteLater()
        if store is not None:
            store.close()
        QApplication.processEvents()
        asyncio.set_event_loop(None)
        loop.close()
    assert QCoreApplication.translate("MainWindow", "Parameters") == "Parameters"
