"""First run without a key: the key panel, the real keyring, and the session-only way out."""

from __future__ import annotations

import argparse
import asyncio
import os
import uuid
from collections.abc import Iterator

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtWidgets import QApplication

from chatdesk.core.services import ensure_default_provider
from chatdesk.paths import database_path
from chatdesk.store import Store
from chatdesk.store.rows import ProviderRow
from tests.fakeserver import FakeServer, Reply
from tests.qtloop import TestLoop

KEY = "sk-first-run-key-98765"


def _secret_service() -> bool:
    return type(keyring.get_keyring()).__module__.endswith("SecretService")


@pytest.fixture
def first_run(qapp: QApplication) -> Iterator[tuple[TestLoop, FakeServer, str]]:
    provider = f"relay-{uuid.uuid4().hex[:6]}"
    loop = TestLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    with FakeServer(api_key=KEY) as server:
        with Store(database_path()) as store:
            ensure_default_provider(store)
            store.upsert_provider(ProviderRow(provider, server.base_url, "gpt-4o"))
            store.set_setting("default_provider", provider)
        yield loop, server, provider
    loop.release()
    loop.close()
    asyncio.set_event_loop(None)


def _build(
    loop: TestLoop, base_url: str | None = None, model: str | None = None
) -> tuple[object, object, object]:
    from chatdesk.app import build

    store, window, desk = build(argparse.Namespace(base_url=base_url, model=model, provider=None))
    window.show()

    async def boot() -> None:
        desk.start()
        await asyncio.sleep(0)

    loop.run_until_complete(boot())
    return store, window, desk


def _wait(loop: TestLoop, cond: object, timeout: float = 10) -> None:
    async def waiter() -> None:
        for _ in range(int(timeout * 100)):
            if cond():  # type: ignore[operator]
                return
            await asyncio.sleep(0.01)
        raise AssertionError("condition not met in time")

    loop.run_until_complete(waiter())


@pytest.mark.skipif(
    not _secret_service() and not os.environ.get("CI"), reason="needs Secret Service"
)
def test_key_panel_saves_to_keyring_and_chat_works(first_run) -> None:
    loop, server, provider = first_run
    store, window, desk = _build(loop)
    controller = desk.chat
    try:
        assert window.centre.currentWidget() is window.key_panel
        window.key_panel.save_requested.emit(server.base_url, KEY)
        assert keyring.get_password("chatdesk", provider) == KEY
        assert window.centre.currentIndex() == 0
        server.script(Reply(text="Hello after set-up"))
        window.composer.set_text("hi")
        window.composer.send()
        _wait(loop, lambda: controller._task is not None and not controller.busy)
        assert window.message_model.messages()[-1].content == "Hello after set-up"
        assert server.requests[-1].headers["authorization"] == f"Bearer {KEY}"
        # The key is nowhere in the database file.
        window.close()
        loop.run_until_complete(desk.aclose())
        store.close()
        assert KEY.encode() not in database_path().read_bytes()
    finally:
        keyring.delete_password("chatdesk", provider)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """keyring's own "no backend" keyring (what a machine without D-Bus gets)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_missing_keyring_offers_session_only(first_run, no_keyring) -> None:
    loop, server, provider = first_run
    store, window, desk = _build(loop)
    controller = desk.chat
    assert window.centre.currentWidget() is window.key_panel
    window.key_panel.save_requested.emit(server.base_url, KEY)
    # Saving failed with its own message; the panel is still there and offers a way out.
    assert window.centre.currentWidget() is window.key_panel
    window.key_panel.use_for_session.emit(server.base_url, KEY)
    assert window.centre.currentIndex() == 0
    server.script(Reply(text="session key works"))
    window.composer.set_text("hi")
    window.composer.send()
    _wait(loop, lambda: controller._task is not None and not controller.busy)
    assert window.message_model.messages()[-1].content == "session key works"
    window.close()
    loop.run_until_complete(desk.aclose())
    store.close()
    assert KEY.encode() not in database_path().read_bytes()


def test_base_url_run_uses_the_key_from_the_panel(first_run, no_keyring) -> None:
    """`chatdesk --base-url URL` with no key in the environment: the panel's key is used."""
    loop, server, provider = first_run
    store, window, desk = _build(loop, server.base_url, "gpt-4o")
    controller = desk.chat
    assert window.centre.currentWidget() is window.key_panel
    window.key_panel.use_for_session.emit(server.base_url, KEY)
    assert window.centre.currentIndex() == 0
    server.script(Reply(text="url key works"))
    window.composer.set_text("hi")
    window.composer.send()
    _wait(loop, lambda: controller._task is not None and not controller.busy)
    assert window.message_model.messages()[-1].content == "url key works"
    assert store.get_provider(provider).base_url == server.base_url  # providers untouched
    window.close()
    loop.run_until_complete(desk.aclose())
    store.close()
