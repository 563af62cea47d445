"""One exchange with the server, saved as it streams (shared by the window and the CLI).

The assistant message is written when the request starts (status ``streaming``), its
text is flushed at least every ``flush_interval`` seconds and at the end, so a crash
or kill loses at most the last half second. Stop (task cancellation) keeps the
partial answer as ``stopped``; a failure keeps it as ``error`` with the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from chatdesk.api.errors import ApiError, NetworkError
from chatdesk.api.types import (
    PARAM_FIELDS,
    ChatAccumulator,
    ChatMessage,
    ChatRequest,
    ChatResult,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
)
from chatdesk.api.validate import data_url
from chatdesk.core.tools.toolrepair import answer_dangling_calls
from chatdesk.store.rows import ConversationRow, MessageRow, MessageStatus

CONTINUE_PROMPT = (
    "Continue exactly where your previous answer stopped. Do not repeat anything, "
    "do not add any preamble: output only the rest."
)


# Streams being read right now (in this process): they share the event loop's time.
_ACTIVE = [0]


class ClientLike(Protocol):
    """What the runner needs of :class:`chatdesk.api.client.ChatClient`."""

    def stream_chat(self, req: ChatRequest) -> Any: ...

    async def complete(self, req: ChatRequest) -> ChatResult: ...


class StoreLike(Protocol):
    """What the runner needs of :class:`chatdesk.store.Store`."""

    def add_message(
        self,
        conversation_id: int,
        role: str,
        content: str = "",
        *,
        parent_id: int | None = None,
        model_requested: str | None = None,
        status: MessageStatus = MessageStatus.DONE,
        choice_index: int = 0,
        meta: dict[str, Any] | None = None,
        make_current: bool = False,
    ) -> int: ...

    def update_message(self, id: int, **fields: Any) -> None: ...

    def get_image(self, hash: str) -> tuple[bytes, str] | None: ...

    def update_conversation(self, id: int, **fields: Any) -> None: ...


@dataclass(slots=True)
class ExchangeOutcome:
    """What one exchange produced; ``status`` is done, stopped or error."""

    result: ChatResult
    status: MessageStatus
    message_ids: dict[int, int] = field(default_factory=dict)
    ttft_ms: float | None = None
    duration_ms: float | None = None
    error: ApiError | None = None


def request_for(
    model: str,
    messages: list[ChatMessage],
    params: dict[str, Any] | None,
    *,
    stream: bool = True,
) -> ChatRequest:
    """Build a request from a conversation's stored parameters (unset stays unset)."""
    kwargs = {k: v for k, v in (params or {}).items() if k in PARAM_FIELDS and v is not None}
    stop = kwargs.get("stop")
    if isinstance(stop, str):
        kwargs["stop"] = [stop]
    return ChatRequest(model=model, messages=messages, stream=stream, **kwargs)


def message_to_wire(
    row: MessageRow, load_image: Callable[[str], tuple[bytes, str] | None]
) -> ChatMessage:
    """A stored message as the server expects it (images inlined as data URLs)."""
    content: str | list[dict[str, Any]] = row.content
    if row.parts:
        parts: list[dict[str, Any]] = []
        for part in row.parts:
            kind = part.get("type")
            if kind == "text":
                parts.append({"type": "text", "text": part.get("text", "")})
            elif kind == "image":
                found = load_image(part["hash"])
                if found is None:
                    continue
                url = data_url(*found)
                parts.append({"type": "image_url", "image_url": {"url": url, "detail": "auto"}})
            elif kind == "image_url":
                parts.append(part)
        content = parts
    return ChatMessage(
        role=row.role,
        content=content if (content or row.role != "assistant") else None,
        name=row.name,
        tool_calls=row.tool_calls,
        tool_call_id=row.tool_call_id,
    )


def messages_for(
    conversation: ConversationRow | None,
    path: list[MessageRow],
    load_image: Callable[[str], tuple[bytes, str] | None],
) -> list[ChatMessage]:
    """The wire messages for a branch: the system prompt, then each kept message.

    Failed answers are left out: they hold an error, not something the model said.
    A tool call saved without its result gets an error result (else HTTP 400).
    """
    out: list[ChatMessage] = []
    if conversation and conversation.system_prompt.strip():
        out.append(ChatMessage(role="system", content=conversation.system_prompt))
    for row in path:
        if row.role == "system":
            continue
        if row.role == "assistant" and not row.content and not row.tool_calls:
            continue  # a failed or stopped-before-any-text answer: nothing was said
        out.append(message_to_wire(row, load_image))
    return answer_dangling_calls(out)


