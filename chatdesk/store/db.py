"""The local history store: one SQLite file (WAL) holding conversations and more.

Single-threaded by design (the connection belongs to the thread that opened it); a
worker that needs to read concurrently opens its own ``Store(path, readonly=True)``.
Every public method turns environmental SQLite failures into :class:`StoreError`.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from chatdesk.store import live, migrations as mig, search as srch
from chatdesk.store.errors import StoreError, guarded, translate
from chatdesk.store.rows import (
    COLUMN_LABELS,
    MESSAGE_STATUSES,
    VOTE_WINNERS,
    ComparisonRow,
    ConversationRow,
    MessageRow,
    ProviderRow,
    SearchHit,
    VoteRow,
)
from chatdesk.store.runs import RunRepository

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
_CONV_SELECT = f"SELECT {', '.join(CONVERSATION_COLUMNS)} FROM conversations"
_MSG_SELECT = f"SELECT {', '.join(MESSAGE_COLUMNS)} FROM messages"
_MSG_SELECT_M = f"SELECT {', '.join('m.' + c for c in MESSAGE_COLUMNS)} FROM messages m"

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
_MSG_JSON = frozenset({"parts", "tool_calls", "usage", "meta"})
# Tree position and identity never change; everything else may (streaming, edits).
_MSG_UPDATABLE = frozenset(MESSAGE_COLUMNS) - {"id", "conversation_id", "parent_id"}
_MSG_NOT_NULL_TEXT = frozenset({"content", "reasoning"})

# Option names that look like credentials: those belong in the keyring, never here.
_SECRET_NAME = re.compile(
    r"api[_-]?key|secret|passw(or)?d|(^|[_-])token$|authorization|bearer|credential",
    re.IGNORECASE,
)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _dumps_opt(value: Any) -> str | None:
    return None if value is None else _dumps(value)


def _loads_opt(text: str | None) -> Any:
    return None if text is None else json.loads(text)


_ROW_ID_MIN, _ROW_ID_MAX = -(1 << 63), (1 << 63) - 1


def _row_id(value: Any) -> bool:
    """Whether ``value`` can be a SQLite row id: an id typed by the user (``history show
    99999999999999999999``) names nothing rather than overflowing SQLite's integer."""
    return isinstance(value, int) and _ROW_ID_MIN <= value <= _ROW_ID_MAX


def _needs_space(exc: sqlite3.Error) -> bool:
    """An open that failed for want of disk space (the ``-shm`` index cannot grow)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (10, 13)  # SQLITE_IOERR, SQLITE_FULL


def _page(value: int) -> int:
    """A LIMIT or OFFSET within SQLite's integer (``--limit 99999999999999999999``)."""
    return max(-1, min(value, _ROW_ID_MAX))


def _time(value: Any) -> float:
    """A stored time as a float: another tool (or an old bug) may have left text or NULL
    in a REAL column, and one such row must not break sorting or formatting. What is
    no number reads as infinity (shown as an unknown date, sorted last)."""
    if isinstance(value, float):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.inf


def _conversation(row: tuple[Any, ...]) -> ConversationRow:
    (id_, title, created, updated, pinned, system_prompt, model, provider, params, leaf, count) = (
        row
    )
    return ConversationRow(
        id=id_,
        title=title,
        created=_time(created),
        updated=_time(updated),
        pinned=bool(pinned),
        system_prompt=system_prompt,
        model=model,
        provider=provider,
        params=json.loads(params) if params else {},
        current_leaf_id=leaf,
        message_count=count,
    )


def _message(row: tuple[Any, ...]) -> MessageRow:
    values = dict(zip(MESSAGE_COLUMNS, row, strict=True))
    for key in ("parts", "tool_calls", "usage"):
        values[key] = _loads_opt(values[key])
    values["meta"] = json.loads(values["meta"]) if values["meta"] else {}
    values["created"] = _time(values["created"])
    values["updated"] = _time(values["updated"])
    return MessageRow(**values)


def _find_secret_names(value: Any, where: str = "options") -> list[str]:
    found: list[str] = []
    if isinstance(value, Mapping):
        for key, sub in value.items():
            if isinstance(key, str) and _SECRET_NAME.search(key):
                found.append(f"{where}.{key}")
            found += _find_secret_names(sub, f"{where}.{key}")
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            found += _find_secret_names(sub, f"{where}[{i}]")
    return found


_COMPARISON_SELECT = "SELECT id, conversation_id, created, blind, columns, state FROM comparisons"
_VOTE_SELECT = (
    "SELECT id, comparison_id, user_message_id, created, winner, models, prompt, column_order"
    " FROM votes"
)
# Speed figures outside these bounds are clock glitches or corrupt rows, not speeds.
_MAX_TTFT_MS = 600_000.0  # ten minutes
_MAX_DURATION_MS = 6 * 3_600_000.0  # six hours
_MAX_COMPLETION_TOKENS = 10_000_000
_MAX_TOKENS_PER_S = 100_000.0


def _comparison(row: tuple[Any, ...]) -> ComparisonRow:
    id_, conversation_id, created, blind, columns, state = row
    return ComparisonRow(
        id=id_,
        conversation_id=conversation_id,
        created=_time(created),
        blind=bool(blind),
        columns=json.loads(columns),
        state=json.loads(state) if state else {},
    )


