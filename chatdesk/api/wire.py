"""Values off the wire made safe: JSON with a depth bound, and chunks decoded into events.

A server may send any JSON value in any field (a string index, a 400-digit count, a
megabyte "model"); this module checks each field for type and size once, so the rest
of the app only ever sees small ints and short strings. No HTTP here: the client feeds
it decoded objects, the error classifier borrows its string and JSON helpers.
"""

from __future__ import annotations

import json
import math
from typing import Any

from chatdesk.api.errors import ProtocolError
from chatdesk.api.redact import redact
from chatdesk.api.types import (
    ChatAccumulator,
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

BODY_TRIM = 2048  # bytes of a body kept on an error, for a "details" view
MAX_CHOICES = 128  # OpenAI's own limit on n; a choice index outside 0..127 is skipped
MAX_TOOL_CALLS = 1024  # tool call indexes per choice
_SHORT = 64  # finish_reason and similar enum-like strings
NAME_LIMIT = 256  # model names, tool call ids and function names


def trim(text: str, limit: int = BODY_TRIM) -> str:
    """``text`` cut to ``limit`` characters, marked when cut (error bodies, details)."""
    return text if len(text) <= limit else text[:limit] + " …[trimmed]"


# --- helpers for the stream -----------------------------------------------------------
#
# Everything below reads values that came off the wire. A server may send any JSON
# value in any field (a string index, a 400-digit count, a megabyte "model"), so each
# field is checked for type and size here, once, and the rest of the app only ever sees
# small ints and short strings. A value that cannot be used is skipped (a quirk), never
# raised: an answer that arrived whole is never turned into an error by a bad number.


def _choice_index(value: Any, default: int) -> int | None:
    """A choice ``index`` as a small int; None means "skip this choice".

    Missing means ``default`` (its position); integral floats and short digit strings
    are coerced; negative, huge, fractional and other values are rejected.
    """
    if value is None:
        return default if default < MAX_CHOICES else None
    return _small_int(value, MAX_CHOICES)


def _small_int(value: Any, limit: int) -> int | None:
    """``value`` as an int in ``0 <= n < limit`` (ints, integral floats, digit strings)."""
    kind = value.__class__
    if kind is int:
        return value if 0 <= value < limit else None
    if kind is float:
        if math.isfinite(value) and value.is_integer() and 0 <= value < limit:
            return int(value)
        return None
    if kind is str and 0 < len(value) <= 6 and value.isascii() and value.isdigit():
        number = int(value)
        return number if number < limit else None
    return None


def wire_str(value: Any, limit: int, *, numbers: bool = False) -> str | None:
    """A non-empty string cut to ``limit`` characters, or None (``numbers``: 1 -> "1")."""
    kind = value.__class__
    if kind is str:
        return value[:limit] if value else None
    if numbers and (kind is float or (kind is int and -(10**18) < value < 10**18)):
        return str(value)[:limit]
    return None


def parse_json(text: str | bytes) -> Any:
    """``json.loads`` that also refuses absurdly deep nesting (RecursionError)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def json_text(value: Any) -> str:
    """``value`` as JSON text for a message or a details view; never raises."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (RecursionError, ValueError, TypeError):
        return "<unprintable JSON>"


def json_lines(payload: str) -> list[Any]:
    """Chunks of an event whose data lines are each a whole JSON value, or ``[]``.

    Servers under write pressure have sent two ``data:`` frames separated by a single
    newline; by the SSE rules they are one event with the data ``"json1\njson2"``,
    which is not JSON. When every line parses on its own, each is a chunk (a JSON value
    spread over several lines parses whole, before this is tried).
    """
    if "\n" not in payload:
        return []
    out: list[Any] = []
    for line in payload.split("\n"):
        line = line.strip()
        if not line:
            continue
        if line.startswith("data:"):
            line = line[5:].strip()
        if line == "[DONE]":
            continue
        try:
            out.append(parse_json(line))
        except ValueError:
            return []
    return out


def _parts_text(content: Any) -> str:
    """Text of a content given as a list of parts (some servers stream that)."""
    if isinstance(content, list):
        return "".join(
            p["text"]
            for p in content
            if isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str)
        )
    return content if isinstance(content, str) else ""


def _arguments_text(args: Any) -> str:
    if args is None:
        return ""
    if isinstance(args, str):
        return args
    return json_text(args)


