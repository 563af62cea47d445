"""Check a :class:`ChatRequest` before sending and build its JSON body.

Validating locally gives the user a precise message naming the field instead of a
relay's vague 400, and keeps the documented field ranges in one place.
"""

from __future__ import annotations

import base64
import math
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chatdesk.api.errors import ValidationError
from chatdesk.api.fields import MAX_STOP
from chatdesk.api.toolcheck import tool_problem
from chatdesk.api.types import JSON, PARAM_FIELDS, ROLES, ChatMessage, ChatRequest

TOOL_CHOICE_MODES = ("none", "auto", "required")
MAX_IMAGE_BYTES = 20 * 1024 * 1024  # OpenAI's documented per-image limit

# What extra_body may not replace: another model, other messages or a non-streamed
# reply behind the client's back would make the request say something it does not.
EXTRA_BODY_RESERVED = ("model", "messages", "stream")

# Optional request fields copied verbatim when set (``stop`` is handled separately).
_PLAIN_FIELDS = tuple(f for f in PARAM_FIELDS if f != "stop")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_range(name: str, value: Any, low: float, high: float) -> None:
    if value is None:
        return
    if not _is_number(value):
        raise ValidationError(name, f"must be a number, got {value!r}")
    if not low <= value <= high:
        raise ValidationError(name, f"must be between {low:g} and {high:g}, got {value:g}")


def _check_message(i: int, msg: Any) -> None:
    field = f"messages[{i}]"
    role: object  # a dict message's role is whatever the caller passed, checked below
    if isinstance(msg, ChatMessage):
        role, content = msg.role, msg.content
        tool_calls, tool_call_id = msg.tool_calls, msg.tool_call_id
    elif isinstance(msg, dict):
        role, content = msg.get("role"), msg.get("content")
        tool_calls, tool_call_id = msg.get("tool_calls"), msg.get("tool_call_id")
    else:
        raise ValidationError(field, f"must be a ChatMessage, got {type(msg).__name__}")
    if role not in ROLES:
        raise ValidationError(f"{field}.role", f"must be one of {', '.join(ROLES)}, got {role!r}")
    if content is not None and not isinstance(content, str):
        if not isinstance(content, list):
            raise ValidationError(f"{field}.content", "must be a string or a list of parts")
        for j, part in enumerate(content):
            if not isinstance(part, dict) or not isinstance(part.get("type"), str):
                raise ValidationError(
                    f"{field}.content[{j}]", 'each part must be an object with a "type"'
                )
    if tool_calls is not None and role != "assistant":
        raise ValidationError(f"{field}.tool_calls", "only assistant messages carry tool calls")
    if role == "tool" and not tool_call_id:
        raise ValidationError(
            f"{field}.tool_call_id", "a tool message must name the call it answers"
        )


def _check_tools(tools: Any) -> list[str]:
    """The declared function names; ValidationError on the first rule broken (see
    :mod:`chatdesk.api.toolcheck`, which the window's tools editor asks too)."""
    problem = tool_problem(tools)
    if problem is not None:
        raise ValidationError(problem.field, _TOOL_MESSAGES[problem.code](problem.value))
    return [tool["function"]["name"] for tool in tools]


_FUNCTION_SHAPE = 'must be {"type": "function", "function": {...}}'
_BAD_NAME = "must be 1-64 letters, digits, '_' or '-', got {!r}"
_TOOL_MESSAGES: dict[str, Callable[[Any], str]] = {
    "not_list": lambda _v: "must be a list of function tools",
    "not_object": lambda _v: _FUNCTION_SHAPE,
    "not_function": lambda _v: _FUNCTION_SHAPE,
    "function_not_object": lambda _v: "must be an object",
    "name_missing": _BAD_NAME.format,
    "name_format": _BAD_NAME.format,
    "description": lambda _v: "must be a string",
    "parameters_not_object": lambda _v: "must be a JSON schema object",
    "parameters_type": lambda v: f'the schema\'s "type" must be "object", got {v!r}',
    "duplicate": lambda v: f"duplicate tool name {v!r}",
}


def _check_tool_choice(choice: Any, names: list[str]) -> None:
    if isinstance(choice, str):
        if choice not in TOOL_CHOICE_MODES:
            raise ValidationError(
                "tool_choice", f"must be none, auto, required or a function, got {choice!r}"
            )
        if choice == "required" and not names:
            raise ValidationError("tool_choice", '"required" needs at least one tool')
        return
    if not isinstance(choice, dict) or choice.get("type") != "function":
        raise ValidationError("tool_choice", 'must be a mode or {"type": "function", ...}')
    fn = choice.get("function")
    name = fn.get("name") if isinstance(fn, dict) else None
    if not isinstance(name, str) or not name:
        raise ValidationError("tool_choice", "must name a function")
    if name not in names:
        raise ValidationError("tool_choice", f"names {name!r}, which is not a declared tool")


