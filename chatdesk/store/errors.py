"""Store errors: the ones a user can act on, separated from programming bugs.

Only SQLite failures caused by the environment (disk full, file locked by another
program, a damaged or foreign file, a database written by a newer ChatDesk) become
:class:`StoreError`; everything else (SQL mistakes, constraint violations from bad
arguments) propagates unchanged so that bugs stay loud.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from chatdesk.errors import ChatdeskError

P = ParamSpec("P")
R = TypeVar("R")

# primary SQLite result code -> (kind, English message)
_KNOWN: dict[int, tuple[str, str]] = {
    3: ("permission", "Access to the history database was denied by the operating system."),
    5: (
        "locked",
        "The history database is busy (locked by another ChatDesk window or program). "
        "Close the other program and try again.",
    ),
    6: ("locked", "The history database is locked. Try again in a moment."),
    8: ("readonly", "The history database is read-only; changes cannot be saved."),
    10: ("io", "A disk input/output error occurred while using the history database."),
    11: (
        "corrupt",
        "The history database file is damaged (corrupt). Restore it from a backup.",
    ),
    13: ("full", "The disk is full: the history database cannot be written. Free some space."),
    14: ("cantopen", "The history database file cannot be opened (missing folder or no access)."),
    26: ("notadb", "The history file is not a ChatDesk database (or it is encrypted or damaged)."),
}


class StoreError(ChatdeskError):
    """A history-store failure worth showing to the user (not a bug).

    ``kind`` is a short machine-readable reason: ``locked``, ``full``, ``corrupt``,
    ``notadb``, ``cantopen``, ``io``, ``readonly``, ``permission``, ``newer_schema``,
    ``outdated_schema``.
    """

    def __init__(self, message: str, *, kind: str, path: str | None = None) -> None:
        super().__init__(message if path is None else f"{message} ({path})")
        self.message = message
        self.kind = kind
        self.path = path


def translate(exc: sqlite3.Error, path: str | None = None) -> StoreError | None:
    """Return the :class:`StoreError` for an environmental SQLite error, else ``None``."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None
    known = _KNOWN.get(code & 0xFF)
    if known is None:
        return None
    kind, message = known
    if kind == "io" and path is not None and _disk_full(path):
        kind, message = _KNOWN[13]  # SQLite says "I/O error" when the -shm cannot grow
    return StoreError(f"{message} [{exc}]", kind=kind, path=path)


def _disk_full(path: str) -> bool:
    """Whether the disk holding ``path`` has no block left for an ordinary user."""
    try:
        stat = os.statvfs(os.path.dirname(os.path.abspath(path)) or ".")
    except (OSError, ValueError):
        return False
    return stat.f_bavail == 0


def guarded(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorate a Store method so environmental SQLite errors become StoreError."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except sqlite3.Error as exc:
            path = getattr(args[0], "path", None) if args else None
            err = translate(exc, path if isinstance(path, str) else None)
            if err is None:
                raise
            raise err from exc

    return wrapper
