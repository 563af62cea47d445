"""Total deadline and idle timeout (issue 8: ``--timeout`` limited each read only).

A server that trickles a byte at a time, or pings keep-alives forever, never trips a
per-read timeout; the total deadline ends it, keeping what arrived.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from chatdesk.api import ChatClient, ChatMessage, ChatRequest, NetworkError, StreamEvent
from tests.fakeserver import FakeServer, Reply


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as srv:
        yield srv


def client_for(server: FakeServer, **kw: Any) -> ChatClient:
    kw.setdefault("backoff_s", 0.01)
    kw.setdefault("read_timeout", 5)
    return ChatClient(server.base_url, "sk-test", **kw)


def request(**kw: Any) -> ChatRequest:
    return ChatRequest(model="gpt-4o", messages=[ChatMessage("user", "hi")], **kw)


def frame(text: str | None = None, finish: str | None = None) -> bytes:
    delta = {} if text is None else {"content": text}
    obj = {"model": "m", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


async def stream_error(client: ChatClient) -> tuple[NetworkError, list[StreamEvent]]:
    events: list[StreamEvent] = []
    with pytest.raises(NetworkError) as info:
        async with client:
            async for ev in client.stream_chat(request()):
                events.append(ev)
    return info.value, events


@pytest.mark.parametrize("kind", ["bytes", "keepalives"])
@pytest.mark.asyncio
async def test_a_trickling_server_ends_at_the_total_deadline(server: FakeServer, kind: str) -> None:
    head = frame("Hello ")
    if kind == "bytes":
        tail = frame("world") + frame(None, "stop") + b"data: [DONE]\n\n"
    else:  # only keep-alive comments after the first words: never idle, never done
        tail = b": keep-alive\n\n" * 200
    # Each byte arrives well within the idle timeout (5 s): only the deadline can stop it.
    server.script(Reply(payload=head + tail, trickle_s=0.05, trickle_after=len(head)))
    err, events = await stream_error(client_for(server, total_timeout=1.0))
    assert err.category == "network"
    assert "deadline" in err.message and "1 s" in err.message
    assert err.partial is not None and err.partial.content == "Hello "
    assert len(events) >= 2  # the model and "Hello " were yielded before the deadline


@pytest.mark.asyncio
async def test_the_deadline_covers_retries(server: FakeServer) -> None:
    """A server that accepts and never answers: one deadline, not 3 x timeout + backoff."""
    server.script(*[Reply(first_delay_s=3) for _ in range(3)])
    client = client_for(server, read_timeout=0.6, max_retries=2, total_timeout=1.0)
    err, events = await stream_error(client)
    assert "deadline" in err.message
    assert events == []
    assert len(server.chat_requests) <= 2


@pytest.mark.asyncio
async def test_the_deadline_applies_to_complete_and_list_models(server: FakeServer) -> None:
    server.script(Reply(first_delay_s=3))
    with pytest.raises(NetworkError, match="deadline"):
        async with client_for(server, total_timeout=0.5) as client:
            await client.complete(request(stream=False))
    server.models_reply = Reply(body='{"data": []}', first_delay_s=3)
    with pytest.raises(NetworkError, match="deadline"):
        async with client_for(server, total_timeout=0.5) as client:
            await client.list_models()


@pytest.mark.asyncio
async def test_no_deadline_by_default_and_a_fast_answer_is_untouched(server: FakeServer) -> None:
    server.script(Reply(text="quick"))
    async with client_for(server, total_timeout=30) as client:
        events = [ev async for ev in client.stream_chat(request())]
    assert any(getattr(ev, "text", "") for ev in events)
    assert client_for(server).total_timeout is None


@pytest.mark.asyncio
async def test_idle_timeout_is_the_silence_allowed(server: FakeServer) -> None:
    server.script(Reply(text="Hello world", pause_after_chars=4, pause_s=3))
    client = client_for(server, read_timeout=30, idle_timeout=0.3, max_retries=0)
    err, _ = await stream_error(client)
    assert "0.3 s without data" in err.message
    assert err.partial is not None and err.partial.content.startswith("Hell")
