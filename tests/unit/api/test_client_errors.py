"""Error mapping, retries, partial results, network failures (real sockets, no mocks)."""

from __future__ import annotations

import email.utils
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from chatdesk.api import (
    ApiError,
    AuthError,
    BadRequestError,
    ChatClient,
    ChatMessage,
    ChatRequest,
    ContentFilterError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    QuotaError,
    RateLimitError,
    ServerError,
    StreamEvent,
    TextDelta,
    ValidationError,
    error_from_response,
    retry_after_from_headers,
    retry_after_from_message,
)
from tests.fakeserver import FakeServer, Reply

KEY = "sk-secret-1234567890abcdef"
TEXT = "The quick brown fox jumps over the lazy dog. 你好世界。"


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as srv:
        yield srv


def client_for(server: FakeServer, **kw: Any) -> ChatClient:
    kw.setdefault("backoff_s", 0.01)
    kw.setdefault("read_timeout", 5)
    return ChatClient(server.base_url, kw.pop("key", KEY), **kw)


def request(**kw: Any) -> ChatRequest:
    kw.setdefault("model", "gpt-4o")
    kw.setdefault("messages", [ChatMessage("user", "hi")])
    return ChatRequest(**kw)


async def stream_error(
    client: ChatClient, req: ChatRequest | None = None
) -> tuple[ApiError, list[StreamEvent]]:
    events: list[StreamEvent] = []
    with pytest.raises(ApiError) as info:
        async for ev in client.stream_chat(req or request()):
            events.append(ev)
    return info.value, events


def assert_no_key(err: ApiError) -> None:
    for text in (str(err), repr(err), err.message, err.body or "", json.dumps(err.to_json())):
        assert KEY not in text


# --- HTTP status errors -------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_401_wrong_key() -> None:
    with FakeServer(api_key="sk-right") as srv:
        async with client_for(srv) as client:
            err, _ = await stream_error(client)
        assert len(srv.chat_requests) == 1  # never retried
    assert isinstance(err, AuthError) and err.category == "auth"
    assert err.http_status == 401 and err.code == "invalid_api_key"
    assert "Incorrect API key" in err.message
    assert err.body and "invalid_api_key" in err.body
    assert_no_key(err)


@pytest.mark.asyncio
async def test_key_echoed_by_server_is_redacted(server: FakeServer) -> None:
    server.script(Reply.error(401, f"Incorrect API key provided: {KEY}", code="invalid_api_key"))
    async with client_for(server) as client:
        err, _ = await stream_error(client)
    assert isinstance(err, AuthError)
    assert "sk-***" in err.message
    assert_no_key(err)


CASES: list[tuple[Reply, type[ApiError], int]] = [
    (Reply.error(403, "You are not allowed to use this model"), PermissionDeniedError, 1),
    (Reply.error(403, "该令牌额度已用尽 (余额不足)"), QuotaError, 1),
    (
        Reply.error(404, "The model `gpt-9` does not exist", code="model_not_found"),
        NotFoundError,
        1,
    ),
    (
        Reply.error(400, "The model `gpt-9` does not exist", code="model_not_found"),
        NotFoundError,
        1,
    ),
    (
        Reply.error(503, "No available channel for model gpt-9", code="model_not_found"),
        NotFoundError,
        1,
    ),
    (Reply.quota(429), QuotaError, 1),
    (Reply.quota(402, "Insufficient balance", code=None), QuotaError, 1),
    (Reply.error(400, "max_tokens is too large", code="invalid_value"), BadRequestError, 1),
    (Reply.error(422, "Unprocessable"), BadRequestError, 1),
    (
        Reply.error(
            400, "Your request was rejected by the safety system", code="content_policy_violation"
        ),
        ContentFilterError,
        1,
    ),
    (Reply.error(400, "filtered", code="content_filter"), ContentFilterError, 1),
    (Reply.error(500, "The server had an error"), ServerError, 3),
    (Reply.error(502, "Bad gateway"), ServerError, 3),
    (Reply.html(200), ProtocolError, 1),
    (Reply.html(405, "405 Not Allowed"), ProtocolError, 1),
    (Reply.html(502, "502 Bad Gateway"), ServerError, 3),
    (Reply(status=401, body="Unauthorized", content_type="text/plain"), AuthError, 1),
    (Reply(status=418, body="I'm a teapot", content_type="text/plain"), BadRequestError, 1),
]


