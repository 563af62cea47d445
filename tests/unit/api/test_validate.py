"""Request validation, body building (checked against OpenAI's schema), image parts."""

from __future__ import annotations

import base64
import copy
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from chatdesk.api import (
    BUILTIN_MODELS,
    ChatMessage,
    ChatRequest,
    ValidationError,
    build_body,
    builtin_models,
    image_part,
    validate_request,
)

# The request schemas of OpenAI's OpenAPI description, vendored (MIT; see its README).
OPENAPI = (
    Path(__file__).resolve().parents[2]
    / "data"
    / "openai-openapi"
    / "chat-completions-request.json"
)

TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def req(**kw: Any) -> ChatRequest:
    kw.setdefault("model", "gpt-4o")
    kw.setdefault("messages", [ChatMessage("user", "hi")])
    return ChatRequest(**kw)


def full_request() -> ChatRequest:
    return req(
        messages=[
            ChatMessage("system", "Be brief."),
            ChatMessage(
                "user",
                [
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
                ],
                name="alice",
            ),
            ChatMessage(
                "assistant",
                None,
                tool_calls=[
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                    }
                ],
            ),
            ChatMessage("tool", '{"temp": 21}', tool_call_id="call_1"),
        ],
        temperature=0.7,
        top_p=0.9,
        max_tokens=256,
        n=2,
        stop=["END", "STOP"],
        presence_penalty=0.5,
        frequency_penalty=-0.5,
        response_format={"type": "json_object"},
        seed=42,
        tools=[TOOL],
        tool_choice={"type": "function", "function": {"name": "get_weather"}},
        user="user-1",
    )


# --- validation ---------------------------------------------------------------------------


def test_a_full_request_is_valid() -> None:
    validate_request(full_request())
    validate_request(req(tools=[TOOL], tool_choice="required"))
    validate_request(req(temperature=0, top_p=1, presence_penalty=-2, frequency_penalty=2))


BAD_FIELDS: list[tuple[str, dict[str, Any]]] = [
    ("model", {"model": ""}),
    ("model", {"model": "   "}),
    ("messages", {"messages": []}),
    ("messages[0].role", {"messages": [ChatMessage("robot", "hi")]}),
    ("messages[0].tool_call_id", {"messages": [ChatMessage("tool", "x")]}),
    ("messages[0].tool_calls", {"messages": [ChatMessage("user", "x", tool_calls=[{}])]}),
    ("messages[0].content", {"messages": [ChatMessage("user", 5)]}),  # type: ignore[arg-type]
    ("messages[0].content[0]", {"messages": [ChatMessage("user", [{"text": "no type"}])]}),
    ("temperature", {"temperature": 2.5}),
    ("temperature", {"temperature": -0.1}),
    ("temperature", {"temperature": "hot"}),
    ("temperature", {"temperature": float("nan")}),
    ("top_p", {"top_p": 1.5}),
    ("presence_penalty", {"presence_penalty": 3}),
    ("frequency_penalty", {"frequency_penalty": -2.1}),
    ("stop", {"stop": ["a", "b", "c", "d", "e"]}),
    ("stop", {"stop": ["a", 3]}),
    ("stop", {"stop": [""]}),
    ("n", {"n": 0}),
    ("n", {"n": 1.5}),
    ("max_tokens", {"max_tokens": 0}),
    ("max_tokens", {"max_tokens": True}),
    ("seed", {"seed": 1.5}),
    ("seed", {"seed": "42"}),
    ("tools", {"tools": {"type": "function"}}),
    ("tools[0]", {"tools": [{"type": "retrieval"}]}),
    ("tools[0].function", {"tools": [{"type": "function"}]}),
    ("tools[0].function.name", {"tools": [{"type": "function", "function": {"name": "bad name"}}]}),
    ("tools[0].function.name", {"tools": [{"type": "function", "function": {"name": "x" * 65}}]}),
    (
        "tools[0].function.parameters",
        {"tools": [{"type": "function", "function": {"name": "f", "parameters": "{}"}}]},
    ),
    (
        "tools[0].function.parameters",
        {
            "tools": [
                {"type": "function", "function": {"name": "f", "parameters": {"type": "array"}}}
            ]
        },
    ),
    ("tools[1].function.name", {"tools": [TOOL, TOOL]}),
    ("tool_choice", {"tool_choice": "always"}),
    ("tool_choice", {"tool_choice": "required"}),
    (
        "tool_choice",
        {"tools": [TOOL], "tool_choice": {"type": "function", "function": {"name": "x"}}},
    ),
    ("tool_choice", {"tools": [TOOL], "tool_choice": {"type": "tool"}}),
    ("response_format", {"response_format": "json"}),
    ("response_format", {"response_format": {"schema": {}}}),
    ("user", {"user": 7}),
    ("extra_body", {"extra_body": []}),
]


