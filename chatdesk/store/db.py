"""The local history store: one SQLite file (WAL) holding conversations and more.

Single-threaded by design (the connection belongs to the thread that opened it); a
worker that needs to read concurrently opens its own ``Store(path, readonly=True)``.
Every public method turns environmental SQLite failures into :class:`StoreError`.

This module opens the file (read-only and full-disk cases included), owns the
transactions and the maintenance; each aggregate's queries live in its repository
module (``conversations``, ``messages``, ``images``, ``searchrepo``, ``settingsrepo``,
``comparisons``, ``runs``), reached as a property (``store.messages``) or through
the one-line delegating methods below (``store.get_message``), which keep the
signature and docstring of the repository's method.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from chatdesk.store import live, migrations as mig, searchrepo
from chatdesk.store.comparisons import ComparisonRepository
from chatdesk.store.conversations import CONVERSATION_COLUMNS, ConversationRepository
from chatdesk.store.errors import StoreError, guarded, translate
from chatdesk.store.images import ImageRepository
from chatdesk.store.messages import MESSAGE_COLUMNS, MessageRepository
from chatdesk.store.searchrepo import SearchRepository
from chatdesk.store.settingsrepo import SettingsRepository

if TYPE_CHECKING:
    from chatdesk.store.runs import RunRepository

__all__ = ["CONVERSATION_COLUMNS", "MESSAGE_COLUMNS", "Store"]

_P = ParamSpec("_P")
_T = TypeVar("_T")
_R = TypeVar("_R")


def _via(
    repository: str, method: Callable[Concatenate[_R, _P], _T]
) -> Callable[Concatenate[Store, _P], _T]:
    """A :class:`Store` method that calls ``method`` on the store's ``repository``
    property, with the same signature (for mypy too) and docstring."""

    @functools.wraps(method)
    def call(self: Store, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        return method(getattr(self, repository), *args, **kwargs)

    return call


def _needs_space(exc: sqlite3.Error) -> bool:
    """An open that failed for want of disk space (the ``-shm`` index cannot grow)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (10, 13)  # SQLITE_IOERR, SQLITE_FULL