@pytest.mark.parametrize(
    ("reply", "cls", "requests"), CASES, ids=[f"{c[1].__name__}-{i}" for i, c in enumerate(CASES)]
)
@pytest.mark.asyncio
async def test_error_categories(
    server: FakeServer, reply: Reply, cls: type[ApiError], requests: int
) -> None:
    server.script(*[reply] * requests, Reply(text="must not be reached"))
    async with client_for(server) as client:
        err, events = await stream_error(client)
    assert type(err) is cls, (err, err.message)
    assert events == []
    assert len(server.chat_requests) == requests
    assert err.message
    assert_no_key(err)
    if reply.body and reply.content_type is None:
        assert err.body == reply.body


@pytest.mark.asyncio
async def test_html_page_says_check_base_url(server: FakeServer) -> None:
    server.script(Reply.html(200, title="New API"))
    async with client_for(server) as client:
        err, _ = await stream_error(client)
    assert isinstance(err, ProtocolError)
    assert "HTML" in err.message and "base URL" in err.message and "New API" in err.message
    assert err.body and err.body.startswith("<!doctype html>")


@pytest.mark.asyncio
async def test_html_body_with_wrong_content_type(server: FakeServer) -> None:
    server.script(
        Reply(body="  <html><body>dashboard</body></html>", content_type="text/event-stream")
    )
    async with client_for(server) as client:
        err, _ = await stream_error(client)
    assert isinstance(err, ProtocolError) and "HTML" in err.message


@pytest.mark.asyncio
async def test_500_retried_then_succeeds(server: FakeServer) -> None:
    server.script(Reply.error(500, "boom"), Reply.error(503, "overloaded"), Reply(text="ok"))
    async with client_for(server) as client:
        events = [ev async for ev in client.stream_chat(request())]
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == "ok"
    assert len(server.chat_requests) == 3


@pytest.mark.asyncio
async def test_no_retries_when_disabled(server: FakeServer) -> None:
    server.script(Reply.error(500, "boom"), Reply(text="ok"))
    async with client_for(server, max_retries=0) as client:
        err, _ = await stream_error(client)
    assert isinstance(err, ServerError) and len(server.chat_requests) == 1


@pytest.mark.asyncio
async def test_429_short_retry_after_is_waited_and_retried(server: FakeServer) -> None:
    server.script(Reply.rate_limited(retry_after=0.2), Reply(text="after wait"))
    async with client_for(server) as client:
        start = time.monotonic()
        result = await client.complete(request())
        elapsed = time.monotonic() - start
    assert result.content == "after wait"
    assert len(server.chat_requests) == 2
    assert elapsed >= 0.18


@pytest.mark.asyncio
async def test_429_long_retry_after_raises_at_once(server: FakeServer) -> None:
    server.script(Reply.rate_limited(retry_after=30), Reply(text="never"))
    async with client_for(server, retry_cap_s=10) as client:
        start = time.monotonic()
        err, _ = await stream_error(client)
    assert time.monotonic() - start < 2
    assert isinstance(err, RateLimitError) and err.retry_after_s == 30
    assert len(server.chat_requests) == 1
    assert "Retry in 30 s" in err.explain()


@pytest.mark.asyncio
async def test_429_retry_hint_in_message_only(server: FakeServer) -> None:
    server.script(
        Reply.rate_limited(retry_after=None, message="Rate limit reached. Please try again in 20s.")
    )
    async with client_for(server) as client:
        err, _ = await stream_error(client)
    assert isinstance(err, RateLimitError) and err.retry_after_s == 20
    assert len(server.chat_requests) == 1


