"""The message list model and view (offscreen Qt)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from chatdesk.store.rows import MessageRow
from chatdesk.ui.messagemodel import MessageListModel
from chatdesk.ui.messageview import MessageView
from tests.unit.ui.views import make_view, model_of

pytestmark = pytest.mark.ui

RICH = (
    "# 标题 Title\n\n质能方程 $E=mc^2$ 😀🎉 and\n\n$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$\n\n"
    "```python\ndef f(x):\n    return x * 2  # 注释\n```\n\n- one\n- two [link](https://example.com)\n"
)


def make_rows(n: int) -> list[MessageRow]:
    rows = []
    for i in range(n):
        role = "user" if i % 2 == 0 else "assistant"
        text = f"Message {i} 你好 😀" if role == "user" else f"Answer **{i}**\n\n- a\n- b\n"
        rows.append(MessageRow(i + 1, 1, i or None, role, text, model="m"))
    return rows


@pytest.fixture
def view(qtbot: QtBot) -> MessageView:
    return make_view(qtbot, 700)


def click_link(v: MessageView, mid: int, href: str) -> None:
    QApplication.processEvents()
    rect = v.link_rect(mid, href)
    assert rect is not None, f"no link {href}"
    pos: QPoint = rect.center()
    # The computed position really is on that link (hit test of the document layout).
    hit = v._href_at(pos)  # noqa: SLF001
    assert hit is not None and hit[1] == href
    QTest.mouseClick(v.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)


def test_model_with_2000_messages(qtmodeltester: Any, view: MessageView) -> None:
    model = model_of(view)
    t = time.perf_counter()
    model.set_messages(make_rows(2000), {2: (1, 3)})
    view.viewport().repaint()
    elapsed = time.perf_counter() - t
    assert model.rowCount() == 2000
    assert model.row_of(2000) == 1999 and model.row_of(99999) == -1
    assert model.message(5).id == 6
    assert model.data(model.index(1, 0), MessageListModel.BranchRole) == (1, 3)
    assert view.is_at_bottom()
    assert elapsed < 2.0  # generous for slow CI; the benchmark holds the real target
    qtmodeltester.check(model)


def test_append_delta_coalesces(qtbot: QtBot, view: MessageView) -> None:
    model = model_of(view)
    model.set_messages(make_rows(4), {})
    model.append_message(MessageRow(100, 1, 4, "assistant", "", status="streaming"))
    changes: list[int] = []
    model.dataChanged.connect(lambda a, b, roles=None: changes.append(a.row()))
    for i in range(500):
        model.append_delta(100, f"w{i} ")
    assert changes == []  # buffered, O(1) per call
    qtbot.waitUntil(lambda: bool(changes), timeout=2000)
    assert len(changes) <= 2
    assert set(changes) == {4}
    row = model.message(4)
    assert row.content.startswith("w0 w1 ") and row.content.endswith("w499 ")


def test_streaming_does_not_mutate_controller_row(qtbot: QtBot, view: MessageView) -> None:
    model = model_of(view)
    original = MessageRow(1, 1, None, "assistant", "Hello", status="streaming")
    model.set_messages([original], {})
    model.append_delta(1, " world")
    model.flush()
    assert model.message(0).content == "Hello world"
    assert original.content == "Hello"


def test_action_links_emit_signal(qtbot: QtBot, view: MessageView) -> None:
    model = model_of(view)
    rows = [
        MessageRow(1, 1, None, "user", "Question 你好"),
        MessageRow(2, 1, 1, "assistant", "Answer\n\n```python\nprint('hi')\n```\n", model="gpt"),
        MessageRow(
            3,
            1,
            1,
            "assistant",
            "Calling",
            tool_calls=[
                {
                    "id": "call_9",
                    "type": "function",
                    "function": {"name": "weather", "arguments": '{"city": "北京"}'},
                }
            ],
        ),
    ]
    model.set_messages(rows, {2: (2, 3)})
    view.scroll_to_message(1)
    got: list[tuple[str, int, object]] = []
    view.action_requested.connect(lambda a, mid, arg: got.append((a, mid, arg)))

    click_link(view, 1, "action:edit")
    click_link(view, 2, "action:regenerate")
    click_link(view, 2, "action:branch_next")
    click_link(view, 2, "copycode:0")
    click_link(view, 3, "action:tool_result:call_9")
    assert got == [
        ("edit", 1, None),
        ("regenerate", 2, None),
        ("branch_next", 2, None),
        ("copy_code", 2, 0),
        ("tool_result", 3, "call_9"),
    ]
    assert QGuiApplication.clipboard().text() == "print('hi')"


def test_thinking_collapses_when_answer_starts(qtbot: QtBot, view: MessageView) -> None:
    model = model_of(view)
    model.set_messages([MessageRow(1, 1, None, "assistant", "", status="streaming")], {})
    model.append_delta(1, reasoning="Let me think about 天气 carefully")
    model.flush()
    QApplication.processEvents()
    assert view.link_rect(1, "action:toggle_thinking") is not None
    expanded_h = view.message_rect(1).height()  # type: ignore[union-attr]
    item = view._items[1]  # noqa: SLF001
    assert item.think is not None and "carefully" in item.think.toPlainText()

    model.append_delta(1, text="The answer")
    model.flush()
    QApplication.processEvents()
    item = view._items[1]  # noqa: SLF001
    assert item.think is not None and "carefully" not in item.think.toPlainText()
    assert "The answer" in "".join(d.toPlainText() for d in item.parts)

    click_link(view, 1, "action:toggle_thinking")  # the user opens it again
    assert "carefully" in view._items[1].think.toPlainText()  # noqa: SLF001
    assert view.message_rect(1).height() >= expanded_h  # type: ignore[union-attr]


def test_error_row_readable_sentence_and_details(qtbot: QtBot, view: MessageView) -> None:
    model = model_of(view)
    now = time.time()
    rows = [
        MessageRow(
            1,
            1,
            None,
            "assistant",
            "",
            status="error",
            error_category="auth",
            error="401 {raw server body}",
        ),
        MessageRow(
            2,
            1,
            None,
            "assistant",
            "",
            status="error",
            error_category="rate_limit",
            error="429",
            meta={"retry_after_s": 30, "failed_at": now},
        ),
        MessageRow(3, 1, None, "assistant", "partial", status="stopped"),
        MessageRow(
            4,
            1,
            None,
            "assistant",
            "long",
            finish_reason="length",
            usage={"prompt_tokens": 10, "completion_tokens": 100},
            ttft_ms=500,
            duration_ms=2500,
            model="gpt-x",
        ),
    ]
    model.set_messages(rows, {})
    view.scroll_to_message(1)

    def text_of(mid: int) -> str:
        QApplication.processEvents()
        return "\n".join(d.toPlainText() for d in view._items[mid].parts)  # noqa: SLF001

    assert "API key was rejected" in text_of(1)
    assert "raw server body" not in text_of(1)
    got: list[str] = []
    view.action_requested.connect(lambda a, mid, arg: got.append(a))
    click_link(view, 1, "action:toggle_details")
    assert "raw server body" in text_of(1)
    click_link(view, 1, "action:retry")
    assert got == ["retry"]
    assert "Rate limited: retry in 30 s" in text_of(2) or "retry in 29 s" in text_of(2)
    assert "Stopped" in text_of(3) and view.link_rect(3, "action:continue") is not None
    t4 = text_of(4)
    # 100 tokens, the last 2 s after the first: (100 - 1) / 2 (chatdesk.core.chat.speed).
    assert "length limit" in t4 and "gpt-x" in t4 and "49.5 tok/s" in t4


def test_rate_limit_countdown_updates(qtbot: QtBot, view: MessageView) -> None:
    model = model_of(view)
    row = MessageRow(
        1,
        1,
        None,
        "assistant",
        "",
        status="error",
        error_category="rate_limit",
        meta={"retry_after_s": 2, "failed_at": time.time() - 1.5},
    )
    model.set_messages([row], {})
    QApplication.processEvents()

    def text() -> str:
        return "\n".join(d.toPlainText() for d in view._items[1].parts)  # noqa: SLF001

    assert "retry in" in text()
    qtbot.waitUntil(lambda: "retry now" in text(), timeout=3000)


def test_unsafe_link_not_opened(qtbot: QtBot, view: MessageView, monkeypatch: Any) -> None:
    opened: list[str] = []
    monkeypatch.setattr(
        "chatdesk.ui.messageview.QDesktopServices.openUrl", lambda url: opened.append(url)
    )
    model = model_of(view)
    model.set_messages(
        [MessageRow(1, 1, None, "assistant", "[site](https://example.com) [x](javascript:x)")],
        {},
    )
    got: list[tuple[str, object]] = []
    view.action_requested.connect(lambda a, mid, arg: got.append((a, arg)))
    click_link(view, 1, "https://example.com")
    assert got == [("open_link", "https://example.com")]
    assert len(opened) == 1
    assert view.link_rect(1, "javascript:x") is None


def test_screenshot_with_cjk_emoji_code_math(view: MessageView, tmp_path: Path) -> None:
    model = model_of(view)
    rows = [
        MessageRow(1, 1, None, "user", "你好！请解释 E=mc² 😀"),
        MessageRow(
            2,
            1,
            1,
            "assistant",
            RICH,
            reasoning="思考中…",
            model="gpt-4o",
            usage={"prompt_tokens": 12, "completion_tokens": 80},
            ttft_ms=300,
            duration_ms=2300,
        ),
    ]
    model.set_messages(rows, {2: (1, 2)})
    view.scroll_to_message(1)
    QApplication.processEvents()
    path = tmp_path / "messageview.png"
    assert view.grab().save(str(path))
    img = QImage(str(path))
    assert img.width() > 100 and img.height() > 100
    colours = {
        img.pixelColor(x, y).name()
        for x in range(0, img.width(), 7)
        for y in range(0, img.height(), 7)
    }
    assert len(colours) > 10  # text, bubbles, highlighted code: not a blank image
    view.set_dark(True)
    dark = view.grab().toImage()
    assert dark.pixelColor(2, 2) != QColor("#f3f4f6")
    dark.save(str(tmp_path / "messageview-dark.png"))


def test_large_streaming_reply_stays_responsive(qtbot: QtBot, view: MessageView) -> None:
    model = model_of(view)
    model.set_messages(make_rows(10), {})
    model.append_message(MessageRow(50, 1, 10, "assistant", "", status="streaming"))
    part = (
        "## Head\n\nSome *text* 中文.\n\n```python\nx = 1\n```\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    )
    text = part * 150
    model.append_delta(50, text)
    model.flush()
    worst = 0.0
    for _ in range(2000):
        t = time.perf_counter()
        QApplication.processEvents()
        worst = max(worst, time.perf_counter() - t)
        item = view._items.get(50)  # noqa: SLF001
        if item is not None and item.stream is not None and not item.stream.behind:
            break
    assert len(view.code_blocks(50)) == 150
    assert view.is_at_bottom()
    assert worst < 0.5  # catch-up is sliced; the benchmark measures the real figure


def test_scroll_to_message_and_highlight(view: MessageView) -> None:
    model = model_of(view)
    model.set_messages(make_rows(300), {})
    view.highlight(41, "Message 40")
    QApplication.processEvents()
    rect = view.message_rect(41)
    assert rect is not None and 0 <= rect.top() < view.viewport().height()
    assert not view.is_at_bottom()
    assert view._items[41].hl  # noqa: SLF001


def test_double_click_opens_text_view(qtbot: QtBot, view: MessageView) -> None:
    model = model_of(view)
    model.set_messages([MessageRow(1, 1, None, "assistant", "Selectable **text** 你好")], {})
    QApplication.processEvents()
    rect = view.message_rect(1)
    assert rect is not None
    dlg = view.open_text_view(1)
    assert dlg is not None
    from PySide6.QtWidgets import QTextBrowser

    browser = dlg.findChild(QTextBrowser)
    assert browser is not None and "Selectable text 你好" in browser.toPlainText()
    dlg.close()
