"""One exchange with a server, as an object: request, task, stop, live figures.

The window's chat pane, each compare column and the CLI all run their requests
through :class:`Exchange`. It saves the answer as it streams (see
:func:`chatdesk.core.chat.session.run_exchange`), measures time to first token as it
happens and tokens per second while the answer grows, and tells its observers.
Several exchanges run at once on one event loop; each is stopped on its own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from chatdesk.api.errors import ApiError
from chatdesk.api.types import ChatRequest, ReasoningDelta, StreamEvent, TextDelta
from chatdesk.core.chat.session import ClientLike, ExchangeOutcome, StoreLike, run_exchange
from chatdesk.core.chat.speed import generation_speed
from chatdesk.store.rows import MessageRow

_O = TypeVar("_O")


class ExchangeStatus(StrEnum):
    """Where an exchange is; the last three are final."""

    PENDING = "pending"
    STREAMING = "streaming"
    DONE = "done"
    STOPPED = "stopped"
    ERROR = "error"


@dataclass(slots=True)
class ExchangeStats:
    """Figures of one exchange, live while it streams and final afterwards."""

    started: float | None = None
    ttft_ms: float | None = None
    duration_ms: float | None = None
    chunks: int = 0
    chars: int = 0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str | None = None
    model: str | None = None

    @property
    def tokens_out(self) -> int:
        """Completion tokens: the server's count when it gave one, else one per chunk."""
        return self.completion_tokens if self.completion_tokens is not None else self.chunks

    def elapsed_ms(self, now: float | None = None) -> float | None:
        if self.duration_ms is not None:
            return self.duration_ms
        if self.started is None:
            return None
        return ((now if now is not None else time.monotonic()) - self.started) * 1000

    def tokens_per_s(self, now: float | None = None) -> float | None:
        """Generation speed after the first token (so a slow start does not hide it)."""
        return generation_speed(self.tokens_out, self.ttft_ms, self.elapsed_ms(now))


class ExchangeObserver:
    """Override what you need; every hook is called on the event loop's thread."""

    def exchange_started(self, exchange: Exchange) -> None:
        """The request is about to go out."""

    def message_created(self, exchange: Exchange, index: int, message_id: int) -> None:
        """A row for choice ``index`` exists in the store."""

    def stream_event(self, exchange: Exchange, event: StreamEvent) -> None:
        """One event off the wire (text, reasoning, tool call, usage, finish)."""

    def text_arrived(self, exchange: Exchange, index: int, text: str, reasoning: bool) -> None:
        """A piece of answer text (or of its reasoning) for choice ``index``."""

    def exchange_finished(self, exchange: Exchange) -> None:
        """Done, stopped or failed: ``exchange.status`` and ``exchange.outcome`` say which."""


def listening(observers: list[_O], base: type, hook: str) -> tuple[_O, ...]:
    """The observers whose ``hook`` is not ``base``'s, which does nothing.

    Per streamed event, calling a do-nothing hook on every observer costs more than
    the work of the one that listens.
    """
    quiet = getattr(base, hook)
    return tuple(
        o for o in observers if getattr(getattr(o, hook, None), "__func__", None) is not quiet
    )


@dataclass(slots=True)
class ExchangeTarget:
    """Where the answer is saved: under ``parent_id``, or appended to a cut answer."""

    conversation_id: int | None = None
    parent_id: int | None = None
    append_to: MessageRow | None = None
    meta: dict[str, Any] = field(default_factory=dict)


