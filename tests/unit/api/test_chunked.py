"""Chunked bodies are read a network read at a time, with h11's rules (chatdesk.api.chunked).

The joining reader must give exactly the bytes, trailers and errors h11's own reader
gives, for any way the network splits the body, and keep the good chunks that came
before a bad one. End to end, a real server on 127.0.0.1 writes odd chunkings and bad
chunks to the real client.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Callable

import h11
import pytest
from h11 import _readers
from h11._state import SEND_BODY

from chatdesk.api import ChatClient, ChatMessage, ChatRequest, NetworkError, TextDelta, chunked

STOCK = _readers.ChunkedReader
HEAD = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"


def joining() -> type:
    assert chunked.install()
    cls = _readers.READERS[SEND_BODY]["chunked"]
    assert cls is not STOCK
    return cls  # type: ignore[no-any-return]


def read_all(reader: type, data: bytes, splits: list[int]) -> tuple[bytes, list[object], int]:
    """Feed ``data`` to an h11 client in pieces; the body, the events, the Data count."""
    table = _readers.READERS[SEND_BODY]
    saved = table["chunked"]
    table["chunked"] = reader
    try:
        conn = h11.Connection(h11.CLIENT)
        conn.send(h11.Request(method="POST", target="/", headers=[("Host", "x")]))
        conn.send(h11.EndOfMessage())
        body: list[bytes] = []
        events: list[object] = []
        datas = 0
        pos = 0
        for size in [*splits, len(data)]:
            conn.receive_data(data[pos : pos + size])
            pos += size
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    break
                events.append(event)
                if type(event) is h11.Data:
                    body.append(event.data)
                    datas += 1
                if type(event) is h11.EndOfMessage:
                    return b"".join(body), events, datas
            if pos >= len(data):
                conn.receive_data(b"")  # the server closed the connection
                events.append(conn.next_event())
                return b"".join(body), events, datas
        raise AssertionError("unreachable")
    finally:
        table["chunked"] = saved


def chunk(payload: bytes, ext: str = "", upper: bool = False) -> bytes:
    size = f"{len(payload):x}"
    return f"{size.upper() if upper else size}{ext}\r\n".encode() + payload + b"\r\n"


def sample_body(rng: random.Random) -> tuple[bytes, bytes]:
    """A chunked body with extensions, upper-case sizes and a trailer; and its payload."""
    pieces = [bytes(rng.randrange(256) for _ in range(rng.randint(1, 300))) for _ in range(60)]
    out = b"".join(
        chunk(p, ext=";name=value" if i % 7 == 3 else "", upper=i % 5 == 1)
        for i, p in enumerate(pieces)
    )
    return HEAD + out + b"0\r\nx-trailer: yes\r\n\r\n", b"".join(pieces)


def random_splits(rng: random.Random, total: int) -> list[int]:
    splits, left = [], total
    while left > 0:
        n = rng.choice([1, 2, 3, 7, 50, 400, 5000])
        splits.append(min(n, left))
        left -= n
    return splits


def test_joined_reads_give_h11s_bytes_and_trailer_for_any_split() -> None:
    cls = joining()
    rng = random.Random(19)
    for _ in range(40):
        data, payload = sample_body(rng)
        splits = random_splits(rng, len(data))
        ours, ours_events, _ = read_all(cls, data, splits)
        theirs, their_events, _ = read_all(STOCK, data, splits)
        assert ours == theirs == payload
        assert ours_events[-1] == their_events[-1]  # the same EndOfMessage and trailer
        assert type(ours_events[-1]) is h11.EndOfMessage
        assert ours_events[-1].headers == [(b"x-trailer", b"yes")]


def test_one_read_of_many_chunks_is_one_data_event() -> None:
    cls = joining()
    events = [b'data: {"n": %d}\n\n' % i for i in range(500)]
    data = HEAD + b"".join(chunk(e) for e in events) + b"0\r\n\r\n"
    body, seen, datas = read_all(cls, data, [])
    assert body == b"".join(events)
    assert datas == 1  # h11's reader: 500
    assert read_all(STOCK, data, [])[2] == 500
    assert type(seen[-1]) is h11.EndOfMessage


@pytest.mark.parametrize(
    ("bad", "kept_text"),
    [
        (b"zz\r\nhello\r\n", b"first second"),  # not a size
        (b"5\r\nhelloXY", b"first secondhello"),  # no CRLF after the chunk
    ],
)
def test_a_bad_chunk_after_good_ones_keeps_them_then_fails_as_h11_does(
    bad: bytes, kept_text: bytes
) -> None:
    cls = joining()
    data = HEAD + chunk(b"first ") + chunk(b"second") + bad + b"0\r\n\r\n"
    for splits in ([], [len(HEAD) + 3, 1, 1]):
        for reader in (cls, STOCK):
            with pytest.raises(h11.RemoteProtocolError):
                read_all(reader, data, splits)
        kept: list[bytes] = []
        table = _readers.READERS[SEND_BODY]
        conn = h11.Connection(h11.CLIENT)
        conn.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
        conn.send(h11.EndOfMessage())
        conn.receive_data(data)
        assert table["chunked"] is cls
        with pytest.raises(h11.RemoteProtocolError):
            while True:
                event = conn.next_event()
                if type(event) is h11.Data:
                    kept.append(event.data)
        assert b"".join(kept) == kept_text


def test_a_connection_closed_inside_a_chunk_is_an_incomplete_read() -> None:
    cls = joining()
    data = HEAD + chunk(b"complete") + b"20\r\nonly part"
    for reader in (cls, STOCK):
        with pytest.raises(h11.RemoteProtocolError, match="incomplete chunked read"):
            read_all(reader, data, [])


# -- end to end: a real server writing chunked bodies by hand


def sse(text: str) -> bytes:
    obj = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "model": "m",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}],
    }
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


async def raw_server(body: Callable[[], list[bytes]]) -> tuple[asyncio.Server, str]:
    """An HTTP server on 127.0.0.1 that answers every request with ``body()``'s writes."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        for piece in body():
            writer.write(piece)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/v1"


