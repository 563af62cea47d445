"""Code blocks wider than the column scroll sideways (issue 18), short ones are unchanged.

A block's lines are laid out unwrapped; the view paints a wide block clipped to the
column at its own offset, which Shift+wheel, a horizontal wheel and Left/Right on its
focused Copy link move (clamped), never the view's vertical scroll. Copy gives the
original lines.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QTextTable, QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from chatdesk.store.rows import MessageRow
from chatdesk.ui import codescroll
from chatdesk.ui.messagedocs import Doc
from chatdesk.ui.messageitem import code_frames, wide_frames
from chatdesk.ui.messageview import MessageView
from chatdesk.ui.render.highlight import NOWRAP_MAX
from tests.unit.ui.views import make_view, model_of

LONG = "x = [" + ", ".join(f"item_{i:03d}" for i in range(33)) + "]"  # 334 characters
TEXT = f"Intro.\n\n```python\n{LONG}\nprint(x)\n```\n\nShort:\n\n```\nok = 1\n```\n"


def shown(qtbot: QtBot, text: str) -> tuple[MessageView, int]:
    v = make_view(qtbot, 600)
    model_of(v).set_messages([MessageRow(1, 1, None, "assistant", text, model="m")], {})
    qtbot.waitUntil(lambda: v._items.get(1) is not None and None not in v._items[1].segs)  # noqa: SLF001
    QApplication.processEvents()
    return v, 1


def code_docs(v: MessageView, mid: int) -> list[Doc]:
    item = v._items[mid]  # noqa: SLF001
    return [d for d in item.parts if d is not None and d.frames != () and code_frames(d)]


def code_lines(doc: Doc) -> list[int]:
    """Line count of every block inside the code cell of each code table."""
    out = []
    for f in doc.rootFrame().childFrames():
        if isinstance(f, QTextTable) and f.rows() == 2:
            cell = f.cellAt(1, 0)
            b = cell.firstCursorPosition().block()
            while b.isValid() and b.position() <= cell.lastCursorPosition().position():
                out.append(b.layout().lineCount())
                b = b.next()
    return out


def wheel(v: MessageView, pos: QPoint, dy: int, dx: int = 0, shift: bool = True) -> None:
    mods = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    ev = QWheelEvent(
        QPointF(pos),
        QPointF(v.viewport().mapToGlobal(pos)),
        QPoint(),
        QPoint(dx, dy),
        Qt.MouseButton.NoButton,
        mods,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(v.viewport(), ev)


def block_point(v: MessageView, doc: Doc, mid: int) -> tuple[QPoint, codescroll.Wide]:
    """A viewport point inside the body of the wide code block of ``doc``."""
    item = v._items[mid]  # noqa: SLF001
    wide = wide_frames(doc, item.width)
    assert len(wide) == 1
    k = item.parts.index(doc)
    rect = v.message_rect(mid)
    assert rect is not None
    _j, frame, head, _extra = wide[0]
    x = rect.x() + v.PAD + 100
    y = rect.y() + v.PAD + item.offsets[k] + int((head + frame.bottom()) / 2)
    return QPoint(x, y), wide[0]


def test_a_long_line_is_not_wrapped_and_scrolls_sideways(qtbot: QtBot) -> None:
    v, mid = shown(qtbot, TEXT)
    item = v._items[mid]  # noqa: SLF001
    (doc,) = code_docs(v, mid)  # a short answer is one document
    assert code_lines(doc) == [1, 1, 1]  # the 334-character line is one line
    pos, (j, frame, _head, extra) = block_point(v, doc, mid)
    assert frame.right() > item.width and extra == frame.right() - item.width
    # The short block fits: it is not among the wide ones.
    short = code_frames(doc)[1][0]
    assert short.right() <= item.width and j == 0

    # Painted clipped to the column: nothing is drawn right of the column.
    img = QImage(v.viewport().size(), QImage.Format.Format_RGB32)
    v.viewport().render(img)
    rect = v.message_rect(mid)
    assert rect is not None
    bg = img.pixel(v.viewport().width() - 3, pos.y())
    right = rect.x() + v.PAD + item.width + 2
    assert all(img.pixel(x, pos.y()) == bg for x in range(right, v.viewport().width()))

    sb = v.verticalScrollBar()
    sb.setValue(0)
    top = sb.value()
    wheel(v, pos, -120)  # Shift+wheel down: the block moves, not the view
    assert doc.hx[j] == codescroll.STEP
    assert sb.value() == top
    for _ in range(100):
        wheel(v, pos, -120)
    assert doc.hx[j] == extra  # clamped at the right end
    wheel(v, pos, 0, dx=120, shift=False)  # a horizontal wheel back
    assert doc.hx[j] == extra - codescroll.STEP
    for _ in range(100):
        wheel(v, pos, 120)
    assert doc.hx[j] == 0  # clamped at the left end
    assert sb.value() == top

    # Over the short block, Shift+wheel scrolls nothing sideways.
    assert not codescroll.scroll(doc, wide_frames(doc, item.width), short.center().y(), 48)
    assert set(doc.hx) == {j}


def test_copy_link_stays_in_place_copies_original_and_arrows_scroll(qtbot: QtBot) -> None:
    v, mid = shown(qtbot, TEXT)
    doc = code_docs(v, mid)[0]
    _pos, (j, _frame, _head, extra) = block_point(v, doc, mid)
    link = v.link_rect(mid, "copycode:0")
    assert link is not None and link.right() <= v.viewport().width()  # painted at the right
    qtbot.mouseClick(v.viewport(), Qt.MouseButton.LeftButton, pos=link.center())
    assert QGuiApplication.clipboard().text() == f"{LONG}\nprint(x)"

    v.setFocus()
    v._set_focus_link((mid, "copycode:0"))  # noqa: SLF001 (as Tab would)
    qtbot.keyClick(v, Qt.Key.Key_Right)
    assert doc.hx[j] == codescroll.STEP
    qtbot.keyClick(v, Qt.Key.Key_Left)
    qtbot.keyClick(v, Qt.Key.Key_Left)
    assert doc.hx[j] == 0
    assert v.link_rect(mid, "copycode:0") == link  # the header does not move
    assert extra > 0


def test_a_line_beyond_the_cap_wraps_as_before(qtbot: QtBot) -> None:
    huge = "y" * (NOWRAP_MAX + 1)
    v, mid = shown(qtbot, f"```\n{huge}\n```\n")
    item = v._items[mid]  # noqa: SLF001
    docs = code_docs(v, mid)
    assert docs and all(wide_frames(d, item.width) == [] for d in docs)
    assert max(code_lines(docs[0])) > 1  # wrapped at the column, in pieces


def test_a_find_match_far_along_a_long_code_line_is_scrolled_into_view(qtbot: QtBot) -> None:
    """Ctrl+F's match at the end of a line that scrolls sideways is shown: the block
    moves to it, and the match is drawn inside the column."""
    line = "values = [" + ", ".join(f"v{i:03d}" for i in range(60)) + ", needle_here]"
    v, mid = shown(qtbot, f"Before.\n\n```python\n{line}\n```\n")
    item = v._items[mid]  # noqa: SLF001
    (doc,) = code_docs(v, mid)
    ((j, _frame, _head, extra),) = wide_frames(doc, item.width)
    assert doc.hx.get(j, 0.0) == 0.0
    v.highlight(mid, "needle_here")
    rect = v.scroll_to_match(mid, "needle_here", 0)
    assert rect is not None
    assert 0 < doc.hx[j] <= extra  # the block moved sideways to the match
    column = v.message_rect(mid)
    assert column is not None
    assert column.x() <= rect.x() and rect.right() <= column.x() + v.PAD + item.width + 2
