"""Backups of the history database: online copies, daily rotation, safe restore.

A backup is a single self-contained SQLite file (rollback journal, no ``-wal``) named
``history-YYYYMMDD-HHMMSS.sqlite3`` (UTC), so the newest sorts last and its age is in
its name, not in a modification time a file copy might change.
"""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from chatdesk.errors import ChatdeskError

if TYPE_CHECKING:
    from chatdesk.store import Store

KEEP = 7
DAY = 24 * 3600.0
_NAME = re.compile(r"^history-(\d{8}-\d{6})(?:-(\d+))?\.sqlite3$")
_REQUIRED_TABLES = {"conversations", "messages", "schema_migrations"}


class BackupError(ChatdeskError):
    """A backup could not be made, read or restored (nothing was replaced)."""

    kind = "backup"


def _stamp(path: Path) -> datetime | None:
    m = _NAME.match(path.name)
    if m is None:
        return None
    return datetime.strptime(m.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=UTC)


def list_backups(folder: str | os.PathLike[str]) -> list[Path]:
    """Backups in ``folder``, newest first (only files named the way we name them)."""
    base = Path(folder)
    if not base.is_dir():
        return []
    found = [p for p in base.iterdir() if p.is_file() and _NAME.match(p.name)]

    def key(p: Path) -> tuple[str, int]:
        m = _NAME.match(p.name)
        assert m is not None
        return m.group(1), int(m.group(2) or 0)

    return sorted(found, key=key, reverse=True)


def backup_now(
    store: Store,
    folder: str | os.PathLike[str],
    *,
    keep: int = KEEP,
    now: datetime | None = None,
) -> Path:
    """Copy the live database (SQLite online backup: safe while in use); keep ``keep``.

    Written under a temporary name and renamed, so a crash never leaves a half file
    that would count as the newest backup.
    """
    base = Path(folder)
    base.mkdir(parents=True, exist_ok=True)
    when = (now or datetime.now(UTC)).astimezone(UTC)
    stem = f"history-{when:%Y%m%d-%H%M%S}"
    dest = base / f"{stem}.sqlite3"
    n = 0
    while dest.exists():
        n += 1
        dest = base / f"{stem}-{n}.sqlite3"
    tmp = base / f".{dest.name}.tmp"
    tmp.unlink(missing_ok=True)
    try:
        # A damaged database copied into the rotation would push a good backup out.
        problem = _quick_check(store.conn)
        if problem is not None:
            raise BackupError(
                f"The history database is damaged ({problem}); no backup was made and the "
                f"existing backups in {base} are kept. Restore one with "
                "`chatdesk backup --restore FILE`."
            )
        store.backup_to(tmp)
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            # One self-contained file: a WAL-mode copy would need -wal/-shm beside it.
            conn.execute("PRAGMA journal_mode = DELETE").fetchone()
            problem = _quick_check(conn)
        finally:
            conn.close()
        if problem is not None:
            raise BackupError(f"The backup copy failed its check ({problem}); it was not kept.")
        os.replace(tmp, dest)
    except BackupError:
        tmp.unlink(missing_ok=True)
        raise
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"The backup could not be written to {base}: {exc}") from exc
    # Only now, with a checked copy in place, may older ones go: the newest good
    # backup is never the one rotated out.
    for old in list_backups(base)[max(keep, 1) :]:
        old.unlink(missing_ok=True)
    return dest


def _quick_check(conn: sqlite3.Connection) -> str | None:
    """``None`` if SQLite's quick_check passes, else its first complaint (or error)."""
    try:
        rows = conn.execute("PRAGMA quick_check(3)").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    found = [" ".join(str(r[0]).split()) for r in rows]  # SQLite's report has newlines
    return None if found == ["ok"] else "; ".join(found)


def maybe_daily_backup(
    store: Store,
    folder: str | os.PathLike[str],
    *,
    keep: int = KEEP,
    max_age: float = DAY,
    now: datetime | None = None,
) -> Path | None:
    """Make a backup if the newest one is older than ``max_age`` (or none exists)."""
    current = (now or datetime.now(UTC)).astimezone(UTC)
    backups = list_backups(folder)
    if backups:
        newest = _stamp(backups[0])
        if newest is not None and (current - newest).total_seconds() < max_age:
            return None
    return backup_now(store, folder, keep=keep, now=current)


