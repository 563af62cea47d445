"""Lazy rendering of the blocks of a streaming (or big) reply (offscreen Qt)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from chatdesk.store.rows import MessageRow
from chatdesk.ui import render
from chatdesk.ui.messageview import MessageView
from chatdesk.ui.render.convert import renderer
from chatdesk.ui.render.highlight import lexer
from tests.fakeserver import markdown_reply
from tests.unit.ui.views import make_view, model_of, stream_long_reply

pytestmark = pytest.mark.ui

EDGE = (
    "x\n\n\t```js\n\tvar a\n\t```\n\n```a`b\nnot a fence\n```\n\n~~~~\ncode\n~~~\n\n"
    "```\r\nx\r\n```\r\n\n  ```\n  x\n\n\nfoo\n```\n\nbar\n\n```python\nopen = 1"
)


@pytest.fixture
def view(qtbot: QtBot) -> MessageView:
    return make_view(qtbot, 600)


@pytest.mark.parametrize("text", [markdown_reply(3000), EDGE, "plain\n\ntext"])
def test_lazy_stream_renders_like_the_eager_one(text: str) -> None:
    for lang in ("python", "bash", "js", "a`b", ""):
        lexer(lang)  # same lexers for both paths
    eager = render.StreamRenderer()
    lazy = render.StreamRenderer(lazy=True)
    for i in range(0, len(text), 397):
        eager.update(text[:i])
        lazy.update(text[:i])
    eager.update(text)
    _, tail = lazy.update(text)
    assert not lazy.behind
    html = [lazy.render_block(k, streaming=True).html for k in range(len(lazy.sources))]
    assert html == eager.finished_html
    assert tail == eager.tail_html
    assert lazy.code_blocks == eager.code_blocks
    assert lazy.finish() == eager.finish()


def test_lazy_blocks_of_a_complete_text_match_render_markdown() -> None:
    text = markdown_reply(2000)
    lazy = render.StreamRenderer(lazy=True)
    lazy.update(text)
    parts = [lazy.render_block(k).html for k in range(len(lazy.sources))]
    tail = lazy.finish()
    full = render.render_markdown(text)
    assert "\n".join([*parts, tail] if tail else parts) == full.html
    assert lazy.code_blocks == full.code_blocks


def test_count_code_blocks_matches_the_renderer() -> None:
    r = renderer(False)
    for block in [*render.split_blocks(markdown_reply(1000)), *render.split_blocks(EDGE)]:
        assert r.count_code_blocks(block) == len(r.render(block, 0).code_blocks), block


def test_streaming_reply_renders_only_what_is_seen(qtbot: QtBot, view: MessageView) -> None:
    model = model_of(view)
    text = markdown_reply(6000)
    stream_long_reply(model, text)
    item = view._items[2]  # noqa: SLF001
    assert item.lazy, "blocks scrolled past while streaming are not rendered yet"
    assert view.is_at_bottom()

    def on_screen_rendered() -> bool:
        # A paint renders for a few ms at most; the next paint goes on.
        rect = view.message_rect(2)
        assert rect is not None
        vh = view.viewport().height()
        return all(
            doc is not None
            for doc, off, h in zip(item.parts, item.offsets, item.heights, strict=True)
            if 0 <= rect.top() + view.PAD + off and rect.top() + view.PAD + off + h <= vh
        )

    qtbot.waitUntil(on_screen_rendered, timeout=5000)
    model.update_message(MessageRow(2, 1, 1, "assistant", text, status="done"))
    assert item.content == text
    qtbot.waitUntil(lambda: not item.lazy, timeout=10000)
    assert view.is_at_bottom()
    full = render.render_markdown(text)
    assert item.codes == full.code_blocks
    shown = "\n".join(d.toPlainText() for d in item.parts[item.seg0 : item.seg0 + len(item.segs)])
    assert "Part 1" in shown and "pip install chatdesk" in shown


def test_links_copy_code_and_highlight_reach_unrendered_blocks(
    qtbot: QtBot, view: MessageView
) -> None:
    model = model_of(view)
    model.append_message(MessageRow(1, 1, None, "assistant", "", status="streaming"))
    text = markdown_reply(5000)
    model.append_delta(1, text)
    model.flush()
    QApplication.processEvents()
    item = view._items[1]  # noqa: SLF001
    assert item.lazy
    # copy_code of the first block: the code list is complete on demand.
    codes = view.code_blocks(1)
    assert codes == render.render_markdown(text[: len(text)]).code_blocks[: len(codes)]
    assert not item.lazy
    assert view.link_rect(1, "copycode:0") is not None
    got: list[tuple[str, object]] = []
    view.action_requested.connect(lambda a, mid, arg: got.append((a, arg)))
    view._handle_href(1, "copycode:0")  # noqa: SLF001
    assert got == [("copy_code", 0)]
    assert QApplication.clipboard().text() == codes[0]


def test_highlight_in_a_lazy_message(qtbot: QtBot, view: MessageView) -> None:
    model = model_of(view)
    text = markdown_reply(6000)  # long enough to be rendered progressively
    assert len(text) > view.BIG_MESSAGE
    model.set_messages([MessageRow(1, 1, None, "assistant", text)], {})
    QApplication.processEvents()
    view.highlight(1, "Part 1")
    QApplication.processEvents()
    item = view._items[1]  # noqa: SLF001
    assert item.hl
    assert not item.lazy
    rect = view.message_rect(1)
    assert rect is not None and rect.top() < view.viewport().height()


def test_scrolling_up_renders_blocks_on_screen(qtbot: QtBot, view: MessageView) -> None:
    model = model_of(view)
    model.append_message(MessageRow(1, 1, None, "assistant", "", status="streaming"))
    text = markdown_reply(6000)
    model.append_delta(1, text)
    model.flush()
    QApplication.processEvents()
    item = view._items[1]  # noqa: SLF001
    view.verticalScrollBar().setValue(0)
    qtbot.waitUntil(lambda: 0 not in item.lazy, timeout=5000)  # the first block is on screen
    assert not view.is_at_bottom()
    assert item.lazy  # far below: still source only