def _vote(row: tuple[Any, ...]) -> VoteRow:
    id_, comparison_id, user_message_id, created, winner, models, prompt, column_order = row
    return VoteRow(
        id=id_,
        comparison_id=comparison_id,
        winner=winner,
        models=json.loads(models),
        prompt=prompt,
        column_order=json.loads(column_order),
        created=_time(created),
        user_message_id=user_message_id,
    )


def _check_columns(columns: Any) -> list[dict[str, Any]]:
    """Two to four columns, each a JSON object naming its model."""
    if not isinstance(columns, list | tuple) or not 2 <= len(columns) <= len(COLUMN_LABELS):
        raise ValueError(f"a comparison has 2 to {len(COLUMN_LABELS)} columns")
    out = []
    for i, col in enumerate(columns):
        if not isinstance(col, Mapping) or not isinstance(col.get("model"), str):
            raise ValueError(f"column {i} must be an object with a 'model' string")
        out.append(dict(col))
    return out


def _check_vote(winner: Any, columns: int, models: Any, column_order: Any) -> None:
    """A winner that names one of the ``columns`` (or tie/bad) and matching lists."""
    if winner not in VOTE_WINNERS:
        raise ValueError(f"winner must be one of {VOTE_WINNERS}, not {winner!r}")
    if winner in COLUMN_LABELS and COLUMN_LABELS.index(winner) >= columns:
        raise ValueError(
            f"winner {winner!r} needs at least {COLUMN_LABELS.index(winner) + 1} "
            f"columns; this comparison has {columns}"
        )
    if not isinstance(models, list | tuple) or len(models) != columns:
        raise ValueError(f"models must list the {columns} compared models in label order")
    if not all(isinstance(m, str) for m in models):
        raise ValueError("models must be strings")
    if (
        not isinstance(column_order, list | tuple)
        or sorted(column_order) != list(range(columns))
        or any(isinstance(i, bool) for i in column_order)
    ):
        raise ValueError(f"column_order must be a permutation of 0..{columns - 1}")


