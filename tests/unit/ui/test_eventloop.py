"""Stopping a stream on the Qt loop leaves nothing for the garbage collector to fail on."""

from __future__ import annotations

import asyncio
import gc
import sys
from typing import Any

import httpx
from PySide6.QtWidgets import QApplication

from chatdesk.api.client import ChatClient
from chatdesk.api.types import ChatMessage, ChatRequest
from chatdesk.core.chat.exchange import Exchange
from tests.fakeserver import FakeServer, Reply
from tests.qtloop import TestLoop


def test_abandoned_generators_are_closed_inside_the_loop(qapp: QApplication) -> None:
    unraisable: list[Any] = []
    previous = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    loop = TestLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    try:
        hooks = sys.get_asyncgen_hooks()
        assert getattr(hooks.finalizer, "__self__", None) is loop  # qasync installs none

        async def scenario(server: FakeServer) -> None:
            client = ChatClient(server.base_url, "sk-loop-test-0000")
            try:
                for _ in range(5):
                    server.script(Reply(text="x" * 4000, chunk_chars=4, delay_s=0.002))
                    request = ChatRequest(
                        model="m", messages=[ChatMessage(role="user", content="go")]
                    )
                    ex = Exchange(client, request)
                    task = ex.start()
                    while ex.stats.chunks < 20:
                        await asyncio.sleep(0.005)
                    ex.stop()
                    await task
                    assert str(ex.status) == "stopped"
                    gc.collect()  # abandoned generators are finalised now, in the loop
                    await asyncio.sleep(0.05)
            finally:
                await client.close()

        async def left_early(server: FakeServer) -> None:
            """What a stop does under the client: a body read part way, then closed."""
            async with httpx.AsyncClient() as http:
                for _ in range(3):
                    server.script(Reply(text="x" * 4000, chunk_chars=4, delay_s=0.002))
                    body = {"model": "m", "stream": True, "messages": []}
                    request = http.build_request(
                        "POST", server.base_url + "/chat/completions", json=body
                    )
                    response = await http.send(request, stream=True)
                    raw = response.aiter_raw()
                    seen = 0
                    async for _chunk in raw:
                        seen += 1
                        if seen > 5:
                            break
                    await raw.aclose()
                    await response.aclose()
                    del raw, response
                    gc.collect()  # without the hooks: "async generator ignored GeneratorExit"
                    await asyncio.sleep(0.05)

        with FakeServer() as server:
            loop.run_until_complete(scenario(server))
            loop.run_until_complete(left_early(server))
        loop.run_until_complete(loop.shutdown_asyncgens())
        gc.collect()
    finally:
        loop.release()
        loop.close()
        sys.unraisablehook = previous
    assert sys.get_asyncgen_hooks().finalizer is None  # closing the loop resets them
    assert unraisable == []
