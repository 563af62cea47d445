"""The API key never survives in an error, whatever form the server echoes it in (issue 8)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from chatdesk.api import ApiError, ChatClient, ChatMessage, ChatRequest, error_from_response
from chatdesk.api.redact import redact
from tests.fakeserver import FakeServer, Reply

KEY = "sk-proj-Q7fZx2LmN9pR4tVw8YbKc3Hd"


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as srv:
        yield srv


def shown(err: ApiError) -> str:
    """Everything of an error that is stored or shown."""
    parts = [str(err), repr(err), err.message, err.body or "", err.code or ""]
    return "\n".join([*parts, json.dumps(err.to_json(), ensure_ascii=False)])


def assert_no_key(text: str) -> None:
    low = text.lower()
    assert KEY.lower() not in low
    for i in range(len(KEY) - 12 + 1):  # no 12 characters of it in a row either
        assert KEY[i : i + 12].lower() not in low, KEY[i : i + 12]


ECHOES = [
    KEY.upper(),
    KEY.lower(),
    KEY.swapcase(),
    KEY[:20],  # cut short
    KEY[6:],  # the prefix dropped
    "Bearer " + KEY[:-1],  # one character lost
    KEY[:6] + "*" * 16 + KEY[-4:],  # masked in the middle, OpenAI style
    KEY[:6] + "..." + KEY[-4:],
    f"https://relay.example/v1?key={KEY.upper()}&x=1",
]


@pytest.mark.parametrize("echo", ECHOES)
def test_every_echo_form_is_redacted(echo: str) -> None:
    out = redact(f"Incorrect API key provided: {echo}. See the docs.", KEY)
    assert "sk-***" in out
    assert_no_key(out)
    assert out.startswith("Incorrect API key provided: ")
    assert out.endswith(" See the docs.")


@pytest.mark.parametrize(
    "text",
    [
        "model gpt-4o-mini-2024-07-18 not found",
        "another key sk-proj-AAAAbbbbCCCCddddEEEEffff was used",
        "请求过于频繁 request_id=req_0123456789abcdef",
        "https://platform.openai.com/account/api-keys",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text, KEY) == text


def test_short_keys_are_redacted_case_insensitively() -> None:
    assert redact("bad key ABCDEFG1 given", "abcdefg1") == "bad key sk-*** given"


@pytest.mark.parametrize("echo", ECHOES)
@pytest.mark.asyncio
async def test_a_server_echoing_the_key_in_another_form(server: FakeServer, echo: str) -> None:
    server.script(Reply.error(401, f"Invalid token: {echo}", code="invalid_api_key"))
    with pytest.raises(ApiError) as info:
        async with ChatClient(server.base_url, KEY, max_retries=0) as client:
            async for _ in client.stream_chat(
                ChatRequest(model="gpt-4o", messages=[ChatMessage("user", "hi")])
            ):
                pass
    assert info.value.category == "auth"
    assert "Invalid token" in info.value.message
    assert_no_key(shown(info.value))


def test_a_json_escaped_key_is_redacted_after_parsing() -> None:
    escaped = "".join(f"\\u{ord(c):04x}" for c in KEY.upper())
    body = '{"error": {"message": "bad key ' + escaped + '", "code": "invalid_api_key"}}'
    err = error_from_response(401, {}, body, secret=KEY)
    assert_no_key(err.message)
    assert err.message == "bad key sk-***"


# --- the key echoed inside the answer itself (issue 16) ---------------------------------

ANSWER = "Sure. You are using {echo} right now; keep it safe. Masked: {masked}. 你好。"


async def streamed(server: FakeServer, reply: Reply) -> tuple[list[object], ApiError | None]:
    server.script(reply)
    events: list[object] = []
    error: ApiError | None = None
    async with ChatClient(server.base_url, KEY, read_timeout=5, max_retries=0) as client:
        req = ChatRequest(model="m", messages=[ChatMessage("user", "hi")])
        try:
            async for ev in client.stream_chat(req):
                events.append(ev)
        except ApiError as exc:
            error = exc
    return events, error


def texts(events: list[object]) -> str:
    return "".join(getattr(ev, "text", "") for ev in events if type(ev).__name__ == "TextDelta")


@pytest.mark.asyncio
@pytest.mark.parametrize("paced", [False, True])  # pieces joined per read, or one per read
@pytest.mark.parametrize("chunk_chars", [1, 3, 7, 40])
@pytest.mark.parametrize("echo", [KEY, KEY.upper(), KEY[:20]])
async def test_a_key_echoed_in_the_stream_split_across_chunks_is_redacted(
    server: FakeServer, chunk_chars: int, echo: str, paced: bool
) -> None:
    text = ANSWER.format(echo=echo, masked=KEY[:6] + "****" + KEY[-4:])
    reply = Reply(
        text=text,
        reasoning=f"the key {echo} again",
        chunk_chars=chunk_chars,
        delay_s=0.001 if paced else 0.0,
    )
    events, error = await streamed(server, reply)
    assert error is None
    every = repr(events)
    assert_no_key(every)
    assert KEY[:6] + "****" not in every  # the masked echo too
    got = texts(events)
    assert got == "Sure. You are using sk-*** right now; keep it safe. Masked: sk-***. 你好。"
    thought = "".join(
        getattr(ev, "text", "") for ev in events if type(ev).__name__ == "ReasoningDelta"
    )
    assert thought == "the key sk-*** again"


@pytest.mark.asyncio
async def test_a_key_in_the_model_field_is_redacted(server: FakeServer) -> None:
    events, error = await streamed(server, Reply(text="hello", model=f"relay/{KEY}"))
    assert error is None
    models = [ev.model for ev in events if type(ev).__name__ == "ModelEvent"]  # type: ignore[attr-defined]
    assert models == ["relay/sk-***"]
    assert_no_key(repr(events))


@pytest.mark.asyncio
async def test_held_back_text_is_kept_when_the_stream_breaks(server: FakeServer) -> None:
    """The end of a broken stream that looked like the key's start is still delivered."""
    text = "partial answer ending in sk-pr"
    events, error = await streamed(
        server, Reply(text=text + "oj and more", chunk_chars=5, drop_after_chars=len(text))
    )
    assert error is not None
    assert texts(events) == text
    assert error.partial is not None and error.partial.content == text


@pytest.mark.asyncio
async def test_ordinary_text_is_not_held_back(server: FakeServer) -> None:
    """Text that cannot be part of the key is passed on chunk by chunk, as it came.

    Paced, so each chunk is its own network read (the pieces of one read are joined).
    """
    events, error = await streamed(server, Reply(text="...!" * 8, chunk_chars=4, delay_s=0.01))
    assert error is None
    assert [getattr(ev, "text", None) for ev in events if type(ev).__name__ == "TextDelta"] == [
        "...!",
    ] * 8