class Exchange:
    """One request and its answer; ``start()`` runs it as a task, ``stop()`` cancels it."""

    def __init__(
        self,
        client: ClientLike,
        request: ChatRequest,
        *,
        store: StoreLike | None = None,
        target: ExchangeTarget | None = None,
        label: str = "",
    ) -> None:
        self.client = client
        self.request = request
        self.store = store
        self.target = target or ExchangeTarget()
        self.label = label
        self.status = ExchangeStatus.PENDING
        self.stats = ExchangeStats()
        self.outcome: ExchangeOutcome | None = None
        self.error: ApiError | None = None
        self.failure: BaseException | None = None  # the store failed (disk full...)
        self.message_ids: dict[int, int] = {}
        self._observers: list[ExchangeObserver] = []
        # Each streamed event is told only to the observers that act on it (four
        # columns at full speed make tens of thousands of events a second).
        self._texts: tuple[ExchangeObserver, ...] = ()
        self._events: tuple[ExchangeObserver, ...] = ()
        self._stop_sent = False
        self._task: asyncio.Task[ExchangeOutcome | None] | None = None
        self._done_callbacks: list[Callable[[Exchange], None]] = []
        self._stop_early = False

    # --- observers ------------------------------------------------------------------

    def observe(self, observer: ExchangeObserver) -> None:
        self._observers.append(observer)
        self._texts = listening(self._observers, ExchangeObserver, "text_arrived")
        self._events = listening(self._observers, ExchangeObserver, "stream_event")

    def _tell(self, hook: str, *args: Any) -> None:
        for observer in list(self._observers):
            getattr(observer, hook)(self, *args)

    # --- running --------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def finished(self) -> bool:
        return self.status in (ExchangeStatus.DONE, ExchangeStatus.STOPPED, ExchangeStatus.ERROR)

    def start(self) -> asyncio.Task[ExchangeOutcome | None]:
        """Run on the current event loop; returns the task (awaiting it never raises)."""
        if self._task is None:
            self._task = asyncio.ensure_future(self.run())
        return self._task

    async def wait(self) -> ExchangeOutcome | None:
        if self._task is None:
            return await self.run()
        return await asyncio.shield(self._task) if not self._task.done() else self._task.result()

    def stop(self) -> None:
        """Stop at once; the partial answer stays, saved as ``stopped``.

        Only the first stop cancels: a second one (Stop, then Esc for every column)
        would land in the middle of closing the response and leave it half closed.
        A finished exchange is never cancelled (its task may still be tidying up).
        """
        if self.finished or self._stop_sent:
            return
        if self._task is not None and not self._task.done():
            self._stop_sent = True
            if self.status is ExchangeStatus.PENDING:
                # The task has not had its first turn: a cancel now would raise out of
                # it before run() could catch it (no status, no exchange_finished).
                self._stop_early = True
            else:
                self._task.cancel()

    async def run(self) -> ExchangeOutcome | None:
        """The exchange itself; a stop or a store failure ends it without raising."""
        stats = self.stats
        stats.started = time.monotonic()
        if self._task is None:  # run() awaited directly: stop() cancels the caller's task
            self._task = asyncio.current_task()
        self.status = ExchangeStatus.STREAMING
        self._tell("exchange_started")
        store = self.store if self.target.conversation_id is not None else None
        try:
            if self._stop_early:
                raise asyncio.CancelledError  # stopped before anything was sent
            self.outcome = await run_exchange(
                self.client,
                self.request,
                store=store,
                conversation_id=self.target.conversation_id,
                parent_id=self.target.parent_id,
                append_to=self.target.append_to,
                on_event=self._on_event,
                on_message=self._on_message,
                meta=self.target.meta or None,
            )
            self.error = self.outcome.error
            self.status = ExchangeStatus(self.outcome.status)
            self._final_stats(self.outcome)
        except asyncio.CancelledError:
            self.status = ExchangeStatus.STOPPED
            stats.duration_ms = stats.elapsed_ms()
        except Exception as exc:  # the store failed mid-way: the caller says so
            self.status = ExchangeStatus.ERROR
            self.failure = exc
            stats.duration_ms = stats.elapsed_ms()
        finally:
            self._tell("exchange_finished")
        return self.outcome

    def _on_message(self, index: int, message_id: int) -> None:
        self.message_ids[index] = message_id
        self._tell("message_created", index, message_id)

    def _on_event(self, event: StreamEvent) -> None:
        kind = type(event)
        if kind is TextDelta or kind is ReasoningDelta:
            stats = self.stats
            if stats.ttft_ms is None and stats.started is not None:
                stats.ttft_ms = round((time.monotonic() - stats.started) * 1000, 1)
            index: int = event.index  # type: ignore[union-attr]
            text: str = event.text  # type: ignore[union-attr]
            if index == 0:
                stats.chunks += event.pieces  # type: ignore[union-attr]
                stats.chars += len(text)
            reasoning = kind is ReasoningDelta
            for observer in self._texts:
                observer.text_arrived(self, index, text, reasoning)
        for observer in self._events:
            observer.stream_event(self, event)

    def _final_stats(self, outcome: ExchangeOutcome) -> None:
        stats = self.stats
        result = outcome.result
        if outcome.ttft_ms is not None:
            stats.ttft_ms = outcome.ttft_ms
        stats.duration_ms = outcome.duration_ms
        if result.usage is not None:
            stats.prompt_tokens = result.usage.prompt_tokens
            stats.completion_tokens = result.usage.completion_tokens
        choice = result.choices.get(0) if result.choices else None
        if choice is not None:
            stats.finish_reason = choice.finish_reason
        stats.model = result.model
