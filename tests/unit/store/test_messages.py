"""Conversations, the message tree, streaming updates and interruption."""

from __future__ import annotations

import dataclasses
import sqlite3
import time

import pytest

from chatdesk.store import ConversationRow, MessageRow, Store
from chatdesk.store.db import CONVERSATION_COLUMNS, MESSAGE_COLUMNS


def test_columns_match_row_dataclasses() -> None:
    assert MESSAGE_COLUMNS == tuple(f.name for f in dataclasses.fields(MessageRow))
    assert set(CONVERSATION_COLUMNS) == {f.name for f in dataclasses.fields(ConversationRow)}


def test_create_and_get_conversation(store: Store) -> None:
    cid = store.create_conversation(
        "Title",
        model="gpt-4o",
        provider="openai",
        system_prompt="Be brief.",
        params={"temperature": 0.2, "名字": "中文"},
        pinned=True,
        created=100.0,
    )
    row = store.get_conversation(cid)
    assert row == ConversationRow(
        id=cid,
        title="Title",
        created=100.0,
        updated=100.0,
        pinned=True,
        system_prompt="Be brief.",
        model="gpt-4o",
        provider="openai",
        params={"temperature": 0.2, "名字": "中文"},
        current_leaf_id=None,
        message_count=0,
    )
    # JSON stored readable (ensure_ascii=False)
    text = store.conn.execute("SELECT params FROM conversations").fetchone()[0]
    assert "中文" in text
    assert store.get_conversation(cid + 1) is None


def test_list_conversations_order_and_paging(store: Store) -> None:
    a = store.create_conversation("a", created=10.0)
    b = store.create_conversation("b", created=20.0)
    c = store.create_conversation("c", created=30.0)
    store.update_conversation(a, pinned=True)
    assert [r.id for r in store.list_conversations()] == [a, c, b]
    assert [r.id for r in store.list_conversations(pinned_first=False)] == [c, b, a]
    assert [r.id for r in store.list_conversations(limit=1, offset=1)] == [c]
    store.add_message(b, "user", "hi", created=40.0)
    assert [r.id for r in store.list_conversations()] == [a, b, c]
    assert store.count_conversations() == 3


def test_list_conversations_title_filter_escapes(store: Store) -> None:
    store.create_conversation("100% done")
    store.create_conversation("1000 done")
    store.create_conversation("snake_case")
    store.create_conversation("snakeXcase")
    assert [r.title for r in store.list_conversations(title_filter="0%")] == ["100% done"]
    assert [r.title for r in store.list_conversations(title_filter="E_C")] == ["snake_case"]


def test_update_conversation_fields(store: Store) -> None:
    cid = store.create_conversation("x", created=5.0)
    store.update_conversation(cid, title="y", params={"top_p": 1}, system_prompt="s", model="m")
    row = store.get_conversation(cid)
    assert row is not None
    assert (row.title, row.params, row.system_prompt, row.model) == ("y", {"top_p": 1}, "s", "m")
    assert row.updated == 5.0  # renaming does not reorder
    store.touch_conversation(cid)
    assert store.get_conversation(cid).updated > time.time() - 5  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        store.update_conversation(cid, message_count=3)
    store.update_conversation(cid + 100, title="missing is a no-op")


