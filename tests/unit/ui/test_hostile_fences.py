"""Hostile fenced code (issue 16): no document gets hundreds of code tables.

Each code block is a table; Qt laid out 2,000 empty fences (16 KB) in 0.5-0.6 s. A block
with more than ``max_fences`` fences is shown as plain text, and a short complete message
with many fenced blocks is rendered block by block. Timing: tests/benchmarks/bench_hostile.py.
"""

from __future__ import annotations

from PySide6.QtGui import QTextDocument
from pytestqt.qtbot import QtBot

from chatdesk.core.mdguard import LIMITS, screen
from chatdesk.store.rows import MessageRow
from chatdesk.ui import render
from chatdesk.ui.render.convert import renderer
from tests.unit.ui.views import make_view, model_of

ONE_BLOCK = "```\n```\n" * 2_000  # one block (no blank line): 2,000 fences
MANY_BLOCKS = "```\nx\n```\n\n" * 1_400  # 1,400 blocks of one fence, under 16 KB


def tables(doc: QTextDocument) -> int:
    return len(doc.rootFrame().childFrames())


def test_a_block_of_thousands_of_fences_is_plain_text() -> None:
    assert screen(ONE_BLOCK) == "fences"
    res = render.render_markdown(ONE_BLOCK + "\n\nafter\n\n```\nlast\n```\n")
    assert res.fallback == "fences"
    assert "<table" in res.html.split("after")[1]  # the next block renders normally
    assert res.code_blocks[-1] == "last"
    counted = renderer(False).count_code_blocks(ONE_BLOCK)
    assert counted >= 1_000
    assert len(res.code_blocks) == counted + 1  # numbering counts the plain block's fences


def test_few_fences_still_render_as_code() -> None:
    text = "```py\nx = 1\n```\n" * LIMITS.max_fences
    assert screen(text) is None
    assert render.render_markdown(text).html.count("<table") == LIMITS.max_fences


def test_a_short_message_of_many_fenced_blocks_is_rendered_block_by_block(
    qtbot: QtBot,
) -> None:
    assert len(MANY_BLOCKS) < 16_000
    view = make_view(qtbot, 600)
    model = model_of(view)
    model.append_message(MessageRow(1, 1, None, "user", "go"))
    model.append_message(MessageRow(2, 1, 1, "assistant", MANY_BLOCKS, status="done"))
    view.scroll_to_message(2)
    qtbot.waitUntil(lambda: 2 in view._items, timeout=10_000)  # noqa: SLF001
    item = view._items[2]  # noqa: SLF001
    qtbot.waitUntil(lambda: not item.lazy, timeout=30_000)
    docs = [d for d in item.parts if d is not None]
    assert sum(tables(d) for d in docs) >= 1_400  # every fence shown as code
    assert max(tables(d) for d in docs) <= LIMITS.max_fences
