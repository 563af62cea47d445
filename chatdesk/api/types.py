"""Typed values that cross the api boundary: requests, stream events, results.

Everything here is plain Python (no Qt, no httpx) so that the store, the core and
the UI can share it. Stream events are small slotted dataclasses because the client
produces one per SSE chunk and must keep up with 100k+ chunks per second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

# Re-exported: the body builder and core import them from here with the types.
from chatdesk.api.fields import PARAM_FIELDS as PARAM_FIELDS, ROLES as ROLES

JSON = dict[str, Any]

FINISH_REASONS = ("stop", "length", "tool_calls", "content_filter", "function_call")


@dataclass(slots=True)
class ChatMessage:
    """One message of the conversation as sent to the server.

    ``content`` is a string or a list of OpenAI content parts
    (``{"type": "text", ...}`` / ``{"type": "image_url", ...}``).
    """

    role: str
    content: str | list[JSON] | None = None
    name: str | None = None
    tool_calls: list[JSON] | None = None
    tool_call_id: str | None = None

    def to_dict(self) -> JSON:
        """The wire form: unset fields are left out of the message, never sent as null."""
        out: JSON = {"role": self.role}
        if self.content is not None or self.role != "assistant":
            out["content"] = self.content if self.content is not None else ""
        if self.name:
            out["name"] = self.name
        if self.tool_calls:
            out["tool_calls"] = self.tool_calls
        if self.tool_call_id:
            out["tool_call_id"] = self.tool_call_id
        return out


@dataclass(slots=True)
class ChatRequest:
    """Every chat/completions request field. ``None`` means "not set: leave it out of the body"."""

    model: str
    messages: list[ChatMessage]
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    n: int | None = None
    stream: bool = True
    stop: list[str] | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    response_format: JSON | None = None
    seed: int | None = None
    tools: list[JSON] | None = None
    tool_choice: str | JSON | None = None
    user: str | None = None
    # Not a chat/completions field: extra JSON merged last (relay-specific switches).
    extra_body: JSON | None = None


# --- stream events ---------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class TextDelta:
    """A piece of answer text for choice ``index``.

    ``pieces``: how many of the server's events it joins (the events of one network
    read are joined); a stream without usage counts one token per piece.
    """

    index: int
    text: str
    pieces: int = 1


@dataclass(slots=True, frozen=True)
class ReasoningDelta:
    """A piece of reasoning ("thinking") text for choice ``index`` (``pieces``: as above)."""

    index: int
    text: str
    pieces: int = 1


@dataclass(slots=True, frozen=True)
class ToolCallDelta:
    """A fragment of tool call ``call_index`` in choice ``index``.

    The first fragment usually has ``id`` and ``name``; later ones append to
    ``arguments``. :class:`ChatAccumulator` assembles them into :class:`ToolCall`.
    """

    index: int
    call_index: int
    id: str | None
    name: str | None
    arguments: str


@dataclass(slots=True, frozen=True)
class FinishEvent:
    """Choice ``index`` ended with ``reason`` (stop, length, tool_calls, content_filter)."""

    index: int
    reason: str


MAX_TOKEN_COUNT = 2**53 - 1  # exact in a float, fits SQLite's INTEGER, shows as digits


def _token_count(value: Any) -> int | None:
    """A usage count off the wire, or None when it is not a sane one.

    Servers have sent strings, fractions, negatives, ``1e400`` and 400-digit integers.
    Counts are ints (integral floats and digit strings are accepted) in
    ``0..MAX_TOKEN_COUNT``; anything else is dropped, never raised, so that a bad
    number cannot turn a complete answer into an error or be stored unshowable.
    """
    kind = value.__class__
    if kind is int:
        return value if 0 <= value <= MAX_TOKEN_COUNT else None
    if kind is float:
        if math.isfinite(value) and value.is_integer() and 0 <= value <= MAX_TOKEN_COUNT:
            return int(value)
        return None
    if kind is str and 0 < len(value) <= 16 and value.isascii() and value.isdigit():
        number = int(value)
        return number if number <= MAX_TOKEN_COUNT else None
    return None


@dataclass(slots=True, frozen=True)
class Usage:
    """Token counts as reported by the server."""

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None

    def to_dict(self) -> JSON:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Usage | None:
        if not isinstance(data, dict):
            return None

        def _int(key: str) -> int | None:
            return _token_count(data.get(key))

        usage = cls(_int("prompt_tokens"), _int("completion_tokens"), _int("total_tokens"))
        if usage.total_tokens is None and None not in (
            usage.prompt_tokens,
            usage.completion_tokens,
        ):
            usage = cls(
                usage.prompt_tokens,
                usage.completion_tokens,
                min(MAX_TOKEN_COUNT, (usage.prompt_tokens or 0) + (usage.completion_tokens or 0)),
            )
        return usage


@dataclass(slots=True, frozen=True)
class UsageEvent:
    """Usage for the whole exchange, wherever the server put it."""

    usage: Usage


@dataclass(slots=True, frozen=True)
class ModelEvent:
    """The model the server says answered (may differ from the one asked for)."""

    model: str


StreamEvent = TextDelta | ReasoningDelta | ToolCallDelta | FinishEvent | UsageEvent | ModelEvent


# --- results -----------------------------------------------------------------------


@dataclass(slots=True)
class ToolCall:
    """A whole tool call; ``arguments`` is the exact string the server sent."""

    id: str
    name: str
    arguments: str

    def to_openai(self) -> JSON:
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": self.arguments},
        }


@dataclass(slots=True)
class ChoiceResult:
    """One candidate answer, as accumulated so far."""

    index: int
    content: str = ""
    reasoning: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None


@dataclass(slots=True)
class ChatResult:
    """Everything one exchange produced (also the partial state during a stream)."""

    model: str | None = None
    choices: dict[int, ChoiceResult] = field(default_factory=dict)
    usage: Usage | None = None

    def choice(self, index: int) -> ChoiceResult:
        found = self.choices.get(index)
        if found is None:
            found = self.choices[index] = ChoiceResult(index)
        return found

    @property
    def content(self) -> str:
        """Text of the first choice (what one-answer callers want)."""
        first = self.choices.get(0)
        return first.content if first else ""


class ChatAccumulator:
    """Folds stream events into a :class:`ChatResult`; pure and reusable.

    Text arrives in thousands of small pieces: they are kept in lists and joined
    only when :attr:`result` is read, so feeding stays O(1) per event.
    """

    def __init__(self) -> None:
        self._result = ChatResult()
        self._text: dict[int, list[str]] = {}
        self._reasoning: dict[int, list[str]] = {}
        # (choice index, call index) -> [id, name, argument pieces]
        self._calls: dict[tuple[int, int], list[Any]] = {}

    @property
    def result(self) -> ChatResult:
        """The result so far (joins the pieces; cheap enough every few hundred ms)."""
        res = self._result
        for index, pieces in self._text.items():
            res.choice(index).content = "".join(pieces)
        for index, pieces in self._reasoning.items():
            res.choice(index).reasoning = "".join(pieces)
        by_choice: dict[int, list[tuple[int, list[Any]]]] = {}
        for (index, call_index), slot in self._calls.items():
            by_choice.setdefault(index, []).append((call_index, slot))
        for index, calls in by_choice.items():
            res.choice(index).tool_calls = [
                ToolCall(
                    id=slot[0] or f"call_{index}_{call_index}",
                    name=slot[1] or "",
                    arguments="".join(slot[2]),
                )
                for call_index, slot in sorted(calls, key=lambda c: c[0])
            ]
        return res

    @result.setter
    def result(self, value: ChatResult) -> None:
        """Start again from ``value`` (a non-streamed answer or an error's partial)."""
        self._result = value
        self._text = {i: [c.content] for i, c in value.choices.items() if c.content}
        self._reasoning = {i: [c.reasoning] for i, c in value.choices.items() if c.reasoning}
        self._calls = {
            (i, n): [call.id, call.name, [call.arguments]]
            for i, c in value.choices.items()
            for n, call in enumerate(c.tool_calls)
        }

    def feed(self, event: StreamEvent) -> None:
        kind = type(event)
        if kind is TextDelta:
            pieces = self._text.get(event.index)  # type: ignore[union-attr]
            if pieces is None:
                pieces = self._text[event.index] = []  # type: ignore[union-attr]
                self._result.choice(event.index)  # type: ignore[union-attr]
            pieces.append(event.text)  # type: ignore[union-attr]
        elif kind is ReasoningDelta:
            pieces = self._reasoning.get(event.index)  # type: ignore[union-attr]
            if pieces is None:
                pieces = self._reasoning[event.index] = []  # type: ignore[union-attr]
                self._result.choice(event.index)  # type: ignore[union-attr]
            pieces.append(event.text)  # type: ignore[union-attr]
        elif kind is ToolCallDelta:
            assert isinstance(event, ToolCallDelta)
            key = (event.index, event.call_index)
            slot = self._calls.get(key)
            if slot is None:
                slot = self._calls[key] = [None, None, []]
                self._result.choice(event.index)
            if event.id:
                slot[0] = event.id
            if event.name and slot[1] != event.name:
                slot[1] = (slot[1] or "") + event.name
            if event.arguments:
                slot[2].append(event.arguments)
        elif kind is FinishEvent:
            assert isinstance(event, FinishEvent)
            self._result.choice(event.index).finish_reason = event.reason
        elif kind is UsageEvent:
            assert isinstance(event, UsageEvent)
            self._result.usage = event.usage
        elif kind is ModelEvent:
            assert isinstance(event, ModelEvent)
            self._result.model = event.model
