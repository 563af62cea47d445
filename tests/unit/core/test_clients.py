"""ClientPool: one client per server settings, retired clients close with their last user."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.api.client import ChatClient
from chatdesk.api.types import ChatMessage, ChatRequest
from chatdesk.core.chat.exchange import Exchange, ExchangeStatus
from chatdesk.core.clients import ClientPool
from chatdesk.core.services import Endpoint
from chatdesk.core.settings import AppSettings
from chatdesk.store import Store
from tests.fakeserver import FakeServer, Reply


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as s:
        yield s


def _endpoint(base_url: str = "http://127.0.0.1:9/v1", key: str | None = "sk-one") -> Endpoint:
    return Endpoint("zero", base_url, key, None, "keyring", f"cache:{base_url}")


def _closed(client: ChatClient) -> bool:
    return client._http.is_closed  # httpx's own flag: the pool really was closed


@pytest.mark.asyncio
async def test_same_endpoint_same_client_other_settings_other_client() -> None:
    pool = ClientPool(settings=AppSettings(connect_timeout=5, read_timeout=30))
    a = pool.get(_endpoint())
    assert pool.get(_endpoint()) is a
    assert pool.peek(_endpoint()) is a
    assert (a.connect_timeout, a.read_timeout) == (5.0, 30.0)
    assert pool.get(_endpoint(key="sk-two")) is not a
    assert pool.get(_endpoint("http://127.0.0.1:10/v1")) is not a
    slow = pool.get(_endpoint(), read_timeout=300)
    assert slow is not a and slow.read_timeout == 300.0
    assert pool.get(_endpoint(), read_timeout=300) is slow
    assert pool.peek(_endpoint(key="sk-unknown")) is None
    clients = [a, slow]
    await pool.close()
    assert all(_closed(c) for c in clients)


@pytest.mark.asyncio
async def test_reconfigure_retires_a_busy_client_and_closes_it_on_its_last_release() -> None:
    pool = ClientPool(settings=AppSettings())
    old = pool.get(_endpoint())
    pool.acquire(old)
    pool.acquire(old)  # two exchanges read from it
    idle = pool.get(_endpoint(key="sk-idle"))

    pool.reconfigure(AppSettings(proxy_mode="none", read_timeout=120))
    new = pool.get(_endpoint())
    assert new is not old and new.read_timeout == 120.0
    assert pool.peek(_endpoint()) is new

    await pool.close_idle()  # the idle retired client closes, the busy one does not
    assert _closed(idle) and not _closed(old)
    await pool.release(old)
    assert not _closed(old)  # one exchange still reads from it
    await pool.release(old)
    assert _closed(old)
    assert not _closed(new)
    await pool.close()
    assert _closed(new)


@pytest.mark.asyncio
async def test_release_of_a_current_client_keeps_it_open() -> None:
    pool = ClientPool(settings=AppSettings())
    client = pool.get(_endpoint())
    pool.acquire(client)
    await pool.release(client)
    await pool.release(client)  # one release too many is harmless
    assert not _closed(client) and pool.get(_endpoint()) is client
    await pool.close()


@pytest.mark.asyncio
async def test_a_retired_client_finishes_its_stream_then_closes(store: Store) -> None:
    """A settings change while an answer streams: the answer completes, then the client closes."""
    with FakeServer() as server:
        server.script(Reply(text="slow but whole", chunk_chars=2, delay_s=0.01))
        pool = ClientPool(store, AppSettings(proxy_mode="none"))
        endpoint = _endpoint(server.base_url)
        client = pool.get(endpoint)
        pool.acquire(client)
        request = ChatRequest(model="m", messages=[ChatMessage(role="user", content="Hi")])
        exchange = Exchange(client, request)
        task = exchange.start()
        pool.reconfigure(AppSettings(proxy_mode="none", connect_timeout=3))
        assert pool.get(endpoint) is not client
        outcome = await task
        assert exchange.status is ExchangeStatus.DONE
        assert outcome is not None and outcome.result.content == "slow but whole"
        await pool.release(client, endpoint)
        assert _closed(client)
        await pool.close()


@pytest.mark.asyncio
async def test_a_server_that_refused_usage_is_remembered(store: Store) -> None:
    pool = ClientPool(store, AppSettings())
    endpoint = _endpoint()
    client = pool.get(endpoint)
    assert client.include_usage is True
    client.include_usage = False  # what the client learns from a 400 on stream_options
    pool.acquire(client)
    await pool.release(client, endpoint)
    pool.reconfigure(AppSettings())
    await pool.close_idle()
    assert pool.get(endpoint).include_usage is False
    await pool.close()


def test_settings_proxy_reaches_the_client() -> None:
    pool = ClientPool(settings=AppSettings(proxy_mode="custom", proxy_url="http://127.0.0.1:3128"))
    key = pool._key(_endpoint())
    assert (key.proxy, key.trust_env) == ("http://127.0.0.1:3128", True)
    pool.reconfigure(AppSettings(proxy_mode="none"))
    key = pool._key(_endpoint())
    assert (key.proxy, key.trust_env) == (None, False)
