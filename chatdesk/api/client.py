"""The HTTP client for OpenAI-compatible chat servers (one ``httpx.AsyncClient``).

What it guarantees, because relays break every rule (ANCHORS.md 3.6-3.8):

* every failure is an :class:`ApiError` with a category, the server's own message, the
  HTTP status and the trimmed body; anything raised after the request started carries
  ``partial``, the :class:`ChatResult` received so far, so no word of an answer is lost;
* retries (exponential backoff, capped) happen only before the first byte of the answer
  body, only for network errors, 5xx, and 429 with a short ``Retry-After``;
* the stream is read to ``[DONE]`` or EOF, never stopped at ``finish_reason``, because
  usage arrives after it; an EOF with no finish reason and no ``[DONE]`` is a dropped
  connection (:class:`NetworkError`), not a short answer;
* usage is emitted once, as the last event, with the last usage seen anywhere
  (top-level ``usage``, a usage-only chunk, ``choices[].usage`` or ``x_groq.usage``);
* per-chunk overhead is kept small (one SSE split per read, one ``json.loads`` per event);
* every value off the wire is checked for type and size before it becomes an event
  (see "helpers for the stream"); one SSE line and a non-streamed body are capped
  (``max_line_chars``, ``max_body_bytes``, after decompression);
* two clocks: ``idle_timeout`` (no byte at all) and an optional ``total_timeout``;
* redirects are followed by our own rules (:meth:`ChatClient._send`): no loops, and a
  POST never leaves its host.

The API key is sent only in the ``Authorization`` header and scrubbed from any error text.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import math
import re
import socket
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any, NamedTuple, TypeVar

from chatdesk import __version__
from chatdesk.api._http import httpx
from chatdesk.api.baseurl import normalize_base_url
from chatdesk.api.errors import (
    ERROR_CLASSES,
    ApiError,
    NetworkError,
    ProtocolError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from chatdesk.api.redact import StreamRedactor, redact as _redact
from chatdesk.api.sse import SSEParser
from chatdesk.api.types import (
    ChatAccumulator,
    ChatRequest,
    ChatResult,
    FinishEvent,
    ModelEvent,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    Usage,
    UsageEvent,
)
from chatdesk.api.validate import build_body, validate_request

_T = TypeVar("_T")

DEFAULT_USER_AGENT = f"ChatDesk/{__version__}"
BODY_TRIM = 2048  # bytes of a body kept on an error, for a "details" view
_ERROR_BODY_LIMIT = 256 * 1024  # never read more than this of an error body
MAX_BODY_BYTES = 32 * 1024 * 1024  # a non-streamed answer (after decompression)
MAX_LINE_CHARS = 8 * 1024 * 1024  # one SSE line or one event's data
_JSON_HEADERS = {"Content-Type": "application/json"}
MAX_REDIRECTS = 5
MAX_RETRY_AFTER_S = 86400.0  # a server's retry delay is clamped to one day
MAX_CHOICES = 128  # OpenAI's own limit on n; a choice index outside 0..127 is skipped
MAX_TOOL_CALLS = 1024  # tool call indexes per choice
_SHORT = 64  # finish_reason and similar enum-like strings
_NAME_LIMIT = 256  # model names, tool call ids and function names

# --- error classification -------------------------------------------------------------

# Out of credit, in the words and codes servers use. new-api / one-api relays (the Zero
# API relay among them) answer HTTP 403 with e.g. code pre_consume_token_quota_failed,
# insufficient_user_quota and messages such as 预扣费额度失败 / 用户额度不足 / "token quota
# is not enough": the wording decides, not the 403.
_QUOTA_RE = re.compile(
    r"insufficient[_ ]quota|insufficient[_ ](?:account )?balance|insufficient[_ ]credit|"
    r"insufficient[_ ]user[_ ]quota|pre[_ ]consume[_ ](?:token[_ ])?quota[_ ]failed|"
    r"quota[_ ]exhausted|quota is not enough|quota not enough|"
    r"余额不足|额度不足|额度已用尽|额度用尽|预扣费额度失败|预扣费失败|欠费|"
    r"no credits?\b|quota exceeded|exceeded your current quota|"
    r"credit balance is too low|out of credits|payment required|billing hard limit",
    re.IGNORECASE,
)
_CONTENT_FILTER_CODES = frozenset(
    {
        "content_filter",
        "content_policy",
        "content_policy_violation",
        "responsibleaipolicyviolation",
        "data_inspection_failed",
        "sensitive_words_detected",
    }
)
# code / type / Google-style status -> category, for errors without a usable HTTP status
_CODE_CATEGORIES = {
    "invalid_api_key": "auth",
    "authentication_error": "auth",
    "unauthenticated": "auth",
    "permission_error": "permission",
    "permission_denied": "permission",
    "model_not_found": "not_found",
    "not_found_error": "not_found",
    "not_found": "not_found",
    "rate_limit_exceeded": "rate_limit",
    "rate_limit_error": "rate_limit",
    "resource_exhausted": "rate_limit",
    "insufficient_quota": "quota",
    "insufficient_user_quota": "quota",
    "pre_consume_token_quota_failed": "quota",
    "quota_exhausted": "quota",
    "billing_error": "quota",
    "invalid_request_error": "bad_request",
    "invalid_argument": "bad_request",
    "context_length_exceeded": "bad_request",
    "server_error": "server",
    "api_error": "server",
    "internal_error": "server",
    "overloaded_error": "server",
    "unavailable": "server",
}
# 501: the server has no such endpoint (not an internal error, and never worth a retry).
_STATUS_CATEGORIES = {
    401: "auth",
    403: "permission",
    404: "not_found",
    429: "rate_limit",
    501: "not_found",
}

_DURATION_PART = re.compile(
    r"(\d+(?:\.\d+)?)\s*(ms|milliseconds?|h|hours?|m(?![a-z])|mins?|minutes?|s|secs?|seconds?)",
    re.IGNORECASE,
)
_RETRY_EN = re.compile(
    r"(?:try again|retry)\s+(?:after|in)\s+"
    r"((?:\d+(?:\.\d+)?\s*(?:ms|milliseconds?|h|hours?|m(?![a-z])|mins?|minutes?|s|secs?|seconds?)\s*)+)",
    re.IGNORECASE,
)
_RETRY_ZH = re.compile(r"(\d+(?:\.\d+)?)\s*(毫秒|秒|分钟|分)\s*(?:钟)?\s*后")
_UNIT_SECONDS = {"ms": 0.001, "h": 3600.0, "m": 60.0, "s": 1.0}
_ZH_UNIT_SECONDS = {"毫秒": 0.001, "秒": 1.0, "分钟": 60.0, "分": 60.0}
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_STREAM_OPTIONS_RE = re.compile(r"stream_options|include_usage", re.IGNORECASE)


def _trim(text: str, limit: int = BODY_TRIM) -> str:
    return text if len(text) <= limit else text[:limit] + " …[trimmed]"


def _duration_seconds(text: str) -> float | None:
    total = 0.0
    found = False
    for number, unit in _DURATION_PART.findall(text):
        unit = unit.lower()
        key = "ms" if unit.startswith("milli") or unit == "ms" else unit[0]
        total += float(number) * _UNIT_SECONDS[key]
        found = True
    return total if found else None


def _sane_delay(value: float | None) -> float | None:
    """A server's retry delay made safe to store, show and sleep on.

    NaN, infinities and negative values are nonsense and are ignored (None); anything
    longer than :data:`MAX_RETRY_AFTER_S` (one day) is clamped to it, so ``round()``,
    ``asyncio.sleep`` and SQLite never see an absurd number.
    """
    if value is None or not math.isfinite(value) or value < 0:
        return None
    return min(value, MAX_RETRY_AFTER_S)


def retry_after_from_message(message: str) -> float | None:
    """Seconds from wording like "try again in 20s", "retry after 3 seconds", "请 5 秒后重试"."""
    if not message:
        return None
    match = _RETRY_EN.search(message)
    if match:
        return _sane_delay(_duration_seconds(match.group(1)))
    match = _RETRY_ZH.search(message)
    if match:
        return _sane_delay(float(match.group(1)) * _ZH_UNIT_SECONDS[match.group(2)])
    return None


def retry_after_from_headers(headers: Mapping[str, str] | None) -> float | None:
    """``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date) as seconds from now."""
    if not headers:
        return None
    value = headers.get("retry-after-ms")
    if value:
        try:
            ms = _sane_delay(float(value[:64]))
        except ValueError:
            ms = None
        if ms is not None:
            return ms / 1000.0
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()[:64]
    try:
        return _sane_delay(float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    try:
        # A date in the past means "now"; one decades ahead is clamped.
        return _sane_delay(max(0.0, when.timestamp() - time.time()))
    except (OverflowError, OSError, ValueError):
        return None


class _ErrorInfo(NamedTuple):
    message: str
    code: str | None
    type: str | None
    status: int | None  # a status found inside the body (relays put it there)
    parsed: bool


def _parse_error_body(text: str) -> _ErrorInfo:
    """Pull message / code / type out of the many error shapes servers use."""
    try:
        obj: Any = _loads(text)
    except ValueError:
        return _ErrorInfo(text.strip(), None, None, None, False)
    if isinstance(obj, list) and obj:
        obj = obj[0]
    if not isinstance(obj, dict):
        return _ErrorInfo(text.strip(), None, None, None, False)
    err = obj.get("error", obj)
    outer = obj
    if isinstance(err, str):
        err = {"message": err}
    elif not isinstance(err, dict):
        err = obj
    message = err.get("message") or err.get("msg") or err.get("detail") or outer.get("message")
    if not isinstance(message, str):
        message = _dumps(message) if message else ""
    metadata = err.get("metadata")
    if isinstance(metadata, dict) and isinstance(metadata.get("raw"), str):
        message = f"{message} ({metadata['raw']})" if message else metadata["raw"]
    code = err.get("code", outer.get("code"))
    etype = err.get("type") or outer.get("type") or err.get("status")
    status: int | None = None
    for candidate in (err.get("status"), outer.get("status"), code):
        if (
            isinstance(candidate, int)
            and not isinstance(candidate, bool)
            and 100 <= candidate < 600
        ):
            status = candidate
            break
    return _ErrorInfo(
        message.strip(),
        _wire_str(code, _NAME_LIMIT, numbers=True),
        _wire_str(etype, _NAME_LIMIT, numbers=True),
        status,
        True,
    )


def _classify(status: int | None, info: _ErrorInfo, retry_after: float | None) -> str:
    codes = {c.lower() for c in (info.code, info.type) if c}
    if codes & _CONTENT_FILTER_CODES:
        return "content_filter"
    if "insufficient_quota" in codes or status == 402:
        return "quota"
    wording = f"{info.code or ''} {info.type or ''} {info.message}"
    if _QUOTA_RE.search(wording):
        # Gemini words short per-minute limits as "quota exceeded" but says when to retry:
        # a 429 that names a retry delay is a rate limit, not an empty account.
        hinted = retry_after is not None or retry_after_from_message(info.message) is not None
        if not (status == 429 and hinted):
            return "quota"
    if status in _STATUS_CATEGORIES:
        return _STATUS_CATEGORIES[status]
    if "model_not_found" in codes:
        return "not_found"
    if status in (400, 422):
        return "bad_request"
    if status is not None and status >= 500:
        return "server"
    for code in codes:
        category = _CODE_CATEGORIES.get(code)
        if category:
            return category
    if status is None:
        return "server"  # an error event inside a 200 stream with no clue
    if 400 <= status < 500:
        return "bad_request"
    return "protocol"


def error_from_response(
    status: int | None,
    headers: Mapping[str, str] | None,
    body_text: str,
    *,
    secret: str | None = None,
    received: int | None = None,
    key_sent: bool | None = None,
) -> ApiError:
    """Map an HTTP error (or, with ``status=None``, an error inside a 200 stream) to ApiError.

    ``key_sent=False`` marks a refusal of a request sent without a key (a 401 then
    means "a key is needed", not "the key was rejected").

    ``received`` is the HTTP status of the answer an in-band error came in (200): it is
    the error's ``http_status``, and the error's own code (which also picks the
    category) is kept in ``code``.

    HTML pages: 5xx stays a (retryable) server error, 401/403/404/429 keep their
    category, anything else is a :class:`ProtocolError` telling the user to check the
    base URL. ``secret`` (the API key) is scrubbed from the message and body.
    """
    text = _redact(body_text or "", secret)
    lowered_headers = {k.lower(): v for k, v in headers.items()} if headers else {}
    ctype = lowered_headers.get("content-type", "").lower()
    retry_after = retry_after_from_headers(lowered_headers)
    body = _trim(text)
    stripped = text.lstrip()
    if "html" in ctype or stripped.startswith("<"):
        title_match = _TITLE_RE.search(stripped[:65536])
        title = " ".join(title_match.group(1).split())[:200] if title_match else ""
        message = "got an HTML page" + (f" ({title})" if title else "")
        message += " instead of an API response, check the base URL"
        if status == 501:
            message = title or _NOT_IMPLEMENTED  # explain() says what a 501 means
            category = "not_found"
        elif status is not None and status >= 500:
            category = "server"
        else:
            category = _STATUS_CATEGORIES.get(status or 0, "protocol")
        return _marked(
            ERROR_CLASSES[category](
                message, http_status=status, retry_after_s=retry_after, body=body
            ),
            key_sent,
        )
    info = _parse_error_body(text)
    if not info.parsed and status is not None and 200 <= status < 300:
        return ProtocolError(
            "the server's answer could not be parsed: " + _trim(info.message, 200),
            http_status=status,
            body=body,
        )
    effective_status = status if status is not None else info.status
    category = _classify(effective_status, info, retry_after)
    message = info.message or (f"HTTP {status}" if status else "the server reported an error")
    if status == 501 and not info.message:
        message = _NOT_IMPLEMENTED
    if category == "rate_limit" and retry_after is None:
        retry_after = retry_after_from_message(info.message)
    # Again after parsing: a JSON escape (\u0073k-...) hides the key from the raw text.
    code = _redact(info.code, secret) if info.code else None
    if status is None and received is not None:
        effective_status = received
        if code is None and info.status is not None:
            code = str(info.status)
    return _marked(
        ERROR_CLASSES[category](
            _trim(_redact(message, secret), 1000),
            http_status=effective_status,
            code=code,
            retry_after_s=retry_after,
            body=body,
        ),
        key_sent,
    )


_NOT_IMPLEMENTED = "Not Implemented"


def _marked(err: ApiError, key_sent: bool | None) -> ApiError:
    if key_sent is not None:
        err.key_sent = key_sent
    return err


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost cause (httpcore/anyio wrap ConnectionRefusedError, SSLError...)."""
    seen = 0
    while seen < 10:
        nxt = exc.__cause__ or exc.__context__
        if nxt is None:
            break
        exc = nxt
        seen += 1
    return exc


