"""Find bar: debounced find, next/previous by button and key, the "n of m" label, Esc."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QTextEdit, QToolButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.ui.findbar import DEBOUNCE_MS, FindBar

pytestmark = pytest.mark.ui


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    """A window with a text view, the bar, and an Esc action like the main window's Stop."""
    win = QWidget()
    layout = QVBoxLayout(win)
    win.text_view = QTextEdit(win)  # type: ignore[attr-defined]
    layout.addWidget(win.text_view)  # type: ignore[attr-defined]
    bar = FindBar(win)
    layout.addWidget(bar)
    win.bar = bar  # type: ignore[attr-defined]
    win.stops = []  # type: ignore[attr-defined]
    stop = QAction(win, shortcut=QKeySequence(Qt.Key.Key_Escape))
    stop.triggered.connect(lambda: win.stops.append(1))  # type: ignore[attr-defined]
    win.addAction(stop)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    return win


@pytest.fixture
def bar(window: QWidget) -> FindBar:
    bar: FindBar = window.bar  # type: ignore[attr-defined]
    bar.open_with()
    return bar


def _button(bar: FindBar, name: str) -> QToolButton:
    button = bar.findChild(QToolButton, name)
    assert button is not None
    return button


def test_typing_emits_one_debounced_find(qtbot: QtBot, bar: FindBar) -> None:
    received: list[str] = []
    bar.find_requested.connect(received.append)
    qtbot.keyClicks(bar.line_edit(), "hello")
    assert received == []
    qtbot.waitUntil(lambda: received == ["hello"], timeout=2000)
    qtbot.wait(DEBOUNCE_MS * 2)
    assert received == ["hello"]


def test_chinese_text(qtbot: QtBot, bar: FindBar) -> None:
    with qtbot.waitSignal(bar.find_requested, timeout=2000) as blocker:
        bar.line_edit().setText("学习率")
    assert blocker.args == ["学习率"]


def test_label_and_buttons_follow_matches(bar: FindBar) -> None:
    assert bar.label_text() == ""
    assert not _button(bar, "findNext").isEnabled()
    bar.line_edit().setText("x")
    bar.set_matches(12)
    assert bar.label_text() == "1 of 12"
    assert _button(bar, "findNext").isEnabled() and _button(bar, "findPrevious").isEnabled()
    bar.set_current(4)
    assert bar.label_text() == "5 of 12"
    assert bar.current() == 4
    bar.set_current(99)  # clamped
    assert bar.label_text() == "12 of 12"
    bar.set_matches(0)
    assert bar.label_text() == "No matches"
    assert not _button(bar, "findPrevious").isEnabled()
    bar.line_edit().setText("")
    bar.set_matches(0)
    assert bar.label_text() == ""


def test_buttons_emit_next_and_previous(qtbot: QtBot, bar: FindBar) -> None:
    bar.set_matches(3)
    with qtbot.waitSignal(bar.next_requested, timeout=500):
        qtbot.mouseClick(_button(bar, "findNext"), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(bar.previous_requested, timeout=500):
        qtbot.mouseClick(_button(bar, "findPrevious"), Qt.MouseButton.LeftButton)


def test_enter_and_shift_enter(qtbot: QtBot, bar: FindBar) -> None:
    bar.set_matches(3)
    edit = bar.line_edit()
    with qtbot.waitSignal(bar.next_requested, timeout=500):
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    with qtbot.waitSignal(bar.previous_requested, timeout=500):
        qtbot.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)


def test_f3_and_shift_f3_work_from_elsewhere_in_the_window(
    qtbot: QtBot, window: QWidget, bar: FindBar
) -> None:
    bar.set_matches(3)
    view = window.text_view  # type: ignore[attr-defined]
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=1000)
    with qtbot.waitSignal(bar.next_requested, timeout=500):
        qtbot.keyClick(view, Qt.Key.Key_F3)
    with qtbot.waitSignal(bar.previous_requested, timeout=500):
        qtbot.keyClick(view, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)


def test_f3_does_nothing_while_hidden(qtbot: QtBot, window: QWidget, bar: FindBar) -> None:
    bar.set_matches(3)
    bar.close_bar()
    received: list[int] = []
    bar.next_requested.connect(lambda: received.append(1))
    qtbot.keyClick(window.text_view, Qt.Key.Key_F3)  # type: ignore[attr-defined]
    assert received == []


def test_enter_right_after_typing_finds_instead_of_next(qtbot: QtBot, bar: FindBar) -> None:
    finds: list[str] = []
    nexts: list[int] = []
    bar.find_requested.connect(finds.append)
    bar.next_requested.connect(lambda: nexts.append(1))
    qtbot.keyClicks(bar.line_edit(), "abc")
    qtbot.keyClick(bar.line_edit(), Qt.Key.Key_Return)
    assert finds == ["abc"] and nexts == []
    qtbot.wait(DEBOUNCE_MS * 2)
    assert finds == ["abc"]


def test_next_without_matches_emits_nothing(qtbot: QtBot, bar: FindBar) -> None:
    received: list[int] = []
    bar.next_requested.connect(lambda: received.append(1))
    qtbot.keyClick(bar.line_edit(), Qt.Key.Key_Return)
    assert received == []


def test_escape_closes_and_beats_the_window_shortcut(
    qtbot: QtBot, window: QWidget, bar: FindBar
) -> None:
    with qtbot.waitSignal(bar.closed, timeout=500):
        qtbot.keyClick(bar.line_edit(), Qt.Key.Key_Escape)
    assert not bar.isVisible()
    assert window.stops == []  # type: ignore[attr-defined]


def test_close_button(qtbot: QtBot, bar: FindBar) -> None:
    with qtbot.waitSignal(bar.closed, timeout=500):
        qtbot.mouseClick(_button(bar, "findClose"), Qt.MouseButton.LeftButton)
    assert not bar.isVisible()


def test_open_with_text_selects_and_finds_at_once(qtbot: QtBot, window: QWidget) -> None:
    bar: FindBar = window.bar  # type: ignore[attr-defined]
    bar.hide()
    with qtbot.waitSignal(bar.find_requested, timeout=100) as blocker:
        bar.open_with("模型")
    assert blocker.args == ["模型"]
    assert bar.isVisible()
    assert bar.line_edit().selectedText() == "模型"
    assert bar.line_edit().hasFocus()
