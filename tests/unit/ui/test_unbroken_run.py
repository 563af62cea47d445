"""One unbroken run of a letter (issue 16): saved whole, displayed in bounded pieces.

Qt's layout of a run with no break opportunity grew superlinearly (1 MB froze the window
for over 30 s); the view must give every document only short unbreakable runs, while the
database, Copy and the text keep the original. Timing is in
tests/benchmarks/bench_unbroken.py.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QTextBrowser
from pytestqt.qtbot import QtBot

from chatdesk.api import ChatClient, ChatMessage, ChatRequest
from chatdesk.core.chat.session import run_exchange
from chatdesk.store import Store
from chatdesk.store.rows import MessageRow
from chatdesk.ui import render
from chatdesk.ui.actions import MessageAction, action_href
from chatdesk.ui.breaks import RUN, ZWSP, breakable, longest_run
from chatdesk.ui.messageview import MessageView
from tests.fakeserver import FakeServer, Reply
from tests.unit.ui.views import make_view, model_of

SIZE = 300_000


def saved_answer(db: Path, text: str) -> str:
    """Stream ``text`` from the fake server through run_exchange into a real SQLite file."""

    async def go() -> int:
        with Store(db) as store, FakeServer() as server:
            server.script(Reply(text=text, chunk_chars=8192))
            conv = store.create_conversation("run")
            uid = store.add_message(conv, "user", "repeat", make_current=True)
            async with ChatClient(server.base_url, "sk-test", max_retries=0) as client:
                req = ChatRequest(model="m", messages=[ChatMessage(role="user", content="r")])
                out = await run_exchange(
                    client, req, store=store, conversation_id=conv, parent_id=uid
                )
            return out.message_ids[0]

    mid = asyncio.run(go())
    with Store(db) as store:
        row = store.get_message(mid)
        assert row is not None and row.status == "done"
        return row.content


def shown_docs(view: MessageView, mid: int) -> list[str]:
    item = view._items[mid]  # noqa: SLF001
    return [d.toPlainText() for d in item.parts if d is not None]


def test_a_300_kb_run_is_saved_whole_and_shown_in_short_runs(qtbot: QtBot, tmp_path: Path) -> None:
    text = "a" * SIZE
    assert saved_answer(tmp_path / "h.sqlite3", text) == text

    view = make_view(qtbot, 600)
    model = model_of(view)
    model.append_message(MessageRow(1, 1, None, "user", "go"))
    model.append_message(MessageRow(2, 1, 1, "assistant", "", status="streaming"))
    for i in range(0, SIZE, 16_384):  # streaming: the open tail stays bounded too
        model.append_delta(2, text[i : i + 16_384])
        model.flush()
        QApplication.processEvents()
        assert all(longest_run(t) <= RUN for t in shown_docs(view, 2))
    model.update_message(MessageRow(2, 1, 1, "assistant", text, status="done"))
    item = view._items[2]  # noqa: SLF001
    qtbot.waitUntil(lambda: not item.lazy, timeout=20_000)
    docs = shown_docs(view, 2)
    assert all(longest_run(t) <= RUN for t in docs)
    assert max(len(t) for t in docs) < render.LONG_LINE * 2  # no document holds it all
    body = "".join(d.toPlainText() for d in [*item.segs, item.tail] if d is not None)
    assert body.replace(ZWSP, "") == text  # every character is shown

    view._handle_href(2, action_href(MessageAction.COPY))  # noqa: SLF001
    assert QGuiApplication.clipboard().text() == text  # Copy gives the original


def test_blocks_are_cut_the_same_way_streaming_and_whole() -> None:
    text = "intro **bold**\n\n" + "b" * (render.LONG_LINE * 2 + 5) + "\nafter\n\n## Next\n"
    sr = render.StreamRenderer()
    for i in range(0, len(text), 997):
        sr.update(text[: i + 997])
    sr.finish()
    assert sr.full_html() == render.render_markdown(text).html
    assert "<h2>Next</h2>" in sr.full_html() and "<strong>bold</strong>" in sr.full_html()


def test_breaks_leave_tags_and_entities_whole() -> None:
    html = "<p>" + "x" * 500 + " &amp;" * 3 + "&lt;" * 200 + '</p><a href="' + "u" * 300 + '">y</a>'
    out = breakable(html)
    assert out.replace(ZWSP, "") == html
    assert ZWSP not in out[out.index("<a") :]  # the link's address is untouched
    assert "&l" + ZWSP not in out and "&lt" + ZWSP not in out


def test_text_view_copies_the_original(qtbot: QtBot) -> None:
    from chatdesk.ui.messagedocs import TextDialog

    text = "z" * 1000
    dlg = TextDialog(None, MessageRow(9, 1, None, "assistant", text), False, lambda _h: None)  # type: ignore[arg-type]
    qtbot.addWidget(dlg)
    browser = dlg.findChild(QTextBrowser)
    assert browser is not None and ZWSP in browser.toPlainText()
    browser.selectAll()
    assert browser.createMimeDataFromSelection().text() == text