def network_error(
    exc: BaseException,
    *,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
    secret: str | None = None,
    partial: ChatResult | None = None,
) -> NetworkError:
    """Say in plain words which network failure an httpx exception is."""
    detail = _redact(str(exc) or type(exc).__name__, secret)
    where = ""
    try:
        url = exc.request.url  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):  # not an httpx error, or no request attached
        pass
    else:
        where = f" ({url.host}:{url.port or (443 if url.scheme == 'https' else 80)})"
    lowered = detail.lower()
    root = _root_cause(exc)
    if isinstance(root, ConnectionRefusedError):
        lowered += " refused"
    elif isinstance(root, socket.gaierror):
        lowered += " name resolution"
    elif isinstance(root, ssl.SSLError):
        lowered += " tls"
        detail = str(root) or detail
    if isinstance(exc, httpx.ConnectTimeout):
        message = f"connecting timed out after {connect_timeout:g} s{where}"
    elif isinstance(exc, httpx.ReadTimeout):
        message = f"timed out after {read_timeout:g} s without data from the server{where}"
    elif isinstance(exc, httpx.WriteTimeout):
        message = f"timed out sending the request{where}"
    elif isinstance(exc, httpx.PoolTimeout):
        message = "timed out waiting for a free connection"
    elif isinstance(exc, httpx.ProxyError):
        message = f"proxy error: {detail}"
    elif isinstance(exc, httpx.ConnectError):
        if "refused" in lowered:
            message = f"connection refused{where}"
        elif any(
            s in lowered
            for s in ("name or service", "nodename", "getaddrinfo", "name resolution", "no address")
        ):
            message = f"could not resolve the host name{where}"
        elif any(s in lowered for s in ("ssl", "tls", "certificate", "handshake")):
            message = f"TLS error{where}: {detail}"
        elif "unreachable" in lowered:
            message = f"network is unreachable{where}"
        else:
            message = f"could not connect{where}: {detail}"
    elif isinstance(exc, httpx.RemoteProtocolError):
        message = f"the server closed the connection unexpectedly{where}: {detail}"
    elif isinstance(exc, httpx.ReadError):
        message = f"the connection was lost while reading{where}: {detail}"
    elif isinstance(exc, httpx.WriteError):
        message = f"the connection was lost while sending{where}: {detail}"
    elif isinstance(exc, httpx.UnsupportedProtocol):
        message = f"unsupported URL: {detail}"
    else:
        message = f"{type(exc).__name__}: {detail}"
    return NetworkError(message, partial=partial)


