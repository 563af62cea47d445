"""Errors that used to mislead (issue 15): a 401 when no key was sent, a 501 page.

The real ``chatdesk`` entry point against the fake server, no key anywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from chatdesk.api import ChatClient
from chatdesk.api.errors import AuthError, NotFoundError
from chatdesk.cli import main
from tests.fakeserver import FakeServer, Reply

PAGE = "<html><head><title>501 Not Implemented</title></head><body>nope</body></html>"


@pytest.fixture
def keyed() -> Iterator[FakeServer]:
    with FakeServer(api_key="sk-the-server-wants-this-0123") as srv:
        yield srv


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_401_without_a_key_says_no_key_was_sent(
    keyed: FakeServer, capsys: pytest.CaptureFixture[str], chatdesk_home: object
) -> None:
    # A server on this machine is tried without a key; it answers 401.
    code, out, err = run(capsys, "ask", "--base-url", keyed.base_url, "-m", "m", "hi")
    assert code == 1
    assert len(keyed.chat_requests) == 1
    assert "authorization" not in {k.lower() for k in keyed.chat_requests[0].headers}
    assert "No API key was sent" in err and "chatdesk keys set" in err
    assert "was rejected" not in err


@pytest.mark.asyncio
async def test_a_401_with_a_key_still_says_it_was_rejected(keyed: FakeServer) -> None:
    async with ChatClient(keyed.base_url, "sk-wrong-key-0000000000") as client:
        with pytest.raises(AuthError) as info:
            await client.list_models()
    assert info.value.explain().startswith("The API key was rejected")
    async with ChatClient(keyed.base_url, None) as client:
        with pytest.raises(AuthError) as info:
            await client.list_models()
    assert info.value.explain().startswith("No API key was sent")
    assert info.value.explain("zh").startswith("请求未附带 API 密钥")


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=501, body=PAGE, content_type="text/html"),
        Reply(status=501, body="", content_type="text/plain"),
        Reply.error(501, "chat completions are not supported"),
    ],
    ids=["html", "empty", "json"],
)
def test_a_501_says_the_endpoint_is_not_implemented(
    fake_server: FakeServer, capsys: pytest.CaptureFixture[str], chatdesk_home: object, reply: Reply
) -> None:
    fake_server.script(reply)
    code, out, err = run(capsys, "ask", "--base-url", fake_server.base_url, "-m", "m", "hi")
    assert code == 1
    assert "does not implement this request" in err and "(HTTP 501)" in err
    assert "internal error" not in err and "Try again" not in err
    assert len(fake_server.chat_requests) == 1  # a 501 is not retried
    fake_server.script(reply)
    code, out, err = run(
        capsys, "ask", "--json", "--base-url", fake_server.base_url, "-m", "m", "hi"
    )
    data = json.loads(out)["error"]
    assert data["category"] == "not_found" and data["http_status"] == 501


def test_a_501_is_a_not_found_error() -> None:
    from chatdesk.api import error_from_response

    err = error_from_response(501, {"content-type": "text/html"}, PAGE)
    assert isinstance(err, NotFoundError)
    assert "internal error" not in str(err)