def _finite(value: Any, low: float, high: float) -> float | None:
    """``value`` as a float if it is a real number within [low, high], else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    if not math.isfinite(value) or not low <= value <= high:
        return None
    return value


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    values.sort()
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


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


class Store:
    """The history database. Open once per process (plus read-only ones for workers)."""

    path: str
    readonly: bool

    #: :meth:`count_search` stops counting here by default: a result equal to it
    #: means "this many or more" (show "5,000+"). Counting every match of a very
    #: common word would walk hundreds of thousands of index entries.
    SEARCH_COUNT_CAP = 5_000
    #: A query mixing long and short terms is driven by the index with fewer
    #: matches; each side is counted up to this many to find out which.
    SEARCH_PROBE_ROWS = 1_000

    def __init__(
        self, path: str | os.PathLike[str], *, readonly: bool = False, timeout: float = 5.0
    ) -> None:
        self.path = os.fspath(path)
        self.readonly = readonly
        self._depth = 0
        self._conn: sqlite3.Connection | None = None
        self._live: str | None = None
        self._token = ""
        self._began = 0.0  # when the outermost transaction took the write lock
        try:
            if readonly:
                uri = Path(self.path).absolute().as_uri() + "?mode=ro"
                conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
            else:
                conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._translated(exc) from exc
        try:
            self._setup(conn, timeout)
        except sqlite3.Error as exc:
            conn.close()
            rescued = self._rescue(timeout) if readonly and _needs_space(exc) else None
            if rescued is None:
                raise self._translated(exc) from exc
            conn = rescued
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        self._token = live.store_opened()
        if not readonly and self.path != ":memory:" and not self.path.startswith("file:"):
            # Announce this process as a user of the file (see chatdesk.store.live).
            self._live = live.register(self.path)

    @classmethod
    def for_reading(cls, path: str | os.PathLike[str]) -> Store:
        """A store for commands that only read (``history``, ``export``).

        Read-only when the file exists and is current, so listing and exporting also
        work when nothing can be written (a full disk: the history can be rescued to
        another one); otherwise opened normally (created or upgraded first).
        """
        if not Path(path).is_file():
            return cls(path)
        try:
            return cls(path, readonly=True)
        except StoreError as exc:
            if exc.kind != "outdated_schema":
                raise
        return cls(path)

    def _rescue(self, timeout: float) -> sqlite3.Connection | None:
        """Read without the shared-memory index (``-shm``), which needs disk space.

        A WAL-mode reader normally maps a 32 KB ``-shm`` file; on a full disk it cannot
        grow it and every read fails with a disk I/O error. With no committed data in
        the ``-wal``, the database file alone is the whole history and is read as
        immutable (no lock, no file written). Otherwise the connection takes the file
        exclusively, which keeps the WAL index in memory (another process that has the
        history open makes this fail ``locked``, as it should).
        """
        base = Path(self.path).absolute()
        wal = base.with_name(base.name + "-wal")
        try:
            wal_empty = not wal.exists() or wal.stat().st_size == 0
        except OSError:
            return None
        pragmas = ["PRAGMA temp_store = MEMORY", "PRAGMA query_only = ON"]
        if wal_empty:
            uri = base.as_uri() + "?mode=ro&immutable=1"
        else:
            uri = base.as_uri()
            pragmas.insert(0, "PRAGMA locking_mode = EXCLUSIVE")
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
        except sqlite3.Error:
            return None
        try:
            for pragma in pragmas:
                conn.execute(pragma).fetchall()
            self._setup(conn, timeout)
        except (sqlite3.Error, StoreError):
            conn.close()
            return None
        return conn

    def _translated(self, exc: sqlite3.Error) -> Exception:
        err = translate(exc, self.path)
        return err if err is not None else exc

    def _setup(self, conn: sqlite3.Connection, timeout: float) -> None:
        mig.register_functions(conn)  # the search-index triggers call them
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        if self.readonly:
            conn.execute("PRAGMA temp_store = MEMORY")  # sorts need no temporary file
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # validates header
            mig.check_not_newer(conn)
            if mig.pending_migrations(conn):
                raise StoreError(
                    "The history database needs an upgrade; open it once normally first.",
                    kind="outdated_schema",
                    path=self.path,
                )
            return
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
        # NORMAL is safe with WAL (no corruption); a power cut may lose the last commit.
        conn.execute("PRAGMA synchronous = NORMAL")
        # Look first, with a read: migrate() takes the write lock, and an open that
        # waits for a long writer (an import) just to find nothing to do would make
        # `history list` fail "locked".
        mig.check_not_newer(conn)
        if mig.pending_migrations(conn):
            mig.migrate(conn)

    @classmethod
    def memory(cls) -> Store:
        """A private in-memory store (tests, previews)."""
        return cls(":memory:")

    @property
    def conn(self) -> sqlite3.Connection:
        """The raw connection (for tests and maintenance; prefer the methods)."""
        if self._conn is None:
            raise ValueError("the store is closed")
        return self._conn

    @property
    def runs(self) -> RunRepository:
        """Prompt-set runs: their prompts, cells and judgements (``chatdesk.store.runs``)."""
        return RunRepository(self)

    def close(self) -> None:
        """Close the connection; safe to call twice."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            live.release(self._live)
            live.store_closed(self._token)
            self._live = None
            try:
                conn.close()
            except sqlite3.Error as exc:
                raise self._translated(exc) from exc

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- transactions ---------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Group writes atomically; roll back on any exception. Nested blocks join the
        outermost one (no savepoints), so only the outermost commits or rolls back."""
        conn = self.conn
        if self._depth:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        try:
            # IMMEDIATE takes the write lock now, so two writers wait (busy timeout)
            # instead of failing with a deadlock when a read upgrades to a write.
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._translated(exc) from exc
        self._depth = 1
        self._began = time.monotonic()
        try:
            yield self
        except BaseException:
            self._depth = 0
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        self._depth = 0
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise self._translated(exc) from exc

    #: How long :meth:`commit_point` lets a transaction run before committing, and
    #: how long it then leaves the database to others. The pause is longer than
    #: SQLite's longest busy-handler sleep (100 ms), so a waiting writer gets in.
    COMMIT_POINT_HOLD_S = 0.5
    COMMIT_POINT_PAUSE_S = 0.12

    def commit_point(self) -> bool:
        """In a long bulk write: commit what is done and start a new transaction, if the
        current one has held the write lock for ``COMMIT_POINT_HOLD_S``; ``True`` then.

        Lets an import of a big export leave room for an answer being saved or a
        window opening. Each part commits on its own, so an interrupted import keeps
        what it wrote (re-importing skips it). Only at the outermost level of
        :meth:`transaction`; a no-op elsewhere.
        """
        conn = self.conn
        if self._depth != 1 or not conn.in_transaction:
            return False
        now = time.monotonic()
        if now - self._began < self.COMMIT_POINT_HOLD_S:
            return False
        try:
            conn.execute("COMMIT")
            time.sleep(self.COMMIT_POINT_PAUSE_S)
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._translated(exc) from exc
        self._began = time.monotonic()
        return True

    @contextmanager
    def busy_timeout(self, seconds: float) -> Iterator[None]:
        """Wait at most ``seconds`` for another process's write lock inside the block
        (then ``StoreError`` kind ``locked``), e.g. to keep a stream flowing while an
        import runs; the open-time timeout comes back after."""
        conn = self.conn
        old = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
        conn.execute(f"PRAGMA busy_timeout = {max(0, int(seconds * 1000))}")
        try:
            yield
        finally:
            if self._conn is not None:
                conn.execute(f"PRAGMA busy_timeout = {old}")

    # -- conversations --------------------------------------------------------

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
                    _dumps(dict(params or {})),
                ),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    @guarded
    def get_conversation(self, id: int) -> ConversationRow | None:
        """One conversation, or ``None`` if it does not exist (any more)."""
        if not _row_id(id):
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
            (*params, _page(limit), _page(offset)),
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
                value = _dumps(dict(value or {}))
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

    # -- messages -------------------------------------------------------------

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
        status: str = "done",
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
        if status == "streaming":  # who writes it: see mark_interrupted
            meta = {**(meta or {}), "writer": live.writer_stamp(self._token)}
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
                    _dumps_opt(parts),
                    reasoning or "",
                    name,
                    _dumps_opt(tool_calls),
                    tool_call_id,
                    model_requested,
                    model,
                    finish_reason,
                    _dumps_opt(usage),
                    ttft_ms,
                    duration_ms,
                    status,
                    error,
                    error_category,
                    choice_index,
                    now,
                    now,
                    _dumps(meta or {}),
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
                value = _dumps(value or {})
            elif key in _MSG_JSON:
                value = _dumps_opt(value)
            elif key in _MSG_NOT_NULL_TEXT and value is None:
                value = ""
            values.append(value)
        sets = ", ".join(f"{key} = ?" for key in fields)
        if fields.get("status") == "streaming" and "meta" not in fields:
            sets += ", meta = json_set(meta, '$.writer', json(?))"  # see mark_interrupted
            values.append(_dumps(live.writer_stamp(self._token)))
        with self.transaction():
            self.conn.execute(f"UPDATE messages SET {sets} WHERE id = ?", (*values, id))

    @guarded
    def get_message(self, id: int) -> MessageRow | None:
        """One message, or ``None``."""
        if not _row_id(id):
            return None
        row = self.conn.execute(f"{_MSG_SELECT} WHERE id = ?", (id,)).fetchone()
        return None if row is None else _message(row)

    @guarded
    def list_messages(self, conversation_id: int) -> list[MessageRow]:
        """Every message of a conversation (all branches), in creation (id) order."""
        if not _row_id(conversation_id):
            return []
        rows = self.conn.execute(
            f"{_MSG_SELECT} WHERE conversation_id = ? ORDER BY id", (conversation_id,)
        )
        return [_message(r) for r in rows]

    @guarded
    def message_ids(self, conversation_id: int) -> set[int]:
        """The ids of a conversation's messages (to check references stored elsewhere)."""
        if not _row_id(conversation_id):
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
        if not _row_id(message_id):
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
        if not _row_id(conversation_id):
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

    # -- images ---------------------------------------------------------------

    @guarded
    def put_image(self, data: bytes, mime: str) -> str:
        """Store image bytes once (keyed by sha256 hex) and return the hash."""
        import hashlib  # here: OpenSSL's hashlib took ~2.5 ms of the window's first paint

        digest = hashlib.sha256(data).hexdigest()
        with self.transaction():
            self.conn.execute(
                "INSERT OR IGNORE INTO images (hash, mime, data, created) VALUES (?, ?, ?, ?)",
                (digest, mime, sqlite3.Binary(data), time.time()),
            )
        return digest

    @guarded
    def get_image(self, hash: str) -> tuple[bytes, str] | None:
        """``(data, mime)`` for a hash, or ``None``."""
        row = self.conn.execute("SELECT data, mime FROM images WHERE hash = ?", (hash,)).fetchone()
        return None if row is None else (bytes(row[0]), row[1])

    @guarded
    def prune_images(self) -> int:
        """Delete images no message part refers to any more; how many were removed.

        A full scan of messages with parts: run it as maintenance, not per action.
        """
        with self.transaction():
            cur = self.conn.execute(
                "DELETE FROM images WHERE hash NOT IN ("
                " SELECT json_extract(p.value, '$.hash') FROM messages m, json_each(m.parts) p"
                " WHERE m.parts IS NOT NULL AND json_extract(p.value, '$.hash') IS NOT NULL)"
            )
        return cur.rowcount

    # -- search ---------------------------------------------------------------

    @staticmethod
    def _filters(
        model: str | None,
        role: str | None,
        since: float | datetime | None,
        until: float | datetime | None,
        pinned: bool | None,
        conversation_id: int | None,
        comparisons: bool | None = None,
    ) -> srch.SearchFilters:
        return srch.SearchFilters(
            model=model,
            role=role,
            since=since.timestamp() if isinstance(since, datetime) else since,
            until=until.timestamp() if isinstance(until, datetime) else until,
            pinned=pinned,
            conversation_id=conversation_id,
            comparisons=comparisons,
        )

    def _search_driver(self, parsed: srch.ParsedQuery, filters: srch.SearchFilters) -> str:
        """Which index walks a search: for long and short terms together, the one
        with fewer matches (each counted up to ``SEARCH_PROBE_ROWS``, ~1 ms), so that
        ``qx the`` does not check every message holding "the" for "qx"."""
        driver = srch.default_driver(parsed, filters)
        if driver != "fts" or not parsed.gram_terms:
            return driver
        probe = self.SEARCH_PROBE_ROWS

        def matches(table: str, expression: str | None) -> int:
            row = self.conn.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ? LIMIT ?)",
                (expression, probe),
            ).fetchone()
            return int(row[0])

        short = matches("messages_grams", srch.grams_expression(parsed.gram_terms))
        if short >= probe:
            return "fts"
        return "grams" if short < matches("messages_fts", srch.fts_expression(parsed)) else "fts"

    @guarded
    def search(
        self,
        query: str,
        *,
        limit: int = 50,
        offset: int = 0,
        model: str | None = None,
        role: str | None = None,
        since: float | datetime | None = None,
        until: float | datetime | None = None,
        pinned: bool | None = None,
        conversation_id: int | None = None,
        comparisons: bool | None = None,
        sort: str = "newest",
    ) -> list[SearchHit]:
        """Messages containing every word / ``"phrase"`` of ``query`` (case-insensitive).

        Newest first. ``sort="relevance"``: bm25 (computed here) over the newest
        ``search.RELEVANCE_CAP`` matches (all of them when there are fewer), so a
        page beyond that many is empty; queries whose terms are all shorter than
        three characters have no bm25 and stay newest first. A blank query finds
        nothing. Messages still streaming are not searchable until they finish.
        ``comparisons=True`` keeps only conversations that are comparisons (the
        search panel's "Comparisons only"), ``False`` only the others.
        """
        parsed = srch.parse_query(query)
        limit, offset = _page(limit), _page(offset)
        if sort not in srch.SORTS:
            raise ValueError(f"sort must be one of {srch.SORTS}, not {sort!r}")
        if not parsed:
            return []
        filters = self._filters(model, role, since, until, pinned, conversation_id, comparisons)
        driver = self._search_driver(parsed, filters)
        if sort == "relevance" and parsed.fts_terms:
            rows = self._ranked(parsed, filters, driver, limit, offset)
        else:
            sql, params = srch.build_search_sql(
                parsed, filters, limit=limit, offset=offset, driver=driver
            )
            rows = self.conn.execute(sql, params).fetchall()
        return [
            SearchHit(
                conversation_id=conv_id,
                conversation_title=title,
                message_id=msg_id,
                role=role_,
                model=model_,
                created=created,
                snippet=srch.snippet_for(content, reasoning, parsed.terms),
            )
            for conv_id, title, msg_id, role_, model_, created, content, reasoning in rows
        ]

    def _ranked(
        self,
        parsed: srch.ParsedQuery,
        filters: srch.SearchFilters,
        driver: str,
        limit: int | None,
        offset: int,
    ) -> list[tuple[Any, ...]]:
        """The newest ``RELEVANCE_CAP`` matches, ranked by bm25 here (see search.py)."""
        cap = srch.RELEVANCE_CAP
        sql, params = srch.build_search_sql(parsed, filters, limit=cap, offset=0, driver=driver)
        rows = self.conn.execute(sql, params).fetchall()
        terms = parsed.fts_terms
        total = int(self.conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0])
        if len(terms) == 1:
            freqs: tuple[int, ...] = (len(rows),)  # one term: idf does not change the order
        else:
            freqs = tuple(
                int(
                    self.conn.execute(
                        "SELECT count(*) FROM (SELECT 1 FROM messages_fts"
                        " WHERE messages_fts MATCH ? LIMIT ?)",
                        (srch.fts_quote(t), cap),
                    ).fetchone()[0]
                )
                for t in terms
            )
        order = srch.rank_by_relevance(
            [f"{r[6]}\n{r[7]}" for r in rows], [r[2] for r in rows], terms, freqs, max(total, 1)
        )
        end = None if limit is None else offset + limit
        return [rows[i] for i in order[offset:end]]

    @guarded
    def count_search(
        self,
        query: str,
        *,
        model: str | None = None,
        role: str | None = None,
        since: float | datetime | None = None,
        until: float | datetime | None = None,
        pinned: bool | None = None,
        conversation_id: int | None = None,
        comparisons: bool | None = None,
        cap: int | None = SEARCH_COUNT_CAP,
    ) -> int:
        """Number of hits for the same query and filters as :meth:`search`, counted up
        to ``cap`` (default :attr:`SEARCH_COUNT_CAP`; ``None``: exact, which may take
        a second for a very common word in a million messages). A result equal to
        ``cap`` means ``cap`` or more."""
        parsed = srch.parse_query(query)
        if not parsed:
            return 0
        filters = self._filters(model, role, since, until, pinned, conversation_id, comparisons)
        sql, params = srch.build_search_sql(
            parsed,
            filters,
            count=True,
            count_cap=cap,
            driver=self._search_driver(parsed, filters),
        )
        return int(self.conn.execute(sql, params).fetchone()[0])

    @guarded
    def rebuild_search_index(self) -> None:
        """Repair: re-create both search indexes from the messages (skipping streaming
        rows). Takes a minute or two for a million messages."""
        content, reasoning = mig.indexed_text("messages")  # what the triggers index
        with self.transaction():
            self.conn.execute("INSERT INTO messages_fts (messages_fts) VALUES ('delete-all')")
            self.conn.execute(
                "INSERT INTO messages_fts (rowid, content, reasoning)"
                f" SELECT id, {content}, {reasoning} FROM messages WHERE status != 'streaming'"
            )
            self.conn.execute("INSERT INTO messages_grams (messages_grams) VALUES ('delete-all')")
            self.conn.execute(
                f"INSERT INTO messages_grams (rowid, grams) SELECT id,"
                f" {srch.GRAMS_FUNCTION}({content}, {reasoning}) FROM messages"
                " WHERE status != 'streaming'"
            )

    # -- providers ------------------------------------------------------------

    @guarded
    def upsert_provider(self, provider: ProviderRow) -> None:
        """Insert or replace a provider by name. Options that look like credentials are
        refused (``ValueError``): API keys live in the keyring only."""
        secrets = _find_secret_names(provider.options)
        if secrets:
            raise ValueError(f"provider options must not hold credentials: {secrets}")
        now = time.time()
        with self.transaction():
            self.conn.execute(
                "INSERT INTO providers (name, base_url, default_model, options, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
                " base_url = excluded.base_url, default_model = excluded.default_model,"
                " options = excluded.options, updated = excluded.updated",
                (
                    provider.name,
                    provider.base_url,
                    provider.default_model,
                    _dumps(dict(provider.options or {})),
                    now,
                    now,
                ),
            )

    @guarded
    def get_provider(self, name: str) -> ProviderRow | None:
        """One provider by name, or ``None``."""
        row = self.conn.execute(
            "SELECT name, base_url, default_model, options FROM providers WHERE name = ?",
            (name,),
        ).fetchone()
        return None if row is None else ProviderRow(row[0], row[1], row[2], json.loads(row[3]))

    @guarded
    def list_providers(self) -> list[ProviderRow]:
        """All providers, by name (case-insensitive)."""
        rows = self.conn.execute(
            "SELECT name, base_url, default_model, options FROM providers"
            " ORDER BY name COLLATE NOCASE, name"
        )
        return [ProviderRow(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    @guarded
    def delete_provider(self, name: str) -> bool:
        """Remove a provider; ``True`` if it existed."""
        with self.transaction():
            cur = self.conn.execute("DELETE FROM providers WHERE name = ?", (name,))
        return cur.rowcount > 0

    # -- model cache ----------------------------------------------------------

    @guarded
    def cache_models(self, key: str, models: list[dict[str, Any]]) -> None:
        """Remember a provider's model list (``key`` is chosen by the caller)."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO model_cache (key, models, fetched) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET models = excluded.models,"
                " fetched = excluded.fetched",
                (key, _dumps(list(models)), time.time()),
            )

    @guarded
    def cached_models(
        self, key: str, *, max_age: float | None = None
    ) -> list[dict[str, Any]] | None:
        """The cached list, or ``None`` if absent or older than ``max_age`` seconds."""
        row = self.conn.execute(
            "SELECT models, fetched FROM model_cache WHERE key = ?", (key,)
        ).fetchone()
        if row is None or (max_age is not None and time.time() - row[1] > max_age):
            return None
        result: list[dict[str, Any]] = json.loads(row[0])
        return result

    @guarded
    def models_fetched_at(self, key: str) -> float | None:
        """When the cached list for ``key`` was stored, or ``None``."""
        row = self.conn.execute("SELECT fetched FROM model_cache WHERE key = ?", (key,)).fetchone()
        return None if row is None else float(row[0])

    # -- settings -------------------------------------------------------------

    @guarded
    def get_setting(self, key: str, default: Any = None) -> Any:
        """A JSON setting, or ``default`` if never set."""
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    @guarded
    def set_setting(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable value (``TypeError`` otherwise)."""
        text = _dumps(value)
        with self.transaction():
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, text),
            )

    @guarded
    def delete_setting(self, key: str) -> None:
        """Forget a setting so ``get_setting`` returns the default again."""
        with self.transaction():
            self.conn.execute("DELETE FROM settings WHERE key = ?", (key,))

    # -- comparisons and votes ------------------------------------------------
    # Compare mode (issue 7): the columns' answers are ordinary messages (sibling
    # replies with ``meta.column``); these tables add the column set and the votes.

    @guarded
    def create_comparison(
        self,
        conversation_id: int,
        columns: list[dict[str, Any]],
        *,
        blind: bool = False,
        state: Mapping[str, Any] | None = None,
        created: float | None = None,
    ) -> int:
        """Make a conversation a comparison of 2-4 ``columns`` (display order); its id.

        One comparison per conversation (``sqlite3.IntegrityError`` for a second);
        a missing conversation is a ``ValueError``.
        """
        cols = _check_columns(columns)
        now = time.time() if created is None else created
        with self.transaction():
            if (
                self.conn.execute(
                    "SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)
                ).fetchone()
                is None
            ):
                raise ValueError(f"no conversation with id {conversation_id}")
            cur = self.conn.execute(
                "INSERT INTO comparisons (conversation_id, created, blind, columns, state)"
                " VALUES (?, ?, ?, ?, ?)",
                (conversation_id, now, int(bool(blind)), _dumps(cols), _dumps(dict(state or {}))),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    @guarded
    def get_comparison(self, id: int) -> ComparisonRow | None:
        """One comparison, or ``None``."""
        if not _row_id(id):
            return None
        row = self.conn.execute(f"{_COMPARISON_SELECT} WHERE id = ?", (id,)).fetchone()
        return None if row is None else _comparison(row)

    @guarded
    def comparison_for_conversation(self, conversation_id: int) -> ComparisonRow | None:
        """The comparison shown by a conversation, or ``None`` for an ordinary chat."""
        if not _row_id(conversation_id):
            return None
        row = self.conn.execute(
            f"{_COMPARISON_SELECT} WHERE conversation_id = ?", (conversation_id,)
        ).fetchone()
        return None if row is None else _comparison(row)

    @guarded
    def update_comparison(
        self,
        id: int,
        *,
        columns: list[dict[str, Any]] | None = None,
        blind: bool | None = None,
        state: Mapping[str, Any] | None = None,
    ) -> None:
        """Change the columns (added, removed, reordered), blind mode or UI state.

        ``state`` replaces the whole state object. Votes already cast keep their own
        models and order, so editing columns never rewrites history.
        """
        sets: list[str] = []
        values: list[Any] = []
        if columns is not None:
            sets.append("columns = ?")
            values.append(_dumps(_check_columns(columns)))
        if blind is not None:
            sets.append("blind = ?")
            values.append(int(bool(blind)))
        if state is not None:
            sets.append("state = ?")
            values.append(_dumps(dict(state)))
        if not sets:
            return
        with self.transaction():
            self.conn.execute(
                f"UPDATE comparisons SET {', '.join(sets)} WHERE id = ?", (*values, id)
            )

    @guarded
    def list_comparisons(self, limit: int = 100, offset: int = 0) -> list[ComparisonRow]:
        """A page of comparisons, newest first."""
        rows = self.conn.execute(
            f"{_COMPARISON_SELECT} ORDER BY created DESC, id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [_comparison(r) for r in rows]

    @guarded
    def add_vote(
        self,
        comparison_id: int,
        winner: str,
        *,
        models: list[str],
        prompt: str,
        column_order: list[int],
        user_message_id: int | None = None,
        created: float | None = None,
        strict: bool = True,
    ) -> int:
        """Record a vote: ``winner`` is a column label ('A'..'D'), 'tie' or 'bad'.

        ``models`` in label order and ``column_order`` (display position -> original
        column index) are copied into the vote. The winner must name an existing
        column: 'C' needs three columns (``ValueError`` otherwise). ``strict=False``
        (import) checks the vote against its own ``models`` only, since the
        comparison's columns may have changed after the vote was cast.
        """
        now = time.time() if created is None else created
        with self.transaction():
            row = self.conn.execute(
                "SELECT conversation_id, columns FROM comparisons WHERE id = ?", (comparison_id,)
            ).fetchone()
            if row is None:
                raise ValueError(f"no comparison with id {comparison_id}")
            count = len(json.loads(row[1])) if strict else len(models)
            if not strict and not 2 <= count <= len(COLUMN_LABELS):
                raise ValueError(f"a vote compares 2 to {len(COLUMN_LABELS)} models")
            _check_vote(winner, count, models, column_order)
            if user_message_id is not None:
                msg = self.conn.execute(
                    "SELECT conversation_id FROM messages WHERE id = ?", (user_message_id,)
                ).fetchone()
                if msg is None or msg[0] != row[0]:
                    raise ValueError(
                        f"message {user_message_id} is not in comparison {comparison_id}'s"
                        " conversation"
                    )
            cur = self.conn.execute(
                "INSERT INTO votes (comparison_id, user_message_id, created, winner, models,"
                " prompt, column_order) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    comparison_id,
                    user_message_id,
                    now,
                    winner,
                    _dumps(list(models)),
                    prompt,
                    _dumps([int(i) for i in column_order]),
                ),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    @guarded
    def votes_for(self, comparison_id: int) -> list[VoteRow]:
        """A comparison's votes, oldest first."""
        if not _row_id(comparison_id):
            return []
        rows = self.conn.execute(
            f"{_VOTE_SELECT} WHERE comparison_id = ? ORDER BY created, id", (comparison_id,)
        )
        return [_vote(r) for r in rows]

    @guarded
    def delete_vote(self, id: int) -> bool:
        """Withdraw a vote (the user changed their mind); ``True`` if it existed."""
        if not _row_id(id):
            return False
        with self.transaction():
            cur = self.conn.execute("DELETE FROM votes WHERE id = ?", (id,))
        return cur.rowcount > 0

    @guarded
    def list_votes(
        self, since: float | datetime | None = None, until: float | datetime | None = None
    ) -> list[VoteRow]:
        """Every vote cast in ``[since, until]`` (epoch seconds, inclusive), oldest first."""
        where, params = [], []
        if since is not None:
            where.append("created >= ?")
            params.append(since.timestamp() if isinstance(since, datetime) else since)
        if until is not None:
            where.append("created <= ?")
            params.append(until.timestamp() if isinstance(until, datetime) else until)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = self.conn.execute(f"{_VOTE_SELECT}{clause} ORDER BY created, id", params)
        return [_vote(r) for r in rows]

    @guarded
    def column_replies(self, user_message_ids: list[int]) -> dict[int, dict[int, list[str]]]:
        """For each user message: its compare columns' replies as ``column -> [status]``,
        with ``"empty"`` in place of the status of a reply that has no text.

        What a vote needs to know which columns answered, read for thousands of votes
        in a few queries instead of one conversation at a time.
        """
        out: dict[int, dict[int, list[str]]] = {}
        ids = sorted({i for i in user_message_ids if isinstance(i, int)})
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.conn.execute(
                "SELECT parent_id, json_extract(meta, '$.column'), status,"
                " length(trim(content)) > 0 FROM messages"
                f" WHERE role = 'assistant' AND parent_id IN ({','.join('?' * len(chunk))})"
                " AND json_valid(meta)",
                chunk,
            )
            for parent, column, status, has_text in rows:
                if isinstance(column, int) and 0 <= column < len(COLUMN_LABELS):
                    shown = status if has_text else "empty"
                    out.setdefault(parent, {}).setdefault(column, []).append(shown)
        return out

    @guarded
    def model_speed_stats(
        self,
        models: list[str] | None = None,
        speed: Callable[[float, float, float], float | None] | None = None,
    ) -> dict[str, dict[str, float | int | None]]:
        """Per model: ``median_ttft_ms``, ``median_tokens_per_s`` and ``answers``.

        Over finished (``done``) assistant answers, keyed by the model asked for (the
        one a comparison column names), else the one reported. Tokens per second is
        ``completion_tokens / ((duration_ms - ttft_ms) / 1000)``: generation speed,
        without the wait for the first token. Values that are not finite, negative
        or absurd (clock jumps, corrupt rows) are skipped, and a median with no
        valid value is ``None``. ``models`` restricts the result to those models.
        ``speed(tokens, ttft_ms, duration_ms)`` replaces that formula: core passes
        its one definition of generation speed, so the board and the columns agree.
        Reads every assistant row once (no index helps): call it for a window or a
        command, not per repaint.
        """
        wanted = None if models is None else set(models)
        rows = self.conn.execute(
            "SELECT coalesce(nullif(model_requested, ''), model), ttft_ms, duration_ms,"
            " CASE WHEN json_valid(usage) THEN json_extract(usage, '$.completion_tokens') END"
            " FROM messages WHERE role = 'assistant' AND status = 'done'"
            " AND coalesce(nullif(model_requested, ''), model) IS NOT NULL"
        )
        ttfts: dict[str, list[float]] = {}
        speeds: dict[str, list[float]] = {}
        answers: dict[str, int] = {}
        for model, ttft_raw, duration_raw, tokens_raw in rows:
            if wanted is not None and model not in wanted:
                continue
            answers[model] = answers.get(model, 0) + 1
            ttft = _finite(ttft_raw, 0.0, _MAX_TTFT_MS)
            duration = _finite(duration_raw, 0.0, _MAX_DURATION_MS)
            tokens = _finite(tokens_raw, 1.0, _MAX_COMPLETION_TOKENS)
            if ttft is not None:
                ttfts.setdefault(model, []).append(ttft)
            if speed is not None:
                if ttft is not None and duration is not None and tokens is not None:
                    value = speed(tokens, ttft, duration)
                    if value is not None and 0 < value <= _MAX_TOKENS_PER_S:
                        speeds.setdefault(model, []).append(value)
            elif ttft is not None and duration is not None and tokens is not None:
                generating_s = (duration - ttft) / 1000.0
                if generating_s > 0:
                    rate = tokens / generating_s
                    if rate <= _MAX_TOKENS_PER_S:
                        speeds.setdefault(model, []).append(rate)
        return {
            model: {
                "median_ttft_ms": _median(ttfts.get(model, [])),
                "median_tokens_per_s": _median(speeds.get(model, [])),
                "answers": count,
            }
            for model, count in sorted(answers.items())
        }

    # -- maintenance ----------------------------------------------------------

    @guarded
    def applied_migrations(self) -> list[str]:
        """Names of the migrations recorded in this database."""
        return mig.applied_migrations(self.conn)

    @guarded
    def backup_to(self, dest_path: str | os.PathLike[str]) -> None:
        """Consistent copy via SQLite's online backup (safe while the app is running)."""
        if self._depth:
            raise RuntimeError("backup_to cannot run inside a transaction")
        dest = sqlite3.connect(os.fspath(dest_path))
        try:
            self.conn.backup(dest)
        finally:
            dest.close()

    # -- import / export --------------------------------------------------------
    # Added for chatdesk.core.transfer: bulk paths that keep every field exactly as
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
        if not _row_id(conversation_id):
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
                    _dumps(dict(row.params or {})),
                    row.current_leaf_id,
                    source_id,
                ),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

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
                _dumps_opt(r.parts),
                r.reasoning or "",
                r.name,
                _dumps_opt(r.tool_calls),
                r.tool_call_id,
                r.model_requested,
                r.model,
                r.finish_reason,
                _dumps_opt(r.usage),
                r.ttft_ms,
                r.duration_ms,
                "streaming",
                r.error,
                r.error_category,
                r.choice_index,
                r.created,
                r.updated,
                _dumps(r.meta or {}),
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
                [(r.id, r.status) for r in rows if r.status != "streaming"],
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

    def conversation_models(self, limit: int = 200) -> list[str]:
        """Models the conversations used (cheap: the conversations table, not messages)."""
        rows = self.conn.execute(
            "SELECT DISTINCT model FROM conversations WHERE model IS NOT NULL AND model != '' "
            "ORDER BY model LIMIT ?",
            (limit,),
        ).fetchall()
        return [r[0] for r in rows]
