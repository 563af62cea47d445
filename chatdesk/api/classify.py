"""HTTP status, headers and error bodies mapped to ChatDesk's error categories.

Servers and relays report the same failure in many shapes (a 403 that means "out of
credit", a 200 stream with an error event, an HTML page from a proxy, a retry delay only
in the message's wording); this module reads them all and returns the one
:class:`ApiError` subclass that says what happened. Network failures (httpx exceptions)
are named in plain words by :func:`network_error`.
"""

from __future__ import annotations

import email.utils
import math
import re
import socket
import ssl
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from chatdesk.api._http import httpx
from chatdesk.api.errors import ERROR_CLASSES, ApiError, NetworkError, ProtocolError
from chatdesk.api.redact import redact
from chatdesk.api.wire import NAME_LIMIT, json_text, parse_json, trim, wire_str

if TYPE_CHECKING:
    from chatdesk.api.types import ChatResult

MAX_RETRY_AFTER_S = 86400.0  # a server's retry delay is clamped to one day


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
        obj: Any = parse_json(text)
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
        message = json_text(message) if message else ""
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
        wire_str(code, NAME_LIMIT, numbers=True),
        wire_str(etype, NAME_LIMIT, numbers=True),
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
    text = redact(body_text or "", secret)
    lowered_headers = {k.lower(): v for k, v in headers.items()} if headers else {}
    ctype = lowered_headers.get("content-type", "").lower()
    retry_after = retry_after_from_headers(lowered_headers)
    body = trim(text)
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
            "the server's answer could not be parsed: " + trim(info.message, 200),
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
    code = redact(info.code, secret) if info.code else None
    if status is None and received is not None:
        effective_status = received
        if code is None and info.status is not None:
            code = str(info.status)
    return _marked(
        ERROR_CLASSES[category](
            trim(redact(message, secret), 1000),
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
    detail = redact(str(exc) or type(exc).__name__, secret)
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