# --- helpers for the stream -----------------------------------------------------------
#
# Everything below reads values that came off the wire. A server may send any JSON
# value in any field (a string index, a 400-digit count, a megabyte "model"), so each
# field is checked for type and size here, once, and the rest of the app only ever sees
# small ints and short strings. A value that cannot be used is skipped (a quirk), never
# raised: an answer that arrived whole is never turned into an error by a bad number.


def _choice_index(value: Any, default: int) -> int | None:
    """A choice ``index`` as a small int; None means "skip this choice".

    Missing means ``default`` (its position); integral floats and short digit strings
    are coerced; negative, huge, fractional and other values are rejected.
    """
    if value is None:
        return default if default < MAX_CHOICES else None
    return _small_int(value, MAX_CHOICES)


def _small_int(value: Any, limit: int) -> int | None:
    """``value`` as an int in ``0 <= n < limit`` (ints, integral floats, digit strings)."""
    kind = value.__class__
    if kind is int:
        return value if 0 <= value < limit else None
    if kind is float:
        if math.isfinite(value) and value.is_integer() and 0 <= value < limit:
            return int(value)
        return None
    if kind is str and 0 < len(value) <= 6 and value.isascii() and value.isdigit():
        number = int(value)
        return number if number < limit else None
    return None


def _wire_str(value: Any, limit: int, *, numbers: bool = False) -> str | None:
    """A non-empty string cut to ``limit`` characters, or None (``numbers``: 1 -> "1")."""
    kind = value.__class__
    if kind is str:
        return value[:limit] if value else None
    if numbers and (kind is float or (kind is int and -(10**18) < value < 10**18)):
        return str(value)[:limit]
    return None


