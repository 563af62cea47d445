"""The loop watches each socket with one notifier, switched on and off (chatdesk.eventloop).

anyio stops and resumes reading around every receive; the loop must keep one notifier
per socket through that, run the callback registered last, never the one removed, and
follow a socket number that a new socket takes over. Real sockets, the real Qt loop.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from tests.fakeserver import FakeServer, Reply
from tests.qtloop import TestLoop


@pytest.fixture
def loop(qapp: QApplication) -> Iterator[TestLoop]:
    lp = TestLoop(qapp, already_running=False)
    asyncio.set_event_loop(lp)
    try:
        yield lp
    finally:
        lp.release()
        lp.close()
        asyncio.set_event_loop(None)


def _until(loop: TestLoop, cond: Any, timeout: float = 5.0) -> None:
    async def wait() -> None:
        async with asyncio.timeout(timeout):
            while not cond():
                await asyncio.sleep(0.001)

    loop.run_until_complete(wait())


def test_pausing_and_resuming_keeps_one_notifier_and_the_last_callback(
    loop: TestLoop,
) -> None:
    a, b = socket.socketpair()
    a.setblocking(False)
    got: list[tuple[str, bytes]] = []
    try:
        notifiers = set()
        for i in range(20):  # what anyio does around each receive
            name = f"cb{i}"
            loop.add_reader(a, lambda n=name: got.append((n, a.recv(100))))
            notifiers.add(id(loop._watches[(a.fileno(), 0)].notifier))  # noqa: SLF001
            b.send(b"x%d" % i)
            _until(loop, lambda n=i: len(got) == n + 1)
            assert loop.remove_reader(a) is True
            assert loop.remove_reader(a) is False  # already off
        assert [name for name, _ in got] == [f"cb{i}" for i in range(20)]
        assert b"".join(data for _, data in got) == b"".join(b"x%d" % i for i in range(20))
        assert len(notifiers) == 1  # one notifier, switched on and off
        b.send(b"late")  # nobody is reading now: no callback runs
        loop.run_until_complete(asyncio.sleep(0.05))
        assert len(got) == 20
    finally:
        a.close()
        b.close()


def test_a_socket_number_taken_over_by_a_new_socket_gets_the_new_callback(
    loop: TestLoop,
) -> None:
    seen: list[str] = []
    a, b = socket.socketpair()
    number = a.fileno()
    loop.add_reader(a, lambda: seen.append("old"))
    loop.remove_reader(a)
    a.close()
    b.close()
    pairs = [socket.socketpair() for _ in range(4)]  # one of them takes the number
    try:
        reuse = next((p for p in pairs if number in (p[0].fileno(), p[1].fileno())), None)
        assert reuse is not None
        mine = reuse[0] if reuse[0].fileno() == number else reuse[1]
        other = reuse[1] if mine is reuse[0] else reuse[0]
        mine.setblocking(False)
        loop.add_reader(mine, lambda: seen.append(mine.recv(10).decode()))
        other.send(b"new")
        _until(loop, lambda: bool(seen))
        assert seen == ["new"]
        loop.remove_reader(mine)
    finally:
        for x, y in pairs:
            x.close()
            y.close()


def test_writers_and_a_failing_callback_go_through_the_loop(loop: TestLoop) -> None:
    a, b = socket.socketpair()
    errors: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    calls: list[str] = []

    def fails() -> None:
        calls.append("fails")
        loop.remove_writer(a)
        raise ValueError("boom")

    try:
        loop.add_writer(a, fails)  # a fresh socket is writable at once
        _until(loop, lambda: bool(errors))
        assert calls == ["fails"]
        assert isinstance(errors[0]["exception"], ValueError)
        loop.add_writer(a, lambda: (calls.append("again"), loop.remove_writer(a)))
        _until(loop, lambda: calls[-1] == "again")  # the loop goes on
    finally:
        loop.set_exception_handler(None)
        a.close()
        b.close()


def test_a_paced_stream_is_read_whole_through_the_notifiers(loop: TestLoop) -> None:
    """End to end: httpx over the loop, a token every millisecond."""
    import httpx

    async def read(server: FakeServer) -> str:
        async with httpx.AsyncClient() as http:
            body = {"model": "m", "stream": True, "messages": []}
            async with http.stream(
                "POST", server.base_url + "/chat/completions", json=body
            ) as response:
                return "".join([line async for line in response.aiter_lines()])

    with FakeServer() as server:
        server.script(Reply(text="tok " * 300, chunk_chars=4, delay_s=0.001))
        text = loop.run_until_complete(read(server))
    assert text.count('"content"') >= 300
    assert text.endswith("data: [DONE]")
    assert len(loop._watches) <= 8  # noqa: SLF001 - a notifier per socket, not per read