@pytest.mark.parametrize(
    ("field", "kw"), BAD_FIELDS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_FIELDS)]
)
def test_bad_field_raises_validation_error(field: str, kw: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as info:
        validate_request(req(**kw))
    assert info.value.field == field
    assert info.value.message
    assert str(info.value).startswith(field)


# --- body ---------------------------------------------------------------------------------


def test_unset_fields_are_left_out() -> None:
    body = build_body(req(stream=False), include_usage=True)
    assert body == {
        "model": "gpt-4o",
        "messages": [{"role": "user", "content": "hi"}],
        "stream": False,
    }
    assert "null" not in json.dumps(body)


def test_stream_options_only_when_streaming_and_asked() -> None:
    assert build_body(req(stream=True), include_usage=True)["stream_options"] == {
        "include_usage": True
    }
    assert "stream_options" not in build_body(req(stream=True), include_usage=False)
    assert "stream_options" not in build_body(req(stream=False), include_usage=True)


def test_stop_is_always_a_list() -> None:
    assert build_body(req(stop="END"), include_usage=False)["stop"] == ["END"]  # type: ignore[arg-type]
    assert build_body(req(stop=("A", "B")), include_usage=False)["stop"] == ["A", "B"]  # type: ignore[arg-type]


def test_extra_body_is_merged_last_and_none_removes() -> None:
    body = build_body(
        req(
            temperature=0.2,
            extra_body={"temperature": 0.9, "enable_thinking": True, "stream_options": None},
        ),
        include_usage=True,
    )
    assert body["temperature"] == 0.9
    assert body["enable_thinking"] is True
    assert "stream_options" not in body
    assert list(body)[-1] == "enable_thinking"


def test_full_body_fields() -> None:
    body = build_body(full_request(), include_usage=True)
    assert body["messages"][2] == {
        "role": "assistant",
        "tool_calls": full_request().messages[2].tool_calls,
    }
    assert body["messages"][3] == {
        "role": "tool",
        "content": '{"temp": 21}',
        "tool_call_id": "call_1",
    }
    assert body["messages"][1]["name"] == "alice"
    for key in (
        "temperature",
        "top_p",
        "max_tokens",
        "n",
        "stop",
        "presence_penalty",
        "frequency_penalty",
        "response_format",
        "seed",
        "tools",
        "tool_choice",
        "user",
    ):
        assert key in body


def _openapi_validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    referencing = pytest.importorskip("referencing")
    from referencing.jsonschema import DRAFT202012

    document = json.loads(OPENAPI.read_text(encoding="utf-8"))

    def convert(node: Any) -> Any:
        """OpenAPI 3.0 -> JSON Schema: nullable, boolean exclusiveMinimum/Maximum."""
        if isinstance(node, list):
            return [convert(x) for x in node]
        if not isinstance(node, dict):
            return node
        out = {k: convert(v) for k, v in node.items()}
        for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            if isinstance(out.get(bound), bool):
                if out.pop(bound) and limit in out:
                    out[bound] = out.pop(limit)
        if out.pop("nullable", False) is True:
            kind = out.get("type")
            if isinstance(kind, str):
                out["type"] = [kind, "null"]
                if "enum" in out:
                    out["enum"] = [*out["enum"], None]
            else:
                out = {"anyOf": [out, {"type": "null"}]}
        return out

    document = convert(document)
    resource = referencing.Resource.from_contents(document, default_specification=DRAFT202012)
    registry = referencing.Registry().with_resource("urn:openai-openapi", resource)
    schema = {"$ref": "urn:openai-openapi#/components/schemas/CreateChatCompletionRequest"}
    return jsonschema.Draft202012Validator(schema, registry=registry)


@pytest.mark.parametrize("include_usage", [True, False])
def test_body_validates_against_openai_schema(include_usage: bool) -> None:
    validator = _openapi_validator()
    full = full_request()
    for request in (req(), full, req(stream=False, stop="x")):  # type: ignore[arg-type]
        body = build_body(request, include_usage=include_usage)
        errors = sorted(validator.iter_errors(body), key=str)
        assert not errors, [e.message for e in errors[:3]]


def test_schema_check_catches_a_bad_body() -> None:
    validator = _openapi_validator()
    body = build_body(req(), include_usage=False)
    broken = copy.deepcopy(body)
    broken["temperature"] = 5
    assert list(validator.iter_errors(broken))
    broken = copy.deepcopy(body)
    broken["messages"] = [{"role": "robot", "content": "x"}]
    assert list(validator.iter_errors(broken))


# --- images -------------------------------------------------------------------------------


def _png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_image_part_from_local_png(tmp_path: Path) -> None:
    path = tmp_path / "pixel.png"
    data = _png_bytes()
    path.write_bytes(data)
    part = image_part(str(path))
    assert part["type"] == "image_url"
    url = part["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == data


def test_image_part_sniffs_content_not_extension(tmp_path: Path) -> None:
    path = tmp_path / "photo.bin"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 20)
    assert image_part(str(path))["image_url"]["url"].startswith("data:image/jpeg;base64,")


def test_image_part_keeps_urls() -> None:
    assert image_part("https://example.com/cat.png") == {
        "type": "image_url",
        "image_url": {"url": "https://example.com/cat.png"},
    }
    assert image_part("http://x.test/a.jpg", detail="low")["image_url"]["detail"] == "low"


def test_image_part_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        image_part(str(tmp_path / "nope.png"))
    assert info.value.field == "image"
    assert "not found" in info.value.message


def test_image_part_rejects_non_images(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    fake_png = tmp_path / "fake.png"
    fake_png.write_text("not really a png")
    for path in (text, fake_png):
        with pytest.raises(ValidationError, match="not an image"):
            image_part(str(path))
    with pytest.raises(ValidationError, match="not a file"):
        image_part(str(tmp_path))


# --- built-in models ------------------------------------------------------------------------


def test_builtin_models_cover_api_md() -> None:
    models = builtin_models()
    ids = [m["id"] for m in models]
    assert len(ids) == len(set(ids)) == sum(len(v) for v in BUILTIN_MODELS.values()) == 19
    owners = {m["id"]: m["owned_by"] for m in models}
    assert owners["gpt-4o"] == "openai"
    assert owners["claude-sonnet-4-5"] == "anthropic"
    assert owners["gemini-2.5-pro"] == "google"
    assert owners["deepseek-reasoner"] == "deepseek"
    assert owners["grok-3"] == "xai"
    assert owners["qwen-max"] == "qwen"
    assert owners["llama-3.3-70b-instruct"] == "meta"
    models[0]["id"] = "changed"
    assert builtin_models()[0]["id"] == "gpt-4o"  # a fresh list each call
