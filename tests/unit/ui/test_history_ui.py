"""Search, find, export, import, backups from the window (all offline)."""

from __future__ import annotations

import argparse
import asyncio
import socket
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from tests.fakeserver import Reply
from tests.qtloop import TestLoop
from tests.unit.ui.harness import KEY, Harness

DATA = Path(__file__).resolve().parents[2] / "data" / "chatgpt"


def _chat(h: Harness, prompt: str, answer: str) -> None:
    h.server.script(Reply(text=answer))
    h.send(prompt)


def _finish(h: Harness, task: asyncio.Task) -> object:
    h.wait(task.done, timeout=30)
    return task.result()


def test_search_panel_opens_the_message(harness: Harness) -> None:
    h = harness
    h.desk.history.quiet = True
    _chat(h, "什么是机器学习？", "机器学习是人工智能的一个分支。")
    first_conv = h.controller.conversation_id
    answer_id = h.rows()[-1].id
    h.controller.new_conversation()
    _chat(h, "Tell me about GPT-4o", "GPT-4o is a model.")
    hits, total = h.desk.history.search("学习", {"limit": 50, "offset": 0})
    assert total == 2 and {x.conversation_id for x in hits} == {first_conv}
    hits, total = h.desk.history.search("GPT-4o", {"role": "assistant"})
    assert total == 1 and hits[0].role == "assistant"
    h.window.search_requested.emit("机器学习")
    panel = h.desk.history._panel
    assert panel is not None and panel.isVisible()
    panel.result_activated.emit(first_conv, answer_id, "机器学习")
    assert h.controller.conversation_id == first_conv
    assert h.window.message_view._highlight == (answer_id, "机器学习")


def test_jump_switches_to_the_branch_holding_the_match(harness: Harness) -> None:
    h = harness
    h.server.script(Reply(text="alpha answer"), Reply(text="beta answer"))
    h.send("Question")
    alpha = h.rows()[-1]
    h.controller.on_action("regenerate", alpha.id, None)
    h.idle()
    assert h.rows()[-1].content == "beta answer"
    hits, _ = h.desk.history.search("alpha", {})
    h.desk.history.jump_to(hits[0].conversation_id, hits[0].message_id, "alpha")
    assert h.rows()[-1].content == "alpha answer"


def test_find_in_conversation(harness: Harness) -> None:
    h = harness
    _chat(h, "cats and dogs", "Cats purr. Dogs bark. CATS again.")
    _chat(h, "more about cats", "No more.")
    bar = h.window.find_bar
    bar.find_requested.emit("cats")
    assert bar.match_count() == 4  # every occurrence, not every message
    matches = h.desk.history._matches
    assert h.window.message_view._highlight == (matches[0][0], "cats")
    bar.next_requested.emit()
    assert h.window.message_view._highlight == (matches[1][0], "cats")
    bar.previous_requested.emit()
    bar.previous_requested.emit()
    assert h.window.message_view._highlight == (matches[3][0], "cats")  # wraps around
    bar.closed.emit()
    assert h.window.message_view._highlight is None


def test_export_import_round_trip_and_no_key(harness: Harness, tmp_path: Path) -> None:
    h = harness
    h.desk.history.quiet = True
    _chat(h, "导出测试 😀", "好的 👍 <script>alert(1)</script>")
    cid = h.controller.conversation_id
    for fmt in ("md", "json", "html"):
        path = tmp_path / f"one.{fmt}"
        _finish(h, h.desk.history.export_to(str(path), [cid], fmt))
        text = path.read_text(encoding="utf-8")
        assert "导出测试 😀" in text and KEY not in text
        if fmt == "html":
            assert "<script>alert(1)</script>" not in text
    assert "Exported 1 conversation" in h.desk.history.last_message
    result = _finish(h, h.desk.history.import_from(str(tmp_path / "one.json")))
    assert result.conversations_added == 0 and result.conversations_skipped == 1
    result = _finish(h, h.desk.history.import_from(str(DATA / "conversations.json")))
    assert result.conversations_added >= 3
    assert h.store.count_conversations() == 1 + result.conversations_added
    assert "Imported" in h.desk.history.last_message


