"""Named schema migrations, applied in order and recorded in ``schema_migrations``.

Each migration is a function ``mNNN_name(conn)`` that runs inside the transaction the
runner opens, so a failure leaves the database exactly at the previous schema. Never
edit a released migration: add a new one at the end of :data:`MIGRATIONS`.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence

from chatdesk.store import search as srch
from chatdesk.store.errors import StoreError

Migration = Callable[[sqlite3.Connection], None]

MIGRATIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " name TEXT PRIMARY KEY,"
    " applied_at REAL NOT NULL)"
)


def _run(conn: sqlite3.Connection, statements: Sequence[str]) -> None:
    """Run statements one by one (``executescript`` would commit the open transaction)."""
    for statement in statements:
        conn.execute(statement)


_M001 = (
    # AUTOINCREMENT: ids are never reused, so a late streaming write aimed at a
    # deleted message cannot land in a newer one.
    """CREATE TABLE conversations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT NOT NULL DEFAULT '',
        pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
        created REAL NOT NULL,
        updated REAL NOT NULL,
        system_prompt TEXT NOT NULL DEFAULT '',
        model TEXT,
        provider TEXT,
        params TEXT NOT NULL DEFAULT '{}',
        current_leaf_id INTEGER,
        message_count INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX conversations_pinned_updated ON conversations (pinned, updated)",
    "CREATE INDEX conversations_updated ON conversations (updated)",
    """CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        parent_id INTEGER REFERENCES messages (id),
        role TEXT NOT NULL,
        content TEXT NOT NULL DEFAULT '',
        parts TEXT,
        reasoning TEXT NOT NULL DEFAULT '',
        name TEXT,
        tool_calls TEXT,
        tool_call_id TEXT,
        model_requested TEXT,
        model TEXT,
        finish_reason TEXT,
        usage TEXT,
        ttft_ms REAL,
        duration_ms REAL,
        status TEXT NOT NULL DEFAULT 'done'
            CHECK (status IN ('streaming', 'done', 'stopped', 'error', 'interrupted')),
        error TEXT,
        error_category TEXT,
        choice_index INTEGER NOT NULL DEFAULT 0,
        created REAL NOT NULL,
        updated REAL NOT NULL,
        meta TEXT NOT NULL DEFAULT '{}'
    )""",
    "CREATE INDEX messages_conversation ON messages (conversation_id, id)",
    "CREATE INDEX messages_parent ON messages (parent_id)",
    # mark_interrupted() runs at every start: keep it O(streaming rows), not O(table).
    "CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming'",
    # message_count maintained here so listing 10,000 conversations never counts rows.
    """CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN
        UPDATE conversations SET message_count = message_count + 1
        WHERE id = new.conversation_id;
    END""",
    """CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN
        UPDATE conversations SET message_count = message_count - 1
        WHERE id = old.conversation_id;
    END""",
    """CREATE TABLE providers (
        name TEXT PRIMARY KEY,
        base_url TEXT NOT NULL,
        default_model TEXT,
        options TEXT NOT NULL DEFAULT '{}',
        created REAL NOT NULL,
        updated REAL NOT NULL
    )""",
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE model_cache (
        key TEXT PRIMARY KEY,
        models TEXT NOT NULL,
        fetched REAL NOT NULL
    )""",
    """CREATE TABLE images (
        hash TEXT PRIMARY KEY,
        mime TEXT NOT NULL,
        data BLOB NOT NULL,
        created REAL NOT NULL
    )""",
)


def m001_initial(conn: sqlite3.Connection) -> None:
    """Create the base tables: conversations, messages (a tree), providers, etc."""
    _run(conn, _M001)


# Invariant kept by these triggers: a message is in the FTS index exactly when its
# status is not 'streaming', with its current content and reasoning. Streaming rows
# are rewritten every 500 ms; re-indexing a 40 kB answer each time costs ~10 ms
# versus ~0.15 ms without, so they are indexed once, when the stream ends.
_M002 = (
    """CREATE VIRTUAL TABLE messages_fts USING fts5 (
        content, reasoning,
        content = 'messages', content_rowid = 'id', tokenize = 'trigram'
    )""",
    """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
    WHEN new.status != 'streaming' BEGIN
        INSERT INTO messages_fts (rowid, content, reasoning)
        VALUES (new.id, new.content, new.reasoning);
    END""",
    """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
    WHEN old.status != 'streaming' BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content, reasoning)
        VALUES ('delete', old.id, old.content, old.reasoning);
    END""",
    """CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, reasoning, status ON messages
    WHEN old.content IS NOT new.content OR old.reasoning IS NOT new.reasoning
        OR (old.status = 'streaming') != (new.status = 'streaming') BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content, reasoning)
        SELECT 'delete', old.id, old.content, old.reasoning WHERE old.status != 'streaming';
        INSERT INTO messages_fts (rowid, content, reasoning)
        SELECT new.id, new.content, new.reasoning WHERE new.status != 'streaming';
    END""",
    # Backfill (not 'rebuild', which would also index streaming rows).
    """INSERT INTO messages_fts (rowid, content, reasoning)
    SELECT id, content, reasoning FROM messages WHERE status != 'streaming'""",
)


def m002_fts(conn: sqlite3.Connection) -> None:
    """Add the trigram full-text index over message content and reasoning, backfilled."""
    _run(conn, _M002)


# Where an imported conversation came from ("chatgpt:<id>", "chatdesk:<uuid>"), so that
# importing the same file twice adds nothing. ADD COLUMN cannot carry UNIQUE, hence the
# index (NULLs stay distinct: conversations made here have none until exported).
_M003 = (
    "ALTER TABLE conversations ADD COLUMN source_id TEXT",
    "CREATE UNIQUE INDEX conversations_source_id ON conversations (source_id)",
)


def m003_source_id(conn: sqlite3.Connection) -> None:
    """Add ``conversations.source_id`` (unique) for import de-duplication and stable export ids."""
    _run(conn, _M003)


def register_functions(conn: sqlite3.Connection) -> None:
    """Define the SQL functions the schema's triggers call (m004's grams).

    A connection that writes messages needs them: :class:`~chatdesk.store.Store` and
    :func:`migrate` register them; a bare ``sqlite3`` connection that inserts, edits
    or deletes messages must call this first (else "no such function").
    """
    conn.create_function(srch.GRAMS_FUNCTION, 2, srch.grams_text, deterministic=True)


# Terms of one or two characters (``AI``, ``学习``, ``的``) are too short for trigrams:
# without this index each such search read every message with LIKE (~0.5 s at a
# million messages). Here every character and adjacent pair of a message is a token
# (search.grams_text), stored with detail=none (document lists, no positions) and
# without content or sizes: ~20 % of the trigram index's size. Same invariant as
# m002: indexed exactly when not streaming. The table is contentless, so removing a
# row's tokens needs its text again: the triggers recompute it from the old values.
_M004 = (
    f"""CREATE VIRTUAL TABLE messages_grams USING fts5 (
        grams, content = '', detail = none, columnsize = 0,
        tokenize = "{srch.GRAMS_TOKENIZE.replace('"', '""')}"
    )""",
    f"""CREATE TRIGGER messages_grams_insert AFTER INSERT ON messages
    WHEN new.status != 'streaming' BEGIN
        INSERT INTO messages_grams (rowid, grams)
        VALUES (new.id, {srch.GRAMS_FUNCTION}(new.content, new.reasoning));
    END""",
    f"""CREATE TRIGGER messages_grams_delete AFTER DELETE ON messages
    WHEN old.status != 'streaming' BEGIN
        INSERT INTO messages_grams (messages_grams, rowid, grams)
        VALUES ('delete', old.id, {srch.GRAMS_FUNCTION}(old.content, old.reasoning));
    END""",
    f"""CREATE TRIGGER messages_grams_update AFTER UPDATE OF content, reasoning, status
    ON messages
    WHEN old.content IS NOT new.content OR old.reasoning IS NOT new.reasoning
        OR (old.status = 'streaming') != (new.status = 'streaming') BEGIN
        INSERT INTO messages_grams (messages_grams, rowid, grams)
        SELECT 'delete', old.id, {srch.GRAMS_FUNCTION}(old.content, old.reasoning)
        WHERE old.status != 'streaming';
        INSERT INTO messages_grams (rowid, grams)
        SELECT new.id, {srch.GRAMS_FUNCTION}(new.content, new.reasoning)
        WHERE new.status != 'streaming';
    END""",
    f"""INSERT INTO messages_grams (rowid, grams)
    SELECT id, {srch.GRAMS_FUNCTION}(content, reasoning) FROM messages
    WHERE status != 'streaming'""",
)


def m004_short_terms(conn: sqlite3.Connection) -> None:
    """Add the grams index (characters and pairs) for one- and two-character terms."""
    register_functions(conn)
    _run(conn, _M004)


# Compare mode (issue 7). A comparison is one conversation whose columns' answers are
# sibling replies (``meta.column``) under each user message, so deleting the
# conversation removes it (cascade). Votes keep their own copy of the models and the
# prompt: the leaderboard must not change when a column is later edited or the user
# message deleted (``user_message_id`` then becomes NULL, the vote stays).
_M005 = (
    """CREATE TABLE comparisons (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        created REAL NOT NULL,
        blind INTEGER NOT NULL DEFAULT 0 CHECK (blind IN (0, 1)),
        columns TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT '{}'
    )""",
    "CREATE UNIQUE INDEX comparisons_conversation ON comparisons (conversation_id)",
    "CREATE INDEX comparisons_created ON comparisons (created)",
    """CREATE TABLE votes (
        id INTEGER PRIMARY KEY,
        comparison_id INTEGER NOT NULL REFERENCES comparisons (id) ON DELETE CASCADE,
        user_message_id INTEGER REFERENCES messages (id) ON DELETE SET NULL,
        created REAL NOT NULL,
        winner TEXT NOT NULL CHECK (winner IN ('A', 'B', 'C', 'D', 'tie', 'bad')),
        models TEXT NOT NULL,
        prompt TEXT NOT NULL,
        column_order TEXT NOT NULL
    )""",
    "CREATE INDEX votes_comparison ON votes (comparison_id)",
    # The foreign key's SET NULL looks votes up by message on every message delete.
    "CREATE INDEX votes_user_message ON votes (user_message_id)",
    "CREATE INDEX votes_created ON votes (created)",
)


def m005_comparisons(conn: sqlite3.Connection) -> None:
    """Add the ``comparisons`` and ``votes`` tables for compare mode."""
    _run(conn, _M005)


# A message is indexed once, when its stream ends, in one write transaction; indexing
# a 30 MB answer held the write lock ~5 s, blocking the window's loop and every other
# column's partial saves. Only the first INDEX_CHARS characters of the content and of
# the reasoning are indexed (a search still finds any term in that first part), so
# that transaction takes a bounded time (~0.2 s) whatever the answer's size. Rows
# indexed whole before this migration are taken out with their full text first.
INDEX_CHARS = 200_000
_CUT_CONTENT = f"substr({{0}}.content, 1, {INDEX_CHARS})"
_CUT_REASONING = f"substr({{0}}.reasoning, 1, {INDEX_CHARS})"


def indexed_text(row: str) -> tuple[str, str]:
    """The SQL expressions of what is indexed of ``row``'s content and reasoning."""
    return _CUT_CONTENT.format(row), _CUT_REASONING.format(row)


