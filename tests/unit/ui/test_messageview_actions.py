"""Message actions are named (MessageAction): every link the view draws maps to one."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import chatdesk.strict
from chatdesk.store.rows import MessageRow
from chatdesk.ui.actions import MessageAction, ViewToggle, action_href, parse_href
from chatdesk.ui.messageview import MessageView
from tests.unit.ui.test_messageview import click_link
from tests.unit.ui.views import make_view, model_of

pytestmark = pytest.mark.ui

CALL = {
    "id": "call/9 x",
    "type": "function",
    "function": {"name": "weather", "arguments": '{"city": "北京"}'},
}


def every_kind_of_row() -> list[MessageRow]:
    """One row for each footer/header variant, so every link the view can draw appears."""
    answer = "Answer [site](https://example.com)\n\n```python\nprint('hi')\n```\n"
    return [
        MessageRow(1, 1, None, "user", "Question 你好"),
        MessageRow(2, 1, 1, "assistant", answer, model="gpt", reasoning="Because 因为"),
        MessageRow(3, 1, 1, "assistant", "Calling", tool_calls=[CALL]),
        MessageRow(4, 1, 1, "assistant", "", status="error", error_category="auth", error="body"),
        MessageRow(5, 1, 1, "assistant", "Half an ans", status="stopped"),
        MessageRow(6, 1, 1, "assistant", "Long", finish_reason="length"),
        MessageRow(7, 1, 1, "tool", "42 degrees", name="weather"),
        MessageRow(9, 1, None, "user", "\n".join(f"log line {i}" for i in range(60))),
        MessageRow(  # an MCP tool run with a long result: its card folds it
            8, 1, 1, "tool", "x" * 5000, name="huge", meta={"mcp": {"server": "s", "tool": "huge"}}
        ),
    ]


def anchors(doc: QTextDocument) -> list[str]:
    out = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isAnchor():
                out.append(fmt.anchorHref())
            it += 1
        block = block.next()
    return out


def rendered_links(view: MessageView, ids: list[int]) -> dict[str, int]:
    """Every href drawn in the given messages, with the message it belongs to."""
    links: dict[str, int] = {}
    for mid in ids:
        view.code_blocks(mid)  # renders the message fully
        item = view._items[mid]  # noqa: SLF001
        for doc in item.parts:
            assert doc is not None
            for href in anchors(doc):
                links.setdefault(href, mid)
    return links


@pytest.fixture
def view(qtbot: QtBot) -> MessageView:
    v = make_view(qtbot, 2000)
    model_of(v).set_messages(every_kind_of_row(), {2: (2, 3)})
    QApplication.processEvents()
    return v


def test_every_rendered_link_is_a_named_action(view: MessageView) -> None:
    links = rendered_links(view, [r.id for r in every_kind_of_row()])
    seen: set[object] = set()
    for href in links:
        parsed = parse_href(href)
        if parsed is None:  # a web link: reported as open_link
            assert href.startswith("https://"), href
            seen.add(MessageAction.OPEN_LINK)
            continue
        action, _arg = parsed
        assert isinstance(action, MessageAction | ViewToggle), href
        seen.add(action)
    # ... and every named action can be reached from some link.
    assert seen == set(MessageAction) | set(ViewToggle)


def test_clicks_emit_message_actions_only(
    qtbot: QtBot, view: MessageView, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Any] = []
    monkeypatch.setattr(
        "chatdesk.ui.messageview.QDesktopServices.openUrl", lambda url: opened.append(url)
    )
    got: list[tuple[str, int, object]] = []
    view.action_requested.connect(lambda a, mid, arg: got.append((a, mid, arg)))
    links = rendered_links(view, [r.id for r in every_kind_of_row()])
    for href, mid in links.items():
        view.scroll_to_message(mid)
        click_link(view, mid, href)
    names = {a for a, _mid, _arg in got}
    assert names == {m.value for m in MessageAction}  # toggles are not emitted
    assert ("tool_result", 3, "call/9 x") in got
    assert ("copy_code", 2, 0) in got
    assert ("open_link", 2, "https://example.com") in got
    assert len(opened) == 1


def test_unknown_action_link_raises_in_tests(view: MessageView) -> None:
    got: list[str] = []
    view.action_requested.connect(lambda a, mid, arg: got.append(a))
    with pytest.raises(ValueError, match="frobnicate"):
        view._handle_href(1, "action:frobnicate")  # noqa: SLF001
    with pytest.raises(ValueError):
        view._handle_href(2, "copycode:x")  # noqa: SLF001
    assert got == []


def test_unknown_action_link_is_logged_outside_tests(
    view: MessageView, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(chatdesk.strict, "_strict", False)
    got: list[str] = []
    view.action_requested.connect(lambda a, mid, arg: got.append(a))
    with caplog.at_level(logging.WARNING, logger="chatdesk.ui.messageview"):
        view._handle_href(1, "action:frobnicate")  # noqa: SLF001
    assert got == []
    assert "action:frobnicate" in caplog.text


@pytest.mark.parametrize("action", [*MessageAction, *ViewToggle])
def test_href_round_trip(action: MessageAction | ViewToggle) -> None:
    if action in (MessageAction.COPY_CODE, MessageAction.OPEN_LINK):
        with pytest.raises(ValueError):  # drawn as copycode:N / a web URL, never action:
            parse_href(action_href(action))
        return
    arg = "id/with spaces&<>" if action is MessageAction.TOOL_RESULT else ""
    expected = arg if action is MessageAction.TOOL_RESULT else None
    assert parse_href(action_href(action, arg)) == (action, expected)


def test_web_links_are_not_actions() -> None:
    assert parse_href("https://example.com/action:copy") is None
    assert parse_href("copycode:3") == (MessageAction.COPY_CODE, 3)
