"""The API key never survives in an error, whatever form the server echoes it in (issue 8)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from chatdesk.api import ApiError, ChatClient, ChatMessage, ChatRequest, error_from_response
from chatdesk.api.client import _redact
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
    out = _redact(f"Incorrect API key provided: {echo}. See the docs.", KEY)
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
    assert _redact(text, KEY) == text


def test_short_keys_are_redacted_case_insensitively() -> None:
    assert _redact("bad key ABCDEFG1 given", "abcdefg1") == "bad key sk-*** given"


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
