"""Images, providers, model cache, settings, errors, backup, and import hygiene."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from chatdesk.api.errors import ChatdeskError
from chatdesk.store import ProviderRow, Store, StoreError

# -- images -------------------------------------------------------------------


def test_images_stored_once_by_hash(store: Store) -> None:
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10
    h1 = store.put_image(data, "image/png")
    h2 = store.put_image(data, "image/png")
    assert h1 == h2 == hashlib.sha256(data).hexdigest()
    assert store.conn.execute("SELECT count(*) FROM images").fetchone()[0] == 1
    assert store.get_image(h1) == (data, "image/png")
    assert store.get_image("0" * 64) is None
    other = store.put_image(b"other", "image/jpeg")
    assert other != h1


def test_prune_images_keeps_referenced(store: Store) -> None:
    used = store.put_image(b"used", "image/png")
    unused = store.put_image(b"unused", "image/png")
    cid = store.create_conversation()
    store.add_message(
        cid,
        "user",
        "look",
        parts=[
            {"type": "text", "text": "look"},
            {"type": "image", "hash": used, "mime": "image/png"},
        ],
    )
    store.add_message(cid, "user", "plain")
    assert store.prune_images() == 1
    assert store.get_image(used) is not None and store.get_image(unused) is None


# -- providers ------------------------------------------------------------------


def test_providers_crud(store: Store) -> None:
    a = ProviderRow("Zeta", "https://z.example/v1", "z-1", {"timeout": 30, "headers": {"X": "1"}})
    b = ProviderRow("alpha", "http://localhost:8000/v1")
    store.upsert_provider(a)
    store.upsert_provider(b)
    assert store.get_provider("Zeta") == a
    assert [p.name for p in store.list_providers()] == ["alpha", "Zeta"]
    changed = ProviderRow("Zeta", "https://z2.example/v1", None, {})
    store.upsert_provider(changed)
    assert store.get_provider("Zeta") == changed
    assert store.delete_provider("Zeta") is True
    assert store.delete_provider("Zeta") is False
    assert store.get_provider("Zeta") is None


@pytest.mark.parametrize(
    "options",
    [
        {"api_key": "sk-1"},
        {"headers": {"Authorization": "Bearer x"}},
        {"access_token": "t"},
        {"nested": [{"client_secret": "s"}]},
    ],
)
def test_provider_options_refuse_credentials(store: Store, options: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        store.upsert_provider(ProviderRow("p", "https://x/v1", options=options))
    assert store.get_provider("p") is None


def test_provider_options_allow_ordinary_names(store: Store) -> None:
    store.upsert_provider(ProviderRow("p", "https://x/v1", options={"max_tokens": 5, "keyring": 1}))


def test_no_column_looks_like_a_secret(store: Store) -> None:
    tables = [
        r[0]
        for r in store.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'messages_fts%'"
        )
    ]
    columns = {
        f"{t}.{c[1]}" for t in tables for c in store.conn.execute(f"PRAGMA table_info('{t}')")
    }
    provider_columns = {c.split(".")[1] for c in columns if c.startswith("providers.")}
    assert provider_columns == {
        "name",
        "base_url",
        "default_model",
        "options",
        "created",
        "updated",
    }
    suspicious = [
        c
        for c in columns
        if any(w in c.split(".")[1].lower() for w in ("key", "secret", "token", "password"))
        and c not in {"settings.key", "model_cache.key"}  # lookup keys, not credentials
    ]
    assert suspicious == []


# -- model cache and settings ------------------------------------------------------


def test_model_cache(store: Store) -> None:
    assert store.cached_models("openai|https://api") is None
    models = [{"id": "gpt-4o", "owned_by": "openai"}, {"id": "模型"}]
    store.cache_models("openai|https://api", models)
    assert store.cached_models("openai|https://api") == models
    fetched = store.models_fetched_at("openai|https://api")
    assert fetched is not None
    assert store.cached_models("openai|https://api", max_age=3600) == models
    store.conn.execute("UPDATE model_cache SET fetched = fetched - 7200")
    assert store.cached_models("openai|https://api", max_age=3600) is None
    store.cache_models("openai|https://api", [])
    assert store.cached_models("openai|https://api") == []


def test_settings(store: Store) -> None:
    assert store.get_setting("theme") is None
    assert store.get_setting("theme", "dark") == "dark"
    for value in ("light", 3, 2.5, True, None, [1, "二"], {"a": {"b": [1]}}):
        store.set_setting("theme", value)
        assert store.get_setting("theme", "default") == value
    store.delete_setting("theme")
    assert store.get_setting("theme", "default") == "default"
    with pytest.raises(TypeError):
        store.set_setting("bad", object())


# -- errors ---------------------------------------------------------------------


def test_garbage_file_is_store_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.sqlite3"
    path.write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(StoreError) as info:
        Store(path)
    assert info.value.kind == "notadb"
    assert isinstance(info.value, ChatdeskError)
    assert str(path) in str(info.value)
    assert isinstance(info.value.__cause__, sqlite3.DatabaseError)


def test_damaged_database_is_store_error(db_path: Path) -> None:
    with Store(db_path) as s:
        cid = s.create_conversation()
        for i in range(300):
            s.add_message(cid, "user", f"message number {i} " * 20)
    raw = bytearray(db_path.read_bytes())
    assert len(raw) > 8192
    raw[4096:] = b"\xff" * (len(raw) - 4096)  # trash every page after the first
    db_path.write_bytes(bytes(raw))
    with pytest.raises(StoreError) as info:  # noqa: PT012 - either step may notice
        with Store(db_path) as s:
            s.list_messages(cid)
            s.search("message")
    assert info.value.kind in {"corrupt", "notadb"}


def test_missing_folder_is_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as info:
        Store(tmp_path / "no" / "such" / "dir" / "db.sqlite3")
    assert info.value.kind == "cantopen"


def test_locked_database_is_store_error(db_path: Path) -> None:
    with Store(db_path) as a, Store(db_path, timeout=0.05) as b:
        with a.transaction():
            a.create_conversation("holding the write lock")
            with pytest.raises(StoreError) as info:
                b.create_conversation("blocked")
        assert info.value.kind == "locked"
        b.create_conversation("fine once released")
        assert a.count_conversations() == 2


def test_programming_errors_propagate(store: Store) -> None:
    with pytest.raises(sqlite3.OperationalError):
        store.conn.execute("SELECT nope FROM nowhere")
    cid = store.create_conversation()
    with pytest.raises(sqlite3.IntegrityError):  # not a StoreError: the caller's bug
        store.add_message(cid + 1000, "user", "no such conversation")


# -- backup and hygiene ------------------------------------------------------------


def test_backup_to_is_readable_copy(store: Store, tmp_path: Path) -> None:
    cid = store.create_conversation("to back up")
    store.add_message(cid, "user", "backed up 机器学习")
    store.put_image(b"img", "image/png")
    dest = tmp_path / "backup.sqlite3"
    store.backup_to(dest)
    with Store(dest) as copy:
        assert copy.get_conversation(cid).title == "to back up"  # type: ignore[union-attr]
        assert [h.message_id for h in copy.search("机器学习")] == [store.list_messages(cid)[0].id]
        assert copy.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.applied_migrations() == store.applied_migrations()
    with pytest.raises(RuntimeError), store.transaction():
        store.backup_to(tmp_path / "inside.sqlite3")


def test_close_twice_and_use_after_close(db_path: Path) -> None:
    s = Store(db_path)
    s.close()
    s.close()
    with pytest.raises(ValueError):
        s.count_conversations()


def test_store_package_never_imports_qt() -> None:
    code = (
        "import sys, chatdesk.store, chatdesk.store.db, chatdesk.store.search;"
        "bad = [m for m in sys.modules if m.startswith(('PySide', 'PyQt', 'shiboken', 'qasync'))];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