def test_malformed_import_is_refused_and_changes_nothing(harness: Harness, tmp_path: Path) -> None:
    h = harness
    h.desk.history.quiet = True
    _chat(h, "keep me", "kept")
    before = h.store.count_conversations()
    bad = tmp_path / "bad.json"
    bad.write_text('{"hello": "world"}')
    assert _finish(h, h.desk.history.import_from(str(bad))) is None
    assert h.desk.history.last_message  # a readable reason
    assert "Traceback" not in h.desk.history.last_message
    assert h.store.count_conversations() == before


def test_backup_and_restore(harness: Harness) -> None:
    h = harness
    h.desk.history.quiet = True
    _chat(h, "before the backup", "one")
    path = _finish(h, h.desk.history.backup_now())
    assert Path(path).exists()
    _chat(h, "after the backup", "two")
    assert h.store.count_search("after") == 1
    assert h.desk.history.restore(Path(path))
    assert h.desk.services.store.count_search("after") == 0
    assert h.desk.services.store.count_search("before") == 1
    assert h.window.conversations.model().rowCount() >= 1
    h.store = h.desk.services.store  # the harness closes the live one


def test_start_up_never_waits_on_the_network(qapp: QApplication, monkeypatch) -> None:
    """A server that accepts connections and never answers: the history shows at once."""
    from chatdesk.core.services import ensure_default_provider
    from chatdesk.paths import database_path
    from chatdesk.store import Store

    with Store(database_path()) as store:
        ensure_default_provider(store)
        for i in range(30):
            cid = store.create_conversation(f"Old chat {i}")
            store.add_message(cid, "user", f"question {i}")
    black_hole = socket.socket()
    black_hole.bind(("127.0.0.1", 0))
    black_hole.listen(16)
    url = f"http://127.0.0.1:{black_hole.getsockname()[1]}/v1"
    monkeypatch.setenv("CHATDESK_API_KEY", KEY)
    loop = TestLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    from chatdesk.app import build

    start = time.perf_counter()
    store, window, desk = build(argparse.Namespace(base_url=url, model=None, provider=None))
    controller = desk.chat
    window.show()

    async def boot() -> float:
        desk.start()
        return time.perf_counter() - start

    elapsed = loop.run_until_complete(boot())
    try:
        assert elapsed < 2.0
        assert window.conversations.model().rowCount() >= 30
        assert controller.conversation_id is not None  # the newest chat is open
        assert window.message_model.messages()[0].content.startswith("question")
    finally:
        window.close()
        loop.run_until_complete(desk.aclose())
        store.close()
        black_hole.close()
        loop.release()
        loop.close()
        asyncio.set_event_loop(None)


def test_search_counts_once_per_query_and_shows_the_cap(harness: Harness, monkeypatch) -> None:
    h = harness
    _chat(h, "common words here", "common words there")
    calls: list[str] = []
    real = h.store.count_search

    def counting(query: str, **kw: object) -> int:
        calls.append(query)
        return real(query, **kw)

    monkeypatch.setattr(h.store, "count_search", counting)
    h.desk.history.search("common", {"offset": 0})
    h.desk.history.search("common", {"offset": 50})
    assert calls == ["common"]
    h.window.search_requested.emit("")
    panel = h.desk.history._panel
    assert panel.count_cap == h.store.SEARCH_COUNT_CAP
    panel.open_with("common")
    panel.run_search()
    assert panel.count_label().text() == "2 results"
    panel.count_cap = 2  # as if the store had stopped counting at 2
    panel.run_search()
    assert panel.count_label().text() == "2+ results"
    assert h.desk.history._models() == [h.desk.endpoint.current_model()]
