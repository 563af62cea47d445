"""A large answer is saved off the event loop's thread, whole (issue 16).

Writing a 30 MB row held the loop half a second at each save. The real runner
streams from the fake server into a real SQLite file through a PatientStore, as a
comparison column does; the size from which a save leaves the loop is lowered so
the test streams 200 KB instead of 30 MB. Every write of the message row is
recorded with the thread that made it (the write itself is the real one).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chatdesk.api.client import ChatClient
from chatdesk.api.types import ChatMessage, ChatRequest
from chatdesk.core.chat import offloop
from chatdesk.core.chat.patient import PatientStore
from chatdesk.core.chat.session import run_exchange
from chatdesk.store import Store
from chatdesk.store.rows import MessageStatus
from tests.fakeserver import FakeServer, Reply

KEY = "sk-test-large-save-0123"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as s:
        yield s


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, dict[str, Any]]]:
    """(thread id, fields) of every message update, in order."""
    seen: list[tuple[int, dict[str, Any]]] = []
    real = Store.update_message

    def recorded(self: Store, id: int, **fields: Any) -> None:
        seen.append((threading.get_ident(), dict(fields)))
        real(self, id, **fields)

    monkeypatch.setattr(Store, "update_message", recorded)
    monkeypatch.setattr(offloop, "LARGE_CHARS", 50_000)
    return seen


async def _column(store: Store, base_url: str, model: str, conv: int, user: int) -> Any:
    async with ChatClient(base_url, KEY, max_retries=0) as client:
        request = ChatRequest(model=model, messages=[ChatMessage("user", "hi")])
        return await run_exchange(
            client, request, store=PatientStore(store), conversation_id=conv, parent_id=user
        )


def test_the_final_save_of_a_large_answer_runs_off_the_loop_and_is_whole(
    store: Store, writes: list[tuple[int, dict[str, Any]]]
) -> None:
    big = "".join(f"{i:07d} " for i in range(25_000))  # 200,000 characters
    conv = store.create_conversation("large")
    user = store.add_message(conv, "user", "hi")
    loop_thread: list[int] = []

    async def main() -> tuple[Any, Any]:
        loop_thread.append(threading.get_ident())
        return await asyncio.gather(
            _column(store, server.base_url, "big", conv, user),
            _column(store, server.base_url, "small", conv, user),
        )

    with FakeServer(api_key=KEY) as server:
        server.script_for("big", Reply(text=big, chunk_chars=4000))
        server.script_for("small", Reply(text="short answer", chunk_chars=3, delay_s=0.01))
        big_out, small_out = asyncio.run(main())

    assert big_out.status == MessageStatus.DONE and small_out.status == MessageStatus.DONE
    final = [(tid, f) for tid, f in writes if f.get("status") == MessageStatus.DONE]
    big_final = [tid for tid, f in final if f.get("content") == big]
    assert big_final and all(tid != loop_thread[0] for tid in big_final)
    # every write of the large text left the loop, partial ones too
    assert all(tid != loop_thread[0] for tid, f in writes if len(f.get("content", "")) >= 50_000)
    row = store.get_message(big_out.message_ids[0])
    assert row is not None and row.content == big and row.status == MessageStatus.DONE
    small = store.get_message(small_out.message_ids[0])
    assert small is not None and small.content == "short answer"
