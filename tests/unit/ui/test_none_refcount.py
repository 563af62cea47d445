"""Regression guard for the PySide6 6.12.0 / Python 3.11 None-refcount bug.

That release dropped a reference to ``None`` on every call of a void Qt method; a streaming
chat window makes thousands of such calls a minute and then dies with ``none_dealloc``.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_void_qt_calls_keep_none_refcount(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for i in range(10_000):
        label.setText(str(i))
    after = sys.getrefcount(None)
    # Python 3.12+ makes None immortal (huge constant count); on 3.11 it must not fall.
    assert after >= before - 50, (before, after)
