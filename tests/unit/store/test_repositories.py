"""The per-aggregate repositories behind the :class:`Store` facade."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chatdesk.store import Store, StoreError
from chatdesk.store.common import Repository
from chatdesk.store.comparisons import ComparisonRepository
from chatdesk.store.conversations import ConversationRepository
from chatdesk.store.images import ImageRepository
from chatdesk.store.messages import MessageRepository
from chatdesk.store.searchrepo import SearchRepository
from chatdesk.store.settingsrepo import SettingsRepository

#: Repository -> the Store property that hands it out.
REPOSITORIES: dict[type[Repository], str] = {
    ConversationRepository: "conversations",
    MessageRepository: "messages",
    ImageRepository: "images",
    SearchRepository: "search_index",
    SettingsRepository: "settings",
    ComparisonRepository: "comparisons",
}
#: Public repository methods deliberately not on the facade.
NOT_ON_STORE = {"search_driver", "path", "conn", "transaction"}


def public_methods(cls: type) -> list[str]:
    return [
        name
        for name, value in vars(cls).items()
        if not name.startswith("_") and callable(value) and name not in NOT_ON_STORE
    ]


@pytest.mark.parametrize("repo", list(REPOSITORIES), ids=lambda c: c.__name__)
def test_every_repository_method_is_on_the_store(repo: type[Repository]) -> None:
    """A method added to a repository and forgotten on the facade would break callers
    that use ``store.<method>``; each delegator calls it and keeps its docstring."""
    names = public_methods(repo)
    assert names
    for name in names:
        facade = getattr(Store, name)
        assert facade.__wrapped__ is getattr(repo, name), name
        assert facade.__doc__ and facade.__doc__ == getattr(repo, name).__doc__, name


def test_properties_hand_out_the_right_repository(store: Store) -> None:
    for repo, prop in REPOSITORIES.items():
        assert type(getattr(store, prop)) is repo


def test_facade_and_repository_see_the_same_rows(store: Store) -> None:
    cid = store.conversations.create_conversation("via repo")
    mid = store.add_message(cid, "user", "hi 你好", make_current=True)
    assert store.get_conversation(cid) == store.conversations.get_conversation(cid)
    assert store.messages.get_message(mid) == store.get_message(mid)
    assert [r.id for r in store.messages.active_path(cid)] == [mid]
    store.settings.set_setting("k", [1, "二"])
    assert store.get_setting("k") == [1, "二"]


def test_repositories_join_the_store_transaction(store: Store) -> None:
    """Writes through several repositories commit or roll back together."""
    with pytest.raises(RuntimeError), store.transaction():
        cid = store.conversations.create_conversation("gone")
        store.messages.add_message(cid, "user", "gone too")
        store.settings.set_setting("gone", True)
        raise RuntimeError("undo")
    assert store.count_conversations() == 0
    assert store.get_setting("gone") is None
    assert store.conn.execute("SELECT count(*) FROM messages").fetchone()[0] == 0


def test_repository_errors_name_the_database(store: Store, db_path: Path) -> None:
    """``guarded`` on a repository method still turns a held write lock into a
    ``StoreError`` that names the file."""
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with store.busy_timeout(0), pytest.raises(StoreError) as caught:
            store.settings.set_setting("k", 1)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert caught.value.kind == "locked"
    assert caught.value.path == str(db_path)
