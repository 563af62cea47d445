"""A message's status is a :class:`MessageStatus` wherever a row comes from."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest

from chatdesk.core.history.transfer.chatgpt_in import parse_conversations
from chatdesk.store import MessageRow, Store, migrations
from chatdesk.store.rows import MessageStatus


def test_rows_read_back_carry_the_enum(store: Store) -> None:
    cid = store.create_conversation("t")
    ask = store.add_message(cid, "user", "hi", make_current=True)
    answer = store.add_message(
        cid, "assistant", "half", parent_id=ask, status=MessageStatus.STOPPED, make_current=True
    )
    rows = [
        store.get_message(answer),
        *store.list_messages(cid),
        *store.active_path(cid),
        *store.children(ask, cid),
        *store.path_to(answer),
    ]
    assert rows and all(r is not None and type(r.status) is MessageStatus for r in rows)
    got = store.get_message(answer)
    assert got is not None and got.status is MessageStatus.STOPPED
    # Still the stored word for everything that treats it as text.
    assert got.status == "stopped" and f"{got.status}" == "stopped"
    assert json.dumps({"s": got.status}) == '{"s": "stopped"}'


def test_rows_built_from_text_become_the_enum() -> None:
    row = MessageRow(1, 1, None, "assistant", "x", status="streaming")  # type: ignore[arg-type]
    assert row.status is MessageStatus.STREAMING
    done = dataclasses.replace(row, status="done")  # type: ignore[arg-type]
    assert done.status is MessageStatus.DONE
    assert MessageRow(2, 1, None, "user").status is MessageStatus.DONE
    with pytest.raises(ValueError, match="finished"):
        MessageRow(3, 1, None, "assistant", status="finished")  # type: ignore[arg-type]


def test_a_status_the_schema_forbids_reads_as_interrupted(db_path: Path) -> None:
    """A file written by another tool may bypass the CHECK: its conversation stays
    readable and the odd answer counts as one that did not finish."""
    with Store(db_path) as store:
        cid = store.create_conversation("t")
        ask = store.add_message(cid, "user", "hi", make_current=True)
        odd = store.add_message(cid, "assistant", "text", parent_id=ask, make_current=True)
    raw = sqlite3.connect(db_path)
    migrations.register_functions(raw)  # the search-index triggers call them
    raw.execute("PRAGMA ignore_check_constraints = ON")
    raw.execute("UPDATE messages SET status = 'weird' WHERE id = ?", (odd,))
    raw.commit()
    raw.close()
    with Store.for_reading(db_path) as store:
        path = store.active_path(cid)
        assert [r.id for r in path] == [ask, odd]
        assert path[-1].status is MessageStatus.INTERRUPTED
        assert path[-1].content == "text"


def test_bulk_rows_keep_their_status(store: Store) -> None:
    cid = store.create_conversation("t")
    with store.transaction():
        first = store.next_message_id()
        store.bulk_add_messages(
            [
                MessageRow(first, cid, None, "user", "q", created=1.0, updated=1.0),
                MessageRow(
                    first + 1,
                    cid,
                    first,
                    "assistant",
                    "a",
                    status=MessageStatus.ERROR,
                    created=2.0,
                    updated=2.0,
                ),
            ]
        )
    assert [r.status for r in store.list_messages(cid)] == [
        MessageStatus.DONE,
        MessageStatus.ERROR,
    ]


def test_chatgpt_import_maps_to_the_enum() -> None:
    export = [
        {
            "id": "c1",
            "title": "t",
            "create_time": 1.0,
            "current_node": "b",
            "mapping": {
                "a": {
                    "id": "a",
                    "parent": None,
                    "children": ["b"],
                    "message": {
                        "author": {"role": "user"},
                        "content": {"content_type": "text", "parts": ["q"]},
                        "status": "finished_successfully",
                    },
                },
                "b": {
                    "id": "b",
                    "parent": "a",
                    "children": [],
                    "message": {
                        "author": {"role": "assistant"},
                        "content": {"content_type": "text", "parts": ["half"]},
                        "status": "finished_partial_completion",
                    },
                },
            },
        }
    ]
    conversations = list(parse_conversations(export))
    statuses = [m.status for c in conversations for m in c.messages]
    assert statuses == [MessageStatus.DONE, MessageStatus.STOPPED]
    assert all(type(s) is MessageStatus for s in statuses)