@pytest.mark.asyncio
async def test_429_without_any_hint_is_not_retried(server: FakeServer) -> None:
    server.script(Reply.rate_limited(retry_after=None), Reply(text="never"))
    async with client_for(server) as client:
        err, _ = await stream_error(client)
    assert isinstance(err, RateLimitError) and err.retry_after_s is None
    assert len(server.chat_requests) == 1


@pytest.mark.asyncio
async def test_list_models_errors_are_mapped(server: FakeServer) -> None:
    async with client_for(server) as client:
        server.models_reply = Reply.error(401, "bad key", code="invalid_api_key")
        with pytest.raises(AuthError):
            await client.list_models()
        server.models_reply = Reply.html(200)
        with pytest.raises(ProtocolError, match="HTML"):
            await client.list_models()
        server.models_reply = Reply(body="not json", content_type="text/plain")
        with pytest.raises(ProtocolError, match="not JSON"):
            await client.list_models()
        server.models_reply = Reply(body='{"object": "list"}')
        with pytest.raises(ProtocolError, match="data"):
            await client.list_models()


@pytest.mark.asyncio
async def test_complete_error_mapping(server: FakeServer) -> None:
    server.script(Reply.quota(402, "Insufficient balance", code=None))
    async with client_for(server) as client:
        with pytest.raises(QuotaError):
            await client.complete(request())


# --- errors inside a 200 stream, drops, timeouts ----------------------------------------


@pytest.mark.parametrize("form", ["data", "event", "bare"])
@pytest.mark.asyncio
async def test_error_inside_stream_keeps_partial(server: FakeServer, form: str) -> None:
    reply = Reply.stream_error(
        12, "upstream overloaded", code="server_error", event=form == "event", text=TEXT
    )
    if form == "bare":
        reply.quirks = {"bare_error"}
    server.script(reply, Reply(text="not retried"))
    async with client_for(server) as client:
        err, events = await stream_error(client)
    assert isinstance(err, ServerError)
    assert err.message == "upstream overloaded"
    streamed = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert len(streamed) >= 12 and TEXT.startswith(streamed)
    assert err.partial is not None and err.partial.content == streamed
    assert err.partial.model == "gpt-4o"
    assert len(server.chat_requests) == 1


@pytest.mark.asyncio
async def test_quota_error_inside_stream_in_chinese(server: FakeServer) -> None:
    server.script(
        Reply.stream_error(8, "用户余额不足，请充值", code=None, type="new_api_error", text=TEXT)
    )
    async with client_for(server) as client:
        err, _ = await stream_error(client)
    assert isinstance(err, QuotaError)
    assert err.partial is not None and TEXT.startswith(err.partial.content) and err.partial.content
    assert "余额" in err.explain("zh")


@pytest.mark.asyncio
async def test_rate_limit_inside_stream(server: FakeServer) -> None:
    server.script(Reply.stream_error(4, "请 5 秒后重试", code="rate_limit_exceeded", type="x"))
    async with client_for(server) as client:
        err, _ = await stream_error(client)
    assert isinstance(err, RateLimitError) and err.retry_after_s == 5


@pytest.mark.parametrize("framing", ["chunked", "close_delimited"])
@pytest.mark.asyncio
async def test_drop_mid_stream_keeps_partial(server: FakeServer, framing: str) -> None:
    quirks = {"close_delimited"} if framing == "close_delimited" else set()
    server.script(Reply(text=TEXT, drop_after_chars=20, quirks=quirks), Reply(text="not retried"))
    async with client_for(server) as client:
        err, events = await stream_error(client)
    assert isinstance(err, NetworkError)
    streamed = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert 0 < len(streamed) <= 20 and TEXT.startswith(streamed)
    assert err.partial is not None and err.partial.content == streamed
    assert err.partial.choices[0].finish_reason is None
    assert len(server.chat_requests) == 1
    if framing == "close_delimited":
        assert "closed before the answer finished" in err.message
    else:
        assert "closed the connection" in err.message


