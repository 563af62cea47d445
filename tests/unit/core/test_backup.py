"""Backups: online copy, rotation, daily check, validated restore."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chatdesk.core.history.backup import (
    BackupError,
    backup_now,
    list_backups,
    maybe_daily_backup,
    restore_backup,
    validate_backup,
)
from chatdesk.store import Store

NOON = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def make_store(path: Path, title: str = "keep me 保存") -> Store:
    store = Store(path)
    cid = store.create_conversation(title)
    store.add_message(cid, "user", "hello 🌍")
    return store


def test_backup_is_a_consistent_single_file(tmp_path: Path) -> None:
    with make_store(tmp_path / "live.sqlite3") as store:
        path = backup_now(store, tmp_path / "backups", now=NOON)
    assert path.name == "history-20240501-120000.sqlite3"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no -wal, no temp
    validate_backup(path)
    with Store(path, readonly=True) as copy:
        (conv,) = copy.list_conversations()
        assert conv.title == "keep me 保存"
        assert copy.list_messages(conv.id)[0].content == "hello 🌍"


def test_rotation_keeps_the_newest_seven(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    with make_store(tmp_path / "live.sqlite3") as store:
        made = [backup_now(store, folder, now=NOON + timedelta(hours=i)) for i in range(10)]
        same_second = backup_now(store, folder, now=NOON + timedelta(hours=9))
    kept = list_backups(folder)
    assert len(kept) == 7
    assert kept[0] == same_second and same_second.name.endswith("-1.sqlite3")
    assert kept[1:] == list(reversed(made[4:]))
    (folder / "notes.txt").write_text("not a backup")
    assert len(list_backups(folder)) == 7


def test_daily_backup_only_when_stale(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    with make_store(tmp_path / "live.sqlite3") as store:
        first = maybe_daily_backup(store, folder, now=NOON)
        assert first is not None
        assert maybe_daily_backup(store, folder, now=NOON + timedelta(hours=23)) is None
        later = maybe_daily_backup(store, folder, now=NOON + timedelta(hours=24, seconds=1))
        assert later is not None and later != first
    assert list_backups(folder) == [later, first]


def test_restore_round_trip_keeps_previous(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    with make_store(db) as store:
        backup = backup_now(store, tmp_path / "backups", now=NOON)
        store.create_conversation("made after the backup")
    previous = restore_backup(backup, db, now=NOON)
    assert previous == tmp_path / "history.sqlite3.before-restore-20240501-120000"
    with Store(db) as restored:
        assert [c.title for c in restored.list_conversations()] == ["keep me 保存"]
        restored.create_conversation("writable again")
    with Store(previous, readonly=True) as old:
        titles = {c.title for c in old.list_conversations()}
    assert titles == {"keep me 保存", "made after the backup"}
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0


def test_restore_into_missing_database(tmp_path: Path) -> None:
    with make_store(tmp_path / "a.sqlite3") as store:
        backup = backup_now(store, tmp_path / "backups", now=NOON)
    target = tmp_path / "new" / "history.sqlite3"
    target.parent.mkdir()
    assert restore_backup(backup, target) is None
    with Store(target) as s:
        assert s.count_conversations() == 1


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"this is not sqlite at all" * 100, "not a usable SQLite database"),
        (None, "not a ChatDesk history database"),
        (b"", "not a ChatDesk history database"),
    ],
)
def test_invalid_backup_is_refused_and_nothing_replaced(
    tmp_path: Path, content: bytes | None, needle: str
) -> None:
    db = tmp_path / "history.sqlite3"
    make_store(db).close()
    before = db.read_bytes()
    bad = tmp_path / "bad.sqlite3"
    if content is None:
        conn = sqlite3.connect(bad)
        conn.execute("CREATE TABLE other (x)")
        conn.close()
    else:
        bad.write_bytes(content)
    with pytest.raises(BackupError, match=needle):
        restore_backup(bad, db)
    assert db.read_bytes() == before
    assert not list(tmp_path.glob("history.sqlite3.before-restore*"))
    with pytest.raises(BackupError, match="no backup file"):
        restore_backup(tmp_path / "missing.sqlite3", db)


def test_restore_refuses_newer_schema(tmp_path: Path) -> None:
    with make_store(tmp_path / "a.sqlite3") as store:
        backup = backup_now(store, tmp_path / "backups", now=NOON)
    conn = sqlite3.connect(backup)
    conn.execute("INSERT INTO schema_migrations VALUES ('m999_future', 1.0)")
    conn.commit()
    conn.close()
    with pytest.raises(BackupError, match="newer version"):
        restore_backup(backup, tmp_path / "history.sqlite3")
