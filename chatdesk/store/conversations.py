"""Conversations in the history database: the list, one conversation's fields, and
the import/export fingerprints that let a re-import skip what is already here.

Reach it as ``store.conversations`` (or through the :class:`~chatdesk.store.Store`
methods of the same names); no Qt, no HTTP.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from chatdesk.store import search as srch
from chatdesk.store.common import Repository, as_time, dumps, page, row_id
from chatdesk.store.errors import guarded
from chatdesk.store.rows import ConversationRow

CONVERSATION_COLUMNS = (
    "id",
    "title",
    "created",
    "updated",
    "pinned",
    "system_prompt",
    "model",
    "provider",
    "params",
    "current_leaf_id",
    "message_count",
)
_CONV_SELECT = f"SELECT {', '.join(CONVERSATION_COLUMNS)} FROM conversations"
_CONV_UPDATABLE = frozenset(
    {
        "title",
        "pinned",
        "system_prompt",
        "model",
        "provider",
        "params",
        "current_leaf_id",
        "updated",
    }
)


def _conversation(row: tuple[Any, ...]) -> ConversationRow:
    (id_, title, created, updated, pinned, system_prompt, model, provider, params, leaf, count) = (
        row
    )
    return ConversationRow(
        id=id_,
        title=title,
        created=as_time(created),
        updated=as_time(updated),
        pinned=bool(pinned),
        system_prompt=system_prompt,
        model=model,
        provider=provider,
        params=json.loads(params) if params else {},
        current_leaf_id=leaf,
        message_count=count,
    )


class ConversationRepository(Repository):
    """The conversations table (messages go with it by cascade)."""

    __slots__ = ()

    @guarded
    def create_conversation(
        self,
        title: str = "",
        *,
        model: str | None = None,
        provider: str | None = None,
        system_prompt: str = "",
        params: Mapping[str, Any] | None = None,
        pinned: bool = False,
        created: float | None = None,
    ) -> int:
        """Insert a conversation and return its id; ``created`` lets import keep dates."""
        now = time.time() if created is None else created
        with self.transaction():
            cur = self.conn.execute(
                "INSERT INTO conversations (title, pinned, created, updated, system_prompt,"
                " model, provider, params) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    title,
                    int(bool(pinned)),
                    now,
                    now,
                    system_prompt or "",
                    model,
                    provider,
                    dumps(dict(params or {})),
                ),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    @guarded
    def get_conversation(self, id: int) -> ConversationRow | None:
        """One conversation, or ``None`` if it does not exist (any more)."""
        if not row_id(id):
            return None
        row = self.conn.execute(f"{_CONV_SELECT} WHERE id = ?", (id,)).fetchone()
        return None if row is None else _conversation(row)

    @guarded
    def list_conversations(
        self,
        *,
        limit: int = 100,
        offset: int = 0,
        pinned_first: bool = True,
        title_filter: str | None = None,
        comparisons: bool | None = None,
    ) -> list[ConversationRow]:
        """A page of conversations, most recently updated first (pinned on top).

        ``comparisons=True`` lists only comparisons, ``False`` only ordinary chats.
        """
        conditions: list[str] = []
        params: list[Any] = []
        if title_filter:
            conditions.append("title LIKE ? ESCAPE '\\'")
            params.append(srch.like_pattern(title_filter))
        if comparisons is not None:
            negate = "" if comparisons else "NOT "
            conditions.append(
                f"{negate}EXISTS (SELECT 1 FROM comparisons k"
                " WHERE k.conversation_id = conversations.id)"
            )
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        order = "pinned DESC, updated DESC, id DESC" if pinned_first else "updated DESC, id DESC"
        rows = self.conn.execute(
            f"{_CONV_SELECT}{where} ORDER BY {order} LIMIT ? OFFSET ?",
            (*params, page(limit), page(offset)),
        )
        return [_conversation(r) for r in rows]

    @guarded
    def count_conversations(self) -> int:
        """How many conversations exist (for the sidebar's paging)."""
        return int(self.conn.execute("SELECT count(*) FROM conversations").fetchone()[0])

    @guarded
    def update_conversation(self, id: int, **fields: Any) -> None:
        """Change some fields. Does not bump ``updated`` unless given (renaming or pinning
        should not reorder the list); unknown fields raise ``ValueError``."""
        unknown = set(fields) - _CONV_UPDATABLE
        if unknown:
            raise ValueError(f"cannot update conversation fields: {sorted(unknown)}")
        if not fields:
            return
        values: list[Any] = []
        for key, value in fields.items():
            if key == "params":
                value = dumps(dict(value or {}))
            elif key == "pinned":
                value = int(bool(value))
            elif key in ("title", "system_prompt") and value is None:
                value = ""
            values.append(value)
        sets = ", ".join(f"{key} = ?" for key in fields)
        with self.transaction():
            self.conn.execute(f"UPDATE conversations SET {sets} WHERE id = ?", (*values, id))

    @guarded
    def delete_conversation(self, id: int) -> None:
        """Delete a conversation and (by cascade) all its messages."""
        with self.transaction():
            self.conn.execute("DELETE FROM conversations WHERE id = ?", (id,))

    @guarded
    def touch_conversation(self, id: int) -> None:
        """Mark as just used so it moves to the top of the list."""
        with self.transaction():
            self.conn.execute(
                "UPDATE conversations SET updated = ? WHERE id = ?", (time.time(), id)
            )

    # -- import / export ------------------------------------------------------
    # For chatdesk.core.history.transfer: bulk paths that keep every field exactly as
    # given (ids, dates, current leaf), so an export re-imports byte for byte.

    @guarded
    def source_ids(self) -> dict[str, int]:
        """Every recorded import/export fingerprint -> its conversation id."""
        rows = self.conn.execute(
            "SELECT source_id, id FROM conversations WHERE source_id IS NOT NULL"
        )
        return {source: int(cid) for source, cid in rows}

    @guarded
    def get_source_id(self, conversation_id: int) -> str | None:
        """The conversation's fingerprint (``chatgpt:...``, ``chatdesk:...``) or ``None``."""
        if not row_id(conversation_id):
            return None
        row = self.conn.execute(
            "SELECT source_id FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        return None if row is None else row[0]

    @guarded
    def set_source_id(self, conversation_id: int, source_id: str | None) -> None:
        """Record where a conversation came from; unique (``sqlite3.IntegrityError``)."""
        with self.transaction():
            self.conn.execute(
                "UPDATE conversations SET source_id = ? WHERE id = ?", (source_id, conversation_id)
            )

    @guarded
    def insert_conversation_row(self, row: ConversationRow, *, source_id: str | None) -> int:
        """Insert a conversation exactly as given (dates, current leaf, params); new id.

        ``row.id`` and ``row.message_count`` are ignored (the triggers keep the count).
        ``current_leaf_id`` may name a message inserted later in the same transaction.
        """
        with self.transaction():
            cur = self.conn.execute(
                "INSERT INTO conversations (title, pinned, created, updated, system_prompt,"
                " model, provider, params, current_leaf_id, source_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row.title or "",
                    int(bool(row.pinned)),
                    row.created,
                    row.updated,
                    row.system_prompt or "",
                    row.model,
                    row.provider,
                    dumps(dict(row.params or {})),
                    row.current_leaf_id,
                    source_id,
                ),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def conversation_models(self, limit: int = 200) -> list[str]:
        """Models the conversations used (cheap: the conversations table, not messages)."""
        rows = self.conn.execute(
            "SELECT DISTINCT model FROM conversations WHERE model IS NOT NULL AND model != '' "
            "ORDER BY model LIMIT ?",
            (limit,),
        ).fetchall()
        return [r[0] for r in rows]