@pytest.mark.asyncio
async def test_read_timeout_between_events_keeps_partial(server: FakeServer) -> None:
    server.script(
        Reply(text=TEXT, chunk_chars=8, pause_after_chars=8, pause_s=1.0), Reply(text="not retried")
    )
    async with client_for(server, read_timeout=0.3) as client:
        start = time.monotonic()
        err, events = await stream_error(client)
        elapsed = time.monotonic() - start
    assert isinstance(err, NetworkError)
    assert "timed out after 0.3 s" in err.message
    assert err.partial is not None and err.partial.content == TEXT[:8]
    # (the end may come as its own piece: text held back in case it was the key's start)
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == TEXT[:8]
    assert elapsed < 3
    assert len(server.chat_requests) == 1  # data had arrived: never retried


@pytest.mark.asyncio
async def test_timeout_before_first_byte_is_retried(server: FakeServer) -> None:
    server.script(Reply(first_delay_s=1.0), Reply(text="second try"))
    async with client_for(server, read_timeout=0.3) as client:
        result = await client.complete(request())
    assert result.content == "second try"
    assert len(server.chat_requests) == 2


@pytest.mark.asyncio
async def test_connection_refused() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens on this port now
    async with ChatClient(
        f"http://127.0.0.1:{port}/v1", KEY, backoff_s=0.01, max_retries=1
    ) as client:
        err, _ = await stream_error(client)
        assert isinstance(err, NetworkError)
        assert err.message.startswith("connection refused")
        assert f"127.0.0.1:{port}" in err.message
        assert err.partial is None
        assert_no_key(err)
        with pytest.raises(NetworkError, match="connection refused"):
            await client.list_models()


@pytest.mark.asyncio
async def test_garbage_and_empty_200_bodies(server: FakeServer) -> None:
    server.script(
        Reply(body="Bad things happened\nreally", content_type="text/plain"),
        Reply(body="", content_type="text/event-stream"),
        Reply(body="data: {not json\n\ndata: [DONE]\n\n", content_type="text/event-stream"),
        Reply(body='{"object": "list"}'),
    )
    async with client_for(server) as client:
        for expected in (
            "not an event stream",
            "empty answer",
            "could not be parsed",
            "no choices",
        ):
            err, _ = await stream_error(client)
            assert isinstance(err, ProtocolError), err
            assert expected in err.message


@pytest.mark.asyncio
async def test_json_error_body_with_200(server: FakeServer) -> None:
    server.script(
        Reply(
            body=json.dumps(
                {"error": {"message": "Insufficient balance", "code": "insufficient_balance"}}
            )
        )
    )
    async with client_for(server) as client:
        err, _ = await stream_error(client)
    assert isinstance(err, QuotaError)


@pytest.mark.asyncio
async def test_validation_happens_before_sending(server: FakeServer) -> None:
    async with client_for(server) as client:
        with pytest.raises(ValidationError):
            async for _ in client.stream_chat(request(temperature=9)):
                pass
        with pytest.raises(ValidationError):
            await client.complete(request(model=""))
    assert server.requests == []


def test_bad_api_key_and_proxy_are_validation_errors() -> None:
    with pytest.raises(ValidationError) as info:
        ChatClient("https://x.test/v1", "sk-abc\u200bdef")
    assert info.value.field == "api_key" and "sk-abc" not in str(info.value)
    with pytest.raises(ValidationError):
        ChatClient("https://x.test/v1", "sk-abc def")
    with pytest.raises(ValidationError):
        ChatClient("not a url", "sk")


# --- pure mapping functions ------------------------------------------------------------------


def err_body(message: str, code: str | None = None, type_: str | None = None) -> str:
    return json.dumps({"error": {"message": message, "code": code, "type": type_}})


