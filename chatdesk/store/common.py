"""What the store's repositories share: the base class and the value conversions.

Each aggregate (conversations, messages, search, settings, comparisons...) has a
repository module; all of them work on the one connection of a
:class:`~chatdesk.store.Store` and join its transactions, so a repository is a view
of the store, cheap to create, never a second connection.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chatdesk.store.db import Store

ROW_ID_MIN, ROW_ID_MAX = -(1 << 63), (1 << 63) - 1


class Repository:
    """One aggregate's tables, read and written through a store's connection.

    ``path`` is what :func:`~chatdesk.store.errors.guarded` names in its errors.
    """

    __slots__ = ("_store",)

    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def path(self) -> str:
        """The database file (``guarded`` names it in errors)."""
        return self._store.path

    @property
    def conn(self) -> sqlite3.Connection:
        """The store's connection (``ValueError`` once it is closed)."""
        return self._store.conn

    def transaction(self) -> AbstractContextManager[Store]:
        """The store's transaction: nested blocks join the outermost one."""
        return self._store.transaction()


def dumps(value: Any) -> str:
    """Compact JSON keeping non-ASCII text as is (what every JSON column holds)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def dumps_opt(value: Any) -> str | None:
    return None if value is None else dumps(value)


def loads_opt(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def row_id(value: Any) -> bool:
    """Whether ``value`` can be a SQLite row id: an id typed by the user (``history show
    99999999999999999999``) names nothing rather than overflowing SQLite's integer."""
    return isinstance(value, int) and ROW_ID_MIN <= value <= ROW_ID_MAX


def page(value: int) -> int:
    """A LIMIT or OFFSET within SQLite's integer (``--limit 99999999999999999999``)."""
    return max(-1, min(value, ROW_ID_MAX))


def as_time(value: Any) -> float:
    """A stored time as a float: another tool (or an old bug) may have left text or NULL
    in a REAL column, and one such row must not break sorting or formatting. What is
    no number reads as infinity (shown as an unknown date, sorted last)."""
    if isinstance(value, float):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.inf


def model_columns(columns: Any, low: int, high: int, count_error: str) -> list[dict[str, Any]]:
    """``low`` to ``high`` columns, each a JSON object naming its model (a comparison's or a
    prompt-set run's); ``ValueError`` (``count_error`` for a wrong number) otherwise."""
    if not isinstance(columns, list | tuple) or not low <= len(columns) <= high:
        raise ValueError(count_error)
    out = []
    for i, col in enumerate(columns):
        if not isinstance(col, Mapping) or not isinstance(col.get("model"), str):
            raise ValueError(f"column {i} must be an object with a 'model' string")
        out.append(dict(col))
    return out
