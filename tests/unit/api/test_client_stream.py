"""ChatClient against the real fake server: streams, quirks, n>1, tools, usage, complete()."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from chatdesk.api import (
    ChatClient,
    ChatMessage,
    ChatRequest,
    FinishEvent,
    ModelEvent,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    UsageEvent,
    result_from_events,
)
from tests.fakeserver import DEFAULT_TEXT, QUIRKS, FakeServer, Reply, markdown_reply

TEXT = "Hello 世界! Emoji 🙂🚀 and ünïcödé, long enough to cross chunk borders."


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as srv:
        yield srv


def client_for(server: FakeServer, **kw: Any) -> ChatClient:
    kw.setdefault("backoff_s", 0.01)
    kw.setdefault("read_timeout", 5)
    return ChatClient(server.base_url, "sk-test", **kw)


def request(**kw: Any) -> ChatRequest:
    kw.setdefault("model", "gpt-4o")
    kw.setdefault("messages", [ChatMessage("user", "Say hello")])
    return ChatRequest(**kw)


async def collect(client: ChatClient, req: ChatRequest | None = None) -> list[StreamEvent]:
    return [ev async for ev in client.stream_chat(req or request())]


@pytest.mark.asyncio
async def test_plain_stream(server: FakeServer) -> None:
    async with client_for(server) as client:
        events = await collect(client)
    assert events[0] == ModelEvent("gpt-4o")
    texts = [e.text for e in events if isinstance(e, TextDelta)]
    assert "".join(texts) == DEFAULT_TEXT
    assert all(texts)  # empty strings are skipped (the role-only first chunk)
    assert events[-2] == FinishEvent(0, "stop")
    assert isinstance(events[-1], UsageEvent)
    assert (
        events[-1].usage.total_tokens
        == events[-1].usage.prompt_tokens + events[-1].usage.completion_tokens
    )
    sent = server.chat_requests[0]
    assert sent.json["stream"] is True
    assert sent.json["stream_options"] == {"include_usage": True}
    assert sent.headers["authorization"] == "Bearer sk-test"
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["user-agent"].startswith("ChatDesk/")


@pytest.mark.asyncio
async def test_stream_chat_forces_stream_true(server: FakeServer) -> None:
    async with client_for(server) as client:
        await collect(client, request(stream=False))
    assert server.chat_requests[0].json["stream"] is True


@pytest.mark.parametrize("quirk", sorted(QUIRKS - {"bare_error"}))
@pytest.mark.asyncio
async def test_each_quirk(server: FakeServer, quirk: str) -> None:
    server.script(Reply(text=TEXT, reasoning="想一想 🤔", quirks={quirk}, chunk_chars=3))
    async with client_for(server) as client:
        events = await collect(client)
    result = result_from_events(events)
    assert result.content == TEXT
    assert result.choices[0].reasoning == "想一想 🤔"
    assert result.choices[0].finish_reason == "stop"
    assert result.usage is not None
    assert sum(isinstance(e, UsageEvent) for e in events) == 1


@pytest.mark.asyncio
async def test_all_quirks_at_once(server: FakeServer) -> None:
    quirks = set(QUIRKS) - {"glued", "bare_error", "glued_line"}
    server.script(Reply(text=TEXT, quirks=quirks, chunk_chars=2, n=2))
    async with client_for(server) as client:
        result = result_from_events(await collect(client))
    assert result.choices[0].content == TEXT
    assert result.choices[1].content == f"{TEXT} [1]"


@pytest.mark.asyncio
async def test_n_choices_interleaved(server: FakeServer) -> None:
    async with client_for(server) as client:
        events = await collect(client, request(n=3))
    indices = [e.index for e in events if isinstance(e, TextDelta)]
    assert indices[:3] == [0, 1, 2]  # round-robin
    result = result_from_events(events)
    assert [result.choices[i].content for i in range(3)] == [
        DEFAULT_TEXT,
        f"{DEFAULT_TEXT} [1]",
        f"{DEFAULT_TEXT} [2]",
    ]
    assert [e for e in events if isinstance(e, FinishEvent)] == [
        FinishEvent(0, "stop"),
        FinishEvent(1, "stop"),
        FinishEvent(2, "stop"),
    ]
    assert server.chat_requests[0].json["n"] == 3


@pytest.mark.asyncio
async def test_tool_calls_are_assembled(server: FakeServer) -> None:
    calls = [
        {
            "id": "call_a",
            "name": "get_weather",
            "arguments": json.dumps({"city": "Paris", "unit": "c"}),
        },
        {"id": "call_b", "name": "get_time", "arguments": json.dumps({"tz": "Asia/Shanghai"})},
    ]
    server.script(Reply(text="", tool_calls=calls, finish_reason="tool_calls"))
    async with client_for(server) as client:
        events = await collect(client)
    fragments = [e for e in events if isinstance(e, ToolCallDelta)]
    assert len(fragments) > 4
    assert fragments[0].id == "call_a" and fragments[0].name == "get_weather"
    result = result_from_events(events)
    choice = result.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.content == ""
    assert [(c.id, c.name, json.loads(c.arguments)) for c in choice.tool_calls] == [
        ("call_a", "get_weather", {"city": "Paris", "unit": "c"}),
        ("call_b", "get_time", {"tz": "Asia/Shanghai"}),
    ]


@pytest.mark.asyncio
async def test_reasoning_comes_before_text(server: FakeServer) -> None:
    server.script(Reply(text="Answer.", reasoning="Let me think about it."))
    async with client_for(server) as client:
        events = await collect(client, request(model="deepseek-reasoner"))
    kinds = [type(e) for e in events if isinstance(e, ReasoningDelta | TextDelta)]
    assert kinds.index(TextDelta) > kinds.index(ReasoningDelta)
    assert ReasoningDelta not in kinds[kinds.index(TextDelta) :]
    result = result_from_events(events)
    assert result.choices[0].reasoning == "Let me think about it."
    assert result.content == "Answer."


@pytest.mark.asyncio
async def test_reasoning_field_named_reasoning(server: FakeServer) -> None:
    body = (
        'data: {"model":"r1","choices":[{"index":0,"delta":{"reasoning":"hmm"}}]}\n\n'
        'data: {"choices":[{"index":0,"delta":{"content":"ok"},"finish_reason":"stop"}]}\n\n'
        "data: [DONE]\n\n"
    )
    server.script(Reply(body=body, content_type="text/event-stream"))
    async with client_for(server) as client:
        result = result_from_events(await collect(client))
    assert (result.model, result.choices[0].reasoning, result.content) == ("r1", "hmm", "ok")


@pytest.mark.parametrize(
    "mode", ["final_chunk", "in_choice", "x_groq", "top_level_every_chunk", "always_final"]
)
@pytest.mark.asyncio
async def test_usage_from_every_place(server: FakeServer, mode: str) -> None:
    usage = {"prompt_tokens": 11, "completion_tokens": 22, "total_tokens": 33}
    server.script(Reply(usage=usage, usage_mode=mode))
    async with client_for(server) as client:
        events = await collect(client)
    usage_events = [e for e in events if isinstance(e, UsageEvent)]
    assert len(usage_events) == 1
    assert events[-1] is usage_events[0]  # emitted once, last
    assert usage_events[0].usage.to_dict() == usage


@pytest.mark.asyncio
async def test_no_usage(server: FakeServer) -> None:
    server.script(Reply(usage_mode="never"))
    async with client_for(server) as client:
        events = await collect(client)
    assert not any(isinstance(e, UsageEvent) for e in events)
    assert result_from_events(events).usage is None


@pytest.mark.asyncio
async def test_include_usage_off(server: FakeServer) -> None:
    async with client_for(server, include_usage=False) as client:
        events = await collect(client)
    assert "stream_options" not in server.chat_requests[0].json
    assert not any(isinstance(e, UsageEvent) for e in events)


@pytest.mark.asyncio
async def test_stream_options_rejected_then_retried_once_and_remembered(server: FakeServer) -> None:
    server.script(Reply(reject_stream_options=True), Reply(text="second"), Reply(text="third"))
    async with client_for(server) as client:
        first = result_from_events(await collect(client))
        assert client.include_usage is False
        second = result_from_events(await collect(client))
    assert (first.content, second.content) == ("second", "third")
    bodies = [r.json for r in server.chat_requests]
    assert len(bodies) == 3
    assert "stream_options" in bodies[0]
    assert "stream_options" not in bodies[1]
    assert "stream_options" not in bodies[2]


@pytest.mark.asyncio
async def test_model_event_reports_the_answering_model(server: FakeServer) -> None:
    server.script(Reply(model="gpt-4o-2024-08-06"))
    async with client_for(server) as client:
        events = await collect(client)
    assert [e for e in events if isinstance(e, ModelEvent)] == [ModelEvent("gpt-4o-2024-08-06")]


@pytest.mark.asyncio
async def test_server_ignoring_stream_true_is_converted(server: FakeServer) -> None:
    server.script(Reply(text="Whole answer.", reasoning="r", force_json=True))
    async with client_for(server) as client:
        events = await collect(client)
    assert events[0] == ModelEvent("gpt-4o")
    result = result_from_events(events)
    assert (result.content, result.choices[0].reasoning) == ("Whole answer.", "r")
    assert result.choices[0].finish_reason == "stop"
    assert isinstance(events[-1], UsageEvent)


@pytest.mark.asyncio
async def test_missing_done_after_finish_is_fine(server: FakeServer) -> None:
    server.script(Reply(quirks={"no_done", "close_delimited"}))
    async with client_for(server) as client:
        result = result_from_events(await collect(client))
    assert result.content == DEFAULT_TEXT


@pytest.mark.asyncio
async def test_done_without_finish_reason_is_fine(server: FakeServer) -> None:
    body = 'data: {"choices":[{"index":0,"delta":{"content":"hi"}}]}\n\ndata: [DONE]\n\n'
    server.script(Reply(body=body, content_type="text/event-stream"))
    async with client_for(server) as client:
        assert result_from_events(await collect(client)).content == "hi"


@pytest.mark.asyncio
async def test_early_break_then_reuse(server: FakeServer) -> None:
    server.script(Reply(text="x" * 400, chunk_chars=1, delay_s=0.001))
    async with client_for(server) as client:
        stream = client.stream_chat(request())
        async for ev in stream:
            if isinstance(ev, TextDelta):
                break
        await stream.aclose()  # type: ignore[attr-defined]
        again = result_from_events(await collect(client))
    assert again.content == DEFAULT_TEXT


@pytest.mark.asyncio
async def test_keep_alive_connection_reused(server: FakeServer) -> None:
    async with client_for(server) as client:
        for _ in range(3):
            await collect(client)
    assert len(server.chat_requests) == 3


# --- complete() ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_complete_non_streamed(server: FakeServer) -> None:
    calls = [{"id": "call_1", "name": "lookup", "arguments": '{"q": "x"}'}]
    usage = {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}
    server.script(
        Reply(
            text="Full text.",
            reasoning="why",
            tool_calls=calls,
            finish_reason="tool_calls",
            usage=usage,
            model="gpt-4o-2024-11-20",
        )
    )
    async with client_for(server) as client:
        result = await client.complete(request(stream=True, temperature=0.3))
    sent = server.chat_requests[0].json
    assert sent["stream"] is False and "stream_options" not in sent and sent["temperature"] == 0.3
    assert result.model == "gpt-4o-2024-11-20"
    choice = result.choices[0]
    assert (choice.content, choice.reasoning, choice.finish_reason) == (
        "Full text.",
        "why",
        "tool_calls",
    )
    assert [(c.id, c.name, c.arguments) for c in choice.tool_calls] == [
        ("call_1", "lookup", '{"q": "x"}')
    ]
    assert result.usage is not None and result.usage.to_dict() == usage


@pytest.mark.asyncio
async def test_complete_n_and_x_groq_usage(server: FakeServer) -> None:
    server.script(Reply(text="a", n=2, usage_mode="x_groq"))
    async with client_for(server) as client:
        result = await client.complete(request())
    assert [result.choices[i].content for i in (0, 1)] == ["a", "a [1]"]
    assert result.usage is not None


@pytest.mark.asyncio
async def test_complete_when_server_streams_anyway(server: FakeServer) -> None:
    server.script(Reply(text=TEXT, force_stream=True, usage_mode="always_final"))
    async with client_for(server) as client:
        result = await client.complete(request())
    assert result.content == TEXT
    assert result.usage is not None


# --- list_models() ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_list_models(server: FakeServer) -> None:
    async with client_for(server) as client:
        models = await client.list_models()
    assert models[0] == {"id": "gpt-4o", "owned_by": "openai"}
    assert [m["id"] for m in models] == [m["id"] for m in server.models]
    assert server.requests[-1].method == "GET" and server.requests[-1].path == "/v1/models"


@pytest.mark.asyncio
async def test_list_models_bare_list_and_strings(server: FakeServer) -> None:
    server.models_reply = Reply(
        body=json.dumps([{"id": "a"}, "b", {"id": "a"}, {"name": "c", "owned_by": "me"}])
    )
    async with client_for(server) as client:
        assert await client.list_models() == [
            {"id": "a", "owned_by": ""},
            {"id": "b", "owned_by": ""},
            {"id": "c", "owned_by": "me"},
        ]


@pytest.mark.asyncio
async def test_base_url_pasted_with_endpoint(server: FakeServer) -> None:
    async with ChatClient(server.base_url + "/chat/completions", None) as client:
        assert client.base_url == server.base_url
        assert (await client.complete(request())).content == DEFAULT_TEXT
    assert "authorization" not in server.chat_requests[0].headers


@pytest.mark.asyncio
async def test_bulk_and_markdown_payloads(server: FakeServer) -> None:
    md = markdown_reply(500)
    assert 1900 <= len(md) <= 2600
    assert "```python" in md and "| model |" in md and "## " in md
    server.script(Reply.bulk(1000, "ab"), Reply(text=md, chunk_chars=16))
    async with client_for(server) as client:
        bulk = result_from_events(await collect(client))
        streamed = result_from_events(await collect(client))
    assert bulk.content == "ab" * 1000 and bulk.usage is not None
    assert streamed.content == md
