"""Redirects (issue 8): a loop is one error, not 63 requests; a POST stays on its host."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chatdesk.api import ChatClient, ChatMessage, ChatRequest, ProtocolError
from tests.fakeserver import FakeServer, Reply


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as srv:
        yield srv


@pytest.fixture
def other_host() -> Iterator[FakeServer]:
    """A second server on another loopback address: another host for the client."""
    with FakeServer(host="127.0.0.2") as srv:
        yield srv


def client_for(server: FakeServer, **kw: Any) -> ChatClient:
    kw.setdefault("backoff_s", 0.01)
    kw.setdefault("read_timeout", 5)
    return ChatClient(server.base_url, "sk-redirect-test", **kw)


def request() -> ChatRequest:
    return ChatRequest(model="gpt-4o", messages=[ChatMessage("user", "secret plans")])


def moved(location: str, status: int = 307) -> Reply:
    return Reply(status=status, body="", headers={"Location": location})


async def text_of(client: ChatClient) -> str:
    async with client:
        return "".join([getattr(ev, "text", "") async for ev in client.stream_chat(request())])


@pytest.mark.asyncio
async def test_a_redirect_loop_is_one_error_without_retries(server: FakeServer) -> None:
    url = server.base_url + "/chat/completions"
    server.script(*[moved(url) for _ in range(100)])
    with pytest.raises(ProtocolError) as info:
        await text_of(client_for(server))
    assert "loop" in info.value.message
    assert info.value.http_status == 307
    assert len(server.chat_requests) == 1


@pytest.mark.asyncio
async def test_a_two_step_loop_is_caught(server: FakeServer) -> None:
    url = server.base_url + "/chat/completions"
    server.script(*[moved(url + "?b"), moved(url)] * 50)
    with pytest.raises(ProtocolError, match="loop"):
        await text_of(client_for(server))
    assert len(server.chat_requests) == 2


@pytest.mark.asyncio
async def test_an_endless_chain_stops_after_a_few_hops(server: FakeServer) -> None:
    url = server.base_url + "/chat/completions"
    server.script(*[moved(f"{url}?hop={i}", 308) for i in range(100)])
    with pytest.raises(ProtocolError, match="more than 5"):
        await text_of(client_for(server))
    assert len(server.chat_requests) == 6


@pytest.mark.parametrize("status", [307, 308, 301, 302])
@pytest.mark.asyncio
async def test_a_post_is_not_redirected_to_another_host(
    server: FakeServer, other_host: FakeServer, status: int
) -> None:
    server.script(moved(other_host.base_url + "/chat/completions", status))
    with pytest.raises(ProtocolError) as info:
        await text_of(client_for(server))
    assert "another host (127.0.0.2)" in info.value.message
    assert info.value.category == "protocol"
    assert other_host.requests == []
    assert len(server.chat_requests) == 1


@pytest.mark.asyncio
async def test_a_post_is_not_redirected_to_another_port(server: FakeServer) -> None:
    with FakeServer() as second:
        server.script(moved(second.base_url + "/chat/completions"))
        with pytest.raises(ProtocolError, match="another host"):
            await text_of(client_for(server))
        assert second.requests == []


@pytest.mark.asyncio
async def test_a_same_host_redirect_is_followed_with_body_and_key(server: FakeServer) -> None:
    server.script(moved(server.base_url + "/chat/completions?moved"), Reply(text="arrived"))
    assert await text_of(client_for(server)) == "arrived"
    first, second = server.chat_requests
    assert second.path.endswith("?moved")
    assert second.json == first.json
    assert second.headers["authorization"] == "Bearer sk-redirect-test"


@pytest.mark.asyncio
async def test_the_model_list_may_follow_a_redirect_to_another_host(
    server: FakeServer, other_host: FakeServer
) -> None:
    server.models_reply = moved(other_host.base_url + "/models", 302)
    async with client_for(server) as client:
        models = await client.list_models()
    assert models and models[0]["id"] == "gpt-4o"
    # The key is not sent to the other host (httpx drops it across origins).
    assert "authorization" not in other_host.requests[0].headers


@pytest.mark.asyncio
@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://127.0.0.1/x", "data:,hi"])
async def test_a_redirect_to_a_non_http_address_is_named_so(
    server: FakeServer, location: str
) -> None:
    server.script(moved(location))
    with pytest.raises(ProtocolError) as info:
        await text_of(client_for(server))
    message = info.value.message
    assert "another host" not in message
    assert "refused to follow it" in message
    if location.startswith("data:"):  # no URL httpx can even build
        assert "an address that is not valid" in message
    else:
        assert f"a non-HTTP address ({location})" in message
        assert info.value.http_status == 307
    server.models_reply = moved(location, 302)
    async with client_for(server) as client:  # the model list (a GET) refuses it too
        with pytest.raises(ProtocolError) as listed:
            await client.list_models()
    assert "refused to follow it" in listed.value.message
    assert len(server.chat_requests) == 1
