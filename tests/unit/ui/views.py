"""Shared helpers for the message-view tests."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

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
