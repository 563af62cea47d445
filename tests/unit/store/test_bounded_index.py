"""Only the first INDEX_CHARS characters of a message are indexed (m006), so the save
that ends a huge answer takes bounded time; the index stays consistent."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from chatdesk.store import Store, migrations as mig

HEAD = "headword "
TAIL = " zebratail"
LONG = HEAD + "x" * mig.INDEX_CHARS + TAIL


def fts_rows(store: Store, term: str) -> list[int]:
    """Rowids the trigram index itself holds for ``term`` (stale entries included)."""
    rows = store.conn.execute(
        "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?", (f'"{term}"',)
    )
    return [r[0] for r in rows]


def test_a_long_answer_is_indexed_by_its_beginning_and_leaves_no_trace(db_path: Path) -> None:
    with Store(db_path) as s:
        cid = s.create_conversation("t")
        mid = s.add_message(cid, "assistant", "", status="streaming")
        s.update_message(mid, content=LONG, status="done")
        assert [h.message_id for h in s.search("headword")] == [mid]
        assert fts_rows(s, "zebratail") == []  # past the indexed part
        s.update_message(mid, content="short now")
        assert fts_rows(s, "headword") == []
        assert [h.message_id for h in s.search("short")] == [mid]
        s.delete_message(mid)
        assert fts_rows(s, "short") == []
        s.rebuild_search_index()
        assert fts_rows(s, "short") == []


def test_m006_reindexes_rows_indexed_whole_before(db_path: Path) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    mig.register_functions(conn)
    mig.migrate(conn, mig.MIGRATIONS[:5])
    conn.execute("INSERT INTO conversations (id, title, created, updated) VALUES (1, 'o', 1, 1)")
    conn.execute(
        "INSERT INTO messages (id, conversation_id, role, content, created, updated)"
        " VALUES (5, 1, 'assistant', ?, 1, 1)",
        (LONG,),
    )
    conn.close()
    with Store(db_path) as s:
        assert "m006_bounded_index" in s.applied_migrations()
        assert fts_rows(s, "zebratail") == []  # taken out with its full text
        assert fts_rows(s, "headword") == [5]
        s.delete_message(5)
        assert fts_rows(s, "headword") == []