def validate_request(req: ChatRequest) -> None:
    """Raise :class:`ValidationError` (field, message) for the first invalid field."""
    if not isinstance(req.model, str) or not req.model.strip():
        raise ValidationError("model", "is empty; pick a model")
    if not isinstance(req.messages, list) or not req.messages:
        raise ValidationError("messages", "needs at least one message")
    for i, msg in enumerate(req.messages):
        _check_message(i, msg)
    _check_range("temperature", req.temperature, 0, 2)
    _check_range("top_p", req.top_p, 0, 1)
    _check_range("presence_penalty", req.presence_penalty, -2, 2)
    _check_range("frequency_penalty", req.frequency_penalty, -2, 2)
    for name in ("n", "max_tokens"):
        value = getattr(req, name)
        if value is not None and (not _is_int(value) or value < 1):
            raise ValidationError(name, f"must be a whole number of at least 1, got {value!r}")
    if req.seed is not None and not _is_int(req.seed):
        raise ValidationError("seed", f"must be a whole number, got {req.seed!r}")
    stop = req.stop
    if stop is not None:
        stops = [stop] if isinstance(stop, str) else stop
        if not isinstance(stops, list | tuple):
            raise ValidationError("stop", "must be a string or a list of strings")
        if len(stops) > MAX_STOP:
            raise ValidationError("stop", f"at most {MAX_STOP} stop sequences, got {len(stops)}")
        for s in stops:
            if not isinstance(s, str) or not s:
                raise ValidationError("stop", f"stop sequences must be non-empty strings: {s!r}")
    names = _check_tools(req.tools) if req.tools is not None else []
    if req.tool_choice is not None:
        _check_tool_choice(req.tool_choice, names)
    rf = req.response_format
    if rf is not None and (not isinstance(rf, dict) or not isinstance(rf.get("type"), str)):
        raise ValidationError(
            "response_format", 'must be an object with a "type", e.g. json_object'
        )
    if req.user is not None and not isinstance(req.user, str):
        raise ValidationError("user", "must be a string")
    if req.extra_body is not None and not isinstance(req.extra_body, dict):
        raise ValidationError("extra_body", "must be a JSON object")
    for key in EXTRA_BODY_RESERVED:
        if req.extra_body and key in req.extra_body:
            raise ValidationError(
                "extra_body", f"cannot set {key!r}: the request's own {key} is always sent"
            )
    if not isinstance(req.stream, bool):
        raise ValidationError("stream", "must be true or false")


def build_body(req: ChatRequest, *, include_usage: bool) -> JSON:
    """The request's JSON body: unset fields left out, ``extra_body`` merged last.

    A ``None`` value in ``extra_body`` removes that key (e.g. ``{"stream_options": None}``).
    """
    body: JSON = {
        "model": req.model,
        "messages": [m.to_dict() if isinstance(m, ChatMessage) else dict(m) for m in req.messages],
    }
    for name in _PLAIN_FIELDS:
        value = getattr(req, name)
        if value is not None:
            body[name] = value
    if req.stop is not None:
        body["stop"] = [req.stop] if isinstance(req.stop, str) else list(req.stop)
    body["stream"] = req.stream
    if req.stream and include_usage:
        body["stream_options"] = {"include_usage": True}
    if req.extra_body:
        for key, value in req.extra_body.items():
            if value is None:
                body.pop(key, None)
            else:
                body[key] = value
    return body


# --- images ------------------------------------------------------------------------

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)
_SNIFFABLE = {m for _, m in _MAGIC} | {"image/webp"}


def sniff_image_mime(data: bytes) -> str | None:
    """The image type from the first bytes (the file name may lie)."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_mime(data: bytes, name: str) -> str | None:
    """Sniffed type, else the extension's for formats we cannot sniff (SVG, TIFF, AVIF...).

    A ".png" whose bytes are not PNG is not trusted.
    """
    mime = sniff_image_mime(data[:16])
    if mime is None and data:
        guessed, _ = mimetypes.guess_type(name)
        if guessed and guessed.startswith("image/") and guessed not in _SNIFFABLE:
            mime = guessed
    return mime


def data_url(data: bytes, mime: str) -> str:
    """Bytes as a ``data:`` URL (how local images travel in a request)."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def read_image_file(path_or_uri: str) -> tuple[bytes, str]:
    """A local image's bytes and type, with one clear error for each way it can fail."""
    text = str(path_or_uri).strip()
    if text.lower().startswith("file://"):
        from urllib.parse import unquote, urlsplit

        text = unquote(urlsplit(text).path)
    path = Path(text).expanduser()
    if not path.exists():
        raise ValidationError("image", f"image not found (no such file): {path}")
    if not path.is_file():
        raise ValidationError("image", f"not a file: {path}")
    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            raise ValidationError(
                "image", f"{path.name} is {size / 1e6:.1f} MB; the limit is 20 MB"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError("image", f"cannot read {path}: {exc.strerror or exc}") from None
    mime = image_mime(data, path.name)
    if mime is None:
        raise ValidationError(
            "image", f"{path.name} is not an image (PNG, JPEG, GIF, WebP or BMP expected)"
        )
    return data, mime


def image_part(path_or_url: str, *, detail: str | None = None) -> JSON:
    """An ``image_url`` content part: URLs kept, local files inlined as a base64 data URL."""
    text = str(path_or_url).strip()
    if text.lower().startswith(("http://", "https://", "data:image/")):
        url = text
    else:
        url = data_url(*read_image_file(text))
    image: JSON = {"url": url}
    if detail is not None:
        image["detail"] = detail
    return {"type": "image_url", "image_url": image}
