"""Several message views in one window (compare columns) share no state."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QHBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.store.rows import MessageRow
from chatdesk.ui.messagemodel import MessageListModel
from chatdesk.ui.messageview import MessageView

pytestmark = pytest.mark.ui


def columns(qtbot: QtBot, n: int = 2) -> tuple[QWidget, list[MessageView], list[MessageListModel]]:
    """A window with ``n`` view + model pairs side by side."""
    window = QWidget()
    qtbot.addWidget(window)
    lay = QHBoxLayout(window)
    views, models = [], []
    for _ in range(n):
        model = MessageListModel(parent=window)
        view = MessageView(model, window)
        lay.addWidget(view)
        views.append(view)
        models.append(model)
    window.resize(1200, 600)
    window.show()
    qtbot.waitExposed(window)
    return window, views, models


def shown_text(view: MessageView, mid: int) -> str:
    """The plain text of every document the view rendered for one message."""
    QApplication.processEvents()
    view.code_blocks(mid)  # renders every block of the message
    item = view._items[mid]  # noqa: SLF001
    return "\n".join(d.toPlainText() for d in item.parts if d is not None)


def start(model: MessageListModel) -> None:
    """A conversation whose answer (id 2: the same ids in every column) is streaming."""
    model.set_messages([MessageRow(1, 1, None, "user", "Same question 同一个问题")], {})
    model.append_message(MessageRow(2, 1, 1, "assistant", "", model="m", status="streaming"))


def test_two_views_stream_side_by_side(qtbot: QtBot) -> None:
    _window, (left, right), (lm, rm) = columns(qtbot)
    start(lm)
    start(rm)
    for i in range(300):  # interleaved, as two streams arrive
        lm.append_delta(2, f"left{i} ", reasoning="L-think " if i < 5 else "")
        rm.append_delta(2, f"右边{i} ")
        if i % 50 == 0:
            qtbot.wait(20)  # let both flush timers fire mid-stream
    qtbot.waitUntil(lambda: lm.message(1).content.endswith("left299 "), timeout=3000)
    qtbot.waitUntil(lambda: rm.message(1).content.endswith("右边299 "), timeout=3000)
    left_text, right_text = shown_text(left, 2), shown_text(right, 2)
    assert "left0 " in left_text and "left299" in left_text
    assert "右边0 " in right_text and "右边299" in right_text
    assert "右边" not in left_text and "left" not in right_text
    assert "L-think" not in right_text and rm.message(1).reasoning == ""
    # The end of the stream of one column changes nothing in the other.
    lm.update_message(
        MessageRow(2, 1, 1, "assistant", lm.message(1).content, model="m", status="done")
    )
    assert rm.message(1).status == "streaming"
    assert shown_text(right, 2) == right_text
    rm.append_delta(2, "更多")
    rm.flush()
    assert "更多" in shown_text(right, 2) and "更多" not in shown_text(left, 2)


def test_view_state_is_per_view(qtbot: QtBot) -> None:
    _window, (left, right), (lm, rm) = columns(qtbot)
    for m in (lm, rm):
        m.set_messages(
            [MessageRow(1, 1, None, "assistant", "Answer 答案", reasoning="Because 因为")], {}
        )
    QApplication.processEvents()
    left._handle_href(1, "action:toggle_thinking")  # noqa: SLF001 (what a click does)
    assert "Because 因为" in shown_text(left, 1)
    assert "Because 因为" not in shown_text(right, 1)
    left.set_dark(True)
    assert left.is_dark() and not right.is_dark()
    right.highlight(1, "答案")
    for v in (left, right):
        shown_text(v, 1)  # rendered again (set_dark dropped the left one's documents)
    assert right._items[1].hl and not left._items[1].hl  # noqa: SLF001