def _loads(text: str | bytes) -> Any:
    """``json.loads`` that also refuses absurdly deep nesting (RecursionError)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _dumps(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (RecursionError, ValueError, TypeError):
        return "<unprintable JSON>"


def _json_lines(payload: str) -> list[Any]:
    """Chunks of an event whose data lines are each a whole JSON value, or ``[]``.

    Servers under write pressure have sent two ``data:`` frames separated by a single
    newline; by the SSE rules they are one event with the data ``"json1\njson2"``,
    which is not JSON. When every line parses on its own, each is a chunk (a JSON value
    spread over several lines parses whole, before this is tried).
    """
    if "\n" not in payload:
        return []
    out: list[Any] = []
    for line in payload.split("\n"):
        line = line.strip()
        if not line:
            continue
        if line.startswith("data:"):
            line = line[5:].strip()
        if line == "[DONE]":
            continue
        try:
            out.append(_loads(line))
        except ValueError:
            return []
    return out


def _parts_text(content: Any) -> str:
    """Text of a content given as a list of parts (some servers stream that)."""
    if isinstance(content, list):
        return "".join(
            p["text"]
            for p in content
            if isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str)
        )
    return content if isinstance(content, str) else ""


def _arguments_text(args: Any) -> str:
    if args is None:
        return ""
    if isinstance(args, str):
        return args
    return _dumps(args)


def _tool_deltas(index: int, calls: Any, state: dict[int, list[Any]]) -> list[ToolCallDelta]:
    """ToolCallDelta per fragment; infers ``index`` when a server omits it (keyed by id).

    The call index must be a small int, the id and name short strings; anything else
    is treated as missing.
    """
    out: list[ToolCallDelta] = []
    if not isinstance(calls, list):
        return out
    slot = state.get(index)
    if slot is None:
        slot = state[index] = [{}, 0]  # id -> call index, last call index
    ids: dict[str, int] = slot[0]
    for tc in calls:
        if not isinstance(tc, dict):
            continue
        fn = tc.get("function")
        if not isinstance(fn, dict):
            fn = {}
        call_id = _wire_str(tc.get("id"), _NAME_LIMIT, numbers=True)
        raw_index = tc.get("index")
        call_index = None if raw_index is None else _small_int(raw_index, MAX_TOOL_CALLS)
        if call_index is None:
            if raw_index is not None and call_id is None:
                continue  # an index we cannot use and nothing else to place it by
            if call_id is not None:
                call_index = ids.get(call_id)
                if call_index is None:
                    if len(ids) >= MAX_TOOL_CALLS:
                        continue
                    call_index = ids[call_id] = len(ids)
            else:
                call_index = slot[1]
        elif call_id is not None and len(ids) < MAX_TOOL_CALLS:
            ids.setdefault(call_id, call_index)
        slot[1] = call_index
        name = _wire_str(fn.get("name"), _NAME_LIMIT)
        args = _arguments_text(fn.get("arguments"))
        if call_id is None and name is None and not args:
            continue
        out.append(ToolCallDelta(index, call_index, call_id, name, args))
    return out


class _ChunkReader:
    """Turns decoded stream chunks into events; keeps the state that spans chunks."""

    __slots__ = ("model_sent", "finished", "tool_state", "usage_obj", "skipped")

    def __init__(self) -> None:
        self.model_sent = False
        self.finished: set[int] = set()
        self.tool_state: dict[int, list[Any]] = {}
        self.usage_obj: Any = None
        self.skipped = 0  # choices dropped because their index or shape was unusable

    def events(self, obj: dict[str, Any]) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        if not self.model_sent:
            model = _wire_str(obj.get("model"), _NAME_LIMIT)
            if model:
                self.model_sent = True
                out.append(ModelEvent(model))
        choices = obj.get("choices")
        if choices and choices.__class__ is list:
            for pos, ch in enumerate(choices):
                if ch.__class__ is not dict:
                    self.skipped += 1
                    continue
                index = ch.get("index")
                if index.__class__ is not int or not 0 <= index < MAX_CHOICES:
                    index = _choice_index(index, pos)
                    if index is None:
                        self.skipped += 1
                        continue
                delta = ch.get("delta")
                if delta is None:
                    delta = ch.get("message")
                if delta and delta.__class__ is dict:
                    text = delta.get("content")
                    if text:
                        if text.__class__ is not str:
                            text = _parts_text(text)
                        if text:
                            out.append(TextDelta(index, text))
                    text = delta.get("reasoning_content") or delta.get("reasoning")
                    if text and text.__class__ is str:
                        out.append(ReasoningDelta(index, text))
                    calls = delta.get("tool_calls")
                    if calls:
                        out.extend(_tool_deltas(index, calls, self.tool_state))
                    calls = delta.get("function_call")
                    if calls and calls.__class__ is dict:
                        legacy = [{"index": 0, "function": calls}]
                        out.extend(_tool_deltas(index, legacy, self.tool_state))
                reason = ch.get("finish_reason")
                if reason and index not in self.finished:
                    reason = _wire_str(reason, _SHORT, numbers=True)
                    if reason:
                        self.finished.add(index)
                        out.append(FinishEvent(index, reason))
                usage = ch.get("usage")
                if usage:
                    self.usage_obj = usage
        usage = obj.get("usage")
        if usage:
            self.usage_obj = usage
        elif "x_groq" in obj:
            groq = obj["x_groq"]
            if groq.__class__ is dict and groq.get("usage"):
                self.usage_obj = groq["usage"]
        return out


def _json_events(obj: Any, secret: str | None = None) -> list[StreamEvent]:
    """Events equivalent to a non-streamed ``chat.completion`` body."""
    if not isinstance(obj, dict) or not isinstance(obj.get("choices"), list):
        raise ProtocolError(
            "the server answered with JSON that is not a chat completion (no choices)",
            body=_trim(_redact(_dumps(obj), secret)),
        )
    events: list[StreamEvent] = []
    model = _wire_str(obj.get("model"), _NAME_LIMIT)
    if model:
        events.append(ModelEvent(model))
    usage = obj.get("usage")
    state: dict[int, list[Any]] = {}
    for pos, ch in enumerate(obj["choices"]):
        if not isinstance(ch, dict):
            continue
        index = _choice_index(ch.get("index"), pos)
        if index is None:
            continue
        msg = ch.get("message") or ch.get("delta") or {}
        if isinstance(msg, dict):
            reasoning = msg.get("reasoning_content") or msg.get("reasoning")
            if isinstance(reasoning, str) and reasoning:
                events.append(ReasoningDelta(index, reasoning))
            text = _parts_text(msg.get("content"))
            if text:
                events.append(TextDelta(index, text))
            calls = msg.get("tool_calls")
            if isinstance(calls, list):
                fixed = [
                    dict(tc, index=tc.get("index", i)) if isinstance(tc, dict) else tc
                    for i, tc in enumerate(calls)
                ]
                events.extend(_tool_deltas(index, fixed, state))
            fc = msg.get("function_call")
            if isinstance(fc, dict):
                events.extend(_tool_deltas(index, [{"index": 0, "function": fc}], state))
        reason = _wire_str(ch.get("finish_reason"), _SHORT, numbers=True)
        if reason:
            events.append(FinishEvent(index, reason))
        if ch.get("usage"):
            usage = usage or ch["usage"]
    groq = obj.get("x_groq")
    if not usage and isinstance(groq, dict):
        usage = groq.get("usage")
    parsed = Usage.from_dict(usage)
    if parsed is not None:
        events.append(UsageEvent(parsed))
    return events


def result_from_events(events: list[StreamEvent]) -> ChatResult:
    """Fold events into a ChatResult, joining text pieces once (no quadratic ``+=``)."""
    acc = ChatAccumulator()
    texts: dict[int, list[str]] = {}
    thoughts: dict[int, list[str]] = {}
    for ev in events:
        kind = type(ev)
        if kind is TextDelta:
            texts.setdefault(ev.index, []).append(ev.text)  # type: ignore[union-attr]
        elif kind is ReasoningDelta:
            thoughts.setdefault(ev.index, []).append(ev.text)  # type: ignore[union-attr]
        else:
            acc.feed(ev)
    result = acc.result
    for index, parts in thoughts.items():
        result.choice(index).reasoning += "".join(parts)
    for index, parts in texts.items():
        result.choice(index).content += "".join(parts)
    return result


_INFLATE_STEP = 256 * 1024  # the most decoded bytes produced from one input at a time
_ENCODING_WBITS = {
    "gzip": 16 + zlib.MAX_WBITS,
    "x-gzip": 16 + zlib.MAX_WBITS,
    "deflate": zlib.MAX_WBITS,
}


async def _body_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """The decoded body, at most ``_INFLATE_STEP`` bytes per piece.

    httpx would inflate each network read whole (64 KB of gzip can hold 64 MB), so the
    raw bytes are read and inflated here with a bound on each step: a size cap further
    up stops a compression bomb after the cap, not after the bomb. We only ever ask for
    gzip and deflate (``Accept-Encoding``); anything else is a protocol error.
    """
    raw = response.aiter_raw()
    try:
        encoding = response.headers.get("content-encoding", "").strip().lower()
        if encoding in ("", "identity"):
            async for chunk in raw:
                if chunk:
                    yield chunk
            return
        wbits = _ENCODING_WBITS.get(encoding)
        if wbits is None:
            raise ProtocolError(
                f"the server compressed its answer as {encoding[:40]!r}, which was not asked for",
                http_status=response.status_code,
            )
        inflater = zlib.decompressobj(wbits)
        started = False
        try:
            async for chunk in raw:
                data = chunk
                while data:
                    try:
                        out = inflater.decompress(data, _INFLATE_STEP)
                    except zlib.error:
                        if started or wbits != zlib.MAX_WBITS:
                            raise
                        # "deflate" sent as a raw stream without the zlib header
                        wbits = -zlib.MAX_WBITS
                        inflater = zlib.decompressobj(wbits)
                        continue
                    started = True
                    data = inflater.unconsumed_tail
                    if out:
                        yield out
                    if inflater.eof:
                        data = inflater.unused_data
                        if data and wbits > zlib.MAX_WBITS:  # concatenated gzip members
                            inflater = zlib.decompressobj(wbits)
                        else:
                            break
                    elif not data and len(out) == _INFLATE_STEP:
                        data = b""
                        while True:  # output still held back by the step bound
                            out = inflater.decompress(b"", _INFLATE_STEP)
                            if out:
                                yield out
                            if len(out) < _INFLATE_STEP:
                                break
            out = inflater.flush()
            if out:
                yield out
        except zlib.error as exc:
            raise ProtocolError(
                f"the server's compressed answer is damaged ({exc})",
                http_status=response.status_code,
            ) from None
    finally:
        await _aclose(raw)


async def _read_capped(
    chunks: AsyncIterator[bytes], limit: int, first: bytes = b"", *, secret: str | None
) -> bytes:
    """Read a whole body, failing once it passes ``limit`` decoded bytes."""
    parts = [first] if first else []
    size = len(first)
    if size <= limit:
        async for chunk in chunks:
            parts.append(chunk)
            size += len(chunk)
            if size > limit:
                break
    if size > limit:
        head = b"".join(parts[:4])[:BODY_TRIM].decode("utf-8", "replace")
        raise ProtocolError(
            f"the server's answer is larger than {limit / 1048576:g} MB "
            "(the most ChatDesk reads for one answer); reading stopped there",
            body=_trim(_redact(head, secret)),
        )
    return b"".join(parts)


async def _drain(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """Read the rest of a body (at most ``limit`` bytes)."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(parts)