def _tool_deltas(index: int, calls: Any, state: dict[int, list[Any]]) -> list[ToolCallDelta]:
    """ToolCallDelta per fragment; infers ``index`` when a server omits it (keyed by id).

    The call index must be a small int, the id and name short strings; anything else
    is treated as missing.
    """
    out: list[ToolCallDelta] = []
    if not isinstance(calls, list):
        return out
    slot = state.get(index)
    if slot is None:
        slot = state[index] = [{}, 0]  # id -> call index, last call index
    ids: dict[str, int] = slot[0]
    for tc in calls:
        if not isinstance(tc, dict):
            continue
        fn = tc.get("function")
        if not isinstance(fn, dict):
            fn = {}
        call_id = wire_str(tc.get("id"), NAME_LIMIT, numbers=True)
        raw_index = tc.get("index")
        call_index = None if raw_index is None else _small_int(raw_index, MAX_TOOL_CALLS)
        if call_index is None:
            if raw_index is not None and call_id is None:
                continue  # an index we cannot use and nothing else to place it by
            if call_id is not None:
                call_index = ids.get(call_id)
                if call_index is None:
                    if len(ids) >= MAX_TOOL_CALLS:
                        continue
                    call_index = ids[call_id] = len(ids)
            else:
                call_index = slot[1]
        elif call_id is not None and len(ids) < MAX_TOOL_CALLS:
            ids.setdefault(call_id, call_index)
        slot[1] = call_index
        name = wire_str(fn.get("name"), NAME_LIMIT)
        args = _arguments_text(fn.get("arguments"))
        if call_id is None and name is None and not args:
            continue
        out.append(ToolCallDelta(index, call_index, call_id, name, args))
    return out


def bulk_objects(items: list[tuple[str | None, str]]) -> list[dict[str, Any]] | None:
    """The JSON objects of several plain ``data:`` events in one ``json.loads``.

    A network read at full speed holds dozens of events; one parse of them as an array
    costs a fraction of one parse each. Only for events that are each one JSON object
    (a ``[DONE]`` may end the list), and only when the array has one object per event:
    anything else (an error event, a bad or glued payload) returns None and is parsed
    event by event, as before.
    """
    end = len(items)
    if end and items[-1][1] == "[DONE]":
        end -= 1
    if end < 2:
        return None
    payloads: list[str] = []
    for event, payload in items[:end]:
        if event is not None or payload[:1] != "{" or payload[-1:] != "}":
            return None
        payloads.append(payload)
    try:
        objs = json.loads("[" + ",".join(payloads) + "]")
    except (ValueError, RecursionError):
        return None
    if len(objs) != end:
        return None
    for obj in objs:
        if obj.__class__ is not dict:
            return None
    return objs


def merge_deltas(events: list[StreamEvent]) -> list[StreamEvent]:
    """Join neighbouring text (or reasoning) pieces of one choice into one event.

    The order of everything else is kept; ``pieces`` adds up, so a count of the
    server's events (tokens, when it sends no usage) stays right.
    """
    if len(events) < 2:
        return events
    out: list[StreamEvent] = []
    run: list[Any] = []
    for ev in events:
        kind = ev.__class__
        if run and (kind is not run[0].__class__ or ev.index != run[0].index):  # type: ignore[union-attr]
            out.append(_joined(run))
            run = []
        if kind is TextDelta or kind is ReasoningDelta:
            run.append(ev)
        else:
            out.append(ev)
    if run:
        out.append(_joined(run))
    return out


def _joined(run: list[Any]) -> StreamEvent:
    if len(run) == 1:
        return run[0]
    first = run[0]
    text = "".join([ev.text for ev in run])
    return first.__class__(first.index, text, sum([ev.pieces for ev in run]))


class ChunkReader:
    """Turns decoded stream chunks into events; keeps the state that spans chunks."""

    __slots__ = ("model_sent", "finished", "tool_state", "usage_obj", "skipped")

    def __init__(self) -> None:
        self.model_sent = False
        self.finished: set[int] = set()
        self.tool_state: dict[int, list[Any]] = {}
        self.usage_obj: Any = None
        self.skipped = 0  # choices dropped because their index or shape was unusable

    def events_many(self, objs: list[dict[str, Any]]) -> list[StreamEvent]:
        """The events of several chunks, the usual text chunk read on a short path.

        A chunk with one choice 0, a delta holding only ``content`` text, no finish
        and no usage (nearly every chunk of an answer) adds its text to a run that
        becomes one :class:`TextDelta`; any other chunk goes through :meth:`events`.
        """
        out: list[StreamEvent] = []
        pieces: list[str] = []
        for obj in objs:
            if self.model_sent:
                choices = obj.get("choices")
                if choices.__class__ is list and len(choices) == 1:
                    ch = choices[0]
                    if ch.__class__ is dict:
                        index = ch.get("index")
                        delta = ch.get("delta")
                        if (
                            (index is None or (index.__class__ is int and index == 0))
                            and delta.__class__ is dict
                            and len(delta) == 1
                            and ch.get("finish_reason") is None
                            and not ch.get("usage")
                            and not obj.get("usage")
                            and "x_groq" not in obj
                        ):
                            text = delta.get("content")
                            if text.__class__ is str:
                                if text:
                                    pieces.append(text)
                                continue
            if pieces:
                out.append(TextDelta(0, "".join(pieces), len(pieces)))
                pieces = []
            out += self.events(obj)
        if pieces:
            out.append(TextDelta(0, "".join(pieces), len(pieces)))
        return out

    def events(self, obj: dict[str, Any]) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        if not self.model_sent:
            model = wire_str(obj.get("model"), NAME_LIMIT)
            if model:
                self.model_sent = True
                out.append(ModelEvent(model))
        choices = obj.get("choices")
        if choices and choices.__class__ is list:
            for pos, ch in enumerate(choices):
                if ch.__class__ is not dict:
                    self.skipped += 1
                    continue
                index = ch.get("index")
                if index.__class__ is not int or not 0 <= index < MAX_CHOICES:
                    index = _choice_index(index, pos)
                    if index is None:
                        self.skipped += 1
                        continue
                delta = ch.get("delta")
                if delta is None:
                    delta = ch.get("message")
                if delta and delta.__class__ is dict:
                    text = delta.get("content")
                    if text:
                        if text.__class__ is not str:
                            text = _parts_text(text)
                        if text:
                            out.append(TextDelta(index, text))
                    text = delta.get("reasoning_content") or delta.get("reasoning")
                    if text and text.__class__ is str:
                        out.append(ReasoningDelta(index, text))
                    calls = delta.get("tool_calls")
                    if calls:
                        out.extend(_tool_deltas(index, calls, self.tool_state))
                    calls = delta.get("function_call")
                    if calls and calls.__class__ is dict:
                        legacy = [{"index": 0, "function": calls}]
                        out.extend(_tool_deltas(index, legacy, self.tool_state))
                reason = ch.get("finish_reason")
                if reason and index not in self.finished:
                    reason = wire_str(reason, _SHORT, numbers=True)
                    if reason:
                        self.finished.add(index)
                        out.append(FinishEvent(index, reason))
                usage = ch.get("usage")
                if usage:
                    self.usage_obj = usage
        usage = obj.get("usage")
        if usage:
            self.usage_obj = usage
        elif "x_groq" in obj:
            groq = obj["x_groq"]
            if groq.__class__ is dict and groq.get("usage"):
                self.usage_obj = groq["usage"]
        return out


