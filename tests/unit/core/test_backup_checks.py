"""Backups are checked before they are kept; a damaged history never rotates a good
backup out (issue 8)."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chatdesk.core.history.backup import BackupError, backup_now, list_backups, validate_backup
from chatdesk.store import Store

NOON = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def damage_an_index(path: Path) -> None:
    """Break one index page: the file still opens, but quick_check fails."""
    with Store(path) as s:
        cid = s.create_conversation("x")
        for i in range(300):
            s.add_message(cid, "user", f"hello {i} " * 20)
        root = s.conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'messages_parent'"
        ).fetchone()[0]
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = int(s.conn.execute("PRAGMA page_size").fetchone()[0])
    with open(path, "r+b") as f:
        f.seek(size * (root - 1))
        f.write(b"\x0d\xff\xff\xff\xff\xff\xff\xff")


def test_damaged_history_is_not_backed_up_and_good_backups_stay(tmp_path: Path) -> None:
    db, folder = tmp_path / "history.sqlite3", tmp_path / "backups"
    with Store(db) as store:
        store.create_conversation("good")
        good = [backup_now(store, folder, keep=2, now=NOON + timedelta(hours=i)) for i in range(2)]
    damage_an_index(db)
    with Store(db) as store:
        for i in range(3):
            with pytest.raises(BackupError, match="damaged"):
                backup_now(store, folder, keep=2, now=NOON + timedelta(days=1, hours=i))
    assert list_backups(folder) == list(reversed(good))  # nothing rotated out
    assert sorted(os.listdir(folder)) == sorted(p.name for p in good)  # no temp left
    for path in good:
        validate_backup(path)


def test_copy_is_checked_too(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    with Store(db) as store:
        store.create_conversation("fine")
        path = backup_now(store, tmp_path / "b", now=NOON)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    conn.close()
