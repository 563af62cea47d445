"""Which processes are using a history database right now.

Every process that opens the database for writing holds an exclusive ``flock`` on its
own file in ``.<db name>.live/`` beside the database, for as long as its store is
open. Another process tells a live holder from a stale file (left by a crash or a
kill) by trying to lock that file: the kernel drops a lock when its process dies, so
a pid reused by an unrelated program never looks like ChatDesk.

Two users of this:

* a restore refuses to swap the file while another process holds it;
* ``Store.mark_interrupted`` only marks answers whose writer (pid + process start
  time, recorded in the row's ``meta``) is really gone.

Without ``fcntl`` (Windows) liveness falls back to "the pid exists".
"""

from __future__ import annotations

import json
import os
import struct
import sys
import threading
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

# path of the registration file -> (fd, how many stores of this process use it)
_HELD: dict[str, tuple[int, int]] = {}
# Stores are opened on the loop's thread and on the writer thread of large answers.
_HELD_LOCK = threading.RLock()
# Tokens of this process's open stores: a row stamped by a store that has since been
# closed (a restore, a restart inside one process) has no writer any more.
_OPEN_STORES: set[str] = set()


def store_opened() -> str:
    """A token naming one open store of this process (see :func:`stamp_alive`)."""
    token = os.urandom(8).hex()
    _OPEN_STORES.add(token)
    return token


def store_closed(token: str) -> None:
    """The store named by ``token`` is closed: its streaming rows have no writer."""
    _OPEN_STORES.discard(token)


def live_dir(db_path: str | os.PathLike[str]) -> Path:
    """The folder of registration files for ``db_path``."""
    db = Path(db_path).absolute()
    return db.with_name(f".{db.name}.live")


def process_start(pid: int) -> str | None:
    """When ``pid`` started (clock ticks since boot, from /proc), or ``None`` if unknown.

    Together with the pid this names one process: a reused pid has another start.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after it.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else None


def writer_stamp(store: str | None = None) -> dict[str, Any]:
    """What a streaming row records about the process (and store) writing it."""
    stamp: dict[str, Any] = {"pid": os.getpid(), "start": process_start(os.getpid())}
    if store is not None:
        stamp["store"] = store
    return stamp


def _pid_exists(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover
        return True  # cannot tell cheaply: assume alive (never mark a live answer)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stamp_alive(stamp: Any) -> bool:
    """Is the process named by a :func:`writer_stamp` still running?"""
    if not isinstance(stamp, dict) or not isinstance(stamp.get("pid"), int):
        return False
    pid: int = stamp["pid"]
    if pid == os.getpid() and stamp.get("start") == process_start(pid):
        token = stamp.get("store")
        return token is None or token in _OPEN_STORES
    if not _pid_exists(pid):
        return False
    recorded, now = stamp.get("start"), process_start(pid)
    if recorded is not None and now is not None:
        return bool(recorded == now)
    return True


def register(db_path: str | os.PathLike[str]) -> str | None:
    """Announce that this process uses ``db_path``; the token for :func:`release`.

    ``None`` when the folder cannot be written (a read-only medium): the database
    still opens, only the protection against a concurrent restore is lost.
    """
    if fcntl is None:  # pragma: no cover
        return None
    with _HELD_LOCK:
        return _register(db_path)


def _register(db_path: str | os.PathLike[str]) -> str | None:
    folder = live_dir(db_path)
    name = str(folder / f"{os.getpid()}.lock")
    held = _HELD.get(name)
    if held is not None:
        _HELD[name] = (held[0], held[1] + 1)
        return name
    try:
        folder.mkdir(exist_ok=True)
        fd = os.open(name, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(writer_stamp() | {"argv": sys.argv[:2]}).encode())
    except OSError:
        os.close(fd)
        return None
    _HELD[name] = (fd, 1)
    return name


def release(token: str | None) -> None:
    """Undo one :func:`register`; the file goes when the last store of this process closes."""
    with _HELD_LOCK:
        _release(token)


def _release(token: str | None) -> None:
    if token is None or token not in _HELD:
        return
    fd, count = _HELD[token]
    if count > 1:
        _HELD[token] = (fd, count - 1)
        return
    del _HELD[token]
    try:
        os.unlink(token)
    except OSError:
        pass
    os.close(fd)


def other_processes(db_path: str | os.PathLike[str]) -> list[int]:
    """Pids of the *other* live processes that have ``db_path`` open, sorted.

    Two sources: ChatDesk's registration files (stale ones are removed on the way),
    and on Linux SQLite's own lock on the ``-shm`` file, which every connection in
    WAL mode holds (this also finds a ``sqlite3`` shell or an older ChatDesk).
    """
    found: set[int] = set()
    folder = live_dir(db_path)
    me = os.getpid()
    if folder.is_dir():
        for entry in folder.glob("*.lock"):
            try:
                pid = int(entry.stem)
            except ValueError:
                continue
            if pid == me:
                continue
            if _registration_alive(entry, pid):
                found.add(pid)
    found.update(p for p in _shm_lock_holders(db_path) if p != me)
    return sorted(found)


def _registration_alive(entry: Path, pid: int) -> bool:
    if fcntl is None:  # pragma: no cover
        return _pid_exists(pid)
    try:
        fd = os.open(entry, os.O_RDWR)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        entry.unlink(missing_ok=True)  # a crash left it: we hold its lock now
        return False
    finally:
        os.close(fd)


# SQLite's unix VFS: every connection to a WAL database holds a shared POSIX lock on
# this byte of the -shm file ("DMS": 120 + 8 lock slots) while it is open.
_SHM_DMS_BYTE = 128


def _shm_lock_holders(db_path: str | os.PathLike[str]) -> list[int]:
    """Pids holding SQLite's DMS lock on ``<db>-shm`` (Linux only; else empty).

    F_GETLK only asks; it takes no lock. It never reports this process's own locks.
    Call it with no connection of this process open on the database: closing the
    descriptor drops every POSIX lock this process holds on that file.
    """
    if fcntl is None or not sys.platform.startswith("linux") or struct.calcsize("P") != 8:
        return []
    shm = f"{os.fspath(db_path)}-shm"
    try:
        fd = os.open(shm, os.O_RDONLY)
    except OSError:
        return []
    try:
        # struct flock on 64-bit Linux: short type, short whence, off_t start, off_t
        # len, pid_t pid (+ padding to 32 bytes).
        query = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, _SHM_DMS_BYTE, 1, 0)
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, query)
    except OSError:
        return []
    finally:
        os.close(fd)
    l_type, _, _, _, l_pid = struct.unpack("hhqqi4x", answer)
    return [] if l_type == fcntl.F_UNLCK else [l_pid]
