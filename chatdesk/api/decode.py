"""One network read's SSE items decoded into stream events (the client's inner loop).

Kept apart from :mod:`chatdesk.api.client` (HTTP) and :mod:`chatdesk.api.wire` (field
checks, which the error classifier borrows, so it cannot use the classifier itself).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from chatdesk.api.classify import error_from_response
from chatdesk.api.errors import ApiError
from chatdesk.api.types import StreamEvent
from chatdesk.api.wire import ChunkReader, bulk_objects, json_lines, json_text, parse_json


class Decoded(NamedTuple):
    """What one network read's SSE items held."""

    events: list[StreamEvent]
    failure: ApiError | None  # an error the server sent in the stream, after ``events``
    done: bool  # a [DONE] came
    payloads: int  # chunk objects read
    bad: int  # payloads that were not chunk objects


def decode_items(
    items: list[tuple[str | None, str]], reader: ChunkReader, secret: str | None, status: int
) -> Decoded:
    """The events of one read's SSE items: one ``json.loads`` for all when each is one
    object (``bulk_objects``), else item by item (error events, glued or bad payloads)."""
    out: list[StreamEvent] = []
    objs = bulk_objects(items) if len(items) > 1 else None
    if objs is not None:
        for i, obj in enumerate(objs):
            if obj.get("error"):
                failure = error_from_response(
                    None, None, items[i][1], secret=secret, received=status
                )
                return Decoded(reader.events_many(objs[:i]), failure, False, len(objs), 0)
        done = items[-1][1] == "[DONE]"
        return Decoded(reader.events_many(objs), None, done, len(objs), 0)
    done = False
    payloads = bad = 0
    for event, payload in items:
        if event is not None and event == "error":
            failure = error_from_response(
                None, None, payload or "error event", secret=secret, received=status
            )
            return Decoded(out, failure, done, payloads, bad)
        if payload == "[DONE]":
            done = True
            continue
        try:
            parsed: list[Any] = [parse_json(payload)]
        except ValueError:
            parsed = json_lines(payload)
            if not parsed:
                bad += 1
                continue
        for obj in parsed:
            if obj.__class__ is not dict:
                bad += 1
                continue
            payloads += 1
            if obj.get("error"):
                failure = error_from_response(
                    None,
                    None,
                    payload if len(parsed) == 1 else json_text(obj),
                    secret=secret,
                    received=status,
                )
                return Decoded(out, failure, done, payloads, bad)
            out += reader.events(obj)
    return Decoded(out, None, done, payloads, bad)