def _m006_triggers() -> tuple[str, ...]:
    new_c, new_r = indexed_text("new")
    old_c, old_r = indexed_text("old")
    grams = srch.GRAMS_FUNCTION
    changed = """WHEN old.content IS NOT new.content OR old.reasoning IS NOT new.reasoning
        OR (old.status = 'streaming') != (new.status = 'streaming')"""
    return (
        f"""CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
        WHEN new.status != 'streaming' BEGIN
            INSERT INTO messages_fts (rowid, content, reasoning) VALUES (new.id, {new_c}, {new_r});
        END""",
        f"""CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
        WHEN old.status != 'streaming' BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, content, reasoning)
            VALUES ('delete', old.id, {old_c}, {old_r});
        END""",
        f"""CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, reasoning, status
        ON messages {changed} BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, content, reasoning)
            SELECT 'delete', old.id, {old_c}, {old_r} WHERE old.status != 'streaming';
            INSERT INTO messages_fts (rowid, content, reasoning)
            SELECT new.id, {new_c}, {new_r} WHERE new.status != 'streaming';
        END""",
        f"""CREATE TRIGGER messages_grams_insert AFTER INSERT ON messages
        WHEN new.status != 'streaming' BEGIN
            INSERT INTO messages_grams (rowid, grams) VALUES (new.id, {grams}({new_c}, {new_r}));
        END""",
        f"""CREATE TRIGGER messages_grams_delete AFTER DELETE ON messages
        WHEN old.status != 'streaming' BEGIN
            INSERT INTO messages_grams (messages_grams, rowid, grams)
            VALUES ('delete', old.id, {grams}({old_c}, {old_r}));
        END""",
        f"""CREATE TRIGGER messages_grams_update AFTER UPDATE OF content, reasoning, status
        ON messages {changed} BEGIN
            INSERT INTO messages_grams (messages_grams, rowid, grams)
            SELECT 'delete', old.id, {grams}({old_c}, {old_r}) WHERE old.status != 'streaming';
            INSERT INTO messages_grams (rowid, grams)
            SELECT new.id, {grams}({new_c}, {new_r}) WHERE new.status != 'streaming';
        END""",
    )


