"""Messages in the history database: each conversation's tree of branches, the
streaming writes, crash recovery, and the bulk path import uses.

Reach it as ``store.messages`` (or through the :class:`~chatdesk.store.Store`
methods of the same names); no Qt, no HTTP.
"""

from __future__ import annotations

import json
import time
from typing import Any

from chatdesk.store import live
from chatdesk.store.common import Repository, as_time, dumps, dumps_opt, loads_opt, row_id
from chatdesk.store.errors import StoreError, guarded
from chatdesk.store.rows import MESSAGE_STATUSES, MessageRow, MessageStatus

MESSAGE_COLUMNS = (
    "id",
    "conversation_id",
    "parent_id",
    "role",
    "content",
    "parts",
    "reasoning",
    "name",
    "tool_calls",
    "tool_call_id",
    "model_requested",
    "model",
    "finish_reason",
    "usage",
    "ttft_ms",
    "duration_ms",
    "status",
    "error",
    "error_category",
    "choice_index",
    "created",
    "updated",
    "meta",
)
_MSG_SELECT = f"SELECT {', '.join(MESSAGE_COLUMNS)} FROM messages"
_MSG_SELECT_M = f"SELECT {', '.join('m.' + c for c in MESSAGE_COLUMNS)} FROM messages m"
_MSG_JSON = frozenset({"parts", "tool_calls", "usage", "meta"})
# Tree position and identity never change; everything else may (streaming, edits).
_MSG_UPDATABLE = frozenset(MESSAGE_COLUMNS) - {"id", "conversation_id", "parent_id"}
_MSG_NOT_NULL_TEXT = frozenset({"content", "reasoning"})


def _message(row: tuple[Any, ...]) -> MessageRow:
    values = dict(zip(MESSAGE_COLUMNS, row, strict=True))
    for key in ("parts", "tool_calls", "usage"):
        values[key] = loads_opt(values[key])
    values["meta"] = json.loads(values["meta"]) if values["meta"] else {}
    values["created"] = as_time(values["created"])
    values["updated"] = as_time(values["updated"])
    values["status"] = _stored_status(values["status"])
    return MessageRow(**values)


_STATUS_OF_TEXT: dict[Any, MessageStatus] = {str(s): s for s in MessageStatus}


def _stored_status(text: Any) -> MessageStatus:
    """A row's status as the enum. The schema only allows the five words, but a file
    made by another tool may hold anything: an answer in an unknown state reads as
    ``interrupted`` (it did not finish normally) instead of making its whole
    conversation unreadable."""
    return _STATUS_OF_TEXT.get(text, MessageStatus.INTERRUPTED)


def _writer_of(meta: str | None) -> Any:
    """The ``writer`` stamp in a row's meta JSON (``None`` if absent or unreadable)."""
    try:
        value = json.loads(meta) if meta else {}
    except ValueError:
        return None
    return value.get("writer") if isinstance(value, dict) else None


def _check_status(status: Any) -> None:
    if status not in MESSAGE_STATUSES:
        raise ValueError(f"status must be one of {MESSAGE_STATUSES}, not {status!r}")