def validate_backup(path: str | os.PathLike[str]) -> None:
    """Open the file read-only and check it is a sound ChatDesk database we can use."""
    from chatdesk.store import StoreError, migrations as mig

    src = Path(path)
    if not src.is_file():
        raise BackupError(f"There is no backup file at {src}.")
    try:
        conn = sqlite3.connect(f"{src.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{src.name} cannot be opened: {exc}") from None
    try:
        try:
            tables = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if not _REQUIRED_TABLES <= tables:
                raise BackupError(f"{src.name} is not a ChatDesk history database.")
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise BackupError(f"{src.name} is damaged (integrity check: {result}).")
            try:
                mig.check_not_newer(conn)
            except StoreError as exc:
                raise BackupError(f"{src.name}: {exc.message}") from None
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{src.name} is not a usable SQLite database ({exc}).") from None
    finally:
        conn.close()


def _keep_name(db: Path, when: datetime) -> Path:
    """A new ``<db>.before-restore-YYYYMMDD-HHMMSS[-n]`` name, created empty (exclusive),
    so two restores in one second never share (and overwrite) a kept copy."""
    stem = f"{db.name}.before-restore-{when:%Y%m%d-%H%M%S}"
    n = 0
    while True:
        keep = db.with_name(stem if n == 0 else f"{stem}-{n}")
        try:
            os.close(os.open(keep, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            n += 1
            continue
        return keep


def _refuse_if_in_use(db: Path) -> None:
    from chatdesk.store.live import other_processes

    users = other_processes(db)
    if users:
        who = ", ".join(str(pid) for pid in users)
        raise BackupError(
            f"The history is in use by another ChatDesk process (pid {who}); close it or let "
            "its answer finish, then restore again. Nothing was changed."
        )


def restore_backup(
    path: str | os.PathLike[str],
    db_path: str | os.PathLike[str],
    *,
    now: datetime | None = None,
) -> Path | None:
    """Replace the database at ``db_path`` with the backup at ``path``.

    The caller closes its store first. Nothing is touched unless the backup is sound
    and no other process has the database open (a streaming answer would otherwise be
    written into a file that is no longer the history, and lost). The replaced
    database is first copied (with whatever its WAL held) to a new
    ``<db>.before-restore-<UTC time>`` file (returned; ``None`` when there was no
    database), never over an older one. The swap is a rename, so a crash leaves
    either the old or the new database, never a mix.
    """
    validate_backup(path)
    src, db = Path(path), Path(db_path)
    _refuse_if_in_use(db)
    wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
    tmp = db.with_name(f".{db.name}.restore-tmp")
    when = (now or datetime.now(UTC)).astimezone(UTC)
    previous: Path | None = None
    try:
        if db.exists():
            conn = sqlite3.connect(db, isolation_level=None)
            try:
                # Fold the WAL into the main file: the -wal/-shm removed below must be empty.
                busy = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                if busy or (wal.exists() and wal.stat().st_size > 0):
                    raise BackupError(
                        "The history database is still in use; close ChatDesk and try again."
                    )
                previous = _keep_name(db, when)
                dest = sqlite3.connect(previous)
                try:
                    conn.backup(dest)
                finally:
                    dest.close()
            finally:
                conn.close()
        src_conn = sqlite3.connect(f"{src.absolute().as_uri()}?mode=ro", uri=True)
        dst_conn = sqlite3.connect(tmp)
        try:
            src_conn.backup(dst_conn)
        finally:
            src_conn.close()
            dst_conn.close()
        _refuse_if_in_use(db)  # someone may have started meanwhile
        if wal.exists() and wal.stat().st_size > 0:  # written since the checkpoint
            raise BackupError("The history database is still in use; try again.")
        for stale in (wal, shm):  # empty, and nobody has them open
            stale.unlink(missing_ok=True)
        os.replace(tmp, db)
    except BackupError:
        tmp.unlink(missing_ok=True)
        raise
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"The backup could not be restored: {exc}") from exc
    return previous
