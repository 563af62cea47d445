"""A key echoed inside a tool call (its id, name or arguments) is scrubbed (issue 16).

The tool call would otherwise be shown, stored, exported and passed to the tool with
the key in it. Against the fake server, which streams the call's arguments in pieces
(so the echo is cut across chunks), and answered whole (not streamed).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from chatdesk.api import ChatClient, ChatMessage, ChatRequest
from chatdesk.api.types import ChatAccumulator, ChatResult
from tests.fakeserver import FakeServer, Reply

KEY = "sk-proj-Q7fZx2LmN9pR4tVw8YbKc3Hd"


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as srv:
        yield srv


def echoing_call(echo: str) -> Reply:
    arguments = json.dumps(
        {"token": echo, "note": "keep this", "masked": KEY[:6] + "**" + KEY[-4:]}
    )
    call = {"id": f"call_{echo}", "name": f"lookup_{KEY[3:17]}", "arguments": arguments}
    return Reply(text="", tool_calls=[call], finish_reason="tool_calls", chunk_chars=3)


def assert_scrubbed(result: ChatResult, seen: str) -> None:
    (call,) = result.choice(0).tool_calls
    # the whole key, or a token holding part of it whole (chatdesk.api.redact.redact)
    assert call.id in ("call_sk-***", "sk-***")
    assert call.name == "sk-***"
    assert json.loads(call.arguments) == {
        "token": "sk-***",
        "note": "keep this",
        "masked": "sk-***",
    }
    for part in (KEY, KEY.lower(), KEY[3:17], KEY[-16:]):
        assert part not in seen and part.lower() not in seen.lower()


@pytest.mark.asyncio
@pytest.mark.parametrize("echo", [KEY, KEY.upper(), KEY[:20]])
async def test_a_key_echoed_in_a_streamed_tool_call_is_redacted(
    server: FakeServer, echo: str
) -> None:
    server.script(echoing_call(echo))
    acc = ChatAccumulator()
    events: list[object] = []
    async with ChatClient(server.base_url, KEY, read_timeout=5, max_retries=0) as client:
        req = ChatRequest(model="m", messages=[ChatMessage("user", "hi")])
        async for ev in client.stream_chat(req):
            events.append(ev)
            acc.feed(ev)
    pieces = [ev for ev in events if type(ev).__name__ == "ToolCallDelta"]
    assert len(pieces) > 3  # the arguments came in pieces: the echo was cut across them
    assert_scrubbed(acc.result, repr(events))


@pytest.mark.asyncio
async def test_a_key_echoed_in_a_whole_tool_call_is_redacted(server: FakeServer) -> None:
    server.script(echoing_call(KEY))
    async with ChatClient(server.base_url, KEY, read_timeout=5, max_retries=0) as client:
        req = ChatRequest(model="m", messages=[ChatMessage("user", "hi")], stream=False)
        result = await client.complete(req)
    assert_scrubbed(result, repr(result))
