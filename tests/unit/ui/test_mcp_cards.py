"""Tool-call cards: what a tool turn run against a real MCP server looks like in the view.

Each tool row shows its server, tool, arguments, duration and error in a card, and
its result below it, folded when long (a link shows it whole); every piece is escaped.
"""

from __future__ import annotations

import json

from PySide6.QtWidgets import QApplication

from chatdesk.core.history.transfer import export_html, export_markdown
from chatdesk.core.tools.mcpconfig import McpSettings
from chatdesk.ui.actions import ViewToggle, action_href
from chatdesk.ui.messagehtml import FOLD_CHARS
from chatdesk.ui.messageview import MessageView
from tests.fakeserver import Reply
from tests.mcpservers import broken_server
from tests.unit.ui.harness import Harness
from tests.unit.ui.test_messageview import click_link


def _calls(*calls: tuple[str, str, dict[str, object]]) -> Reply:
    return Reply(
        text="",
        tool_calls=[
            {"id": cid, "name": name, "arguments": json.dumps(args)} for cid, name, args in calls
        ],
        finish_reason="tool_calls",
    )


def _card(view: MessageView, mid: int) -> str:
    view.scroll_to_message(mid)
    view.code_blocks(mid)  # renders the message fully
    item = view._items[mid]  # noqa: SLF001
    assert item.think is not None, "no card"
    return item.think.toPlainText()


def _body(view: MessageView, mid: int) -> str:
    view.code_blocks(mid)
    item = view._items[mid]  # noqa: SLF001
    # Long unbroken runs carry invisible break points on screen only (U+200B): the text
    # the user reads and copies has none.
    text = "\n".join(d.toPlainText() for d in item.segs if d is not None)
    return text.replace("\u200b", "")


def _height(view: MessageView, mid: int) -> int:
    rect = view.message_rect(mid)
    assert rect is not None
    return rect.height()


def test_cards_of_a_real_tool_round(harness: Harness) -> None:
    h = harness
    mcp = h.desk.mcp
    assert mcp is not None
    settings = McpSettings(h.store, None)
    settings.save(broken_server("serve"))
    for tool in ("echo", "huge", "fail"):
        settings.allow_always("broken", tool)  # no approval dialog in this test
    mcp.set_conversation_servers(["broken"])
    h.server.script(
        _calls(
            ("e1", "broken__echo", {"text": "<b>not bold</b> & 中文"}),
            ("h1", "broken__huge", {"chars": 5000}),
            ("f1", "broken__fail", {"reason": "<script>x</script>"}),
        ),
        Reply(text="Done."),
    )
    h.send("run them")
    rows = h.rows()
    assert [r.role for r in rows] == ["user", "assistant", "tool", "tool", "tool", "assistant"]
    view = h.window.message_view
    answer, echo, huge, fail = rows[1], rows[2], rows[3], rows[4]

    # The answer's calls name server and tool apart.
    view.code_blocks(answer.id)
    foot = view._items[answer.id].foot  # noqa: SLF001
    assert foot is not None and "broken › huge" in foot.toPlainText()

    card = _card(view, echo.id)
    assert "broken › echo" in card and "ms" in card
    assert '"text": "<b>not bold</b> & 中文"' in card  # escaped: shown as typed, not bold
    assert "echo: <b>not bold</b> & 中文" in _body(view, echo.id)
    assert "Show the whole result" not in card  # short results are never folded

    card = _card(view, huge.id)
    assert '"chars": 5000' in card and "Show the whole result (5000 characters)" in card
    folded = _body(view, huge.id)
    assert len(folded) <= FOLD_CHARS + 5 and folded.endswith("…")
    folded_h = _height(view, huge.id)
    click_link(view, huge.id, action_href(ViewToggle.TOOL_RESULT))
    QApplication.processEvents()
    assert "x" * 5000 in _body(view, huge.id) and "Hide the result" in _card(view, huge.id)
    assert view.message_rect(huge.id).height() > folded_h
    click_link(view, huge.id, action_href(ViewToggle.TOOL_RESULT))
    assert len(_body(view, huge.id)) <= FOLD_CHARS + 5

    card = _card(view, fail.id)
    assert "⚠ Error executing tool fail" in card and "<script>x</script>" in card
    assert fail.meta["mcp"]["error"]

    # The export carries the same runs: Markdown fences them, HTML escapes and folds them.
    conv = h.controller.conversation_id
    assert conv is not None
    md = export_markdown(h.store, [conv])
    assert "**Tool run** `broken › echo`" in md and '"text": "<b>not bold</b> & 中文"' in md
    assert "> **Tool error:** Error executing tool fail" in md
    assert "x" * 5000 in md and md.count("**Tool run**") == 3
    page = export_html(h.store, [conv])
    assert "<code>broken › huge</code>" in page and "<summary>Result (5000 characters)" in page
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "<details open><summary>Result (" in page  # the short echo result is open
