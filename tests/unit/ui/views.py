"""Shared helpers for the message-view tests."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from chatdesk.store.rows import MessageRow
from chatdesk.ui.messagemodel import MessageListModel
from chatdesk.ui.messageview import MessageView


def make_view(qtbot: QtBot, height: int) -> MessageView:
    """A shown, exposed message view over an empty model."""
    v = MessageView(MessageListModel())
    qtbot.addWidget(v)
    v.resize(800, height)
    v.show()
    qtbot.waitExposed(v)
    return v


def model_of(v: MessageView) -> MessageListModel:
    m = v.model()
    assert m is not None
    return m


def stream_long_reply(model: MessageListModel, text: str) -> None:
    """A question (id 1) and an answer (id 2) streaming ``text`` in 2,000-character
    updates, each shown before the next: the view scrolls past most of its blocks."""
    model.append_message(MessageRow(1, 1, None, "user", "go"))
    model.append_message(MessageRow(2, 1, 1, "assistant", "", status="streaming"))
    for i in range(0, len(text), 2000):
        model.append_delta(2, text[i : i + 2000])
        model.flush()
        QApplication.processEvents()
