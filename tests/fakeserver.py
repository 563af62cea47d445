"""Our fake OpenAI-compatible server: real HTTP on 127.0.0.1, scriptable replies and quirks.

A real socket server (not an httpx mock) so that the client's whole stack is exercised:
HTTP/1.1 keep-alive, chunked or connection-close streaming, split reads, dropped
connections, timeouts. Used by the api tests, and meant for CLI/UI tests and benchmarks::

    with FakeServer() as server:
        server.script(Reply(text="Hi", quirks={"crlf"}), Reply.error(401, "Invalid API key"))
        client = ChatClient(server.base_url, "sk-test")

Conventions:

* ``POST /v1/chat/completions`` takes the next scripted :class:`Reply`; with an empty
  queue it answers ``Reply()`` ("Hello from the fake server.").
* ``n > 1``: choice ``i`` gets ``text`` for ``i == 0`` and ``f"{text} [{i}]"`` otherwise;
  reasoning and tool calls are the same for every choice; chunks of the choices
  interleave round-robin.
* "chars" in ``error_after_chars`` / ``drop_after_chars`` count content characters
  streamed so far, over all choices.
* ``GET /v1/models`` serves ``models`` as ``{"object": "list", "data": [...]}``, or
  ``models_reply`` when set (e.g. ``Reply(body='[...]')`` or ``Reply.error(...)``).
* ``FakeServer(api_key="sk-test")`` answers 401 (OpenAI's error body) without that key.
* With the queues empty, ``responder(request_json)`` (when set) picks the reply from the
  request itself (a scripted judge), then ``default_for(model, reply)`` gives a model
  its standing reply (per-model delays, a model that always fails).
* ``max_in_flight`` is the most chat requests the server was answering at once.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

DEFAULT_TEXT = "Hello from the fake server."
DEFAULT_MODELS: list[dict[str, Any]] = [
    {"id": "gpt-4o", "object": "model", "created": 1715367049, "owned_by": "openai"},
    {"id": "gpt-4o-mini", "object": "model", "created": 1721172741, "owned_by": "openai"},
    {"id": "deepseek-reasoner", "object": "model", "created": 1737331200, "owned_by": "deepseek"},
    {"id": "claude-sonnet-4-5", "object": "model", "created": 1759104000, "owned_by": "anthropic"},
]
QUIRKS = frozenset(
    {
        "crlf",  # "\r\n" line endings
        "no_space",  # "data:{...}"
        "comments",  # ": ping" / ": keep-alive" lines between events
        "keepalive_empty",  # empty "data:" events
        "multiline",  # each JSON spread over several data: lines
        "split_reads",  # tiny random writes (1-7 bytes)
        "glued",  # the whole stream in one write
        "glued_line",  # two data frames on one line: data: {...}data: {...}
        "no_done",  # no "data: [DONE]"
        "close_delimited",  # no chunked encoding: body ends when the connection closes
        "bare_error",  # the in-stream error is a bare JSON line without "data:"
    }
)
_CHUNKED_WRITE = 256 * 1024


@dataclass
class RecordedRequest:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]  # lower-case keys
    json: Any  # the parsed body, or None
    raw: bytes


@dataclass
class Reply:
    """What one ``POST /chat/completions`` (or ``models_reply`` GET) gets."""

    text: str = DEFAULT_TEXT
    reasoning: str = ""
    tool_calls: list[dict[str, Any]] | None = None  # [{"id", "name", "arguments"}]
    n: int | None = None
    finish_reason: str = "stop"
    usage: dict[str, Any] | str | None = "auto"
    usage_mode: str = "final_chunk"
    model: str | None = None
    delay_s: float = 0.0
    first_delay_s: float = 0.0
    quirks: set[str] = field(default_factory=set)
    status: int = 200
    body: str | None = None  # sent verbatim (with status/headers/content_type)
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None
    chunk_chars: int = 4
    error_after_chars: int | None = None
    error_obj: dict[str, Any] | None = None
    error_event: bool = False
    drop_after_chars: int | None = None
    pause_after_chars: int | None = None  # stall once, after this many chars...
    pause_s: float = 0.0  # ...for this long (read-timeout / stall tests)
    # With a release event the pause lasts until the test sets it (at most pause_s):
    # a test that must act mid-stream (Ctrl-C) cannot lose the race to the answer's end.
    release: threading.Event | None = None
    reject_stream_options: bool = False
    force_json: bool = False  # answer non-streamed even when the request asked stream:true
    force_stream: bool = False  # stream even when the request asked stream:false
    payload: bytes | None = None  # a pre-built SSE body (see bulk())
    raw_body: bytes | None = None  # sent verbatim with Content-Length (e.g. pre-gzipped)
    trickle_s: float = 0.0  # stream: after trickle_after bytes, one byte per trickle_s
    trickle_after: int = 0

    def __post_init__(self) -> None:
        unknown = set(self.quirks) - QUIRKS
        if unknown:
            raise ValueError(f"unknown quirks: {sorted(unknown)}")
        modes = ("final_chunk", "in_choice", "x_groq", "top_level_every_chunk", "never")
        if self.usage_mode not in (*modes, "always_final"):
            raise ValueError(f"unknown usage_mode {self.usage_mode!r}")

    # -- constructors for failures --

    @classmethod
    def error(
        cls,
        status: int,
        message: str,
        *,
        code: str | int | None = None,
        type: str | None = None,  # noqa: A002 - OpenAI's field name
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """An OpenAI-style error body ``{"error": {"message", "type", "param", "code"}}``."""
        err = {
            "message": message,
            "type": type or ("server_error" if status >= 500 else "invalid_request_error"),
            "param": None,
            "code": code,
        }
        return cls(status=status, body=json.dumps({"error": err}), headers=dict(headers or {}))

    @classmethod
    def rate_limited(
        cls, retry_after: float | None = 2, message: str = "Rate limit reached for requests"
    ) -> Reply:
        """429 with a ``Retry-After`` header (seconds) unless ``retry_after`` is None."""
        headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
        return cls.error(429, message, code="rate_limit_exceeded", type="requests", headers=headers)

    @classmethod
    def quota(
        cls,
        status: int = 429,
        message: str = "You exceeded your current quota, please check your plan and billing "
        "details.",
        code: str | None = "insufficient_quota",
    ) -> Reply:
        """OpenAI's out-of-credit answer (429 insufficient_quota) or a relay's 402."""
        return cls.error(status, message, code=code, type="insufficient_quota")

    @classmethod
    def html(cls, status: int = 200, title: str = "New API") -> Reply:
        """A relay's dashboard page, what a wrong base URL gets (openlrc #36)."""
        page = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            "<body><div id='root'>Loading…</div><script src='/assets/index.js'></script>"
            "</body></html>"
        )
        return cls(status=status, body=page, content_type="text/html; charset=utf-8")

    @classmethod
    def stream_error(
        cls,
        after_chars: int,
        message: str = "upstream error",
        *,
        code: str | None = "server_error",
        type: str = "server_error",  # noqa: A002
        event: bool = False,
        text: str = DEFAULT_TEXT,
    ) -> Reply:
        """A 200 stream that carries an ``error`` object after ``after_chars`` characters."""
        return cls(
            text=text,
            error_after_chars=after_chars,
            error_obj={"message": message, "type": type, "code": code},
            error_event=event,
        )

    @classmethod
    def bulk(cls, chunks: int, text_per_chunk: str = "x", *, model: str = "fake-model") -> Reply:
        """A pre-built stream of ``chunks`` content events, written in large writes.

        For benchmarks: the server only copies bytes, so the client is the bottleneck.
        """
        head = {
            "id": "chatcmpl-bulk",
            "object": "chat.completion.chunk",
            "created": 1700000000,
            "model": model,
            "system_fingerprint": "fp_fake",
        }

        def frame(choices: list[Any], **extra: Any) -> str:
            return "data: " + json.dumps({**head, "choices": choices, **extra}) + "\n\n"

        body = frame([{"index": 0, "delta": {"role": "assistant", "content": ""}}])
        one = frame(
            [
                {
                    "index": 0,
                    "delta": {"content": text_per_chunk},
                    "logprobs": None,
                    "finish_reason": None,
                }
            ]
        )
        finish = frame([{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}])
        usage = {
            "prompt_tokens": 10,
            "completion_tokens": chunks,
            "total_tokens": chunks + 10,
        }
        payload = body + one * chunks + finish + frame([], usage=usage) + "data: [DONE]\n\n"
        return cls(text=text_per_chunk * chunks, model=model, payload=payload.encode())


