"""A scriptable stand-in for :class:`chatdesk.api.client.ChatClient` in core tests.

No Qt and no HTTP: :class:`FakeClient` yields :mod:`chatdesk.api.types` events straight
from a script, so the exchange runner, the turn and compare logic can be tested for
their own rules (what is saved when, which hook fires when) without a socket in the
way. The wire itself is tested against the real fake server (``tests/fakeserver.py``);
this sits beside it and does not replace it::

    client = FakeClient()
    client.enqueue(Reply(text=["Hel", "lo"], first_delay=0.05))
    client.enqueue(Reply(text=["partial"], error=ServerError("boom", http_status=500)))
    client.enqueue_for("model-b", Reply(text="B's answer"))

Conventions:

* Replies are taken in request order from the queue of the request's model when one
  was scripted with :meth:`FakeClient.enqueue_for`, else from the shared queue; an
  empty queue answers ``Reply()`` ("Hello from the fake client.").
* ``text`` as a string is cut into ``chunk_size`` pieces; as a list, each item is one
  chunk. Reasoning chunks come first, then text, then tool calls, then the finish
  reason, then usage (where OpenAI puts it).
* ``error_after`` counts text and reasoning chunks; the error's ``partial`` is the
  result accumulated so far, as the real client does.
* ``hang_after``: after that many chunks the stream waits until the exchange is
  stopped (for deterministic "stop mid-stream" tests).
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from chatdesk.api.errors import ApiError
from chatdesk.api.types import (
    ChatAccumulator,
    ChatRequest,
    ChatResult,
    FinishEvent,
    ModelEvent,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    Usage,
    UsageEvent,
)

DEFAULT_TEXT = "Hello from the fake client."


@dataclass
class ToolCallSpec:
    """One whole tool call; it is streamed as a head fragment and argument fragments."""

    id: str
    name: str
    arguments: str


@dataclass
class Reply:
    """What one request gets: the answer's pieces, its errors and its pace."""

    text: str | list[str] = DEFAULT_TEXT
    reasoning: str | list[str] = ""
    tool_calls: list[ToolCallSpec] = field(default_factory=list)
    usage: Usage | None = None
    finish: str | None = "stop"
    model: str | None = None  # the answering model (default: the one asked for)
    chunk_size: int = 4
    first_delay: float = 0.0  # seconds before the first event
    chunk_delay: float = 0.0  # seconds between chunks
    error: ApiError | None = None
    error_after: int = 0  # chunks sent before ``error`` is raised
    hang_after: int | None = None
    # Extra candidates (n > 1): choice index -> its text chunks.
    extra_choices: dict[int, list[str]] = field(default_factory=dict)

    def chunks(self, value: str | list[str]) -> list[str]:
        if isinstance(value, list):
            return list(value)
        size = max(1, self.chunk_size)
        return [value[i : i + size] for i in range(0, len(value), size)]


class FakeClient:
    """Implements what :class:`chatdesk.core.chat.session.ClientLike` asks; records requests.

    Attributes:
        requests: every request received, in order (deep copies, as sent).
        streams_opened / streams_closed: stream iterators started, and finished or
            closed (a stopped exchange must close its stream).
        closed: whether :meth:`close` was called.
    """

    def __init__(self, *replies: Reply) -> None:
        self._queue: list[Reply] = list(replies)
        self._by_model: dict[str, list[Reply]] = {}
        self.requests: list[ChatRequest] = []
        self.streams_opened = 0
        self.streams_closed = 0
        self.closed = False
        self.include_usage = True

    # --- scripting --------------------------------------------------------------------

    def enqueue(self, *replies: Reply) -> None:
        self._queue.extend(replies)

    def enqueue_for(self, model: str, *replies: Reply) -> None:
        """Replies for requests of ``model`` only (concurrent exchanges, compare columns)."""
        self._by_model.setdefault(model, []).extend(replies)

    @property
    def pending(self) -> int:
        return len(self._queue) + sum(len(q) for q in self._by_model.values())

    def _next(self, req: ChatRequest) -> Reply:
        self.requests.append(copy.deepcopy(req))
        own = self._by_model.get(req.model)
        if own:
            return own.pop(0)
        return self._queue.pop(0) if self._queue else Reply()

    # --- ClientLike ---------------------------------------------------------------------

    def stream_chat(self, req: ChatRequest) -> AsyncIterator[StreamEvent]:
        reply = self._next(req)
        return self._stream(reply, req)

    async def _stream(self, reply: Reply, req: ChatRequest) -> AsyncIterator[StreamEvent]:
        self.streams_opened += 1
        acc = ChatAccumulator()
        sent = 0
        try:
            if reply.first_delay:
                await asyncio.sleep(reply.first_delay)
            yield ModelEvent(reply.model or req.model)
            pieces: list[StreamEvent] = [
                ReasoningDelta(0, c) for c in reply.chunks(reply.reasoning)
            ]
            pieces += [TextDelta(0, c) for c in reply.chunks(reply.text)]
            for index, chunks in sorted(reply.extra_choices.items()):
                pieces += [TextDelta(index, c) for c in chunks]
            for event in pieces:
                if reply.error is not None and sent >= reply.error_after:
                    break
                if reply.hang_after is not None and sent >= reply.hang_after:
                    await asyncio.Event().wait()  # until the task is cancelled
                if sent and reply.chunk_delay:
                    await asyncio.sleep(reply.chunk_delay)
                acc.feed(event)
                sent += 1
                yield event
            if reply.error is not None:
                reply.error.partial = acc.result
                raise reply.error
            for n, call in enumerate(reply.tool_calls):
                yield ToolCallDelta(0, n, call.id, call.name, "")
                half = len(call.arguments) // 2
                for part in (call.arguments[:half], call.arguments[half:]):
                    if part:
                        yield ToolCallDelta(0, n, None, None, part)
            if reply.finish is not None:
                yield FinishEvent(0, reply.finish)
                for index in sorted(reply.extra_choices):
                    yield FinishEvent(index, reply.finish)
            if reply.usage is not None:
                yield UsageEvent(reply.usage)
        finally:
            self.streams_closed += 1

    async def complete(self, req: ChatRequest) -> ChatResult:
        reply = self._next(req)
        if reply.first_delay:
            await asyncio.sleep(reply.first_delay)
        acc = ChatAccumulator()
        acc.feed(ModelEvent(reply.model or req.model))
        if reply.error is not None:
            raise reply.error
        for chunk in reply.chunks(reply.reasoning):
            acc.feed(ReasoningDelta(0, chunk))
        acc.feed(TextDelta(0, "".join(reply.chunks(reply.text))))
        for index, chunks in sorted(reply.extra_choices.items()):
            acc.feed(TextDelta(index, "".join(chunks)))
        for n, call in enumerate(reply.tool_calls):
            acc.feed(ToolCallDelta(0, n, call.id, call.name, call.arguments))
        if reply.finish is not None:
            for index in [0, *sorted(reply.extra_choices)]:
                acc.feed(FinishEvent(index, reply.finish))
        if reply.usage is not None:
            acc.feed(UsageEvent(reply.usage))
        return acc.result

    async def close(self) -> None:
        self.closed = True


async def wait_until(predicate: Any, timeout: float = 5.0) -> None:
    """Let the loop run until ``predicate()`` holds (a test that hangs fails instead)."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.001)
