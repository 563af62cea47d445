"""The built app driven on a qasync loop against the fake server (shared by UI tests)."""

from __future__ import annotations

import argparse
import asyncio
import base64
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from tests.fakeserver import FakeServer, RecordedRequest
from tests.qtloop import TestLoop

KEY = "sk-window-test-abcdef123456"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


class Harness:
    """The built app plus helpers to drive it on a qasync loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, server: FakeServer) -> None:
        from chatdesk.app import build

        self.loop = loop
        self.server = server
        args = argparse.Namespace(base_url=server.base_url, model="gpt-4o", provider=None)
        self.store, self.window, self.desk = build(args)
        self.controller = self.desk.chat
        self.window.show()

        async def boot() -> None:
            # Tasks must start inside the running loop (httpx needs an async context).
            self.desk.start()
            await asyncio.sleep(0)

        loop.run_until_complete(boot())

    def wait(self, cond: Callable[[], bool], timeout: float = 10.0) -> None:
        async def waiter() -> None:
            end = time.monotonic() + timeout
            while not cond():
                if time.monotonic() > end:
                    raise AssertionError("condition not met in time")
                await asyncio.sleep(0.01)

        self.loop.run_until_complete(waiter())

    def idle(self) -> None:
        self.wait(lambda: not self.controller.busy)

    def send(self, text: str, *, wait: bool = True) -> None:
        self.window.composer.set_text(text)
        assert self.window.composer.send()
        if wait:
            self.wait(lambda: self.controller._task is not None)
            self.idle()

    def rows(self) -> list[Any]:
        return self.window.message_model.messages()

    def body(self) -> dict[str, Any]:
        """The body of the last chat request, waiting until there is one.

        Only POST /v1/chat/completions counts: the window's background GET /v1/models
        can reach the server after the chat request, so "the last request" is not it.
        """
        self.wait(lambda: bool(self.chat_bodies()))
        body: dict[str, Any] = self.chat_bodies()[-1]
        return body

    def chat_bodies(self) -> list[dict[str, Any]]:
        """The bodies of every POST /v1/chat/completions so far, oldest first."""
        return [r.json for r in list(self.server.requests) if _is_chat(r)]


def _is_chat(request: RecordedRequest) -> bool:
    return request.method == "POST" and request.path.split("?", 1)[0] == "/v1/chat/completions"


def finish_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is still running and let it unwind, as asyncio.run() does on exit.

    A task cancelled but never resumed keeps its HTTP connection open until the loop is
    gone; the socket is then reported as unclosed (a ResourceWarning, an error here).
    """

    async def finish() -> None:
        me = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not me]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    loop.run_until_complete(finish())
    loop.run_until_complete(loop.shutdown_asyncgens())


@pytest.fixture
def harness(qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> Iterator[Harness]:
    monkeypatch.setenv("CHATDESK_API_KEY", KEY)
    loop = TestLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    with FakeServer(api_key=KEY) as server:
        h = Harness(loop, server)
        try:
            yield h
        finally:
            h.window.close()
            loop.run_until_complete(h.desk.aclose())
            finish_tasks(loop)
            h.store.close()
            h.window.deleteLater()
            loop.run_until_complete(asyncio.sleep(0))
            loop.release()
            loop.close()
    asyncio.set_event_loop(None)