MAPPING = [
    (401, err_body("bad key"), AuthError),
    (403, err_body("forbidden"), PermissionDeniedError),
    (403, err_body("quota exceeded for this month"), QuotaError),
    (404, "404 page not found", NotFoundError),
    (429, err_body("slow down"), RateLimitError),
    (429, err_body("x", "insufficient_quota"), QuotaError),
    (200, err_body("You have no credit left"), QuotaError),
    (400, err_body("bad"), BadRequestError),
    (400, err_body("x", "content_filter"), ContentFilterError),
    (500, "Internal Server Error", ServerError),
    (504, "<html><title>504 Gateway Time-out</title></html>", ServerError),
    (200, "<!DOCTYPE html><html></html>", ProtocolError),
    (200, "garbage", ProtocolError),
    (None, err_body("boom"), ServerError),
    (None, err_body("x", type_="authentication_error"), AuthError),
    (None, json.dumps({"error": {"message": "x", "code": 429}}), RateLimitError),
    (None, json.dumps({"detail": "Not Found"}), ServerError),
    (None, "plain text error", ServerError),
    (
        400,
        json.dumps({"detail": [{"loc": ["body", "model"], "msg": "field required"}]}),
        BadRequestError,
    ),
    (400, json.dumps({"error": "string error"}), BadRequestError),
    (
        400,
        json.dumps(
            [{"error": {"code": 400, "message": "list shaped", "status": "INVALID_ARGUMENT"}}]
        ),
        BadRequestError,
    ),
]


@pytest.mark.parametrize(("status", "body", "cls"), MAPPING)
def test_error_from_response_mapping(status: int | None, body: str, cls: type[ApiError]) -> None:
    err = error_from_response(
        status, {"content-type": "text/html" if body.startswith("<") else "application/json"}, body
    )
    assert type(err) is cls, (err.category, err.message)
    assert err.message


def test_message_and_body_kept_and_trimmed() -> None:
    body = err_body("real message " + "x" * 5000, "some_code")
    err = error_from_response(400, {}, body)
    assert err.message.startswith("real message")
    assert err.code == "some_code"
    assert err.body is not None and 2000 <= len(err.body) <= 2100
    assert err.http_status == 400


def test_openrouter_metadata_raw_is_shown() -> None:
    body = json.dumps(
        {
            "error": {
                "message": "Provider returned error",
                "code": 502,
                "metadata": {"raw": "upstream boom"},
            }
        }
    )
    err = error_from_response(502, {}, body)
    assert isinstance(err, ServerError) and "upstream boom" in err.message


def test_secret_is_redacted_in_mapping() -> None:
    err = error_from_response(401, {}, err_body(f"bad key {KEY}"), secret=KEY)
    assert_no_key(err)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_headers(headers: dict[str, str], expected: float | None) -> None:
    lowered = {k.lower(): v for k, v in headers.items()}
    assert retry_after_from_headers(lowered) == expected


def test_retry_after_http_date() -> None:
    date = email.utils.formatdate(time.time() + 30, usegmt=True)
    value = retry_after_from_headers({"retry-after": date})
    assert value is not None and 27 <= value <= 31
    past = email.utils.formatdate(time.time() - 30, usegmt=True)
    assert retry_after_from_headers({"retry-after": past}) == 0
    err = error_from_response(429, {"Retry-After": date}, err_body("slow"))
    assert (
        isinstance(err, RateLimitError) and err.retry_after_s is not None and err.retry_after_s > 25
    )


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Rate limit reached. Please try again in 20s.", 20),
        ("Please try again in 1m30s", 90),
        ("try again in 120ms", 0.12),
        ("Please retry after 3 seconds", 3),
        ("retry in 2.5 secs", 2.5),
        ("请 5 秒后重试", 5),
        ("请求过于频繁，请在 10 秒后再试", 10),
        ("请 1 分钟后重试", 60),
        ("no hint here", None),
        ("", None),
    ],
)
def test_retry_after_from_message(message: str, expected: float | None) -> None:
    assert (
        retry_after_from_message(message) == pytest.approx(expected)
        if expected
        else retry_after_from_message(message) is None
    )


def test_gemini_quota_wording_with_retry_hint_is_a_rate_limit() -> None:
    body = err_body(
        "Quota exceeded for metric: requests per minute. Please retry in 7s.",
        type_="RESOURCE_EXHAUSTED",
    )
    assert isinstance(error_from_response(429, {}, body), RateLimitError)
    assert isinstance(error_from_response(429, {}, err_body("Quota exceeded")), QuotaError)