def test_add_message_sets_leaf_and_all_fields(store: Store) -> None:
    cid = store.create_conversation(created=1.0)
    mid = store.add_message(
        cid,
        "assistant",
        "answer",
        parts=[{"type": "text", "text": "answer"}, {"type": "image", "hash": "ab", "mime": "x"}],
        reasoning="because",
        name="bot",
        tool_calls=[{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
        tool_call_id=None,
        model_requested="gpt-4o",
        model="gpt-4o-2024-08-06",
        finish_reason="stop",
        usage={"prompt_tokens": 3, "completion_tokens": 4},
        ttft_ms=120.5,
        duration_ms=900.0,
        status="done",
        choice_index=1,
        meta={"note": "✓"},
        created=50.0,
        make_current=True,
    )
    msg = store.get_message(mid)
    assert msg is not None
    assert msg.parts == [
        {"type": "text", "text": "answer"},
        {"type": "image", "hash": "ab", "mime": "x"},
    ]
    assert msg.tool_calls is not None and msg.tool_calls[0]["id"] == "c1"
    assert msg.usage == {"prompt_tokens": 3, "completion_tokens": 4}
    assert (msg.ttft_ms, msg.duration_ms, msg.choice_index) == (120.5, 900.0, 1)
    assert (msg.created, msg.updated, msg.meta) == (50.0, 50.0, {"note": "✓"})
    conv = store.get_conversation(cid)
    assert conv is not None
    assert (conv.current_leaf_id, conv.updated, conv.message_count) == (mid, 50.0, 1)


def test_add_message_leaves_the_shown_branch_unless_asked(store: Store) -> None:
    """A sibling (extra candidate, compare column) must not steal the branch on screen."""
    cid = store.create_conversation()
    u = store.add_message(cid, "user", "q", make_current=True)
    a = store.add_message(cid, "assistant", "first", parent_id=u, make_current=True)
    store.add_message(cid, "assistant", "second", parent_id=u)
    assert store.get_conversation(cid).current_leaf_id == a  # type: ignore[union-attr]
    assert [m.id for m in store.active_path(cid)] == [u, a]


def test_add_message_import_keeps_newer_updated(store: Store) -> None:
    cid = store.create_conversation(created=100.0)
    store.add_message(cid, "user", "older", created=10.0)
    assert store.get_conversation(cid).updated == 100.0  # type: ignore[union-attr]


def test_parent_must_be_in_same_conversation(store: Store) -> None:
    a = store.create_conversation()
    b = store.create_conversation()
    m = store.add_message(a, "user", "x")
    with pytest.raises(ValueError):
        store.add_message(b, "assistant", "y", parent_id=m)
    with pytest.raises(ValueError):
        store.add_message(a, "assistant", "y", parent_id=m + 99)


def test_status_checked(store: Store) -> None:
    cid = store.create_conversation()
    with pytest.raises(ValueError):
        store.add_message(cid, "user", "x", status="weird")
    mid = store.add_message(cid, "user", "x")
    with pytest.raises(ValueError):
        store.update_message(mid, status="weird")
    with pytest.raises(sqlite3.IntegrityError):  # the CHECK constraint backs it up
        store.conn.execute("UPDATE messages SET status = 'weird' WHERE id = ?", (mid,))


def build_tree(store: Store) -> dict[str, int]:
    """u1 -> a1 (first answer), a2 (regenerated); u1' (edit of u1) -> a3."""
    cid = store.create_conversation("tree")
    u1 = store.add_message(cid, "user", "question")
    a1 = store.add_message(cid, "assistant", "first", parent_id=u1)
    a2 = store.add_message(cid, "assistant", "regenerated", parent_id=u1)
    u1e = store.add_message(cid, "user", "question edited")  # a second root
    a3 = store.add_message(cid, "assistant", "answer to edit", parent_id=u1e)
    u2 = store.add_message(cid, "user", "follow-up", parent_id=a3, make_current=True)
    return {"cid": cid, "u1": u1, "a1": a1, "a2": a2, "u1e": u1e, "a3": a3, "u2": u2}


def test_tree_siblings_paths_and_leaves(store: Store) -> None:
    t = build_tree(store)
    cid = t["cid"]
    assert [m.id for m in store.children(t["u1"], cid)] == [t["a1"], t["a2"]]
    assert [m.id for m in store.children(None, cid)] == [t["u1"], t["u1e"]]
    assert [m.id for m in store.path_to(t["a2"])] == [t["u1"], t["a2"]]
    assert [m.id for m in store.path_to(t["u2"])] == [t["u1e"], t["a3"], t["u2"]]
    assert store.path_to(10_000) == []
    assert [m.id for m in store.active_path(cid)] == [t["u1e"], t["a3"], t["u2"]]
    assert store.latest_leaf(t["u1"]) == t["a2"]
    assert store.latest_leaf(t["u1e"]) == t["u2"]
    assert store.latest_leaf(t["u2"]) == t["u2"]
    with pytest.raises(KeyError):
        store.latest_leaf(10_000)
    # switch branch
    store.update_conversation(cid, current_leaf_id=store.latest_leaf(t["u1"]))
    assert [m.id for m in store.active_path(cid)] == [t["u1"], t["a2"]]
    assert len(store.list_messages(cid)) == 6
    assert store.get_conversation(cid).message_count == 6  # type: ignore[union-attr]


def test_n_candidates_are_siblings_with_choice_index(store: Store) -> None:
    cid = store.create_conversation()
    u = store.add_message(cid, "user", "q")
    ids = [
        store.add_message(cid, "assistant", f"c{i}", parent_id=u, choice_index=i) for i in range(3)
    ]
    expected = list(zip(ids, range(3), strict=True))
    assert [(m.id, m.choice_index) for m in store.children(u, cid)] == expected


def test_active_path_falls_back_to_newest_leaf(store: Store) -> None:
    t = build_tree(store)
    other = store.create_conversation()
    foreign = store.add_message(other, "user", "elsewhere")
    store.update_conversation(t["cid"], current_leaf_id=foreign)
    assert store.active_path(t["cid"])[-1].id == t["u2"]
    store.update_conversation(t["cid"], current_leaf_id=None)
    assert store.active_path(t["cid"])[-1].id == t["u2"]
    assert store.active_path(store.create_conversation()) == []
    assert store.active_path(99_999) == []


def test_delete_subtree_moves_leaf_to_sibling_branch(store: Store) -> None:
    t = build_tree(store)
    cid = t["cid"]
    store.delete_message(t["u1e"])  # the current branch's root: falls back to u1's branch
    assert store.get_message(t["a3"]) is None and store.get_message(t["u2"]) is None
    assert [m.id for m in store.active_path(cid)] == [t["u1"], t["a2"]]
    assert store.get_conversation(cid).current_leaf_id == t["a2"]  # type: ignore[union-attr]
    assert store.get_conversation(cid).message_count == 3  # type: ignore[union-attr]
    store.delete_message(t["a2"])
    assert store.get_conversation(cid).current_leaf_id == t["a1"]  # type: ignore[union-attr]
    store.delete_message(t["a1"])
    assert store.get_conversation(cid).current_leaf_id == t["u1"]  # type: ignore[union-attr]
    store.delete_message(t["u1"])
    conv = store.get_conversation(cid)
    assert conv is not None and conv.current_leaf_id is None and conv.message_count == 0
    store.delete_message(12345)  # missing: no-op


def test_delete_outside_current_branch_keeps_leaf(store: Store) -> None:
    t = build_tree(store)
    store.delete_message(t["a1"])
    assert store.get_conversation(t["cid"]).current_leaf_id == t["u2"]  # type: ignore[union-attr]


def test_delete_conversation_cascades(store: Store) -> None:
    t = build_tree(store)
    keep = store.create_conversation()
    kept = store.add_message(keep, "user", "stay here")
    store.delete_conversation(t["cid"])
    assert store.get_conversation(t["cid"]) is None
    assert store.list_messages(t["cid"]) == []
    assert store.conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 1
    assert store.get_message(kept) is not None
    assert store.search("question") == []
    assert [h.message_id for h in store.search("stay")] == [kept]


def test_deep_chain_delete(store: Store) -> None:
    """No trigger-depth limit: long chains delete in one statement."""
    cid = store.create_conversation()
    parent = None
    with store.transaction():
        for i in range(1500):
            parent = store.add_message(cid, "user", f"m{i}", parent_id=parent)
    first = store.list_messages(cid)[0].id
    assert len(store.path_to(parent)) == 1500  # type: ignore[arg-type]
    assert store.latest_leaf(first) == parent
    store.delete_message(store.list_messages(cid)[10].id)
    assert store.get_conversation(cid).message_count == 10  # type: ignore[union-attr]
    store.delete_conversation(cid)
    assert store.conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 0


def test_streaming_updates_one_statement(store: Store) -> None:
    cid = store.create_conversation()
    u = store.add_message(cid, "user", "stream please")
    a = store.add_message(cid, "assistant", "", parent_id=u, status="streaming")
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    store.update_message(a, content="partial answer", reasoning="hmm")
    store.conn.set_trace_callback(None)
    # (SQLite's trace repeats a statement for each trigger program it runs)
    updates = {s for s in statements if s.startswith("UPDATE")}
    assert len(updates) == 1
    assert [s for s in statements if s == "COMMIT"] == ["COMMIT"]
    assert store.search("partial") == []  # not indexed while streaming
    store.update_message(a, content="partial answer, complete", status="done", finish_reason="stop")
    msg = store.get_message(a)
    assert msg is not None and msg.status == "done" and msg.finish_reason == "stop"
    assert msg.updated >= msg.created
    assert [h.message_id for h in store.search("complete")] == [a]
    store.update_message(a, content="edited later")
    assert store.search("complete") == []
    assert [h.message_id for h in store.search("edited")] == [a]
    store.update_message(a + 100, content="gone")  # deleted meanwhile: ignored
    with pytest.raises(ValueError):
        store.update_message(a, conversation_id=5)


def test_update_message_json_and_null_text(store: Store) -> None:
    cid = store.create_conversation()
    m = store.add_message(cid, "assistant", "x")
    store.update_message(m, usage={"total_tokens": 9}, meta=None, reasoning=None, parts=None)
    msg = store.get_message(m)
    assert msg is not None
    assert (msg.usage, msg.meta, msg.reasoning, msg.parts) == ({"total_tokens": 9}, {}, "", None)


def test_mark_interrupted(db_path) -> None:  # type: ignore[no-untyped-def]
    with Store(db_path) as s:
        cid = s.create_conversation()
        u = s.add_message(cid, "user", "q")
        a = s.add_message(cid, "assistant", "half an answer", parent_id=u, status="streaming")
        b = s.add_message(cid, "assistant", "another", parent_id=u, status="streaming")
    with Store(db_path) as s:  # "restart"
        assert s.mark_interrupted() == 2
        assert s.get_message(a).status == "interrupted"  # type: ignore[union-attr]
        assert s.get_message(b).status == "interrupted"  # type: ignore[union-attr]
        assert s.mark_interrupted() == 0
        assert [h.message_id for h in s.search("half")] == [a]


def test_transaction_rollback_and_nesting(store: Store) -> None:
    cid = store.create_conversation("before")
    with pytest.raises(RuntimeError), store.transaction():
        store.update_conversation(cid, title="inside")
        with store.transaction():
            store.add_message(cid, "user", "nested")
        raise RuntimeError("boom")
    assert store.get_conversation(cid).title == "before"  # type: ignore[union-attr]
    assert store.list_messages(cid) == []
    with store.transaction():
        store.update_conversation(cid, title="after")
        with store.transaction():
            store.add_message(cid, "user", "nested")
    assert store.get_conversation(cid).title == "after"  # type: ignore[union-attr]
    assert len(store.list_messages(cid)) == 1
    assert not store.conn.in_transaction