async def collect(base_url: str) -> AsyncIterator[object]:
    assert chunked.installed()  # the client reads with the joining reader
    client = ChatClient(base_url, "sk-test", read_timeout=5, max_retries=0)
    request = ChatRequest(model="m", messages=[ChatMessage("user", "hi")])
    try:
        async for event in client.stream_chat(request):
            yield event
    finally:
        await client.close()


@pytest.mark.asyncio
async def test_the_client_reads_odd_chunkings_whole() -> None:
    words = [f"word{i} " for i in range(300)]
    stream = b"".join(sse(w) for w in words) + b"data: [DONE]\n\n"
    rng = random.Random(7)

    def body() -> list[bytes]:
        # Events split across chunks and several in one, extensions, one write each.
        out, pos = [HEAD], 0
        while pos < len(stream):
            n = rng.choice([1, 5, 40, 300, 2000])
            out.append(chunk(stream[pos : pos + n], ext=";x=1" if n == 5 else ""))
            pos += n
        out.append(b"0\r\n\r\n")
        return out

    server, url = await raw_server(body)
    async with server:
        text = "".join([ev.text async for ev in collect(url) if type(ev) is TextDelta])
    assert text == "".join(words)


@pytest.mark.asyncio
async def test_a_bad_chunk_mid_stream_keeps_the_text_before_it() -> None:
    good = b"".join(sse(f"kept{i} ") for i in range(50))

    def body() -> list[bytes]:
        return [HEAD + chunk(good[:1000]) + chunk(good[1000:]) + b"nonsense\r\n"]

    server, url = await raw_server(body)
    text: list[str] = []
    async with server:
        with pytest.raises(NetworkError):
            async for ev in collect(url):
                if type(ev) is TextDelta:
                    text.append(ev.text)
    assert "".join(text) == "".join(f"kept{i} " for i in range(50))