def m006_bounded_index(conn: sqlite3.Connection) -> None:
    """Index at most :data:`INDEX_CHARS` characters of each message (bounded save time)."""
    register_functions(conn)
    long_rows = (
        "FROM messages WHERE status != 'streaming'"
        f" AND (length(content) > {INDEX_CHARS} OR length(reasoning) > {INDEX_CHARS})"
    )
    grams = srch.GRAMS_FUNCTION
    c, r = indexed_text("messages")
    _run(
        conn,
        (
            "INSERT INTO messages_fts (messages_fts, rowid, content, reasoning)"
            f" SELECT 'delete', id, content, reasoning {long_rows}",
            "INSERT INTO messages_grams (messages_grams, rowid, grams)"
            f" SELECT 'delete', id, {grams}(content, reasoning) {long_rows}",
            *(
                f"DROP TRIGGER messages_{index}_{event}"
                for index in ("fts", "grams")
                for event in ("insert", "delete", "update")
            ),
            *_m006_triggers(),
            f"INSERT INTO messages_fts (rowid, content, reasoning) SELECT id, {c}, {r} {long_rows}",
            f"INSERT INTO messages_grams (rowid, grams) SELECT id, {grams}({c}, {r}) {long_rows}",
        ),
    )


# Prompt-set runs (issue 19): a prompt set x 2-4 model columns, optionally judged.
# The prompts are copied in full (the file may change or vanish; a resumed run must
# ask the same questions). A cell (prompt x column) or a judgement row is written
# when it completes, one short transaction each; a missing row means "still to do",
# so a run killed at any point resumes from what the table holds. A row saved
# 'done' is final: the repository never overwrites it. ``speed`` is the generation
# speed in tokens per second (a column name with "token" would look like a secret).
_M007 = (
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL DEFAULT '',
        created REAL NOT NULL,
        updated REAL NOT NULL,
        models TEXT NOT NULL,
        judge TEXT,
        concurrency INTEGER NOT NULL DEFAULT 4 CHECK (concurrency >= 1),
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'running', 'stopped', 'done', 'failed')),
        prompt_count INTEGER NOT NULL CHECK (prompt_count >= 1),
        options TEXT NOT NULL DEFAULT '{}'
    )""",
    "CREATE INDEX runs_created ON runs (created)",
    """CREATE TABLE run_prompts (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        prompt_index INTEGER NOT NULL,
        prompt_id TEXT,
        prompt TEXT NOT NULL,
        system TEXT,
        PRIMARY KEY (run_id, prompt_index)
    )""",
    """CREATE TABLE run_cells (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        prompt_index INTEGER NOT NULL,
        model_index INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'error')),
        content TEXT NOT NULL DEFAULT '',
        finish_reason TEXT,
        usage TEXT,
        ttft_ms REAL,
        duration_ms REAL,
        speed REAL,
        cost REAL,
        currency TEXT,
        error TEXT,
        updated REAL NOT NULL,
        PRIMARY KEY (run_id, prompt_index, model_index)
    )""",
    "CREATE INDEX run_cells_status ON run_cells (run_id, status)",
    """CREATE TABLE run_judgements (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        prompt_index INTEGER NOT NULL,
        a_index INTEGER NOT NULL,
        b_index INTEGER NOT NULL,
        position TEXT NOT NULL CHECK (position IN ('AB', 'BA')),
        status TEXT NOT NULL CHECK (status IN ('done', 'error')),
        reply TEXT NOT NULL DEFAULT '',
        verdict TEXT CHECK (verdict IN ('A', 'B', 'C')),
        error TEXT,
        updated REAL NOT NULL,
        PRIMARY KEY (run_id, prompt_index, a_index, b_index, position),
        CHECK (a_index < b_index)
    )""",
)


def m007_prompt_runs(conn: sqlite3.Connection) -> None:
    """Add prompt-set runs: ``runs``, ``run_prompts``, ``run_cells``, ``run_judgements``."""
    _run(conn, _M007)


MIGRATIONS: list[Migration] = [
    m001_initial,
    m002_fts,
    m003_source_id,
    m004_short_terms,
    m005_comparisons,
    m006_bounded_index,
    m007_prompt_runs,
]


def migration_name(migration: Migration) -> str:
    """The name recorded in ``schema_migrations`` (the function name)."""
    return migration.__name__


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    """Names already recorded, oldest first; empty for a fresh database."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if not exists:
        return []
    rows = conn.execute("SELECT name FROM schema_migrations ORDER BY applied_at, name")
    return [name for (name,) in rows]


