"""Opening, pragmas and migrations (from empty and from every previous schema)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chatdesk.store import Store, StoreError, migrations as mig


def raw(path: Path) -> sqlite3.Connection:
    """A plain autocommit connection, as the migration runner expects."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def test_pragmas_wal_foreign_keys_busy_timeout(store: Store) -> None:
    conn = store.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_migrations_named_and_ordered() -> None:
    names = [mig.migration_name(m) for m in mig.MIGRATIONS]
    assert names[:2] == ["m001_initial", "m002_fts"]
    assert all(n[0] == "m" and n[1:4].isdigit() and n[4] == "_" for n in names)
    assert [int(n[1:4]) for n in names] == list(range(1, len(names) + 1))


def test_fresh_database_records_every_migration(store: Store, db_path: Path) -> None:
    expected = [mig.migration_name(m) for m in mig.MIGRATIONS]
    assert store.applied_migrations() == expected
    rows = store.conn.execute("SELECT name, applied_at FROM schema_migrations").fetchall()
    assert {name for name, _ in rows} == set(expected)
    assert all(isinstance(at, float) and at > 0 for _, at in rows)
    tables = {
        r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    assert {
        "conversations",
        "messages",
        "providers",
        "settings",
        "model_cache",
        "images",
        "messages_fts",
        "schema_migrations",
    } <= tables


def test_reopen_is_idempotent(db_path: Path) -> None:
    with Store(db_path) as s:
        cid = s.create_conversation("kept")
    with Store(db_path) as s:
        assert s.get_conversation(cid) is not None
        assert len(s.applied_migrations()) == len(mig.MIGRATIONS)


@pytest.mark.parametrize("index", range(len(mig.MIGRATIONS)))
def test_each_migration_applies_on_previous_schema(db_path: Path, index: int) -> None:
    conn = raw(db_path)
    before = mig.migrate(conn, mig.MIGRATIONS[:index])
    assert len(before) == index
    applied = mig.migrate(conn, mig.MIGRATIONS[: index + 1])
    assert applied == [mig.migration_name(mig.MIGRATIONS[index])]
    assert mig.applied_migrations(conn)[-1] == applied[0]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_m002_backfills_fts_from_m001_data(db_path: Path) -> None:
    conn = raw(db_path)
    mig.migrate(conn, [mig.m001_initial])
    conn.execute(
        "INSERT INTO conversations (id, title, created, updated) VALUES (1, 'old', 1.0, 2.0)"
    )
    conn.execute(
        "INSERT INTO messages (id, conversation_id, parent_id, role, content, created, updated)"
        " VALUES (1, 1, NULL, 'user', 'Tell me about machine learning', 1.0, 1.0)"
    )
    conn.execute(
        "INSERT INTO messages (id, conversation_id, parent_id, role, content, reasoning,"
        " status, created, updated)"
        " VALUES (2, 1, 1, 'assistant', '机器学习是人工智能的一个分支', 'thinking hard', 'done',"
        " 2.0, 2.0)"
    )
    conn.execute(
        "INSERT INTO messages (id, conversation_id, parent_id, role, content, status, created,"
        " updated) VALUES (3, 1, 1, 'assistant', 'half machine', 'streaming', 3.0, 3.0)"
    )
    conn.close()

    with Store(db_path) as s:
        assert s.applied_migrations()[:2] == ["m001_initial", "m002_fts"]
        assert [h.message_id for h in s.search("machine learning")] == [1]
        assert [h.message_id for h in s.search("机器学习")] == [2]
        assert [h.message_id for h in s.search("thinking")] == [2]
        assert s.get_conversation(1).message_count == 3  # type: ignore[union-attr]
        # The streaming row was not indexed; finishing it indexes it.
        assert s.search("half") == []
        assert s.mark_interrupted() == 1
        assert [h.message_id for h in s.search("half machine")] == [3]
        s.conn.execute(
            "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)"
        )


def test_failed_migration_rolls_back(db_path: Path) -> None:
    def m003_broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        conn.execute("THIS IS NOT SQL")

    conn = raw(db_path)
    with pytest.raises(sqlite3.OperationalError):
        mig.migrate(conn, [*mig.MIGRATIONS, m003_broken])
    assert "m003_broken" not in mig.applied_migrations(conn)
    assert (
        conn.execute("SELECT name FROM sqlite_master WHERE name = 'half_done'").fetchone() is None
    )
    assert mig.applied_migrations(conn) == [mig.migration_name(m) for m in mig.MIGRATIONS]
    conn.close()


def test_newer_schema_is_a_store_error(db_path: Path) -> None:
    Store(db_path).close()
    conn = raw(db_path)
    conn.execute("INSERT INTO schema_migrations VALUES ('m999_from_the_future', 1.0)")
    conn.close()
    with pytest.raises(StoreError) as info:
        Store(db_path)
    assert info.value.kind == "newer_schema"
    assert "newer version" in str(info.value)
    with pytest.raises(StoreError):
        Store(db_path, readonly=True)


def test_readonly_does_not_migrate(db_path: Path) -> None:
    conn = raw(db_path)
    mig.migrate(conn, [mig.m001_initial])
    conn.close()
    with pytest.raises(StoreError) as info:
        Store(db_path, readonly=True)
    assert info.value.kind == "outdated_schema"
    conn = raw(db_path)
    assert mig.applied_migrations(conn) == ["m001_initial"]
    conn.close()


def test_readonly_reads_and_refuses_writes(db_path: Path) -> None:
    with Store(db_path) as s:
        cid = s.create_conversation("ro")
    with Store(db_path, readonly=True) as ro:
        assert ro.get_conversation(cid) is not None
        with pytest.raises(StoreError) as info:
            ro.create_conversation("nope")
        assert info.value.kind == "readonly"


def test_readonly_alongside_writer(db_path: Path) -> None:
    with Store(db_path) as s, Store(db_path, readonly=True) as ro:
        cid = s.create_conversation("live")
        s.add_message(cid, "user", "visible to readers")
        assert [h.message_id for h in ro.search("visible")] != []


def test_memory_store_works() -> None:
    with Store.memory() as s:
        assert s.path == ":memory:"
        cid = s.create_conversation("m")
        assert s.get_conversation(cid) is not None
        assert len(s.applied_migrations()) == len(mig.MIGRATIONS)


def test_m003_source_id_is_unique_and_keeps_old_rows(db_path: Path) -> None:
    conn = raw(db_path)
    mig.migrate(conn, [mig.m001_initial, mig.m002_fts])
    conn.execute(
        "INSERT INTO conversations (id, title, created, updated) VALUES (1, 'old', 1.0, 2.0)"
    )
    conn.close()
    with Store(db_path) as s:
        assert "m003_source_id" in s.applied_migrations()
        assert s.get_source_id(1) is None
        assert s.get_conversation(1).title == "old"  # type: ignore[union-attr]
        other = s.create_conversation("new")
        assert s.get_source_id(other) is None  # NULLs do not collide
        s.set_source_id(1, "chatgpt:abc")
        assert s.source_ids() == {"chatgpt:abc": 1}
        with pytest.raises(sqlite3.IntegrityError):
            s.set_source_id(other, "chatgpt:abc")
        assert s.get_source_id(other) is None
