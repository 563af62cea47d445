"""Odd numbers and types off the wire: every value is checked once, nothing overflows.

Issue 8: a non-finite Retry-After crashed with OverflowError, an overflowing usage
count turned a complete answer into an error, a string choice index crashed the saver.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from chatdesk.api import (
    ChatClient,
    ChatMessage,
    ChatRequest,
    FinishEvent,
    ModelEvent,
    RateLimitError,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    Usage,
    UsageEvent,
    error_from_response,
    result_from_events,
    retry_after_from_headers,
    retry_after_from_message,
)
from chatdesk.api.classify import MAX_RETRY_AFTER_S
from chatdesk.api.types import MAX_TOKEN_COUNT
from chatdesk.api.wire import MAX_CHOICES
from tests.fakeserver import FakeServer, Reply


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as srv:
        yield srv


def client_for(server: FakeServer, **kw: Any) -> ChatClient:
    kw.setdefault("backoff_s", 0.01)
    kw.setdefault("read_timeout", 5)
    return ChatClient(server.base_url, "sk-test", **kw)


def request() -> ChatRequest:
    return ChatRequest(model="gpt-4o", messages=[ChatMessage("user", "hi")])


def sse(*frames: Any) -> str:
    """An SSE body: dicts become ``data: {json}`` events, strings are sent as they are."""
    out = []
    for frame in frames:
        out.append(frame if isinstance(frame, str) else "data: " + json.dumps(frame) + "\n\n")
    return "".join(out)


def chunk(index: Any = 0, finish: Any = None, **delta: Any) -> dict[str, Any]:
    return {
        "object": "chat.completion.chunk",
        "model": "m",
        "choices": [{"index": index, "delta": delta, "finish_reason": finish}],
    }


def stream_reply(body: str) -> Reply:
    return Reply(body=body, content_type="text/event-stream")


async def collect(client: ChatClient) -> list[StreamEvent]:
    async with client:
        return [ev async for ev in client.stream_chat(request())]


# --- Retry-After ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "inf"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "-5"}, None),
        ({"retry-after": "1e400"}, None),
        ({"retry-after": "1e12"}, MAX_RETRY_AFTER_S),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after-ms": "inf", "retry-after": "2"}, 2.0),
        ({"retry-after-ms": "-1"}, None),
        ({"retry-after-ms": "nan"}, None),
        ({"retry-after-ms": "1e300"}, MAX_RETRY_AFTER_S / 1000.0),
        ({"retry-after-ms": "1500"}, 1.5),
    ],
)
def test_retry_after_headers_are_sane(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_from_headers(headers) == expected


def test_retry_after_far_future_date_is_clamped() -> None:
    far = email.utils.format_datetime(
        email.utils.parsedate_to_datetime("Fri, 31 Dec 9999 23:59:59 GMT")
    )
    assert retry_after_from_headers({"retry-after": far}) == MAX_RETRY_AFTER_S
    near = email.utils.formatdate(time.time() + 30, usegmt=True)
    got = retry_after_from_headers({"retry-after": near})
    assert got is not None and 0 < got <= 31


def test_retry_after_in_message_overflowing() -> None:
    assert retry_after_from_message("try again in " + "9" * 400 + "s") is None
    assert retry_after_from_message("try again in 99999999 hours") == MAX_RETRY_AFTER_S


@pytest.mark.parametrize("value", ["1e400", "inf", "-3", "1e15"])
@pytest.mark.asyncio
async def test_absurd_retry_after_on_the_wire_is_showable(server: FakeServer, value: str) -> None:
    server.script(
        Reply.error(429, "slow down", code="rate_limit_exceeded", headers={"Retry-After": value})
    )
    client = client_for(server, max_retries=0)
    with pytest.raises(RateLimitError) as info:
        await collect(client)
    err = info.value
    assert err.retry_after_s is None or 0 <= err.retry_after_s <= MAX_RETRY_AFTER_S
    # What the CLI prints and the window stores and shows: none of it may raise.
    assert "slow down" in str(err)
    err.explain("zh")
    json.dumps(err.to_json(), allow_nan=False)
    assert len(server.chat_requests) == 1


# --- usage ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"prompt_tokens": float("inf"), "completion_tokens": 5}, Usage(None, 5, None)),
        ({"prompt_tokens": float("nan"), "completion_tokens": 5}, Usage(None, 5, None)),
        ({"prompt_tokens": 10**400, "completion_tokens": 2}, Usage(None, 2, None)),
        (
            {"prompt_tokens": -4, "completion_tokens": 2.5, "total_tokens": "7"},
            Usage(None, None, 7),
        ),
        ({"prompt_tokens": 3.0, "completion_tokens": "4"}, Usage(3, 4, 7)),
        ({"prompt_tokens": True, "completion_tokens": [1]}, Usage(None, None, None)),
        (
            {"prompt_tokens": MAX_TOKEN_COUNT, "completion_tokens": MAX_TOKEN_COUNT},
            Usage(MAX_TOKEN_COUNT, MAX_TOKEN_COUNT, MAX_TOKEN_COUNT),
        ),
    ],
)
def test_usage_counts_are_validated(raw: dict[str, Any], expected: Usage) -> None:
    assert Usage.from_dict(raw) == expected


@pytest.mark.asyncio
async def test_overflowing_usage_keeps_a_complete_answer(server: FakeServer) -> None:
    # json.dumps writes Infinity, which json.loads reads back as a float inf.
    usage = {"prompt_tokens": float("inf"), "completion_tokens": 10**30, "total_tokens": 9}
    server.script(Reply(text="whole answer", usage=usage, usage_mode="always_final"))
    events = await collect(client_for(server))
    result = result_from_events(events)
    assert result.content == "whole answer"
    assert result.choices[0].finish_reason == "stop"
    assert [e.usage for e in events if isinstance(e, UsageEvent)] == [Usage(None, None, 9)]


@pytest.mark.asyncio
async def test_overflowing_usage_in_a_non_streamed_answer(server: FakeServer) -> None:
    body = {
        "object": "chat.completion",
        "model": "m",
        "choices": [{"index": 0, "message": {"content": "ok"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1e308 * 10, "completion_tokens": 1},
    }
    server.script(Reply(body=json.dumps(body)))
    async with client_for(server) as client:
        result = await client.complete(request())
    assert result.content == "ok"
    assert result.usage == Usage(None, 1, None)


# --- choice index and other chunk fields ----------------------------------------------------------


@pytest.mark.asyncio
async def test_choice_index_quirks_are_coerced_or_skipped(server: FakeServer) -> None:
    body = sse(
        chunk(0, content="a"),
        chunk("1", content="b"),  # a digit string: choice 1
        chunk(1.0, content="c"),  # an integral float: choice 1
        chunk("x", content="bad1"),  # skipped
        chunk(-1, content="bad2"),
        chunk(10**20, content="bad3"),
        chunk(MAX_CHOICES, content="bad4"),
        chunk(0.5, content="bad5"),
        chunk(True, content="bad6"),
        chunk([0], content="bad7"),
        {"model": "m", "choices": ["not a dict", 5, None]},
        {"model": "m", "choices": {"index": 0}},
        chunk(0, finish="stop"),
        chunk("1", finish="stop"),
        "data: [DONE]\n\n",
    )
    server.script(stream_reply(body))
    events = await collect(client_for(server))
    for ev in events:
        if isinstance(ev, TextDelta | FinishEvent):
            assert type(ev.index) is int and 0 <= ev.index < MAX_CHOICES
    result = result_from_events(events)
    assert {i: c.content for i, c in result.choices.items()} == {0: "a", 1: "bc"}
    assert result.choices[1].finish_reason == "stop"


@pytest.mark.asyncio
async def test_strings_off_the_wire_are_short(server: FakeServer) -> None:
    huge = "m" * 100_000
    body = sse(
        {"model": huge, "choices": [{"index": 0, "delta": {"content": "hi"}}]},
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {
                        "tool_calls": [
                            {
                                "index": 10**9,
                                "id": "i" * 5000,
                                "function": {"name": "n" * 5000, "arguments": "{}"},
                            },
                            {"index": "zz", "function": {"arguments": "lost"}},
                            {"index": 1, "id": 7, "function": {"name": ["x"], "arguments": 1}},
                        ]
                    },
                }
            ]
        },
        chunk(0, finish={"nested": "object"}),
        chunk(0, finish="s" * 10_000),
        "data: [DONE]\n\n",
    )
    server.script(stream_reply(body))
    events = await collect(client_for(server))
    models = [e.model for e in events if isinstance(e, ModelEvent)]
    assert models and all(len(m) <= 256 for m in models)
    finishes = [e.reason for e in events if isinstance(e, FinishEvent)]
    assert finishes == ["s" * 64]
    calls = [e for e in events if isinstance(e, ToolCallDelta)]
    for call in calls:
        assert 0 <= call.call_index < 1024
        assert call.id is None or len(call.id) <= 256
        assert call.name is None or len(call.name) <= 256
    assert all("lost" not in c.arguments for c in calls)
    result = result_from_events(events)
    assert result.content == "hi"
    assert [tc.id for tc in result.choices[0].tool_calls] == ["i" * 256, "7"]


@pytest.mark.asyncio
async def test_deeply_nested_chunk_is_skipped_not_raised(server: FakeServer) -> None:
    deep = "data: " + "[" * 200_000 + "]" * 200_000 + "\n\n"
    body = sse(chunk(0, content="kept"), deep, chunk(0, finish="stop"), "data: [DONE]\n\n")
    server.script(stream_reply(body))
    events = await collect(client_for(server))
    assert result_from_events(events).content == "kept"


def test_error_body_with_odd_code_values() -> None:
    body = json.dumps({"error": {"message": "m", "code": 10**30, "type": {"a": 1}}})
    err = error_from_response(400, {}, body)
    assert err.code is None
    assert err.message == "m"
    deep = '{"error": ' * 50_000 + "1" + "}" * 50_000
    err = error_from_response(500, {}, deep)
    assert err.category == "server"