async def _aclose(chunks: AsyncIterator[bytes]) -> None:
    """Finalise an httpx body iterator explicitly (not left to the garbage collector)."""
    close = getattr(chunks, "aclose", None)
    if close is not None:
        await close()


def _same_host(origin: httpx.URL, target: httpx.URL) -> bool:
    """Same host name, and the same port or an http -> https upgrade on default ports."""
    if origin.host.lower() != target.host.lower():
        return False
    if origin.scheme == target.scheme:
        return origin.port == target.port
    return (
        origin.scheme == "http"
        and target.scheme == "https"
        and origin.port in (None, 80)
        and target.port in (None, 443)
    )


class _Opened(NamedTuple):
    response: httpx.Response
    chunks: AsyncIterator[bytes]
    first: bytes  # the first non-empty read of the body (b"" for an empty body)


# --- the client -----------------------------------------------------------------------


class ChatClient:
    """Talks to one OpenAI-compatible server; cheap to keep for the app's lifetime."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        connect_timeout: float = 10,
        read_timeout: float = 60,
        max_retries: int = 2,
        retry_cap_s: float = 10,
        include_usage: bool = True,
        proxy: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
        backoff_s: float = 0.5,
        headers: Mapping[str, str] | None = None,
        verify: bool = True,
        trust_env: bool = True,
        max_line_chars: int = MAX_LINE_CHARS,
        max_body_bytes: int = MAX_BODY_BYTES,
        total_timeout: float | None = None,
        idle_timeout: float | None = None,
        retry_rate_limits: bool = True,
    ) -> None:
        """Two clocks bound a request:

        * ``idle_timeout`` (``read_timeout`` is its older name, used when it is not
          given): the longest time without a single byte from the server, while waiting
          for the answer or between two reads of it. Any byte resets it, SSE comments
          and keep-alives included: a server that says "still here" is not idle.
        * ``total_timeout`` (None: off): the whole request, from the call to the last
          event, retries and their waits included. Nothing extends it, keep-alives
          included, so a server that trickles a byte a second or pings forever still
          ends at the deadline, with a ``network`` error whose ``partial`` keeps the
          text received.

        ``max_line_chars`` caps one SSE line (or one event's data) and ``max_body_bytes``
        a non-streamed body after decompression; past either the request fails with a
        ``protocol`` error that keeps what was received. A stream as a whole has no size
        cap (a long answer is legitimate); bound it in time with ``total_timeout``.

        ``retry_rate_limits=False`` raises a 429 at once (with its ``retry_after_s``)
        instead of waiting here: a prompt-set run pauses the whole provider instead.
        """
        self.base_url = normalize_base_url(base_url)
        key = (api_key or "").strip() or None
        if key is not None and not key.isascii():
            raise ValidationError(
                "api_key", "contains non-ASCII characters (was extra text copied with it?)"
            )
        if key is not None and any(ch.isspace() for ch in key):
            raise ValidationError("api_key", "contains spaces or line breaks")
        self._api_key = key
        self.connect_timeout = float(connect_timeout)
        self.read_timeout = float(idle_timeout if idle_timeout is not None else read_timeout)
        self.total_timeout = float(total_timeout) if total_timeout else None
        self.max_retries = max(0, int(max_retries))
        self.retry_cap_s = float(retry_cap_s)
        self.retry_rate_limits = bool(retry_rate_limits)
        self.backoff_s = float(backoff_s)
        self.include_usage = include_usage
        self.max_line_chars = max(1024, int(max_line_chars))
        self.max_body_bytes = max(1024, int(max_body_bytes))
        default_headers = {
            "User-Agent": user_agent,
            "Accept": "application/json",
            # Only what _body_chunks inflates with a bound (never br/zstd).
            "Accept-Encoding": "gzip, deflate",
        }
        if headers:
            default_headers.update(headers)
        if key is not None:
            default_headers["Authorization"] = f"Bearer {key}"
        timeout = httpx.Timeout(
            connect=self.connect_timeout,
            read=self.read_timeout,
            write=max(self.read_timeout, 30.0),
            pool=self.connect_timeout,
        )
        try:
            self._http = httpx.AsyncClient(
                timeout=timeout,
                headers=default_headers,
                proxy=proxy or None,
                transport=transport,
                follow_redirects=False,  # followed by _send, with our own rules
                verify=verify,
                trust_env=trust_env,
            )
        except ImportError as exc:
            raise ValidationError(
                "proxy", f"this proxy type needs an extra package (httpx[socks]): {exc}"
            ) from None
        except (ValueError, httpx.InvalidURL) as exc:
            raise ValidationError("proxy", f"not a valid proxy URL: {exc}") from None

    # -- lifecycle --

    async def close(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> ChatClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __repr__(self) -> str:  # never shows the key
        return f"ChatClient({self.base_url!r})"

    # -- public calls --

    def stream_chat(self, req: ChatRequest) -> AsyncIterator[StreamEvent]:
        """Stream one chat turn as typed events (an async generator; see module doc)."""
        if not req.stream:
            req = replace(req, stream=True)
        return self._run(req)

    async def complete(self, req: ChatRequest) -> ChatResult:
        """One non-streamed chat turn (copes with servers that stream anyway)."""
        if req.stream:
            req = replace(req, stream=False)
        events: list[StreamEvent] = []
        async for ev in self._run(req):
            events.append(ev)
        return result_from_events(events)

    async def list_models(self) -> list[dict[str, str]]:
        """``GET {base}/models`` as ``[{"id", "owned_by"}]`` (``data`` list or a bare list)."""
        url = self.base_url + "/models"
        deadline = self._deadline()
        opened = await self._within(
            deadline,
            self._open(lambda: self._http.build_request("GET", url), sso=False, deadline=deadline),
        )
        response, chunks, first = opened
        try:
            raw = await self._within(
                deadline,
                _read_capped(chunks, self.max_body_bytes, first, secret=self._api_key),
            )
        except httpx.HTTPError as exc:
            raise self._network_error(exc) from exc
        finally:
            await _aclose(chunks)
            await response.aclose()
        text = raw.decode(response.encoding or "utf-8", "replace")
        stripped = text.lstrip()
        if stripped.startswith("<") or "html" in response.headers.get("content-type", ""):
            raise error_from_response(
                response.status_code,
                response.headers,
                text,
                secret=self._api_key,
                key_sent=self._api_key is not None,
            )
        try:
            obj: Any = _loads(text)
        except ValueError:
            raise ProtocolError(
                "the model list is not JSON",
                http_status=response.status_code,
                body=_trim(_redact(text, self._api_key)),
            ) from None
        if isinstance(obj, dict) and "error" in obj and "data" not in obj:
            raise error_from_response(None, response.headers, text, secret=self._api_key)
        items = obj
        if isinstance(obj, dict):
            items = obj.get("data", obj.get("models"))
        if not isinstance(items, list):
            raise ProtocolError(
                "the model list has no 'data' array",
                http_status=response.status_code,
                body=_trim(_redact(text, self._api_key)),
            )
        models: list[dict[str, str]] = []
        seen: set[str] = set()
        for item in items:
            if isinstance(item, str):
                model_id, owner = item, ""
            elif isinstance(item, dict):
                model_id = item.get("id") or item.get("name") or item.get("model") or ""
                owner = item.get("owned_by") or ""
            else:
                continue
            if isinstance(model_id, str) and model_id and model_id not in seen:
                seen.add(model_id)
                models.append({"id": model_id, "owned_by": str(owner)})
        return models

    # -- internals --

    def _network_error(self, exc: BaseException, partial: ChatResult | None = None) -> NetworkError:
        return network_error(
            exc,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            secret=self._api_key,
            partial=partial,
        )

    def _deadline(self) -> float | None:
        """The event-loop time at which the request must be over (None: no deadline)."""
        if self.total_timeout is None:
            return None
        return asyncio.get_running_loop().time() + self.total_timeout

    async def _within(self, deadline: float | None, awaitable: Awaitable[_T]) -> _T:
        """Await ``awaitable`` but no later than ``deadline`` (a ``network`` error then)."""
        if deadline is None:
            return await awaitable
        scope = asyncio.timeout_at(deadline)
        try:
            async with scope:
                return await awaitable
        except TimeoutError:
            if not scope.expired():
                raise
            raise NetworkError(
                f"no complete answer within the total deadline of {self.total_timeout:g} s "
                f"({self.base_url}); the text received so far is kept"
            ) from None

    def _retry_delay(
        self, err: ApiError, attempt: int, deadline: float | None = None
    ) -> float | None:
        """Seconds to wait before retrying ``err``, or None to give up now."""
        delay = self._retry_wait(err, attempt)
        if delay is not None and deadline is not None:
            if asyncio.get_running_loop().time() + delay >= deadline:
                return None
        return delay

    def _retry_wait(self, err: ApiError, attempt: int) -> float | None:
        if attempt >= self.max_retries:
            return None
        if isinstance(err, RateLimitError):
            if not self.retry_rate_limits:
                return None
            wait = err.retry_after_s
            if wait is None or wait > self.retry_cap_s:
                return None
            return wait
        if isinstance(err, ServerError | NetworkError):
            wait = err.retry_after_s
            if wait is not None and wait <= self.retry_cap_s:
                return wait
            return min(self.retry_cap_s, self.backoff_s * (2**attempt))
        return None

    async def _send(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, following redirects by ChatDesk's rules.

        * at most :data:`MAX_REDIRECTS` hops, and a URL seen twice is a loop: both end
          in one ``protocol`` error, never retried (a loop used to cost 63 requests);
        * a POST (the conversation) follows a redirect only on the same host: same
          host name and port, or the same host name moving from http to https. Anywhere
          else it stops with an error naming the target host, so that a hostile or
          misconfigured server cannot have the conversation resent elsewhere;
        * a GET (the model list) may go to another host: httpx drops the key there;
        * nothing follows a redirect to another scheme than http(s) (``file:``...).
        """
        origin = request.url
        seen = {str(origin)}
        hops = 0
        while True:
            try:
                response = await self._http.send(request, stream=True)
            except httpx.InvalidURL as exc:  # httpx builds the redirect's URL while sending
                raise ProtocolError(
                    f"the server redirects this request to an address that is not valid "
                    f"({str(exc)[:100]}); ChatDesk refused to follow it. Check the base URL"
                ) from None
            target = response.next_request
            if target is None:
                return response
            status = response.status_code
            await response.aclose()
            url = target.url
            if url.scheme not in ("http", "https"):
                where = response.headers.get("location", str(url))[:100]
                raise ProtocolError(
                    f"the server redirects this request to a non-HTTP address ({where}); "
                    "ChatDesk refused to follow it. Check the base URL",
                    http_status=status,
                )
            if str(url) in seen:
                raise ProtocolError(
                    f"the server redirects in a loop (HTTP {status} to {url.host}{url.path}); "
                    "check the base URL",
                    http_status=status,
                )
            if request.method == "POST" and not _same_host(origin, url):
                raise ProtocolError(
                    f"the server redirects this request to another host ({url.host}); "
                    "ChatDesk does not send the conversation there. If that host is "
                    "right, use it in the base URL",
                    http_status=status,
                )
            hops += 1
            if hops > MAX_REDIRECTS:
                raise ProtocolError(
                    f"the server redirected more than {MAX_REDIRECTS} times; check the base URL",
                    http_status=status,
                )
            seen.add(str(url))
            request = target

    async def _open(
        self,
        make_request: Callable[[], httpx.Request],
        *,
        sso: bool,
        deadline: float | None = None,
    ) -> _Opened:
        """Send with retries until a 2xx answer's first byte arrived (or give up).

        ``sso``: a 400 complaining about ``stream_options`` is retried once without it,
        and ``include_usage`` is switched off for this client from then on. A retry
        whose wait would end past ``deadline`` is not made: its error is raised now.
        """
        attempt = 0
        sso_retried = False
        while True:
            request = make_request()
            err: ApiError
            try:
                response = await self._send(request)
            except httpx.HTTPError as exc:
                err = self._network_error(exc)
                delay = self._retry_delay(err, attempt, deadline)
                if delay is None:
                    raise err from exc
                await asyncio.sleep(delay)
                attempt += 1
                continue
            chunks = _body_chunks(response)
            if response.status_code < 300:
                try:
                    first = b""
                    async for chunk in chunks:
                        if chunk:
                            first = chunk
                            break
                    return _Opened(response, chunks, first)
                except httpx.HTTPError as exc:
                    await _aclose(chunks)
                    await response.aclose()
                    err = self._network_error(exc)
                except BaseException:
                    await _aclose(chunks)
                    await response.aclose()
                    raise
            else:
                try:
                    raw = await _drain(chunks, _ERROR_BODY_LIMIT)
                    text = raw.decode(response.encoding or "utf-8", "replace")
                    err = error_from_response(
                        response.status_code,
                        response.headers,
                        text,
                        secret=self._api_key,
                        key_sent=self._api_key is not None,
                    )
                except httpx.HTTPError as exc:
                    err = self._network_error(exc)
                finally:
                    await _aclose(chunks)
                    await response.aclose()
                if (
                    sso
                    and not sso_retried
                    and self.include_usage
                    and err.http_status in (400, 422)
                    and _STREAM_OPTIONS_RE.search(f"{err.message} {err.body or ''}")
                ):
                    self.include_usage = False
                    sso_retried = True
                    continue
            delay = self._retry_delay(err, attempt, deadline)
            if delay is None:
                raise err
            await asyncio.sleep(delay)
            attempt += 1

    async def _run(self, req: ChatRequest) -> AsyncIterator[StreamEvent]:
        """The one implementation behind stream_chat() and complete()."""
        validate_request(req)
        url = self.base_url + "/chat/completions"
        http = self._http

        def make_request() -> httpx.Request:
            body = build_body(req, include_usage=self.include_usage)
            content = json.dumps(body, ensure_ascii=False).encode()
            return http.build_request("POST", url, content=content, headers=_JSON_HEADERS)

        deadline = self._deadline()
        response, chunks, first = await self._within(
            deadline, self._open(make_request, sso=req.stream, deadline=deadline)
        )
        seen: list[StreamEvent] = []
        reader = _ChunkReader()
        redactor = StreamRedactor(self._api_key)  # echoes of the key never get out
        scrub = redactor.feed
        try:
            status = response.status_code
            ctype = response.headers.get("content-type", "").lower()
            lead = first.lstrip()[:1]
            if lead == b"<" or ("html" in ctype and "event-stream" not in ctype):
                first += await self._within(deadline, _drain(chunks, BODY_TRIM))
                text = first.decode("utf-8", "replace")
                raise error_from_response(
                    status,
                    response.headers,
                    text,
                    secret=self._api_key,
                    key_sent=self._api_key is not None,
                )

            parser = SSEParser(self.max_line_chars)
            feed = parser.feed
            eof = False
            if "event-stream" not in ctype and lead in (b"{", b"["):
                # The server ignored stream:true (or this is complete()): a JSON body.
                raw = await self._within(
                    deadline,
                    _read_capped(chunks, self.max_body_bytes, first, secret=self._api_key),
                )
                try:
                    obj = _loads(raw)
                except ValueError:
                    obj = None  # maybe bare JSON lines: let the SSE parser try
                if obj is not None:
                    if isinstance(obj, dict) and obj.get("error") and not obj.get("choices"):
                        raise error_from_response(
                            None,
                            None,
                            raw.decode("utf-8", "replace"),
                            secret=self._api_key,
                            received=status,
                        )
                    for ev in scrub(_json_events(obj, self._api_key)) + redactor.flush():
                        seen.append(ev)
                        yield ev
                    return
                items = feed(raw) + parser.close()
                eof = True
            else:
                items = feed(first)

            append = seen.append
            events = reader.events
            done = False
            bad = 0
            payloads = 0
            while True:
                for event, payload in items:
                    if event is not None and event == "error":
                        raise error_from_response(
                            None,
                            None,
                            payload or "error event",
                            secret=self._api_key,
                            received=status,
                        )
                    if payload == "[DONE]":
                        done = True
                        continue
                    try:
                        objs: list[Any] = [_loads(payload)]
                    except ValueError:
                        objs = _json_lines(payload)
                        if not objs:
                            bad += 1
                            continue
                    for obj in objs:
                        if obj.__class__ is not dict:
                            bad += 1
                            continue
                        payloads += 1
                        if obj.get("error"):
                            raise error_from_response(
                                None,
                                None,
                                payload if len(objs) == 1 else _dumps(obj),
                                secret=self._api_key,
                                received=status,
                            )
                        for ev in scrub(events(obj)):
                            append(ev)
                            yield ev
                if eof:
                    break
                try:
                    if deadline is None:
                        chunk = await chunks.__anext__()
                    else:
                        chunk = await self._within(deadline, chunks.__anext__())
                except StopAsyncIteration:
                    eof = True
                    items = parser.close()
                    continue
                items = feed(chunk)

            for ev in redactor.flush():
                append(ev)
                yield ev
            if not done and not reader.finished:
                if payloads == 0:
                    raise ProtocolError(
                        "the server's answer is not an event stream or JSON"
                        if first.strip()
                        else "the server sent an empty answer",
                        http_status=status,
                        body=_trim(_redact(first.decode("utf-8", "replace"), self._api_key)),
                    )
                raise NetworkError(
                    "the connection closed before the answer finished "
                    "(no finish_reason and no [DONE])"
                )
            if bad and payloads == 0:
                raise ProtocolError(
                    "the stream's events could not be parsed",
                    http_status=status,
                    body=_trim(_redact(first.decode("utf-8", "replace"), self._api_key)),
                )
            usage = Usage.from_dict(reader.usage_obj)
            if usage is not None:
                ev = UsageEvent(usage)
                append(ev)
                yield ev
        except (httpx.HTTPError, AttributeError, TypeError, ApiError) as exc:
            # The text held back for redaction is part of the answer: let it out first.
            for ev in redactor.flush():
                seen.append(ev)
                yield ev
            if isinstance(exc, httpx.HTTPError):
                raise self._network_error(exc, _partial(seen, reader.usage_obj)) from exc
            if not isinstance(exc, ApiError):  # a chunk of the wrong shape
                raise ProtocolError(
                    f"a stream event has an unexpected shape ({exc})",
                    partial=_partial(seen, reader.usage_obj),
                ) from exc
            if exc.partial is None:
                exc.partial = _partial(seen, reader.usage_obj)
            raise
        finally:
            await _aclose(chunks)
            await response.aclose()


def _partial(events: list[StreamEvent], usage_obj: Any) -> ChatResult:
    result = result_from_events(events)
    if result.usage is None:
        result.usage = Usage.from_dict(usage_obj)
    return result
