"""Stopping an Exchange on a real HTTP stream closes the response inside the task.

Against the real fake server (tests/fakeserver.py) and the real ChatClient: a stop
must leave no async generator for the garbage collector to close later ("async
generator ignored GeneratorExit") and no unclosed socket (ResourceWarning). Twenty
stops in a row in one test, since such leaks showed up only in some runs.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chatdesk.api.client import ChatClient
from chatdesk.api.types import ChatMessage, ChatRequest
from chatdesk.core.chat.exchange import Exchange, ExchangeStatus, ExchangeTarget
from chatdesk.store import Store
from tests.fakeserver import FakeServer, Reply
from tests.unit.core.fakeclient import wait_until

ROUNDS = 20


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as s:
        yield s


@pytest.mark.asyncio
async def test_stop_mid_stream_leaves_nothing_behind(store: Store) -> None:
    loop = asyncio.get_running_loop()
    loop_errors: list[str] = []
    unraisable: list[str] = []

    def on_loop_error(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        loop_errors.append(f"{context.get('message')} {context.get('exception')!r}")

    def on_unraisable(info: Any) -> None:
        unraisable.append(f"{info.exc_type.__name__}: {info.exc_value} in {info.object!r}")

    old_handler = loop.get_exception_handler()
    old_hook = sys.unraisablehook
    loop.set_exception_handler(on_loop_error)
    sys.unraisablehook = on_unraisable
    conv = store.create_conversation("stops")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with FakeServer() as server:
                async with ChatClient(server.base_url, "sk-test", max_retries=0) as client:
                    for round_ in range(ROUNDS):
                        # Stop at different places: while the request is still being
                        # answered (rounds 0-3: no byte yet), then after 1..8 chunks.
                        early = round_ < 4
                        server.script(
                            Reply(
                                text="word " * 400,
                                chunk_chars=5,
                                delay_s=0.002,
                                first_delay_s=0.05 if early else 0.0,
                            )
                        )
                        uid = store.add_message(conv, "user", f"Q{round_}", make_current=True)
                        request = ChatRequest(
                            model="m", messages=[ChatMessage(role="user", content="Q")]
                        )
                        ex = Exchange(
                            client, request, store=store, target=ExchangeTarget(conv, uid)
                        )
                        ex.start()
                        if early:
                            await wait_until(lambda ex=ex: bool(ex.message_ids))  # type: ignore[misc]
                            await asyncio.sleep(0.01)
                        else:
                            chunks = 1 + round_ % 8
                            await wait_until(lambda ex=ex, n=chunks: ex.stats.chunks >= n)  # type: ignore[misc]
                        ex.stop()
                        await ex.wait()
                        assert ex.status is ExchangeStatus.STOPPED
                        row = store.get_message(ex.message_ids[0])
                        assert row is not None and row.status == "stopped"
                        if early:
                            assert row.content == ""
                        else:
                            assert row.content.startswith("word")
                            assert len(row.content) < len("word " * 400)
                    # The connection is reusable after each stop: one more, to the end.
                    server.script(Reply(text="still fine"))
                    done = Exchange(
                        client,
                        ChatRequest(model="m", messages=[ChatMessage(role="user", content="Q")]),
                    )
                    outcome = await done.start()
                    assert outcome is not None and outcome.result.content == "still fine"
            for _ in range(3):
                await asyncio.sleep(0)
            gc.collect()
        leaks = [
            str(w.message)
            for w in caught
            if issubclass(w.category, ResourceWarning) or "GeneratorExit" in str(w.message)
        ]
    finally:
        loop.set_exception_handler(old_handler)
        sys.unraisablehook = old_hook
    assert loop_errors == []
    assert unraisable == []
    assert leaks == []
