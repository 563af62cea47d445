"""Servers that bend the protocol (issue 8): each is read as the server meant it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from chatdesk.api import (
    ApiError,
    ChatClient,
    ChatMessage,
    ChatRequest,
    QuotaError,
    SSEParser,
    StreamEvent,
    error_from_response,
    result_from_events,
)
from tests.fakeserver import FakeServer, Reply


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as srv:
        yield srv


def client_for(server: FakeServer, **kw: Any) -> ChatClient:
    kw.setdefault("backoff_s", 0.01)
    kw.setdefault("read_timeout", 5)
    kw.setdefault("max_retries", 0)
    return ChatClient(server.base_url, "sk-test", **kw)


def request() -> ChatRequest:
    return ChatRequest(model="gpt-4o", messages=[ChatMessage("user", "hi")])


def chunk_json(text: str | None = None, finish: str | None = None) -> str:
    delta = {} if text is None else {"content": text}
    obj = {"model": "m", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return json.dumps(obj, ensure_ascii=False)


def sse_reply(body: str) -> Reply:
    return Reply(body=body, content_type="text/event-stream")


async def run(client: ChatClient) -> list[StreamEvent]:
    async with client:
        return [ev async for ev in client.stream_chat(request())]


# --- (a) llama.cpp's "error:" line ----------------------------------------------------------------


def test_parser_reports_an_error_line_as_an_error_event() -> None:
    parser = SSEParser()
    items = parser.feed(b'data: {"a": 1}\nerror: {"code": 500, "message": "boom"}\n\n')
    assert items == [(None, '{"a": 1}'), ("error", '{"code": 500, "message": "boom"}')]


@pytest.mark.parametrize(
    ("error", "category", "message", "code"),
    [
        (
            {"code": 500, "message": "slot unavailable", "type": "server_error"},
            "server",
            "slot unavailable",
            "500",
        ),
        (
            {
                "code": 400,
                "message": "the request exceeds the available context size",
                "type": "exceed_context_size_error",
            },
            "bad_request",
            "exceeds the available context size",
            "400",
        ),
        (
            {"error": {"code": 401, "message": "Invalid API Key", "type": "authentication_error"}},
            "auth",
            "Invalid API Key",
            "401",
        ),
    ],
)
@pytest.mark.asyncio
async def test_llamacpp_error_line_in_a_stream(
    server: FakeServer, error: dict[str, Any], category: str, message: str, code: str
) -> None:
    body = f"data: {chunk_json('Hello ')}\n\nerror: {json.dumps(error)}\n\n"
    server.script(sse_reply(body))
    with pytest.raises(ApiError) as info:
        await run(client_for(server))
    err = info.value
    assert err.category == category
    assert message in err.message
    assert "not an event stream" not in err.message
    assert err.partial is not None and err.partial.content == "Hello "
    # The status is the one received (the stream's 200); the error's own code beside it.
    assert err.http_status == 200
    assert err.code == code
    assert err.to_json()["http_status"] == 200 and err.to_json()["code"] == code
    assert f"(HTTP 200, error code {code})" in str(err)


# --- (b) new-api / one-api quota as HTTP 403 ------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("预扣费额度失败, 用户剩余额度: ¥0.010000, 需要预扣费额度: ¥0.100000", "new_api_error"),
        ("用户额度不足, 剩余额度为: $0.000000", None),
        ("令牌额度已用尽", None),
        ("账户余额不足", None),
        ("token quota is not enough, token remain quota: $0.1", "pre_consume_token_quota_failed"),
        ("request refused", "insufficient_user_quota"),
        ("pre-consume failed", "pre_consume_token_quota_failed"),
    ],
)
@pytest.mark.asyncio
async def test_relay_403_out_of_quota_is_quota(
    server: FakeServer, message: str, code: str | None
) -> None:
    server.script(Reply.error(403, message, code=code, type="new_api_error"))
    with pytest.raises(QuotaError) as info:
        await run(client_for(server))
    assert info.value.category == "quota"
    assert info.value.http_status == 403
    assert info.value.message == message


def test_a_real_permission_403_stays_permission() -> None:
    body = json.dumps({"error": {"message": "该令牌无权使用模型：gpt-4o", "code": None}})
    assert error_from_response(403, {}, body).category == "permission"
    body = json.dumps({"error": {"message": "You are not allowed to use this model"}})
    assert error_from_response(403, {}, body).category == "permission"


def test_quota_code_inside_a_200_stream() -> None:
    body = json.dumps({"error": {"message": "x", "code": "insufficient_user_quota"}})
    assert error_from_response(None, None, body).category == "quota"


# --- (c) two data frames separated by a single newline --------------------------------------------


@pytest.mark.asyncio
async def test_two_frames_on_consecutive_lines_are_both_kept(server: FakeServer) -> None:
    body = (
        f"data: {chunk_json('Hello ')}\n"
        f"data: {chunk_json('world')}\n\n"
        f"data: {chunk_json(', again')}\n"
        f"data: {chunk_json(None, 'stop')}\n"
        "data: [DONE]\n\n"
    )
    server.script(sse_reply(body))
    result = result_from_events(await run(client_for(server)))
    assert result.content == "Hello world, again"
    assert result.choices[0].finish_reason == "stop"


@pytest.mark.asyncio
async def test_json_spread_over_data_lines_is_still_one_chunk(server: FakeServer) -> None:
    pretty = json.dumps(json.loads(chunk_json("multi")), indent=1).split("\n")
    body = "".join(f"data: {line}\n" for line in pretty) + "\n"
    body += f"data: {chunk_json(None, 'stop')}\n\ndata: [DONE]\n\n"
    server.script(sse_reply(body))
    assert result_from_events(await run(client_for(server))).content == "multi"


@pytest.mark.asyncio
async def test_a_half_broken_pair_is_not_guessed(server: FakeServer) -> None:
    body = (
        f"data: {chunk_json('ok')}\n\n"
        f"data: {chunk_json('x')}\ndata: {{broken\n\n"
        f"data: {chunk_json(None, 'stop')}\n\ndata: [DONE]\n\n"
    )
    server.script(sse_reply(body))
    assert result_from_events(await run(client_for(server))).content == "ok"
