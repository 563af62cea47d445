"""Size limits on the wire: one SSE line, a whole non-streamed body, compression bombs.

Issue 8: a single 50 MB SSE line was accepted (540 MB RSS), a small gzip body that
expands to 300 MB took 1 GB, and the SSE parser was quadratic on long lines.
"""

from __future__ import annotations

import gzip
import json
import tracemalloc
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

from chatdesk.api import (
    ChatClient,
    ChatMessage,
    ChatRequest,
    ProtocolError,
    SSEParser,
    StreamEvent,
    result_from_events,
)
from chatdesk.api.body import MAX_BODY_BYTES
from chatdesk.api.client import MAX_LINE_CHARS
from tests.fakeserver import FakeServer, Reply

MB = 1024 * 1024


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as srv:
        yield srv


def client_for(server: FakeServer, **kw: Any) -> ChatClient:
    kw.setdefault("backoff_s", 0.01)
    kw.setdefault("read_timeout", 10)
    return ChatClient(server.base_url, "sk-test", **kw)


def request(**kw: Any) -> ChatRequest:
    return ChatRequest(model="gpt-4o", messages=[ChatMessage("user", "hi")], **kw)


def frame(text: str | None = None, finish: str | None = None) -> bytes:
    delta = {} if text is None else {"content": text}
    obj = {"model": "m", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


def gzip_of_repeated(prefix: bytes, filler: bytes, count: int, suffix: bytes) -> bytes:
    """gzip of ``prefix + filler * count + suffix`` without building it in memory."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [packer.compress(prefix)]
    for _ in range(count):
        parts.append(packer.compress(filler))
    parts.append(packer.compress(suffix))
    parts.append(packer.flush())
    return b"".join(parts)


async def collect(client: ChatClient) -> list[StreamEvent]:
    async with client:
        return [ev async for ev in client.stream_chat(request())]


# --- the parser alone -----------------------------------------------------------------------


def test_a_20mb_line_in_64kb_pieces_parses() -> None:
    size = 20 * MB
    line = b"data: " + b"x" * size + b"\n\n"
    parser = SSEParser(max_line=None)
    items = []
    step = 64 * 1024
    for i in range(0, len(line), step):
        items += parser.feed(line[i : i + step])
    items += parser.close()
    assert len(items) == 1
    assert items[0][0] is None and len(items[0][1]) == size


def test_pieces_of_a_long_line_are_kept_not_rejoined() -> None:
    """Size doubling: the buffered pieces grow by one per read, nothing is re-copied."""
    for pieces in (16, 32, 64):
        parser = SSEParser(max_line=None)
        parser.feed(b"data: ")
        for _ in range(pieces):
            assert parser.feed(b"y" * 1000) == []
        # one stored piece per read: no buffer was concatenated and searched again
        assert len(parser._pending) == pieces + 1  # noqa: SLF001
        assert parser.feed(b"\n\n") == [(None, "y" * 1000 * pieces)]


def test_a_line_over_the_cap_is_a_protocol_error_after_the_events_before_it() -> None:
    parser = SSEParser(max_line=10_000)
    good = frame("kept")
    items = parser.feed(good + b"data: " + b"z" * 6000)
    assert [json.loads(p)["choices"][0]["delta"]["content"] for _, p in items] == ["kept"]
    with pytest.raises(ProtocolError) as info:
        parser.feed(b"z" * 6000)
    assert info.value.category == "protocol"
    assert "10,000" in info.value.message
    with pytest.raises(ProtocolError):  # stays failed: nothing half-parsed leaks out
        parser.close()


def test_a_whole_long_line_in_one_read_is_refused_but_earlier_events_kept() -> None:
    parser = SSEParser(max_line=10_000)
    items = parser.feed(frame("a") + b"data: " + b"z" * 20_000 + b"\n\n" + frame("lost"))
    assert len(items) == 1
    with pytest.raises(ProtocolError):
        parser.feed(frame("after"))


def test_a_multi_line_event_over_the_cap_is_refused() -> None:
    parser = SSEParser(max_line=10_000)
    with pytest.raises(ProtocolError):
        for _ in range(100):
            parser.feed(b"data: " + b"w" * 500 + b"\n")


# --- on the wire ----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_an_overlong_stream_line_stops_with_the_partial(server: FakeServer) -> None:
    payload = frame("Hello ") + frame("world") + b"data: " + b"q" * (MAX_LINE_CHARS + 1024)
    server.script(Reply(payload=payload + b"\n\n" + frame(None, "stop")))
    events: list[StreamEvent] = []
    with pytest.raises(ProtocolError) as info:
        async with client_for(server) as client:
            async for ev in client.stream_chat(request()):
                events.append(ev)
    err = info.value
    assert err.category == "protocol"
    assert "stream line" in err.message
    assert err.partial is not None and err.partial.content == "Hello world"
    assert result_from_events(events).content == "Hello world"


@pytest.mark.asyncio
async def test_a_gzip_bomb_body_stops_at_the_cap(server: FakeServer) -> None:
    # ~200 MB of JSON once inflated, about 200 KB on the wire.
    bomb = gzip_of_repeated(
        b'{"choices": [{"index": 0, "message": {"content": "',
        b"a" * MB,
        200,
        b'"}, "finish_reason": "stop"}]}',
    )
    assert len(bomb) < 1 * MB
    reply = Reply(raw_body=bomb, headers={"Content-Encoding": "gzip"})
    server.script(reply)
    tracemalloc.start()
    try:
        with pytest.raises(ProtocolError) as info:
            async with client_for(server) as client:
                await client.complete(request(stream=False))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "larger than 32 MB" in info.value.message
    assert info.value.partial is not None and info.value.partial.content == ""
    assert (info.value.body or "").startswith('{"choices"')
    # Read incrementally and stopped at the cap: far below the 200 MB it inflates to.
    assert peak < MAX_BODY_BYTES * 2.5


@pytest.mark.asyncio
async def test_a_plain_body_over_a_lower_cap(server: FakeServer) -> None:
    big = json.dumps({"choices": [{"index": 0, "message": {"content": "b" * (3 * MB)}}]})
    server.script(Reply(body=big))
    with pytest.raises(ProtocolError) as info:
        async with client_for(server, max_body_bytes=MB) as client:
            await client.complete(request(stream=False))
    assert "larger than 1 MB" in info.value.message


@pytest.mark.asyncio
async def test_a_huge_model_list_stops_at_the_cap(server: FakeServer) -> None:
    bomb = gzip_of_repeated(b'{"data": ["', b"m" * MB, 64, b'"]}')
    server.models_reply = Reply(raw_body=bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(ProtocolError) as info:
        async with client_for(server) as client:
            await client.list_models()
    assert "larger than" in info.value.message


@pytest.mark.parametrize("encoding", ["gzip", "deflate-zlib", "deflate-raw", "gzip-members"])
@pytest.mark.asyncio
async def test_compressed_streams_are_inflated(server: FakeServer, encoding: str) -> None:
    text = "Long enough to compress well. 你好。 " * 2000
    sse = b"".join(frame(text[i : i + 50]) for i in range(0, len(text), 50))
    sse += frame(None, "stop") + b"data: [DONE]\n\n"
    if encoding == "gzip":
        raw, header = gzip.compress(sse), "gzip"
    elif encoding == "gzip-members":
        half = len(sse) // 2
        raw, header = gzip.compress(sse[:half]) + gzip.compress(sse[half:]), "gzip"
    elif encoding == "deflate-zlib":
        raw, header = zlib.compress(sse), "deflate"
    else:
        packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        raw, header = packer.compress(sse) + packer.flush(), "deflate"
    server.script(
        Reply(
            raw_body=raw,
            content_type="text/event-stream",
            headers={"Content-Encoding": header},
        )
    )
    events = await collect(client_for(server))
    result = result_from_events(events)
    assert result.content == text
    assert result.choices[0].finish_reason == "stop"
    assert server.chat_requests[0].headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.asyncio
async def test_damaged_or_unasked_compression_is_a_protocol_error(server: FakeServer) -> None:
    good = gzip.compress(frame("x") + frame(None, "stop"))
    server.script(
        Reply(
            raw_body=good[:20] + b"\xff" * 40 + good[60:],
            content_type="text/event-stream",
            headers={"Content-Encoding": "gzip"},
        ),
        Reply(
            raw_body=b"\x00" * 100,
            content_type="text/event-stream",
            headers={"Content-Encoding": "br"},
        ),
    )
    for expected in ("damaged", "'br'"):
        with pytest.raises(ProtocolError) as info:
            await collect(client_for(server, max_retries=0))
        assert expected in info.value.message
