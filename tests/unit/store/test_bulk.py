"""Bulk paths used by import: exact rows in, FTS indexed, fingerprints unique."""

from __future__ import annotations

import sqlite3

import pytest

from chatdesk.store import Store
from chatdesk.store.rows import ConversationRow, MessageRow


def _conv(store: Store, source: str | None = None) -> int:
    row = ConversationRow(
        id=0, title="imported", created=10.0, updated=20.0, params={"temperature": 0.5}
    )
    return store.insert_conversation_row(row, source_id=source)


def test_insert_conversation_row_keeps_dates_and_leaf(store: Store) -> None:
    row = ConversationRow(
        id=99, title="t", created=1.5, updated=2.5, pinned=True, current_leaf_id=12345
    )
    cid = store.insert_conversation_row(row, source_id="chatdesk:x")
    got = store.get_conversation(cid)
    assert got is not None
    assert (got.created, got.updated, got.pinned, got.current_leaf_id) == (1.5, 2.5, True, 12345)
    assert store.get_source_id(cid) == "chatdesk:x"
    assert store.source_ids() == {"chatdesk:x": cid}
    with pytest.raises(sqlite3.IntegrityError):
        store.insert_conversation_row(row, source_id="chatdesk:x")


def test_bulk_add_messages_exact_fields_and_index(store: Store) -> None:
    cid = _conv(store)
    with store.transaction():
        first = store.next_message_id()
        rows = [
            MessageRow(first, cid, None, "user", "机器学习 hello 👋", created=1.0, updated=1.0),
            MessageRow(
                first + 1,
                cid,
                first,
                "assistant",
                "answer text",
                reasoning="deep thought",
                usage={"prompt_tokens": 3},
                ttft_ms=12.5,
                status="stopped",
                meta={"k": [1, 2]},
                created=2.0,
                updated=3.0,
            ),
            MessageRow(first + 2, cid, first, "assistant", "half", status="streaming", created=4.0),
        ]
        assert store.bulk_add_messages(rows) == 3
    got = store.list_messages(cid)
    assert [m.id for m in got] == [first, first + 1, first + 2]
    assert got[1].status == "stopped" and got[1].usage == {"prompt_tokens": 3}
    assert got[1].meta == {"k": [1, 2]} and got[1].updated == 3.0 and got[1].ttft_ms == 12.5
    assert got[2].status == "streaming"
    assert store.get_conversation(cid).message_count == 3  # type: ignore[union-attr]
    assert [h.message_id for h in store.search("机器学习")] == [first]
    assert [h.message_id for h in store.search("deep thought")] == [first + 1]
    assert store.search("half") == []  # streaming rows stay out of the index
    assert store.next_message_id() == first + 3
    assert store.mark_interrupted() == 1  # the check compares against every row
    store.conn.execute(
        "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)"
    )
    # Later ordinary inserts do not collide with the explicit ids.
    assert store.add_message(cid, "user", "next") == first + 3


def test_bulk_add_refuses_parent_in_other_conversation(store: Store) -> None:
    a, b = _conv(store), _conv(store)
    parent = store.add_message(a, "user", "in a")
    nid = store.next_message_id()
    with pytest.raises(ValueError):
        store.bulk_add_messages([MessageRow(nid, b, parent, "user", "wrong tree", created=1.0)])
    assert store.list_messages(b) == []
    with pytest.raises(ValueError):
        store.bulk_add_messages([MessageRow(0, b, None, "user", "no id")])
    assert store.bulk_add_messages([]) == 0