class MessageRepository(Repository):
    """The messages table: trees of branches, one per conversation."""

    __slots__ = ()

    @guarded
    def add_message(
        self,
        conversation_id: int,
        role: str,
        content: str = "",
        *,
        parent_id: int | None = None,
        parts: list[dict[str, Any]] | None = None,
        reasoning: str = "",
        name: str | None = None,
        tool_calls: list[dict[str, Any]] | None = None,
        tool_call_id: str | None = None,
        model_requested: str | None = None,
        model: str | None = None,
        finish_reason: str | None = None,
        usage: dict[str, Any] | None = None,
        ttft_ms: float | None = None,
        duration_ms: float | None = None,
        status: MessageStatus = MessageStatus.DONE,
        error: str | None = None,
        error_category: str | None = None,
        choice_index: int = 0,
        meta: dict[str, Any] | None = None,
        created: float | None = None,
        make_current: bool = False,
    ) -> int:
        """Insert a message under ``parent_id``; ``make_current`` also shows its branch.

        The leaf only moves when asked: extra candidates and compare columns are
        siblings that must not steal the branch on screen. The conversation's
        ``updated`` becomes ``max(updated, created)`` so that importing old messages
        does not make old conversations look new.
        """
        _check_status(status)
        if status == MessageStatus.STREAMING:  # who writes it: see mark_interrupted
            meta = {**(meta or {}), "writer": live.writer_stamp(self._store.live_token)}
        now = time.time() if created is None else created
        conn = self.conn
        with self.transaction():
            if parent_id is not None:
                row = conn.execute(
                    "SELECT conversation_id FROM messages WHERE id = ?", (parent_id,)
                ).fetchone()
                if row is None or row[0] != conversation_id:
                    raise ValueError(
                        f"parent message {parent_id} is not in conversation {conversation_id}"
                    )
            cur = conn.execute(
                f"INSERT INTO messages ({', '.join(MESSAGE_COLUMNS[1:])})"
                f" VALUES ({', '.join('?' * (len(MESSAGE_COLUMNS) - 1))})",
                (
                    conversation_id,
                    parent_id,
                    role,
                    content or "",
                    dumps_opt(parts),
                    reasoning or "",
                    name,
                    dumps_opt(tool_calls),
                    tool_call_id,
                    model_requested,
                    model,
                    finish_reason,
                    dumps_opt(usage),
                    ttft_ms,
                    duration_ms,
                    status,
                    error,
                    error_category,
                    choice_index,
                    now,
                    now,
                    dumps(meta or {}),
                ),
            )
            message_id = cur.lastrowid
            if make_current:
                conn.execute(
                    "UPDATE conversations SET current_leaf_id = ?, updated = max(updated, ?)"
                    " WHERE id = ?",
                    (message_id, now, conversation_id),
                )
            else:
                conn.execute(
                    "UPDATE conversations SET updated = max(updated, ?) WHERE id = ?",
                    (now, conversation_id),
                )
        assert message_id is not None
        return message_id

    @guarded
    def update_message(self, id: int, **fields: Any) -> None:
        """Change fields of a message with one UPDATE and one commit (streaming path).

        ``updated`` is set to now unless given. A missing id is ignored: a stream may
        still be writing to a message the user just deleted.
        """
        unknown = set(fields) - _MSG_UPDATABLE
        if unknown:
            raise ValueError(f"cannot update message fields: {sorted(unknown)}")
        if "status" in fields:
            _check_status(fields["status"])
        fields.setdefault("updated", time.time())
        values: list[Any] = []
        for key, value in fields.items():
            if key == "meta":
                value = dumps(value or {})
            elif key in _MSG_JSON:
                value = dumps_opt(value)
            elif key in _MSG_NOT_NULL_TEXT and value is None:
                value = ""
            values.append(value)
        sets = ", ".join(f"{key} = ?" for key in fields)
        if fields.get("status") == MessageStatus.STREAMING and "meta" not in fields:
            sets += ", meta = json_set(meta, '$.writer', json(?))"  # see mark_interrupted
            values.append(dumps(live.writer_stamp(self._store.live_token)))
        with self.transaction():
            self.conn.execute(f"UPDATE messages SET {sets} WHERE id = ?", (*values, id))

    @guarded
    def get_message(self, id: int) -> MessageRow | None:
        """One message, or ``None``."""
        if not row_id(id):
            return None
        row = self.conn.execute(f"{_MSG_SELECT} WHERE id = ?", (id,)).fetchone()
        return None if row is None else _message(row)

    @guarded
    def list_messages(self, conversation_id: int) -> list[MessageRow]:
        """Every message of a conversation (all branches), in creation (id) order."""
        if not row_id(conversation_id):
            return []
        rows = self.conn.execute(
            f"{_MSG_SELECT} WHERE conversation_id = ? ORDER BY id", (conversation_id,)
        )
        return [_message(r) for r in rows]

    @guarded
    def message_ids(self, conversation_id: int) -> set[int]:
        """The ids of a conversation's messages (to check references stored elsewhere)."""
        if not row_id(conversation_id):
            return set()
        rows = self.conn.execute(
            "SELECT id FROM messages WHERE conversation_id = ?", (conversation_id,)
        )
        return {int(r[0]) for r in rows}

    @guarded
    def children(self, message_id: int | None, conversation_id: int) -> list[MessageRow]:
        """Direct children of a message (``None``: the roots), oldest first.

        A message's siblings (regenerations, edits, n>1 candidates) are the children of
        its parent.
        """
        if message_id is None:
            rows = self.conn.execute(
                f"{_MSG_SELECT} WHERE conversation_id = ? AND parent_id IS NULL ORDER BY id",
                (conversation_id,),
            )
        else:
            rows = self.conn.execute(
                f"{_MSG_SELECT} WHERE parent_id = ? AND conversation_id = ? ORDER BY id",
                (message_id, conversation_id),
            )
        return [_message(r) for r in rows]

    @guarded
    def path_to(self, message_id: int) -> list[MessageRow]:
        """The messages from the root down to ``message_id`` (empty if it is missing)."""
        if not row_id(message_id):
            return []
        rows = self.conn.execute(
            "WITH RECURSIVE up(id, parent_id, depth) AS ("
            " SELECT id, parent_id, 0 FROM messages WHERE id = ?"
            " UNION ALL"
            " SELECT p.id, p.parent_id, up.depth + 1 FROM messages p JOIN up ON p.id = up.parent_id"
            f") {_MSG_SELECT_M} JOIN up ON m.id = up.id ORDER BY up.depth DESC",
            (message_id,),
        )
        return [_message(r) for r in rows]

    def _newest_leaf(self, conversation_id: int) -> int | None:
        row = self.conn.execute(
            "SELECT id FROM messages m WHERE conversation_id = ? AND NOT EXISTS"
            " (SELECT 1 FROM messages c WHERE c.parent_id = m.id) ORDER BY id DESC LIMIT 1",
            (conversation_id,),
        ).fetchone()
        return None if row is None else int(row[0])

    @guarded
    def active_path(self, conversation_id: int) -> list[MessageRow]:
        """The branch on screen: root .. current leaf (or the newest leaf if that is gone)."""
        if not row_id(conversation_id):
            return []
        row = self.conn.execute(
            "SELECT current_leaf_id FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        if row is None:
            return []
        if row[0] is not None:
            path = self.path_to(row[0])
            if path and path[-1].conversation_id == conversation_id:
                return path
        leaf = self._newest_leaf(conversation_id)
        return [] if leaf is None else self.path_to(leaf)

    @guarded
    def latest_leaf(self, message_id: int) -> int:
        """Follow the newest child down from ``message_id``; that leaf's id.

        Used when the user switches to a sibling: show that sibling's latest branch.
        Raises ``KeyError`` if the message does not exist.
        """
        row = self.conn.execute(
            "WITH RECURSIVE down(id, depth) AS ("
            " SELECT id, 0 FROM messages WHERE id = ?"
            " UNION ALL"
            " SELECT (SELECT max(c.id) FROM messages c WHERE c.parent_id = down.id),"
            " depth + 1 FROM down WHERE down.id IS NOT NULL"
            ") SELECT id FROM down WHERE id IS NOT NULL ORDER BY depth DESC LIMIT 1",
            (message_id,),
        ).fetchone()
        if row is None:
            raise KeyError(message_id)
        return int(row[0])

    @guarded
    def delete_message(self, id: int) -> None:
        """Delete a message and everything below it.

        If the current leaf was in that subtree, the conversation then shows the newest
        remaining sibling's latest branch, or else the parent.
        """
        conn = self.conn
        with self.transaction():
            row = conn.execute(
                "SELECT m.conversation_id, m.parent_id, c.current_leaf_id FROM messages m"
                " JOIN conversations c ON c.id = m.conversation_id WHERE m.id = ?",
                (id,),
            ).fetchone()
            if row is None:
                return
            conversation_id, parent_id, leaf = row
            subtree = (
                "WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL"
                " SELECT m.id FROM messages m JOIN sub ON m.parent_id = sub.id)"
            )
            leaf_removed = (
                leaf is not None
                and conn.execute(f"{subtree} SELECT 1 FROM sub WHERE id = ?", (id, leaf)).fetchone()
                is not None
            )
            conn.execute(f"{subtree} DELETE FROM messages WHERE id IN sub", (id,))
            if leaf is None or leaf_removed:
                if parent_id is None:
                    sibling = conn.execute(
                        "SELECT max(id) FROM messages WHERE conversation_id = ?"
                        " AND parent_id IS NULL",
                        (conversation_id,),
                    ).fetchone()[0]
                else:
                    sibling = conn.execute(
                        "SELECT max(id) FROM messages WHERE parent_id = ?", (parent_id,)
                    ).fetchone()[0]
                new_leaf = self.latest_leaf(sibling) if sibling is not None else parent_id
                conn.execute(
                    "UPDATE conversations SET current_leaf_id = ? WHERE id = ?",
                    (new_leaf, conversation_id),
                )

    @guarded
    def mark_interrupted(self) -> int:
        """At start-up: answers left ``streaming`` by a crash become ``interrupted``.

        Only those whose writer is gone: a row records the pid and start time of the
        process streaming it (``meta.writer``), and another ChatDesk process opening
        the folder meanwhile must not relabel a live answer. Looks with a read first,
        so a start with nothing to mark never waits for the write lock; if another
        process holds it for long, marking is left to the next start.
        """
        rows = self.conn.execute(
            "SELECT id, meta FROM messages WHERE status = 'streaming'"
        ).fetchall()
        orphans = [mid for mid, meta in rows if not live.stamp_alive(_writer_of(meta))]
        if not orphans:
            return 0
        try:
            with self.transaction():
                self.conn.executemany(
                    "UPDATE messages SET status = 'interrupted', updated = ?"
                    " WHERE id = ? AND status = 'streaming'",
                    [(time.time(), mid) for mid in orphans],
                )
        except StoreError as exc:
            if exc.kind == "locked":
                return 0
            raise
        return len(orphans)

    # -- import / export ------------------------------------------------------
    # For chatdesk.core.history.transfer: bulk paths that keep every field exactly as
    # given (ids, dates, current leaf), so an export re-imports byte for byte.

    @guarded
    def next_message_id(self) -> int:
        """The id the next message will get. Only stable inside :meth:`transaction`
        (the write lock is held), which is where bulk import pre-assigns ids."""
        row = self.conn.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0),"
            " coalesce((SELECT max(id) FROM messages), 0))"
        ).fetchone()
        return int(row[0]) + 1

    @guarded
    def bulk_add_messages(self, rows: list[MessageRow]) -> int:
        """Insert many messages with one ``executemany``; how many were inserted.

        Every field is kept as given, including ``id`` (take them from
        :meth:`next_message_id` in the same transaction), ``created`` and ``updated``.
        Parents must come before children. Unlike :meth:`add_message` the
        conversation's ``current_leaf_id``/``updated`` are not touched. A parent in
        another conversation raises ``ValueError`` and nothing is inserted.

        Speed: rows go in as ``streaming`` (not indexed) and get their real status in
        one UPDATE, so the FTS triggers run inside a single statement. Indexing row by
        row (one statement each) makes FTS5 flush a tiny segment per row: ~100 µs per
        message instead of ~30 µs.
        """
        if not rows:
            return 0
        for r in rows:
            _check_status(r.status)
            if not r.id or r.id < 1:
                raise ValueError("bulk_add_messages needs explicit positive ids")

        def values(r: MessageRow) -> tuple[Any, ...]:
            return (
                r.id,
                r.conversation_id,
                r.parent_id,
                r.role,
                r.content or "",
                dumps_opt(r.parts),
                r.reasoning or "",
                r.name,
                dumps_opt(r.tool_calls),
                r.tool_call_id,
                r.model_requested,
                r.model,
                r.finish_reason,
                dumps_opt(r.usage),
                r.ttft_ms,
                r.duration_ms,
                MessageStatus.STREAMING,
                r.error,
                r.error_category,
                r.choice_index,
                r.created,
                r.updated,
                dumps(r.meta or {}),
            )

        conn = self.conn
        low = min(r.id for r in rows)
        high = max(r.id for r in rows)
        with self.transaction():
            conn.executemany(
                f"INSERT INTO messages ({', '.join(MESSAGE_COLUMNS)})"
                f" VALUES ({', '.join('?' * len(MESSAGE_COLUMNS))})",
                map(values, rows),
            )
            conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS chatdesk_bulk_status"
                " (id INTEGER PRIMARY KEY, status TEXT NOT NULL)"
            )
            conn.executemany(
                "INSERT INTO chatdesk_bulk_status (id, status) VALUES (?, ?)",
                [(r.id, r.status) for r in rows if r.status != MessageStatus.STREAMING],
            )
            conn.execute(
                "UPDATE messages SET status = (SELECT b.status FROM chatdesk_bulk_status b"
                " WHERE b.id = messages.id) WHERE id IN (SELECT id FROM chatdesk_bulk_status)"
            )
            conn.execute("DELETE FROM chatdesk_bulk_status")
            bad = conn.execute(
                "SELECT m.id FROM messages m JOIN messages p ON p.id = m.parent_id"
                " WHERE m.id BETWEEN ? AND ? AND p.conversation_id != m.conversation_id LIMIT 1",
                (low, high),
            ).fetchone()
            if bad is not None:
                raise ValueError(f"message {bad[0]} has a parent in another conversation")
        return len(rows)