def check_not_newer(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> None:
    """Refuse a database written by a newer ChatDesk (it has migrations we don't know)."""
    known = {migration_name(m) for m in migrations}
    unknown = [name for name in applied_migrations(conn) if name not in known]
    if unknown:
        raise StoreError(
            "The history database was created by a newer version of ChatDesk "
            f"(unknown schema changes: {', '.join(unknown)}). Please update ChatDesk.",
            kind="newer_schema",
        )


def pending_migrations(
    conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS
) -> list[Migration]:
    """Migrations not yet recorded, in order."""
    done = set(applied_migrations(conn))
    return [m for m in migrations if migration_name(m) not in done]


def migrate(
    conn: sqlite3.Connection,
    migrations: Sequence[Migration] = MIGRATIONS,
    *,
    clock: Callable[[], float] = time.time,
) -> list[str]:
    """Apply pending migrations, each in its own IMMEDIATE transaction; return their names.

    ``conn`` must be in autocommit mode (``isolation_level=None``). Another process
    migrating at the same time is harmless: each step re-checks under the write lock.
    """
    check_not_newer(conn, migrations)
    register_functions(conn)
    conn.execute(MIGRATIONS_TABLE)
    applied: list[str] = []
    for migration in migrations:
        name = migration_name(migration)
        conn.execute("BEGIN IMMEDIATE")
        try:
            already = conn.execute(
                "SELECT 1 FROM schema_migrations WHERE name = ?", (name,)
            ).fetchone()
            if not already:
                migration(conn)
                conn.execute(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                    (name, clock()),
                )
                applied.append(name)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return applied