async def run_exchange(
    client: ClientLike,
    request: ChatRequest,
    *,
    store: StoreLike | None = None,
    conversation_id: int | None = None,
    parent_id: int | None = None,
    append_to: MessageRow | None = None,
    on_event: Callable[[StreamEvent], None] | None = None,
    on_message: Callable[[int, int], None] | None = None,
    meta: dict[str, Any] | None = None,
    flush_interval: float = 0.5,
    yield_interval: float = 0.004,
) -> ExchangeOutcome:
    """Run one request and keep the store in step with it.

    Args:
        append_to: continue this (stopped or cut) assistant message: new text is
            appended to it instead of creating a sibling.
        on_event: called for each stream event (the UI feeds its view from it).
        on_message: called with (choice index, message id) when a row is created.
        meta: stored with each new answer row (e.g. which compare column it is).
        yield_interval: when events keep arriving without the loop getting a turn
            (a fast server fills the socket faster than we read it), give the event
            loop a turn this often, so a window stays responsive while it streams.
            Several streams at once share it: each yields after its share, so the
            window still gets a turn every ``yield_interval`` (compare columns).

    Raises:
        asyncio.CancelledError: after saving the partial answer as ``stopped``.
    """
    saving = store is not None and conversation_id is not None
    acc = ChatAccumulator()
    ids: dict[int, int] = {}
    prefix = {0: append_to.content} if append_to else {}
    prefix_reasoning = {0: append_to.reasoning} if append_to else {}
    start = time.monotonic()
    ttft: float | None = None
    # The first text is saved at once, then every flush_interval: a column whose
    # first half second falls inside a neighbour's long save still has its text.
    last_flush = start - flush_interval
    last_yield = start
    dirty: set[int] = set()

    def ensure_row(index: int) -> None:
        if not saving or index in ids:
            return
        assert store is not None and conversation_id is not None
        if index == 0 and append_to is not None:
            ids[0] = append_to.id
            store.update_message(
                append_to.id, status=MessageStatus.STREAMING, error=None, error_category=None
            )
        else:
            ids[index] = store.add_message(
                conversation_id,
                "assistant",
                "",
                parent_id=parent_id,
                model_requested=request.model,
                status=MessageStatus.STREAMING,
                choice_index=index,
                meta=dict(meta) if meta else None,
                make_current=index == 0,  # extra candidates are siblings, not shown
            )
        if on_message:
            on_message(index, ids[index])

    def fields_for(index: int) -> dict[str, Any]:
        choice = acc.result.choice(index)
        out: dict[str, Any] = {
            "content": prefix.get(index, "") + choice.content,
            "reasoning": prefix_reasoning.get(index, "") + choice.reasoning,
        }
        if choice.tool_calls:
            out["tool_calls"] = [c.to_openai() for c in choice.tool_calls]
        return out

    def flush(final: dict[str, Any] | None = None) -> None:
        if not saving:
            return
        assert store is not None
        targets = set(ids) if final is not None else dirty & set(ids)
        for index in sorted(targets):
            fields = fields_for(index)
            if final is not None:
                fields.update(final)
                fields["finish_reason"] = acc.result.choice(index).finish_reason
                if "meta" in final:  # keep what the row already said (its column...)
                    kept = (append_to.meta if append_to and index == 0 else meta) or {}
                    fields["meta"] = {**kept, **final["meta"]}
            store.update_message(ids[index], **fields)
        dirty.clear()

    ensure_row(0)
    status = MessageStatus.DONE
    error: ApiError | None = None
    _ACTIVE[0] += 1
    try:
        if request.stream:
            stream = client.stream_chat(request)
            async with contextlib.aclosing(stream):
                async for event in stream:
                    acc.feed(event)
                    kind = type(event)
                    if kind is TextDelta or kind is ReasoningDelta:
                        if ttft is None:
                            ttft = time.monotonic() - start
                        index = event.index
                        if saving and index not in ids:
                            ensure_row(index)
                        dirty.add(index)
                    if on_event is not None:
                        on_event(event)
                    now = time.monotonic()
                    if dirty and now - last_flush >= flush_interval:
                        flush()
                        last_flush = now
                    if now - last_yield >= yield_interval / _ACTIVE[0]:
                        await asyncio.sleep(0)
                        last_yield = time.monotonic()
        else:
            result = await client.complete(request)
            acc.result = result
            ttft = time.monotonic() - start
            for index in sorted(result.choices):
                ensure_row(index)
    except asyncio.CancelledError:
        status = MessageStatus.STOPPED
        _finish(acc, flush, status, start, ttft, None)
        with contextlib.suppress(asyncio.CancelledError):
            await _drained(store)
        raise
    except ApiError as exc:
        status = MessageStatus.ERROR
        error = exc
        if exc.partial is not None and exc.partial is not acc.result and not acc.result.choices:
            acc.result = exc.partial
        _finish(acc, flush, status, start, ttft, exc)
    except Exception as exc:  # a transport bug must not lose the partial answer
        status = MessageStatus.ERROR
        error = NetworkError(f"unexpected {type(exc).__name__}", partial=acc.result)
        _finish(acc, flush, status, start, ttft, error)
    else:
        _finish(acc, flush, status, start, ttft, None)
    finally:
        _ACTIVE[0] -= 1
    duration = time.monotonic() - start
    await _drained(store)
    return ExchangeOutcome(
        result=acc.result,
        status=status,
        message_ids=dict(sorted(ids.items())),
        ttft_ms=round(ttft * 1000, 1) if ttft is not None else None,
        duration_ms=round(duration * 1000, 1),
        error=error,
    )


async def _drained(store: StoreLike | None) -> None:
    """Wait for the saves a store writes off the loop (a large answer's) to end."""
    drain = getattr(store, "drain", None)
    if drain is not None:
        await drain()


def _finish(
    acc: ChatAccumulator,
    flush: Callable[[dict[str, Any] | None], None],
    status: MessageStatus,
    start: float,
    ttft: float | None,
    error: ApiError | None,
) -> None:
    """Write the final state of every row of this exchange."""
    result = acc.result
    final: dict[str, Any] = {
        "status": status,
        "duration_ms": round((time.monotonic() - start) * 1000, 1),
        "ttft_ms": round(ttft * 1000, 1) if ttft is not None else None,
    }
    if result.model:
        final["model"] = result.model
    if result.usage is not None:
        final["usage"] = result.usage.to_dict()
    if error is not None:
        final["error"] = error.message or str(error)
        final["error_category"] = error.category
        final["meta"] = {
            "http_status": error.http_status,
            "retry_after_s": error.retry_after_s,
            "failed_at": time.time(),
            "body": (error.body or "")[:2000],
            # False for a refusal of a request sent without a key: the view then says a
            # key is missing rather than "rejected" (None: not known).
            "key_sent": error.key_sent,
        }
    flush(final)
