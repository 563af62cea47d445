"""Extra request-body JSON: parsing, storage per provider and model, and every front end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.api.errors import ValidationError
from chatdesk.cli import main
from chatdesk.core.chat.extrabody import (
    MAX_CHARS,
    ExtraBodyError,
    extra_body_for,
    format_extra_body,
    merge_extra_bodies,
    model_extra_bodies,
    parse_extra_body,
    parse_model_map,
    set_model_extra_bodies,
)
from chatdesk.core.chat.turns import Draft, build_request, preview_body, request_body
from chatdesk.store import Store
from chatdesk.store.rows import ProviderRow
from tests.fakeserver import FakeServer, Reply
from tests.unit.api.test_validate import _openapi_validator

KEY = "sk-extra-body-0123456789"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as s:
        yield s


# --- parsing what the user types ---------------------------------------------------------


def test_parse_accepts_objects_and_blank() -> None:
    assert parse_extra_body("") == {} and parse_extra_body("  \n") == {}
    text = '{"enable_thinking": true, "thinking": {"type": "enabled", "budget_tokens": 2048}}'
    assert parse_extra_body(text) == {
        "enable_thinking": True,
        "thinking": {"type": "enabled", "budget_tokens": 2048},
    }


@pytest.mark.parametrize(
    ("text", "kind", "detail"),
    [
        ('{"top_k": 5,}', "json", "line 1, column 13"),
        ("[1, 2]", "not_object", ""),
        ('"enable_thinking"', "not_object", ""),
        ('{"model": "gpt-4o"}', "reserved", "model"),
        ('{"messages": []}', "reserved", "messages"),
        ('{"stream": false, "top_k": 1}', "reserved", "stream"),
        ('{"a": ' * 9 + "1" + "}" * 9, "too_deep", ""),
        ("[" * 5000 + "]" * 5000, "too_deep", ""),  # deeper than the JSON parser's recursion
        ('{"x": "' + "a" * MAX_CHARS + '"}', "too_long", str(MAX_CHARS + 9)),
    ],
)
def test_parse_refuses_with_a_reason(text: str, kind: str, detail: str) -> None:
    with pytest.raises(ExtraBodyError) as info:
        parse_extra_body(text)
    assert info.value.kind == kind
    assert detail in info.value.detail
    assert str(info.value).startswith("extra body ")


def test_reserved_key_message_names_the_key() -> None:
    with pytest.raises(ExtraBodyError, match='"stream" cannot be set here'):
        parse_extra_body('{"stream": false}')


def test_eight_levels_are_fine() -> None:
    text = '{"a": ' * 8 + "1" + "}" * 8
    assert parse_extra_body(text)


def test_model_map() -> None:
    text = '{"qwen3-235b": {"enable_thinking": false}, " o3 ": {"reasoning_effort": "high"}}'
    assert parse_model_map(text) == {
        "qwen3-235b": {"enable_thinking": False},
        "o3": {"reasoning_effort": "high"},
    }
    assert parse_model_map("") == {}
    for bad, kind in (
        ('{"m": 1}', "model_value"),
        ('{"  ": {}}', "model_empty"),
        ('{"m": {"model": "x"}}', "reserved"),
        ("[]", "not_object"),
    ):
        with pytest.raises(ExtraBodyError) as info:
            parse_model_map(bad)
        assert info.value.kind == kind


def test_format_round_trips() -> None:
    body = {"enable_thinking": True, "提示": "中文"}
    assert parse_extra_body(format_extra_body(body)) == body
    assert "中文" in format_extra_body(body) and format_extra_body(None) == ""


def test_merge_later_wins_and_empty_is_none() -> None:
    assert merge_extra_bodies(None, {}) is None
    assert merge_extra_bodies({"a": 1, "b": 1}, None, {"b": 2}) == {"a": 1, "b": 2}


# --- storage -------------------------------------------------------------------------------


def test_provider_then_model_then_request(store: Store) -> None:
    store.upsert_provider(
        ProviderRow("relay", "http://x/v1", options={"extra_body": {"top_k": 20, "a": 1}})
    )
    set_model_extra_bodies(
        store, "relay", {"qwen3": {"enable_thinking": True, "a": 2}, "empty": {}}
    )
    assert model_extra_bodies(store, "relay") == {"qwen3": {"enable_thinking": True, "a": 2}}
    assert extra_body_for(store, "relay", "qwen3") == {"top_k": 20, "a": 2, "enable_thinking": True}
    assert extra_body_for(store, "relay", "gpt-4o") == {"top_k": 20, "a": 1}
    assert extra_body_for(store, "relay", "qwen3", {"a": 3}) == {
        "top_k": 20,
        "a": 3,
        "enable_thinking": True,
    }
    assert extra_body_for(store, None, "qwen3") is None  # a --base-url server has none
    assert extra_body_for(store, None, "qwen3", {"x": 1}) == {"x": 1}
    set_model_extra_bodies(store, "relay", {})
    assert store.get_setting("model_extra_body") == {}


def test_damaged_stored_values_are_ignored(store: Store) -> None:
    store.upsert_provider(ProviderRow("relay", "http://x/v1", options={"extra_body": [1]}))
    store.set_setting("model_extra_body", {"relay": {"m": {"model": "other"}, "n": "x"}})
    assert extra_body_for(store, "relay", "m") is None
    store.set_setting("model_extra_body", ["not", "a", "table"])
    assert model_extra_bodies(store, "relay") == {}


# --- the request ---------------------------------------------------------------------------


def test_build_request_merges_last_and_preview_shows_it(store: Store) -> None:
    extra = {"enable_thinking": True, "top_k": 5, "temperature": 0.1}
    req = build_request(
        store, None, [], "qwen3", {"temperature": 0.7}, draft=Draft("hi"), extra_body=extra
    )
    body = request_body(req)
    assert body["enable_thinking"] is True and body["top_k"] == 5
    assert body["temperature"] == 0.1  # merged last: the extra body wins
    preview = preview_body(
        store,
        None,
        [],
        "qwen3",
        {},
        draft_text="hi",
        system_prompt=None,
        extra_body=extra,
    )
    assert preview["enable_thinking"] is True and preview["model"] == "qwen3"
    without = build_request(store, None, [], "qwen3", {}, draft=Draft("hi"))
    assert "enable_thinking" not in request_body(without)


def test_request_refuses_reserved_keys_even_past_the_parser(store: Store) -> None:
    with pytest.raises(ValidationError) as info:
        build_request(store, None, [], "m", {}, draft=Draft("hi"), extra_body={"model": "x"})
    assert info.value.field == "extra_body"


def test_extra_keys_keep_the_body_valid_for_the_openai_schema(store: Store) -> None:
    validator = _openapi_validator()
    extra = {
        "enable_thinking": True,
        "reasoning_effort": "high",
        "thinking": {"type": "enabled", "budget_tokens": 1024},
        "top_k": 40,
    }
    req = build_request(store, None, [], "gpt-4o", {}, draft=Draft("hi"), extra_body=extra)
    errors = list(validator.iter_errors(request_body(req)))
    assert not errors, [e.message for e in errors[:3]]


# --- the command line ----------------------------------------------------------------------


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeServer]:
    monkeypatch.setenv("CHATDESK_API_KEY", KEY)
    with FakeServer(api_key=KEY) as srv:
        yield srv


def _add_relay(home: Path, url: str) -> None:
    with Store(home / "history.sqlite3") as s:
        s.upsert_provider(ProviderRow("relay", url, "qwen3", options={"extra_body": {"top_k": 20}}))
        set_model_extra_bodies(s, "relay", {"qwen3": {"enable_thinking": True}})


def test_ask_extra_body_over_stored_ones(
    server: FakeServer, capsys: pytest.CaptureFixture[str], chatdesk_home: Path
) -> None:
    _add_relay(chatdesk_home, server.base_url)
    server.script(Reply(text="ok"))
    code = main(["ask", "--provider", "relay", "--extra-body", '{"enable_thinking": false}', "hi"])
    out, err = capsys.readouterr()
    assert code == 0, err
    body = server.chat_requests[-1].json
    assert body["enable_thinking"] is False and body["top_k"] == 20
    assert body["model"] == "qwen3" and body["stream"] is True


def test_ask_refuses_bad_extra_body(server: FakeServer, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["ask", "--base-url", server.base_url, "--extra-body", '{"model": "x"}', "hi"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert '"model" cannot be set here' in err
    assert not server.chat_requests


def test_compare_carries_stored_and_given_extra_body(
    server: FakeServer, capsys: pytest.CaptureFixture[str], chatdesk_home: Path
) -> None:
    _add_relay(chatdesk_home, server.base_url)
    server.script_for("qwen3", Reply(text="q"))
    server.script_for("gpt-4o", Reply(text="g"))
    code = main(
        ["compare", "--json", "--provider", "relay", "-m", "qwen3", "-m", "gpt-4o",
         "--extra-body", '{"seed_hint": 7}', "Same question"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["columns"][0]["error"] is None
    bodies = {r.json["model"]: r.json for r in server.chat_requests}
    assert bodies["qwen3"]["enable_thinking"] is True
    assert "enable_thinking" not in bodies["gpt-4o"]
    assert all(b["top_k"] == 20 and b["seed_hint"] == 7 for b in bodies.values())


NOT_JSON_NUMBERS = [
    '{"n": 1e400}',
    '{"temperature": NaN}',
    '{"x": {"deep": [Infinity]}}',
    '{"x": -Infinity}',
    '{"x": -1e999}',
]


@pytest.mark.parametrize("text", NOT_JSON_NUMBERS)
def test_numbers_json_cannot_carry_are_refused(text: str) -> None:
    """Python reads them, but they would go out as Infinity / NaN, which is not JSON."""
    with pytest.raises(ExtraBodyError) as caught:
        parse_extra_body(text)
    assert caught.value.kind == "json"  # the window says "It is not valid JSON: ..."
    assert "not a number JSON allows" in str(caught.value)
    with pytest.raises(ExtraBodyError):
        parse_model_map('{"m": ' + text + "}")
    assert parse_extra_body('{"n": 1e300, "big": 100000000000000000000000}') == {
        "n": 1e300,
        "big": 10**23,
    }


def test_a_stored_non_finite_extra_body_is_not_sent(store: Store) -> None:
    with pytest.raises(ExtraBodyError):
        set_model_extra_bodies(store, "relay", {"m": {"temperature": float("nan")}})


@pytest.mark.parametrize("text", NOT_JSON_NUMBERS[:2])
def test_cli_refuses_non_finite_extra_body_before_sending(
    server: FakeServer, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["ask", "--base-url", server.base_url, "--extra-body", text, "hi"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "not a number JSON allows" in err and "Traceback" not in err
    assert server.chat_requests == []
