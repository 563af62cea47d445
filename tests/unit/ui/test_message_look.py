"""The conversation's look (issue 18): a reading column, bubbles, icon actions on hover,
code blocks with a header bar, errors as a card, keyboard reach of every icon."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage, QTextTable
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.api.client import ChatClient
from chatdesk.api.types import ChatMessage, ChatRequest
from chatdesk.core.chat.exchange import Exchange, ExchangeTarget
from chatdesk.store import Store
from chatdesk.store.rows import MessageRow
from chatdesk.ui.icons import glyph
from chatdesk.ui.messagehtml import error_sentence
from chatdesk.ui.messageitem import code_frames
from chatdesk.ui.messagemodel import MessageListModel
from chatdesk.ui.messagestyle import PALETTES, READING_MAX
from chatdesk.ui.messageview import MessageView
from tests.fakeserver import FakeServer
from tests.unit.ui.views import model_of

pytestmark = pytest.mark.ui

PARAGRAPH = " ".join(["A long paragraph of an answer that goes on and on."] * 40)


def shown_view(qtbot: QtBot, w: int, h: int = 600) -> MessageView:
    v = MessageView(MessageListModel())
    qtbot.addWidget(v)
    v.resize(w, h)
    v.show()
    qtbot.waitExposed(v)
    return v


def ink_span(img: QImage, y0: int, y1: int, bg: QColor) -> tuple[int, int]:
    """Leftmost and rightmost column with a pixel unlike the page between rows y0..y1."""
    left, right = img.width(), -1
    for y in range(max(0, y0), min(img.height(), y1), 3):
        for x in range(img.width() - 16):  # the scroll bar is not text
            if abs(img.pixelColor(x, y).lightness() - bg.lightness()) > 40:
                left = min(left, x)
                right = max(right, x)
                break
        for x in range(img.width() - 16, -1, -1):
            if abs(img.pixelColor(x, y).lightness() - bg.lightness()) > 40:
                right = max(right, x)
                break
    return left, right


def test_long_paragraph_wraps_within_900_px_in_a_1900_px_window(qtbot: QtBot) -> None:
    view = shown_view(qtbot, 1900, 700)
    model_of(view).set_messages(
        [MessageRow(1, 1, None, "assistant", PARAGRAPH, model="gpt-4o")], {}
    )
    view.scroll_to_message(1)
    QApplication.processEvents()
    rect = view.message_rect(1)
    assert rect is not None
    img = view.viewport().grab().toImage()
    left, right = ink_span(img, rect.top(), rect.bottom(), QColor(PALETTES[False]["bg"]))
    assert right > left
    assert right - left <= 900, (left, right)  # the text wraps within the reading column
    assert right - left >= 700  # and uses it (a paragraph of 2,000 characters)
    # Centred: as much room on each side, give or take the ragged right edge.
    assert abs(left - (view.viewport().width() - 16 - right)) < 140, (left, right)


def test_a_narrow_view_uses_its_whole_width(qtbot: QtBot) -> None:
    view = shown_view(qtbot, 320)
    model_of(view).set_messages([MessageRow(1, 1, None, "assistant", PARAGRAPH)], {})
    QApplication.processEvents()
    rect = view.message_rect(1)
    assert rect is not None
    assert rect.left() <= 12 and rect.right() >= view.viewport().width() - 14


def test_user_bubble_sits_right_at_most_70_percent(qtbot: QtBot) -> None:
    view = shown_view(qtbot, 1400)
    rows = [
        MessageRow(1, 1, None, "user", PARAGRAPH),
        MessageRow(2, 1, 1, "user", "Short question?"),
        MessageRow(3, 1, 2, "assistant", PARAGRAPH),
    ]
    model_of(view).set_messages(rows, {})
    view.scroll_to_message(1)
    QApplication.processEvents()
    long, short, answer = (view.message_rect(i) for i in (1, 2, 3))
    assert long is not None and short is not None and answer is not None
    column = READING_MAX + 2 * view.PAD
    assert long.width() <= 0.7 * column + 2 * view.PAD
    assert short.width() < long.width() / 2  # a short message gets a small bubble
    # Both end at the column's right edge, where the answer's text ends.
    assert long.right() == short.right() == answer.right()
    assert answer.width() == column


def hover(view: MessageView, mid: int) -> None:
    rect = view.message_rect(mid)
    assert rect is not None
    QTest.mouseMove(view.viewport(), rect.center())
    QApplication.processEvents()


def test_actions_show_on_hover_and_under_the_last_message_only(qtbot: QtBot) -> None:
    view = shown_view(qtbot, 900, 800)
    rows = [
        MessageRow(1, 1, None, "user", "Question"),
        MessageRow(2, 1, 1, "assistant", "Answer one", model="gpt-4o"),
        MessageRow(3, 1, 2, "user", "Again"),
        MessageRow(4, 1, 3, "assistant", "", status="streaming", model="gpt-4o"),
    ]
    model = model_of(view)
    model.set_messages(rows, {})
    view.scroll_to_message(1)
    QApplication.processEvents()
    # Under "Waiting..." no actions at all, not even as keyboard stops.
    assert not view.actions_shown(3)
    assert all(mid != 4 or not h.startswith("action:") for mid, h in view.links_on_screen())
    assert not view.actions_shown(0) and not view.actions_shown(1)
    hover(view, 2)
    assert view.actions_shown(1) and not view.actions_shown(0)
    QTest.mouseMove(view.viewport(), QPoint(2, view.viewport().height() - 2))
    hover(view, 1)
    assert view.actions_shown(0) and not view.actions_shown(1)
    # The answer ends: its actions stay under it (the last message) without hovering.
    done = MessageRow(4, 1, 3, "assistant", "Done", model="gpt-4o")
    model.update_message(done)
    assert view.actions_shown(3)


def test_actions_are_icons_drawn_only_when_shown(qtbot: QtBot) -> None:
    view = shown_view(qtbot, 900)
    rows = [
        MessageRow(1, 1, None, "user", "Question"),
        MessageRow(2, 1, 1, "assistant", "Answer", model="gpt-4o"),
    ]
    model_of(view).set_messages(rows, {2: (2, 3)})
    QApplication.processEvents()
    item = view._items[2]  # noqa: SLF001
    assert item.act is not None
    text = item.act.toPlainText()
    for name in ("copy", "refresh", "trash", "chevron-left", "chevron-right"):
        assert glyph(name) in text, name
    assert "Copy" not in text and "2/3" in text  # icons, not words; the branch position
    # The user's icons are not drawn until hovered: the pixels there are the page's.
    rect = view.link_rect(1, "action:edit")
    assert rect is not None
    img = view.viewport().grab().toImage()
    page = QColor(PALETTES[False]["bg"])
    assert all(
        img.pixelColor(x, rect.center().y()) == page for x in range(rect.left(), rect.right())
    )


def test_copy_turns_into_a_check_mark_for_a_second(qtbot: QtBot) -> None:
    view = shown_view(qtbot, 900)
    model_of(view).set_messages([MessageRow(1, 1, None, "assistant", "Copy me")], {})
    QApplication.processEvents()
    rect = view.link_rect(1, "action:copy")
    assert rect is not None
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert QApplication.clipboard().text() == "Copy me"

    def icons() -> str:
        act = view._items[1].act  # noqa: SLF001
        assert act is not None
        return act.toPlainText()

    assert glyph("check") in icons() and glyph("copy") not in icons()
    qtbot.waitUntil(lambda: glyph("copy") in icons(), timeout=3000)
    assert glyph("check") not in icons()


def test_tooltips_and_accessible_names_of_icons(qtbot: QtBot) -> None:
    from chatdesk.ui.messagestyle import link_label

    assert link_label("action:copy") == "Copy"
    assert link_label("action:branch_next") == "Next version"
    assert link_label("copycode:3") == "Copy code"
    assert link_label("action:toggle_thinking") == "Thinking"
    assert link_label("https://example.com/") == "https://example.com/"


def test_keyboard_walks_every_icon_and_activates_it(qtbot: QtBot) -> None:
    top = QWidget()
    qtbot.addWidget(top)
    lay = QVBoxLayout(top)
    before, view, after = QLineEdit(), MessageView(MessageListModel()), QLineEdit()
    for w in (before, view, after):
        lay.addWidget(w)
    top.resize(900, 700)
    top.show()
    qtbot.waitExposed(top)
    rows = [
        MessageRow(1, 1, None, "user", "Question"),
        MessageRow(2, 1, 1, "assistant", "See [docs](https://example.com)", model="gpt-4o"),
    ]
    model_of(view).set_messages(rows, {})
    QApplication.processEvents()
    links = view.links_on_screen()
    hrefs = [h for _mid, h in links]
    assert "action:edit" in hrefs and "action:regenerate" in hrefs
    assert "https://example.com" in hrefs
    top.activateWindow()
    before.setFocus()
    qtbot.waitUntil(before.hasFocus)
    QTest.keyClick(before, Qt.Key.Key_Tab)
    assert view.hasFocus() and view.focused_link() is None
    seen = []
    for _ in links:
        QTest.keyClick(view, Qt.Key.Key_Tab)
        seen.append(view.focused_link())
        assert view.viewport().accessibleName()  # a screen reader names the focused icon
        if seen[-1] == (1, "action:edit"):
            # The focused message shows its actions (keyboard users see what they reach).
            assert view.actions_shown(0)
            assert view.viewport().accessibleName() == "Edit"
    assert seen == links
    QTest.keyClick(view, Qt.Key.Key_Tab)
    assert after.hasFocus()
    # Back with Shift+Tab to the answer's Regenerate, and Enter runs it.
    got: list[tuple[str, int]] = []
    view.action_requested.connect(lambda a, mid, _arg: got.append((a, mid)))
    QTest.keyClick(after, Qt.Key.Key_Backtab)
    assert view.hasFocus()
    while view.focused_link() != (2, "action:regenerate"):
        QTest.keyClick(view, Qt.Key.Key_Backtab)
    assert view.viewport().accessibleName() == "Regenerate"
    QTest.keyClick(view, Qt.Key.Key_Return)
    assert got == [("regenerate", 2)]


def test_code_block_has_a_header_bar_and_a_painted_frame(qtbot: QtBot) -> None:
    view = shown_view(qtbot, 900)
    text = "Code:\n\n```python\nprint('hi')\n```\n"
    model_of(view).set_messages([MessageRow(1, 1, None, "assistant", text)], {})
    QApplication.processEvents()
    item = view._items[1]  # noqa: SLF001
    doc = next(d for d in item.segs if d is not None and "print" in d.toPlainText())
    frames = code_frames(doc)
    assert len(frames) == 1
    rect, head_bottom, _edge, _fill = frames[0]
    assert rect.top() < head_bottom < rect.bottom() and rect.width() > 600
    table = next(f for f in doc.rootFrame().childFrames() if isinstance(f, QTextTable))
    # The square backgrounds are gone: the view paints a rounded block instead.
    assert table.format().background().style() == Qt.BrushStyle.NoBrush
    assert table.cellAt(0, 0).format().background().style() == Qt.BrushStyle.NoBrush
    assert "python" in doc.toPlainText() and "Copy" in doc.toPlainText()
    # The header bar is painted in its own colour above the code's.
    img = view.viewport().grab().toImage()
    r = view.message_rect(1)
    assert r is not None
    x = r.left() + view.PAD + int(rect.left()) + int(rect.width()) // 2
    base = r.top() + view.PAD + item.offsets[item.parts.index(doc)]
    bar = img.pixelColor(x, base + int(rect.top()) + 3)
    code = img.pixelColor(x, base + int(head_bottom) + 4)
    assert bar == QColor(PALETTES[False]["code_head"]) and code == QColor(PALETTES[False]["code"])


def test_error_is_a_card_with_one_sentence_retry_and_details(qtbot: QtBot) -> None:
    view = shown_view(qtbot, 900)
    row = MessageRow(
        1, 1, None, "assistant", "", status="error", error_category="server", error="500 body"
    )
    model_of(view).set_messages([row], {})
    QApplication.processEvents()
    foot = view._items[1].foot  # noqa: SLF001
    assert foot is not None
    html = foot.toHtml()
    assert "internal error" in foot.toPlainText() and "500 body" not in foot.toPlainText()
    assert view.link_rect(1, "action:retry") is not None
    assert view.link_rect(1, "action:toggle_details") is not None
    # The card's square border is cleared; the view paints it rounded, in the error colour.
    tables = [f for f in foot.rootFrame().childFrames() if isinstance(f, QTextTable)]
    assert len(tables) == 1 and tables[0].format().border() == 0
    error = PALETTES[False]["error"]
    assert error.lower() in html.lower()
    frames = code_frames(foot)
    assert len(frames) == 1 and frames[0][1] < 0 and frames[0][2] == QColor(error).name()
    rect = view.message_rect(1)
    item = view._items[1]  # noqa: SLF001
    assert rect is not None
    card = frames[0][0]
    top = rect.top() + view.PAD + item.offsets[item.parts.index(foot)] + int(card.top())
    img = view.viewport().grab().toImage()
    x = rect.left() + view.PAD + int(card.center().x())
    assert any(img.pixelColor(x, y) == QColor(error) for y in range(top - 1, top + 3))


async def _fail(tmp_path: Path, key: str | None) -> MessageRow:
    with FakeServer(api_key="sk-right") as server, Store(tmp_path / "h.sqlite3") as store:
        conv = store.create_conversation("t", model="gpt-4o")
        uid = store.add_message(conv, "user", "Hi", make_current=True)
        client = ChatClient(server.base_url, key, backoff_s=0.01, read_timeout=5)
        request = ChatRequest(model="gpt-4o", messages=[ChatMessage("user", "Hi")])
        target = ExchangeTarget(conversation_id=conv, parent_id=uid)
        ex = Exchange(client, request, store=store, target=target)
        await ex.start()
        await client.close()
        row = store.get_message(ex.message_ids[0])
        assert row is not None
        return row


@pytest.mark.asyncio
async def test_a_saved_401_without_a_key_says_no_key_was_sent(tmp_path: Path) -> None:
    no_key = await _fail(tmp_path, None)
    assert no_key.error_category == "auth" and no_key.meta["key_sent"] is False
    assert error_sentence(no_key, None).startswith("No API key was sent")
    wrong = await _fail(tmp_path, "sk-wrong")
    assert wrong.meta["key_sent"] is True
    assert error_sentence(wrong, None).startswith("The API key was rejected")
