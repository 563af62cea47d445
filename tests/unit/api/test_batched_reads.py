"""A fast stream's events are handed over per network read, joined (issue 19's speed).

A server at full speed writes one HTTP chunk per event; the client takes every chunk
that is already there at once, parses them in one go and joins neighbouring text
pieces, so the window and the store see one event per read instead of one per token.
Nothing may be lost or reordered on the way, a failure after some pieces keeps them,
and a stream left in the middle of a read closes cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import pytest

from chatdesk.api import (
    ChatClient,
    ChatMessage,
    ChatRequest,
    FinishEvent,
    NetworkError,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    UsageEvent,
)
from chatdesk.api.wire import bulk_objects, merge_deltas
from chatdesk.core.chat.exchange import Exchange
from tests.fakeserver import FakeServer, Reply, markdown_reply


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as srv:
        yield srv


def request(model: str = "m") -> ChatRequest:
    return ChatRequest(model=model, messages=[ChatMessage("user", "hi")])


def client_for(server: FakeServer) -> ChatClient:
    return ChatClient(server.base_url, "sk-test", read_timeout=5, max_retries=0)


def text_of(events: list[StreamEvent], kind: type = TextDelta) -> str:
    return "".join(ev.text for ev in events if type(ev) is kind)  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_a_fast_stream_comes_in_fewer_joined_events_with_nothing_lost(
    server: FakeServer,
) -> None:
    text = markdown_reply(600)
    server.script(Reply(text=text, reasoning="step " * 200, chunk_chars=4, usage=None))
    async with client_for(server) as client:
        events = [ev async for ev in client.stream_chat(request())]
    deltas = [ev for ev in events if type(ev) is TextDelta]
    sent = -(-len(text) // 4)  # the server's content events
    assert text_of(events) == text
    assert text_of(events, ReasoningDelta) == "step " * 200
    assert sum(ev.pieces for ev in deltas) == sent
    assert len(deltas) < sent // 4  # joined: a fraction of one event per token
    # The order is kept: all reasoning before the text, the finish after the last text.
    kinds = [type(ev) for ev in events if type(ev) in (TextDelta, ReasoningDelta, FinishEvent)]
    assert kinds.index(TextDelta) > max(i for i, k in enumerate(kinds) if k is ReasoningDelta)
    assert kinds[-1] is FinishEvent


@pytest.mark.asyncio
async def test_an_exchange_counts_every_piece_of_a_joined_event(server: FakeServer) -> None:
    """Without usage, tokens are counted one per server event, joined or not."""
    server.script(Reply(text="abcd" * 500, chunk_chars=4, usage=None))
    async with client_for(server) as client:
        exchange = Exchange(client, request())
        await exchange.run()
    assert exchange.stats.completion_tokens is None
    assert exchange.stats.chunks == 500
    assert exchange.stats.tokens_out == 500


@pytest.mark.asyncio
async def test_an_error_after_joined_pieces_keeps_them(server: FakeServer) -> None:
    """The pieces before an in-band error in the same read come out, then the error."""
    server.script(
        Reply(
            text="x" * 400,
            chunk_chars=4,
            error_after_chars=200,
            error_obj={"message": "upstream overloaded", "type": "server_error"},
        )
    )
    got: list[StreamEvent] = []
    async with client_for(server) as client:
        with pytest.raises(Exception) as info:
            async for ev in client.stream_chat(request()):
                got.append(ev)
    assert "overloaded" in str(info.value)
    assert text_of(got).startswith("x" * 200)
    partial = getattr(info.value, "partial", None)
    assert partial is not None and partial.content == text_of(got)


@pytest.mark.asyncio
async def test_a_dropped_connection_keeps_the_pieces_read_before_it(server: FakeServer) -> None:
    server.script(Reply(text="y" * 4000, chunk_chars=4, drop_after_chars=2000))
    got: list[StreamEvent] = []
    async with client_for(server) as client:
        with pytest.raises(NetworkError) as info:
            async for ev in client.stream_chat(request()):
                got.append(ev)
    assert len(text_of(got)) >= 2000
    assert info.value.partial is not None
    assert info.value.partial.content == text_of(got)


@pytest.mark.asyncio
async def test_leaving_a_stream_mid_read_closes_it_and_the_client_goes_on(
    server: FakeServer,
) -> None:
    """A consumer that stops while the reader waits for the next piece (Stop in the
    window) leaves nothing running: the next request on the same client works."""
    server.script(
        Reply(text="z" * 400, chunk_chars=4, delay_s=0.02),
        Reply(text="second answer", chunk_chars=4),
    )
    async with client_for(server) as client:
        stream = client.stream_chat(request())
        async with contextlib.aclosing(stream):
            async for ev in stream:
                if type(ev) is TextDelta:
                    break  # the reader has a read waiting for the server's next piece
        events = [ev async for ev in client.stream_chat(request())]
    assert text_of(events) == "second answer"


@pytest.mark.asyncio
async def test_a_stop_while_waiting_for_the_server_saves_what_came(server: FakeServer) -> None:
    server.script(Reply(text="w" * 400, chunk_chars=4, delay_s=0.02))
    async with client_for(server) as client:
        exchange = Exchange(client, request())
        task = exchange.start()
        while exchange.stats.chars < 8:
            await asyncio.sleep(0.005)
        exchange.stop()
        await task
    assert exchange.status == "stopped"
    assert exchange.outcome is None or exchange.stats.chars >= 8


def test_bulk_parse_takes_one_object_per_event_or_gives_up() -> None:
    items: list[tuple[str | None, str]] = [(None, '{"a": 1}'), (None, '{"b": 2}'), (None, "[DONE]")]
    assert bulk_objects(items) == [{"a": 1}, {"b": 2}]
    # Two objects glued in one payload: the array would count three; parsed one by one.
    assert bulk_objects([(None, '{"a": 1}'), (None, '{"b": 1},{"c": 2}')]) is None
    assert bulk_objects([(None, '{"a": 1}'), ("error", '{"b": 2}')]) is None
    assert bulk_objects([(None, '{"a": 1}'), (None, "[DONE]"), (None, '{"b": 2}')]) is None
    assert bulk_objects([(None, '{"a": 1}'), (None, '{"b": ')]) is None
    assert bulk_objects([(None, '{"a": 1}')]) is None  # one event: nothing to gain


def test_merging_joins_only_neighbours_of_one_kind_and_choice() -> None:
    events: list[StreamEvent] = [
        TextDelta(0, "a"),
        TextDelta(0, "b", 2),
        TextDelta(1, "x"),
        TextDelta(0, "c"),
        ReasoningDelta(0, "r"),
        ReasoningDelta(0, "s"),
        FinishEvent(0, "stop"),
        TextDelta(0, "late"),
    ]
    assert merge_deltas(events) == [
        TextDelta(0, "ab", 3),
        TextDelta(1, "x"),
        TextDelta(0, "c"),
        ReasoningDelta(0, "rs", 2),
        FinishEvent(0, "stop"),
        TextDelta(0, "late"),
    ]
    usage = [UsageEvent.__new__(UsageEvent)]
    assert merge_deltas(usage) is usage


@pytest.mark.asyncio
async def test_the_client_keeps_no_cookies(server: FakeServer) -> None:
    """A relay's cookie never comes back: the key authenticates, nothing else follows
    the user from request to request (and no cookie jar costs time per request)."""
    server.script(
        Reply(text="one", headers={"Set-Cookie": "track=abc123; Path=/"}),
        Reply(text="two"),
    )
    async with client_for(server) as client:
        for _ in range(2):
            assert text_of([ev async for ev in client.stream_chat(request())])
        assert not client._http.cookies
    posts = server.chat_requests
    assert len(posts) == 2
    assert "cookie" not in posts[1].headers
