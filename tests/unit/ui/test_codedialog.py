"""Tests for the View code dialog."""

from __future__ import annotations

import json
import shlex

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from chatdesk.ui.codedialog import ViewCodeDialog

pytestmark = pytest.mark.ui

KEY = "sk-live-TOPSECRETvalue1234wxyz"
BODY = {
    "model": "deepseek-chat",
    "messages": [{"role": "user", "content": "写一首诗, it's 'quoted'"}],
    "temperature": 0.5,
    "stream": True,
}


@pytest.fixture
def dialog(qtbot: QtBot) -> ViewCodeDialog:
    d = ViewCodeDialog("https://api000.com/v1", BODY, KEY)
    qtbot.addWidget(d)
    return d


def test_three_tabs(dialog: ViewCodeDialog) -> None:
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert titles == ["cURL", "Python", "Node"]
    for editor in dialog.editors.values():
        assert editor.isReadOnly()


def test_snippets_mask_key_and_keep_text(dialog: ViewCodeDialog) -> None:
    for kind in ("curl", "python", "node"):
        text = dialog.text(kind)
        assert KEY not in text and "TOPSECRET" not in text
        assert "wxyz" in text
        assert "写一首诗" in text
    args = shlex.split(dialog.text("curl").replace("\\\n", " "))
    assert json.loads(args[args.index("-d") + 1]) == BODY
    compile(dialog.text("python"), "<python tab>", "exec")


@pytest.mark.parametrize("kind", ["curl", "python", "node"])
def test_copy_button_fills_clipboard(dialog: ViewCodeDialog, qtbot: QtBot, kind: str) -> None:
    QGuiApplication.clipboard().clear()
    dialog.copy_buttons[kind].click()
    assert QGuiApplication.clipboard().text() == dialog.text(kind)
    assert dialog.copy_buttons[kind].text() == "Copied"


def test_copy_button_label_reverts(dialog: ViewCodeDialog, qtbot: QtBot) -> None:
    dialog.copy_buttons["python"].click()
    qtbot.waitUntil(lambda: dialog.copy_buttons["python"].text() == "Copy", timeout=3000)


def test_no_key_uses_env_placeholder(qtbot: QtBot) -> None:
    d = ViewCodeDialog("http://localhost:8080/v1", {"model": "m", "messages": []}, None)
    qtbot.addWidget(d)
    assert "$OPENAI_API_KEY" in d.text("curl")
    assert "process.env.OPENAI_API_KEY" in d.text("node")