class Store:
    """The history database. Open once per process (plus read-only ones for workers)."""

    path: str
    readonly: bool

    #: :meth:`count_search` stops counting here by default ("5,000+"; see searchrepo).
    SEARCH_COUNT_CAP = searchrepo.SEARCH_COUNT_CAP
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
        self._runs_repo: RunRepository | None = None
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
        """Prompt-set runs: their prompts, cells and judgements (``chatdesk.store.runs``).

        Imported on first use: the window's first paint does not need it (~2.5 ms)."""
        if self._runs_repo is None:
            from chatdesk.store.runs import RunRepository

            self._runs_repo = RunRepository(self)
        return self._runs_repo

    @property
    def live_token(self) -> str:
        """Names this open store in the writer stamp of the rows it streams (see
        :mod:`chatdesk.store.live`): once it is closed, those rows have no writer."""
        return self._token

    @property
    def conversations(self) -> ConversationRepository:
        """Conversations and their import fingerprints (``chatdesk.store.conversations``)."""
        return ConversationRepository(self)

    @property
    def messages(self) -> MessageRepository:
        """Message trees, streaming writes, bulk import (``chatdesk.store.messages``)."""
        return MessageRepository(self)

    @property
    def images(self) -> ImageRepository:
        """Image bytes by hash (``chatdesk.store.images``)."""
        return ImageRepository(self)

    @property
    def search_index(self) -> SearchRepository:
        """Full-text search and its indexes (``chatdesk.store.searchrepo``)."""
        return SearchRepository(self)

    @property
    def settings(self) -> SettingsRepository:
        """Providers, cached model lists, settings (``chatdesk.store.settingsrepo``)."""
        return SettingsRepository(self)

    @property
    def comparisons(self) -> ComparisonRepository:
        """Comparisons, votes, speed figures (``chatdesk.store.comparisons``)."""
        return ComparisonRepository(self)

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

    # -- the repositories' methods, on the store as before -------------------

    # conversations (chatdesk.store.conversations)
    create_conversation = _via("conversations", ConversationRepository.create_conversation)
    get_conversation = _via("conversations", ConversationRepository.get_conversation)
    list_conversations = _via("conversations", ConversationRepository.list_conversations)
    count_conversations = _via("conversations", ConversationRepository.count_conversations)
    update_conversation = _via("conversations", ConversationRepository.update_conversation)
    delete_conversation = _via("conversations", ConversationRepository.delete_conversation)
    touch_conversation = _via("conversations", ConversationRepository.touch_conversation)
    source_ids = _via("conversations", ConversationRepository.source_ids)
    get_source_id = _via("conversations", ConversationRepository.get_source_id)
    set_source_id = _via("conversations", ConversationRepository.set_source_id)
    insert_conversation_row = _via("conversations", ConversationRepository.insert_conversation_row)
    conversation_models = _via("conversations", ConversationRepository.conversation_models)

    # messages (chatdesk.store.messages)
    add_message = _via("messages", MessageRepository.add_message)
    update_message = _via("messages", MessageRepository.update_message)
    get_message = _via("messages", MessageRepository.get_message)
    list_messages = _via("messages", MessageRepository.list_messages)
    message_ids = _via("messages", MessageRepository.message_ids)
    children = _via("messages", MessageRepository.children)
    path_to = _via("messages", MessageRepository.path_to)
    active_path = _via("messages", MessageRepository.active_path)
    latest_leaf = _via("messages", MessageRepository.latest_leaf)
    delete_message = _via("messages", MessageRepository.delete_message)
    mark_interrupted = _via("messages", MessageRepository.mark_interrupted)
    next_message_id = _via("messages", MessageRepository.next_message_id)
    bulk_add_messages = _via("messages", MessageRepository.bulk_add_messages)

    # images (chatdesk.store.images)
    put_image = _via("images", ImageRepository.put_image)
    get_image = _via("images", ImageRepository.get_image)
    prune_images = _via("images", ImageRepository.prune_images)

    # search (chatdesk.store.searchrepo)
    search = _via("search_index", SearchRepository.search)
    count_search = _via("search_index", SearchRepository.count_search)
    rebuild_search_index = _via("search_index", SearchRepository.rebuild_search_index)

    # providers, model lists, settings (chatdesk.store.settingsrepo)
    upsert_provider = _via("settings", SettingsRepository.upsert_provider)
    get_provider = _via("settings", SettingsRepository.get_provider)
    list_providers = _via("settings", SettingsRepository.list_providers)
    delete_provider = _via("settings", SettingsRepository.delete_provider)
    cache_models = _via("settings", SettingsRepository.cache_models)
    cached_models = _via("settings", SettingsRepository.cached_models)
    models_fetched_at = _via("settings", SettingsRepository.models_fetched_at)
    get_setting = _via("settings", SettingsRepository.get_setting)
    set_setting = _via("settings", SettingsRepository.set_setting)
    delete_setting = _via("settings", SettingsRepository.delete_setting)

    # comparisons and votes (chatdesk.store.comparisons)
    create_comparison = _via("comparisons", ComparisonRepository.create_comparison)
    get_comparison = _via("comparisons", ComparisonRepository.get_comparison)
    comparison_for_conversation = _via(
        "comparisons", ComparisonRepository.comparison_for_conversation
    )
    update_comparison = _via("comparisons", ComparisonRepository.update_comparison)
    list_comparisons = _via("comparisons", ComparisonRepository.list_comparisons)
    unvoted_blind_conversations = _via(
        "comparisons", ComparisonRepository.unvoted_blind_conversations
    )
    add_vote = _via("comparisons", ComparisonRepository.add_vote)
    votes_for = _via("comparisons", ComparisonRepository.votes_for)
    delete_vote = _via("comparisons", ComparisonRepository.delete_vote)
    list_votes = _via("comparisons", ComparisonRepository.list_votes)
    column_replies = _via("comparisons", ComparisonRepository.column_replies)
    comparison_states = _via("comparisons", ComparisonRepository.comparison_states)
    model_speed_stats = _via("comparisons", ComparisonRepository.model_speed_stats)