def markdown_reply(tokens: int) -> str:
    """Realistic Markdown of about ``tokens`` tokens (≈4 chars each), for UI benchmarks."""
    sections = [
        "## Overview\n\nStreaming renderers must stay responsive while **long** answers "
        "arrive token by token; this section explains *why* incremental parsing matters "
        "and how `QTextDocument` handles it.\n\n",
        "### Steps\n\n1. Parse the new tail only.\n2. Re-render the last block.\n"
        "3. Keep earlier blocks cached.\n   - nested item with `code`\n   - another one\n\n",
        "```python\ndef fib(n: int) -> int:\n    a, b = 0, 1\n    for _ in range(n):\n"
        "        a, b = b, a + b\n    return a\n```\n\n",
        "| model | ttft (ms) | tokens/s |\n|---|---:|---:|\n| gpt-4o | 320 | 85 |\n"
        "| deepseek-chat | 540 | 61 |\n| claude-sonnet-4-5 | 410 | 72 |\n\n",
        "> Note: a blockquote with a [link](https://example.com) and some inline math "
        "$e^{i\\pi} + 1 = 0$.\n\n",
        "- bullet one with **bold** text\n- bullet two with _italic_ text\n"
        "- bullet three: 中文内容也要正确显示，包括标点。\n\n",
        "```bash\npip install chatdesk\nchatdesk --help\n```\n\n",
    ]
    target = max(1, tokens) * 4
    out: list[str] = []
    size = 0
    i = 0
    while size < target:
        part = sections[i % len(sections)]
        if i % len(sections) == 0:
            part = part.replace("## Overview", f"## Part {i // len(sections) + 1}")
        out.append(part)
        size += len(part)
        i += 1
    return "".join(out)


