"""Writing large answers away from the event loop.

Writing a 30 MB row takes SQLite about half a second; done on the loop's thread it
froze the window and every other column of a comparison for that long, at each
partial save and at the end. :class:`~chatdesk.core.chat.patient.PatientStore` hands
such writes (and, while one is under way, the other columns' writes too) to the one
thread here, which writes them through its own connection: SQLite (WAL) has one
writer at a time, and in this process that writer is then always this thread, so
the loop never waits for the lock it holds, and readers go on reading.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from chatdesk.store import Store

#: An answer (content plus reasoning) at least this long is written off the loop.
#: 1 M characters take ~15 ms to write: below that the thread is not worth it.
LARGE_CHARS = 1_000_000

#: How long the writer thread waits for another process's write lock.
WRITER_WAIT_S = 5.0

_EXECUTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatdesk-save")
_LOCK = threading.Lock()
_QUEUED: dict[str, int] = {}  # database path -> jobs queued or running for it


def is_large(fields: dict[str, Any]) -> bool:
    """Is this update big enough to be written off the loop?"""
    size = 0
    for key in ("content", "reasoning"):
        value = fields.get(key)
        if isinstance(value, str):
            size += len(value)
    return size >= LARGE_CHARS


def file_path(store: Store) -> str | None:
    """The path another connection can open, or ``None`` (in memory, a URI, read-only)."""
    path = getattr(store, "path", None)
    if not isinstance(path, str) or path == ":memory:" or path.startswith("file:"):
        return None
    return None if getattr(store, "readonly", False) else path


def busy(path: str) -> bool:
    """Is a write to ``path`` queued or running on the writer thread?"""
    with _LOCK:
        return _QUEUED.get(path, 0) > 0


def submit(path: str, job: Callable[[], None]) -> Future[None]:
    """Run ``job`` on the writer thread (jobs run one after another, in order)."""
    with _LOCK:
        _QUEUED[path] = _QUEUED.get(path, 0) + 1

    def run() -> None:
        try:
            job()
        finally:
            with _LOCK:
                _QUEUED[path] -= 1
                if not _QUEUED[path]:
                    del _QUEUED[path]

    return _EXECUTOR.submit(run)


def write_updates(path: str, updates: dict[int, dict[str, Any]]) -> None:
    """Apply message updates through a connection of this thread's own (opened and
    closed here: it never outlives the write, so a restore can swap the file)."""
    store = Store(path, timeout=WRITER_WAIT_S)
    try:
        for id in sorted(updates):
            store.update_message(id, **updates[id])
    finally:
        store.close()