def json_events(obj: Any, secret: str | None = None) -> list[StreamEvent]:
    """Events equivalent to a non-streamed ``chat.completion`` body."""
    if not isinstance(obj, dict) or not isinstance(obj.get("choices"), list):
        raise ProtocolError(
            "the server answered with JSON that is not a chat completion (no choices)",
            body=trim(redact(json_text(obj), secret)),
        )
    events: list[StreamEvent] = []
    model = wire_str(obj.get("model"), NAME_LIMIT)
    if model:
        events.append(ModelEvent(model))
    usage = obj.get("usage")
    state: dict[int, list[Any]] = {}
    for pos, ch in enumerate(obj["choices"]):
        if not isinstance(ch, dict):
            continue
        index = _choice_index(ch.get("index"), pos)
        if index is None:
            continue
        msg = ch.get("message") or ch.get("delta") or {}
        if isinstance(msg, dict):
            reasoning = msg.get("reasoning_content") or msg.get("reasoning")
            if isinstance(reasoning, str) and reasoning:
                events.append(ReasoningDelta(index, reasoning))
            text = _parts_text(msg.get("content"))
            if text:
                events.append(TextDelta(index, text))
            calls = msg.get("tool_calls")
            if isinstance(calls, list):
                fixed = [
                    dict(tc, index=tc.get("index", i)) if isinstance(tc, dict) else tc
                    for i, tc in enumerate(calls)
                ]
                events.extend(_tool_deltas(index, fixed, state))
            fc = msg.get("function_call")
            if isinstance(fc, dict):
                events.extend(_tool_deltas(index, [{"index": 0, "function": fc}], state))
        reason = wire_str(ch.get("finish_reason"), _SHORT, numbers=True)
        if reason:
            events.append(FinishEvent(index, reason))
        if ch.get("usage"):
            usage = usage or ch["usage"]
    groq = obj.get("x_groq")
    if not usage and isinstance(groq, dict):
        usage = groq.get("usage")
    parsed = Usage.from_dict(usage)
    if parsed is not None:
        events.append(UsageEvent(parsed))
    return events


def result_from_events(events: list[StreamEvent]) -> ChatResult:
    """Fold events into a ChatResult, joining text pieces once (no quadratic ``+=``)."""
    acc = ChatAccumulator()
    texts: dict[int, list[str]] = {}
    thoughts: dict[int, list[str]] = {}
    for ev in events:
        kind = type(ev)
        if kind is TextDelta:
            texts.setdefault(ev.index, []).append(ev.text)  # type: ignore[union-attr]
        elif kind is ReasoningDelta:
            thoughts.setdefault(ev.index, []).append(ev.text)  # type: ignore[union-attr]
        else:
            acc.feed(ev)
    result = acc.result
    for index, parts in thoughts.items():
        result.choice(index).reasoning += "".join(parts)
    for index, parts in texts.items():
        result.choice(index).content += "".join(parts)
    return result


def partial_result(events: list[StreamEvent], usage_obj: Any) -> ChatResult:
    """What an interrupted answer had delivered, kept on the error as ``partial``."""
    result = result_from_events(events)
    if result.usage is None:
        result.usage = Usage.from_dict(usage_obj)
    return result
