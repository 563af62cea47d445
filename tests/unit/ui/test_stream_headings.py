"""While streaming, a list line must not flash as a bold heading (issue 15).

"- item" followed by a partial "-" (on its way to "- next") or "1. item" then "=" make a
setext heading for a moment; the open tail holds such an unfinished underline back
until its line ends or the answer is complete.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot

from chatdesk.store.rows import MessageRow
from chatdesk.ui import render
from tests.unit.ui.views import make_view, model_of

LISTS = (
    "Steps:\n\n- item one\n- item two\n- item three\n\n"
    "1. first\n2. second\n3. third\n\nTable:\n\n| a |\n|---|\n| 1 |\n\nEnd = done.\n"
)
HEADING = re.compile(r"<h[1-6]")


def test_no_streaming_state_of_lists_shows_a_heading() -> None:
    assert not HEADING.search(render.render_markdown(LISTS).html)
    sr = render.StreamRenderer(lazy=True)
    for end in range(1, len(LISTS) + 1):
        sr.update(LISTS[:end])
        assert not HEADING.search(sr.tail_html), repr(LISTS[:end])
    sr.finish()


def test_a_real_underline_still_becomes_a_heading_when_its_line_ends_or_at_the_end() -> None:
    sr = render.StreamRenderer(lazy=True)
    sr.update("Title\n---")
    assert "<h2" not in sr.tail_html
    sr.update("Title\n---\n")
    assert "<h2>Title</h2>" in sr.tail_html
    end = render.StreamRenderer(lazy=True)
    end.update("Title\n===")
    assert end.finish() == render.render_markdown("Title\n===").html


def headings(doc: QTextDocument) -> list[str]:
    """Text of the blocks Qt draws as headings."""
    out = []
    block = doc.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() > 0:
            out.append(block.text())
        block = block.next()
    return out


def test_the_view_shows_no_heading_mid_stream_and_the_final_render_at_the_end(
    qtbot: QtBot,
) -> None:
    view = make_view(qtbot, 500)
    model = model_of(view)
    model.append_message(MessageRow(1, 1, None, "user", "go"))
    model.append_message(MessageRow(2, 1, 1, "assistant", "", status="streaming"))
    for piece in ("- item one\n", "-"):
        model.append_delta(2, piece)
        model.flush()
        qtbot.wait(1)
    item = view._items[2]  # noqa: SLF001
    assert item.tail is not None and "item one" in item.tail.toPlainText()
    assert headings(item.tail) == []
    model.append_delta(2, " item two\n")
    model.flush()
    qtbot.wait(1)
    assert headings(item.tail) == [] and "item two" in item.tail.toPlainText()
