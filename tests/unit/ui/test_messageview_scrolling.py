"""Reading while a reply streams, the "Jump to latest" button, linked scrolling."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QToolButton
from pytestqt.qtbot import QtBot

from chatdesk.store.rows import MessageRow
from chatdesk.ui.messageview import MessageView
from tests.unit.ui.views import make_view, model_of

pytestmark = pytest.mark.ui

ANSWER = 100  # id of the streaming reply


def history(n: int = 12) -> list[MessageRow]:
    rows = []
    for i in range(n):
        role = "user" if i % 2 == 0 else "assistant"
        text = f"Question {i} 问题" if role == "user" else f"Answer {i}\n\n" + "词语 words " * 60
        rows.append(MessageRow(i + 1, 1, i or None, role, text, model="m"))
    return rows


def settle(view: MessageView) -> None:
    """Let queued work run and paint, as the event loop does between chunks."""
    QApplication.processEvents()
    view.viewport().repaint()
    QApplication.processEvents()


def stream(view: MessageView, chunks: int, start: int = 0) -> None:
    """Stream ``chunks`` paragraphs into the reply, one flush and one paint per chunk."""
    model = model_of(view)
    for i in range(start, start + chunks):
        model.append_delta(ANSWER, f"Paragraph {i}: " + "流式 streaming text " * 12 + "\n\n")
        model.flush()
        settle(view)


def streaming_view(qtbot: QtBot) -> MessageView:
    view = make_view(qtbot, 400)
    model = model_of(view)
    model.set_messages(history(), {})
    model.append_message(MessageRow(ANSWER, 1, 12, "assistant", "", status="streaming"))
    settle(view)
    return view


def jump_button(view: MessageView) -> QToolButton:
    button = view.viewport().findChild(QToolButton)
    assert button is not None
    return button


def end_stream_like_the_controller(view: MessageView) -> None:
    """The final row update, then the reload of the whole branch (new siblings)."""
    model = model_of(view)
    text = model.message_by_id(ANSWER).content  # type: ignore[union-attr]
    done = MessageRow(ANSWER, 1, 12, "assistant", text, status="done", model="m")
    model.update_message(done)
    settle(view)
    model.set_messages([*history(), done], {ANSWER: (1, 1)})
    settle(view)


def scroll_up_to(view: MessageView, message_id: int) -> int:
    """Scroll like a reader (the scroll bar), until ``message_id`` is at the top."""
    rect = view.message_rect(message_id)
    assert rect is not None
    sb = view.verticalScrollBar()
    sb.setValue(sb.value() + rect.top())
    settle(view)
    top = view.message_rect(message_id)
    assert top is not None
    return top.top()


def test_reader_at_the_bottom_is_followed(qtbot: QtBot) -> None:
    view = streaming_view(qtbot)
    sb = view.verticalScrollBar()
    assert view.is_at_bottom()
    before = sb.maximum()
    for i in range(8):
        stream(view, 1, start=i)
        assert view.is_at_bottom() and sb.value() == sb.maximum()
    assert sb.maximum() > before
    assert jump_button(view).isHidden()
    end_stream_like_the_controller(view)
    assert view.is_at_bottom() and sb.value() == sb.maximum()


def test_reader_who_scrolled_up_stays_put_during_and_after_the_stream(qtbot: QtBot) -> None:
    view = streaming_view(qtbot)
    stream(view, 3)
    top = scroll_up_to(view, 6)
    assert not view.is_at_bottom()
    value = view.verticalScrollBar().value()
    stream(view, 20, start=3)
    assert view.message_rect(6).top() == top  # type: ignore[union-attr]
    assert view.verticalScrollBar().value() == value
    assert not view.is_at_bottom()
    end_stream_like_the_controller(view)
    assert view.message_rect(6).top() == top  # type: ignore[union-attr]
    assert not view.is_at_bottom()
    assert jump_button(view).isVisible()


def test_jump_to_latest_button(qtbot: QtBot) -> None:
    view = streaming_view(qtbot)
    button = jump_button(view)
    assert button.isHidden()  # at the bottom: nothing to jump to
    stream(view, 3)
    scroll_up_to(view, 4)
    assert button.isVisible()
    assert button.accessibleName() and button.text()
    # Bottom-right corner of the viewport.
    vp = view.viewport().rect()
    geo = button.geometry()
    assert vp.contains(geo)
    assert geo.right() > vp.width() * 0.6 and geo.bottom() > vp.height() * 0.6
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle(view)
    sb = view.verticalScrollBar()
    assert view.is_at_bottom() and sb.value() == sb.maximum()
    assert button.isHidden()
    stream(view, 3, start=3)  # followed again
    assert view.is_at_bottom() and sb.value() == sb.maximum()


def test_button_hides_when_the_reader_scrolls_back_down(qtbot: QtBot) -> None:
    view = streaming_view(qtbot)
    scroll_up_to(view, 4)
    assert jump_button(view).isVisible()
    sb = view.verticalScrollBar()
    sb.setValue(sb.maximum())
    settle(view)
    assert view.is_at_bottom() and jump_button(view).isHidden()


def test_another_conversation_opens_at_the_bottom(qtbot: QtBot) -> None:
    view = streaming_view(qtbot)
    scroll_up_to(view, 4)
    other = [MessageRow(200 + i, 2, None, "user", "Other 其他 " * 80, model="m") for i in range(10)]
    model_of(view).set_messages(other, {})
    settle(view)
    sb = view.verticalScrollBar()
    assert view.is_at_bottom() and sb.value() == sb.maximum()
    assert jump_button(view).isHidden()


def linked_pair(qtbot: QtBot) -> tuple[MessageView, MessageView, list[float], list[float]]:
    a, b = make_view(qtbot, 400), make_view(qtbot, 400)
    for v in (a, b):
        model_of(v).set_messages(history(16), {})
        settle(v)
    sent_a: list[float] = []
    sent_b: list[float] = []
    a.scrolled_fraction.connect(sent_a.append)
    b.scrolled_fraction.connect(sent_b.append)
    a.scrolled_fraction.connect(b.set_scroll_fraction)
    b.scrolled_fraction.connect(a.set_scroll_fraction)
    return a, b, sent_a, sent_b


def test_linked_views_follow_each_other_without_loops(qtbot: QtBot) -> None:
    a, b, sent_a, sent_b = linked_pair(qtbot)
    sa, sb = a.verticalScrollBar(), b.verticalScrollBar()
    sa.setValue(sa.maximum() // 2)  # the reader drags the left column's scroll bar
    assert len(sent_a) == 1 and 0.0 <= sent_a[0] <= 1.0
    assert b.scroll_fraction() == pytest.approx(sent_a[0], abs=0.01)
    settle(a)
    settle(b)  # real heights replace estimates: each view keeps its text in place
    assert len(sent_a) == 1 and sent_b == []  # following does not echo back
    sb.setValue(sb.maximum() // 5)  # now the right one
    assert len(sent_b) == 1
    assert a.scroll_fraction() == pytest.approx(sent_b[0], abs=0.01)
    settle(a)
    settle(b)
    assert len(sent_b) == 1 and len(sent_a) == 1
    assert not a.is_at_bottom() and not b.is_at_bottom()
    sa.setValue(sa.maximum())
    settle(a)
    assert a.is_at_bottom() and b.is_at_bottom()  # both follow new text again
    assert len(sent_a) == 2 and len(sent_b) == 1


def test_set_scroll_fraction_does_not_emit(qtbot: QtBot) -> None:
    view = make_view(qtbot, 400)
    model_of(view).set_messages(history(16), {})
    settle(view)
    sent: list[float] = []
    view.scrolled_fraction.connect(sent.append)
    view.set_scroll_fraction(0.25)
    assert view.scroll_fraction() == pytest.approx(0.25, abs=0.01)
    settle(view)
    assert sent == []
    assert not view.is_at_bottom() and jump_button(view).isVisible()
    view.scroll_to_bottom()  # programmatic scrolling is not the reader's either
    settle(view)
    assert sent == []


def test_sending_a_prompt_goes_to_the_bottom(qtbot: QtBot) -> None:
    view = streaming_view(qtbot)
    stream(view, 3)
    end_stream_like_the_controller(view)
    scroll_up_to(view, 4)
    assert not view.is_at_bottom()
    model_of(view).append_message(MessageRow(101, 1, ANSWER, "user", "Next question 下一个"))
    settle(view)
    sb = view.verticalScrollBar()
    assert view.is_at_bottom() and sb.value() == sb.maximum()
    assert jump_button(view).isHidden()