# --- building a stream ------------------------------------------------------------------


def _pieces(text: str, size: int) -> list[str]:
    size = max(1, size)
    return [text[i : i + size] for i in range(0, len(text), size)]


def _auto_usage(request: dict[str, Any], completion_chars: int) -> dict[str, int]:
    prompt = max(1, len(json.dumps(request.get("messages", []), ensure_ascii=False)) // 4)
    completion = max(1, completion_chars // 4)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


class _Frame:
    """One SSE event to send: its JSON object and the content chars sent once it is out."""

    __slots__ = ("obj", "chars")

    def __init__(self, obj: Any, chars: int) -> None:
        self.obj = obj
        self.chars = chars


def _choice_texts(reply: Reply, n: int) -> list[str]:
    return [reply.text if i == 0 else f"{reply.text} [{i}]" for i in range(n)]


def _usage_for(reply: Reply, request: dict[str, Any], n: int) -> dict[str, Any] | None:
    if reply.usage is None:
        return None
    if isinstance(reply.usage, dict):
        return reply.usage
    chars = sum(len(t) for t in _choice_texts(reply, n)) + len(reply.reasoning) * n
    return _auto_usage(request, chars)


def _stream_frames(reply: Reply, request: dict[str, Any], rid: str) -> list[_Frame]:
    n = reply.n or request.get("n") or 1
    model = reply.model or request.get("model") or "fake-model"
    created = int(time.time())
    usage = _usage_for(reply, request, n)
    every = reply.usage_mode == "top_level_every_chunk" and usage is not None
    frames: list[_Frame] = []
    chars = 0

    def add(choices: list[dict[str, Any]], **extra: Any) -> None:
        obj: dict[str, Any] = {
            "id": rid,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "system_fingerprint": "fp_fake",
            "choices": choices,
        }
        if every:
            obj["usage"] = usage
        obj.update(extra)
        frames.append(_Frame(obj, chars))

    def choice(i: int, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {"index": i, "delta": delta, "logprobs": None, "finish_reason": finish}

    add([choice(i, {"role": "assistant", "content": ""}) for i in range(n)])
    for piece in _pieces(reply.reasoning, reply.chunk_chars) if reply.reasoning else []:
        for i in range(n):
            add([choice(i, {"reasoning_content": piece})])
    texts = [_pieces(t, reply.chunk_chars) if t else [] for t in _choice_texts(reply, n)]
    for k in range(max((len(p) for p in texts), default=0)):
        for i in range(n):
            if k < len(texts[i]):
                chars += len(texts[i][k])
                add([choice(i, {"content": texts[i][k]})])
    for i in range(n):
        for ci, call in enumerate(reply.tool_calls or []):
            first = {
                "index": ci,
                "id": call.get("id", f"call_{ci}"),
                "type": "function",
                "function": {"name": call["name"], "arguments": ""},
            }
            add([choice(i, {"tool_calls": [first]})])
            for piece in _pieces(call.get("arguments", ""), max(2, reply.chunk_chars * 2)):
                add([choice(i, {"tool_calls": [{"index": ci, "function": {"arguments": piece}}]})])
    for i in range(n):
        last = i == n - 1
        fin = choice(i, {}, reply.finish_reason)
        extra: dict[str, Any] = {}
        if last and usage is not None:
            if reply.usage_mode == "in_choice":
                fin["usage"] = usage
            elif reply.usage_mode == "x_groq":
                extra["x_groq"] = {"id": "req_fake", "usage": usage}
        add([fin], **extra)
    wants_usage = bool((request.get("stream_options") or {}).get("include_usage"))
    if usage is not None and (
        reply.usage_mode == "always_final" or (reply.usage_mode == "final_chunk" and wants_usage)
    ):
        add([], usage=usage)
    return frames


def _completion_body(reply: Reply, request: dict[str, Any], rid: str) -> dict[str, Any]:
    n = reply.n or request.get("n") or 1
    usage = _usage_for(reply, request, n)
    choices = []
    for i, text in enumerate(_choice_texts(reply, n)):
        message: dict[str, Any] = {"role": "assistant", "content": text or None}
        if reply.reasoning:
            message["reasoning_content"] = reply.reasoning
        if reply.tool_calls:
            message["tool_calls"] = [
                {
                    "id": c.get("id", f"call_{ci}"),
                    "type": "function",
                    "function": {"name": c["name"], "arguments": c.get("arguments", "")},
                }
                for ci, c in enumerate(reply.tool_calls)
            ]
        choices.append(
            {"index": i, "message": message, "logprobs": None, "finish_reason": reply.finish_reason}
        )
    body: dict[str, Any] = {
        "id": rid,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": reply.model or request.get("model") or "fake-model",
        "system_fingerprint": "fp_fake",
        "choices": choices,
    }
    if usage is not None and reply.usage_mode != "never":
        if reply.usage_mode == "x_groq":
            body["x_groq"] = {"usage": usage}
        else:
            body["usage"] = usage
    return body


def _frame_texts(reply: Reply, frames: list[_Frame]) -> Iterator[tuple[str, int]]:
    """The event texts of a stream with the reply's quirks, made one at a time."""
    q = reply.quirks
    sep = "\r\n" if "crlf" in q else "\n"
    prefix = "data:" if "no_space" in q else "data: "
    for k, frame in enumerate(frames):
        if "multiline" in q:
            lines = json.dumps(frame.obj, indent=1, ensure_ascii=False).split("\n")
            yield sep.join(prefix + line for line in lines), frame.chars
        else:
            yield prefix + json.dumps(frame.obj, ensure_ascii=False), frame.chars
        if "comments" in q and k % 3 == 2:
            yield ": keep-alive", frame.chars
        if "keepalive_empty" in q and k % 4 == 1:
            yield "data:", frame.chars
            yield "data: ", frame.chars
    if "no_done" not in q:
        yield prefix + "[DONE]", frames[-1].chars if frames else 0


def _iter_encoded(reply: Reply, frames: list[_Frame]) -> Iterator[tuple[bytes, int]]:
    """Serialise frames with the reply's quirks: (bytes, content chars after it).

    Lazily, as a real server does: the first event leaves before the last is made, so
    four streams at once do not wait for each other's whole reply to be encoded.
    """
    q = reply.quirks
    sep = "\r\n" if "crlf" in q else "\n"
    if "comments" in q:
        yield (": ping" + sep).encode(), 0
    if "glued_line" not in q:
        for body, chars in _frame_texts(reply, frames):
            yield (body + sep + sep).encode(), chars
        return
    texts = list(_frame_texts(reply, frames))
    k = 0
    while k < len(texts):
        body, chars = texts[k]
        nxt = texts[k + 1] if k + 1 < len(texts) else None
        if nxt and body.startswith("data") and nxt[0].startswith("data") and "\n" not in body:
            yield (body + nxt[0] + sep + sep).encode(), nxt[1]
            k += 2
        else:
            yield (body + sep + sep).encode(), chars
            k += 1


def _encode_frames(reply: Reply, frames: list[_Frame]) -> list[tuple[bytes, int]]:
    """Every encoded frame at once (for the quirks that cut or glue the whole stream)."""
    return list(_iter_encoded(reply, frames))


def _error_frame(reply: Reply) -> bytes:
    q = reply.quirks
    sep = "\r\n" if "crlf" in q else "\n"
    obj = {"error": reply.error_obj or {"message": "upstream error", "type": "server_error"}}
    data = json.dumps(obj, ensure_ascii=False)
    if "bare_error" in q:
        return (data + sep).encode()
    head = f"event: error{sep}" if reply.error_event else ""
    return (head + "data: " + data + sep + sep).encode()


# --- the server -------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hang up mid-stream on purpose in tests: stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Real servers (uvicorn, nginx, the relays) send small frames at once: without
    # TCP_NODELAY the status line and headers, written separately, wait for the
    # client's delayed ACK (~40 ms) and every measured time to first token grows by it.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Silence the per-request log lines."""

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.fake._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        self.server.fake._track(self.connection, add=False)

    # -- plumbing --

    def _record(self) -> RecordedRequest:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        rec = RecordedRequest(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            json=parsed,
            raw=raw,
        )
        self.server.fake.requests.append(rec)
        return rec

    def _send_body(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _send_json(self, status: int, obj: Any, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(obj, ensure_ascii=False).encode()
        self._send_body(status, body, "application/json", headers)

    def _send_reply_body(self, reply: Reply) -> None:
        body = reply.raw_body if reply.raw_body is not None else (reply.body or "").encode()
        if reply.status >= 400 and reply.body is None and reply.raw_body is None:
            err = {"message": f"HTTP {reply.status}", "type": "server_error", "code": None}
            body = json.dumps({"error": err}).encode()
        self._send_body(reply.status, body, reply.content_type or "application/json", reply.headers)

    def _check_auth(self) -> bool:
        key = self.server.fake.api_key
        if key is None or self.headers.get("Authorization") == f"Bearer {key}":
            return True
        self._send_json(
            401,
            {
                "error": {
                    "message": "Incorrect API key provided. You can find your API key at "
                    "https://platform.openai.com/account/api-keys.",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "invalid_api_key",
                }
            },
        )
        return False

    def _not_found(self) -> None:
        self._send_json(
            404,
            {
                "error": {
                    "message": f"Invalid URL ({self.command} {self.path})",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": None,
                }
            },
        )

    # -- routes --

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._record()
        path = self.path.split("?", 1)[0]
        if path != "/v1/models":
            return self._not_found()
        if not self._check_auth():
            return None
        fake = self.server.fake
        if fake.models_reply is not None:
            if fake.models_reply.first_delay_s:
                time.sleep(fake.models_reply.first_delay_s)
            return self._send_reply_body(fake.models_reply)
        return self._send_json(200, {"object": "list", "data": fake.models})

    def do_POST(self) -> None:  # noqa: N802
        rec = self._record()
        path = self.path.split("?", 1)[0]
        if path != "/v1/chat/completions":
            return self._not_found()
        if not self._check_auth():
            return None
        fake = self.server.fake
        request = rec.json if isinstance(rec.json, dict) else {}
        fake._enter()
        try:
            return self._answer(fake, request)
        finally:
            fake._leave()

    def _answer(self, fake: FakeServer, request: dict[str, Any]) -> None:
        reply = fake._next_reply(str(request.get("model") or ""), request)
        if reply.reject_stream_options and "stream_options" in request:
            err = {
                "message": "Unrecognized request argument supplied: stream_options",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
            return self._send_json(400, {"error": err})
        if reply.body is not None or reply.raw_body is not None or reply.status != 200:
            if reply.first_delay_s:
                time.sleep(reply.first_delay_s)
            return self._send_reply_body(reply)
        rid = f"chatcmpl-fake{fake._next_id()}"
        wants_stream = bool(request.get("stream"))
        if (wants_stream and not reply.force_json) or reply.force_stream:
            return self._stream(reply, request, rid)
        if reply.first_delay_s:
            time.sleep(reply.first_delay_s)
        return self._send_json(200, _completion_body(reply, request, rid), reply.headers)

    # -- streaming --

    def _stream(self, reply: Reply, request: dict[str, Any], rid: str) -> None:
        chunked = "close_delimited" not in reply.quirks
        self.send_response(200)
        self.send_header("Content-Type", reply.content_type or "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        for key, value in reply.headers.items():
            self.send_header(key, value)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.flush()
        wfile = self.wfile

        def write(data: bytes) -> None:
            if not data:
                return
            if chunked:
                wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            else:
                wfile.write(data)
            wfile.flush()

        try:
            if reply.first_delay_s:
                time.sleep(reply.first_delay_s)
            dropped = False
            if reply.trickle_s:
                blob = reply.payload
                if blob is None:
                    frames = _encode_frames(reply, _stream_frames(reply, request, rid))
                    blob = b"".join(data for data, _ in frames)
                write(blob[: reply.trickle_after])
                for i in range(reply.trickle_after, len(blob)):
                    time.sleep(reply.trickle_s)
                    write(blob[i : i + 1])
            elif reply.payload is not None:
                for i in range(0, len(reply.payload), _CHUNKED_WRITE):
                    write(reply.payload[i : i + _CHUNKED_WRITE])
            else:
                dropped = self._write_frames(reply, request, rid, write)
            if chunked and not dropped:  # a deliberate drop sends no terminating chunk
                wfile.write(b"0\r\n\r\n")
                wfile.flush()
        except OSError:  # the client went away (cancel / timeout tests)
            self.close_connection = True

    def _write_frames(self, reply: Reply, request: dict[str, Any], rid: str, write: Any) -> bool:
        """Write the stream; True when the connection was dropped on purpose."""
        frames = _stream_frames(reply, request, rid)
        q = reply.quirks
        stop: dict[str, Any] = {"kind": None, "bytes": b""}

        def until_stop(encoded: Iterable[tuple[bytes, int]]) -> Iterator[tuple[bytes, int]]:
            """The frames to write, in order, up to a planned error or drop."""
            for data, chars in encoded:
                if reply.drop_after_chars is not None and chars > reply.drop_after_chars:
                    stop.update(kind="drop", bytes=data[: max(1, len(data) // 2)])
                    return
                yield data, chars
                if reply.error_after_chars is not None and chars >= reply.error_after_chars:
                    stop.update(kind="error", bytes=_error_frame(reply))
                    yield stop["bytes"], chars
                    return

        if "glued" in q or "split_reads" in q:
            encoded = _encode_frames(reply, frames)
            rng = random.Random(len(encoded))
            blob = b"".join(data for data, _ in until_stop(encoded))
            if "glued" in q:
                write(blob)
            else:
                i = 0
                while i < len(blob):
                    step = rng.randint(1, 7)
                    write(blob[i : i + step])
                    i += step
                    if reply.delay_s:
                        time.sleep(reply.delay_s)
        else:
            paused = reply.pause_after_chars is None
            for k, (data, chars) in enumerate(until_stop(_iter_encoded(reply, frames))):
                if k and reply.delay_s:
                    time.sleep(reply.delay_s)
                write(data)
                self.server.fake.sent_chars = chars  # type: ignore[attr-defined]
                if not paused and chars >= reply.pause_after_chars:  # type: ignore[operator]
                    paused = True
                    if reply.release is not None:
                        reply.release.wait(reply.pause_s)
                    else:
                        time.sleep(reply.pause_s)
        if stop["kind"] == "drop":
            if reply.delay_s:
                time.sleep(reply.delay_s)
            write(stop["bytes"])
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        return False


class FakeServer:
    """A scriptable OpenAI-compatible server on 127.0.0.1:<random port> (background thread)."""

    def __init__(self, api_key: str | None = None, host: str = "127.0.0.1") -> None:
        self.api_key = api_key
        self.host = host
        self.requests: list[RecordedRequest] = []
        self.models: list[dict[str, Any]] = [dict(m) for m in DEFAULT_MODELS]
        self.models_reply: Reply | None = None
        self._queue: list[Reply] = []
        self._model_queues: dict[str, list[Reply]] = {}
        self._defaults: dict[str, Reply] = {}
        self.responder: Callable[[dict[str, Any]], Reply | None] | None = None
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._ids = 0
        # Content characters of the current stream written to the socket so far.
        self.sent_chars = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeServer is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def start(self) -> FakeServer:
        if self._server is not None:
            return self
        server = _Server((self.host, 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            conns = list(self._conns)
            self._conns.clear()
        for conn in conns:  # wake handlers blocked on keep-alive sockets or mid-stream
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def sent_text_chars(self) -> int:
        """Content characters the last (plain) stream had written when asked."""
        return self.sent_chars

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def script(self, *replies: Reply) -> None:
        """Queue replies for the next POST /chat/completions calls, in order."""
        with self._lock:
            self._queue.extend(replies)

    def script_for(self, model: str, *replies: Reply) -> None:
        """Queue replies for requests naming ``model`` (compare columns, concurrent).

        A request for a model with its own queue takes from it first; when that queue
        is empty, the shared queue (then the default reply) answers.
        """
        with self._lock:
            self._model_queues.setdefault(model, []).extend(replies)

    @property
    def pending(self) -> int:
        """Scripted replies not consumed yet."""
        with self._lock:
            return len(self._queue) + sum(len(q) for q in self._model_queues.values())

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """The POST /chat/completions requests only."""
        return [r for r in self.requests if r.method == "POST"]

    def default_for(self, model: str, reply: Reply) -> None:
        """The reply every request for ``model`` gets once the queues are empty."""
        with self._lock:
            self._defaults[model] = reply

    def _next_reply(self, model: str = "", request: dict[str, Any] | None = None) -> Reply:
        with self._lock:
            own = self._model_queues.get(model)
            if own:
                return own.pop(0)
            if self._queue:
                return self._queue.pop(0)
            responder = self.responder
            default = self._defaults.get(model)
        if responder is not None:
            found = responder(request or {})
            if found is not None:
                return found
        return default if default is not None else Reply()

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _next_id(self) -> int:
        with self._lock:
            self._ids += 1
            return self._ids

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)


@pytest.fixture
def fake_server() -> Iterator[FakeServer]:
    """A started FakeServer, stopped after the test."""
    with FakeServer() as server:
        yield server
