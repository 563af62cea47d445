"""The HTTP client for OpenAI-compatible chat servers (one ``httpx.AsyncClient``).

What it guarantees, because relays break every rule:

* every failure is an :class:`ApiError` with a category, the server's own message, the
  HTTP status and the trimmed body (see :mod:`chatdesk.api.classify`); anything raised
  after the request started carries ``partial``, the :class:`ChatResult` received so
  far, so no word of an answer is lost;
* retries (exponential backoff, capped) happen only before the first byte of the answer
  body, only for network errors, 5xx, and 429 with a short ``Retry-After``;
* the stream is read to ``[DONE]`` or EOF, never stopped at ``finish_reason``, because
  usage arrives after it; an EOF with no finish reason and no ``[DONE]`` is a dropped
  connection (:class:`NetworkError`), not a short answer;
* usage is emitted once, as the last event, with the last usage seen anywhere
  (top-level ``usage``, a usage-only chunk, ``choices[].usage`` or ``x_groq.usage``);
* per-chunk overhead is kept small (one SSE split per read, one ``json.loads`` per event);
* every value off the wire is checked for type and size before it becomes an event
  (:mod:`chatdesk.api.wire`); one SSE line and a non-streamed body are capped
  (``max_line_chars``, ``max_body_bytes``, after decompression, :mod:`chatdesk.api.body`);
* two clocks: ``idle_timeout`` (no byte at all) and an optional ``total_timeout``;
* redirects are followed by our own rules (:meth:`ChatClient._send`): no loops, and a
  POST never leaves its host.

The API key is sent only in the ``Authorization`` header and scrubbed from any error text.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any, NamedTuple, TypeVar

from chatdesk import __version__
from chatdesk.api._http import CookielessClient, httpx
from chatdesk.api.baseurl import normalize_base_url
from chatdesk.api.body import MAX_BODY_BYTES, aclose, body_chunks, drain, read_capped
from chatdesk.api.classify import error_from_response, network_error
from chatdesk.api.decode import decode_items
from chatdesk.api.errors import (
    ApiError,
    NetworkError,
    ProtocolError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from chatdesk.api.ready import ReadyReader
from chatdesk.api.redact import StreamRedactor, redact
from chatdesk.api.sse import SSEParser
from chatdesk.api.types import ChatRequest, ChatResult, StreamEvent, Usage, UsageEvent
from chatdesk.api.validate import build_body, validate_request
from chatdesk.api.wire import (
    BODY_TRIM,
    ChunkReader,
    json_events,
    merge_deltas,
    parse_json,
    partial_result,
    result_from_events,
    trim,
)

_T = TypeVar("_T")

DEFAULT_USER_AGENT = f"ChatDesk/{__version__}"
_ERROR_BODY_LIMIT = 256 * 1024  # never read more than this of an error body
MAX_LINE_CHARS = 8 * 1024 * 1024  # one SSE line or one event's data
_JSON_HEADERS = {"Content-Type": "application/json"}
MAX_REDIRECTS = 5
_STREAM_OPTIONS_RE = re.compile(r"stream_options|include_usage", re.IGNORECASE)


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
            # Only what body_chunks inflates with a bound (never br/zstd).
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
        self._url_cache: tuple[str, httpx.URL] | None = None
        try:
            self._http = CookielessClient(
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
                read_capped(chunks, self.max_body_bytes, first, secret=self._api_key),
            )
        except httpx.HTTPError as exc:
            raise self._network_error(exc) from exc
        finally:
            await aclose(chunks)
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
            obj: Any = parse_json(text)
        except ValueError:
            raise ProtocolError(
                "the model list is not JSON",
                http_status=response.status_code,
                body=trim(redact(text, self._api_key)),
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
                body=trim(redact(text, self._api_key)),
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

    def _parsed_url(self, text: str) -> httpx.URL:
        """``text`` parsed once (httpx parses a string URL again for every request)."""
        if self._url_cache is None or self._url_cache[0] != text:
            self._url_cache = (text, httpx.URL(text))
        return self._url_cache[1]

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
            chunks = body_chunks(response)
            if response.status_code < 300:
                try:
                    first = b""
                    async for chunk in chunks:
                        if chunk:
                            first = chunk
                            break
                    return _Opened(response, chunks, first)
                except httpx.HTTPError as exc:
                    await aclose(chunks)
                    await response.aclose()
                    err = self._network_error(exc)
                except BaseException:
                    await aclose(chunks)
                    await response.aclose()
                    raise
            else:
                try:
                    raw = await drain(chunks, _ERROR_BODY_LIMIT)
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
                    await aclose(chunks)
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
        http = self._http

        def make_request() -> httpx.Request:
            body = build_body(req, include_usage=self.include_usage)
            content = json.dumps(body, ensure_ascii=False).encode()
            url = self._parsed_url(self.base_url + "/chat/completions")
            return http.build_request("POST", url, content=content, headers=_JSON_HEADERS)

        deadline = self._deadline()
        response, chunks, first = await self._within(
            deadline, self._open(make_request, sso=req.stream, deadline=deadline)
        )
        seen: list[StreamEvent] = []
        ready: ReadyReader | None = None
        reader = ChunkReader()
        redactor = StreamRedactor(self._api_key)  # echoes of the key never get out
        scrub = redactor.feed
        try:
            status = response.status_code
            ctype = response.headers.get("content-type", "").lower()
            lead = first.lstrip()[:1]
            if lead == b"<" or ("html" in ctype and "event-stream" not in ctype):
                first += await self._within(deadline, drain(chunks, BODY_TRIM))
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
                    read_capped(chunks, self.max_body_bytes, first, secret=self._api_key),
                )
                try:
                    obj = parse_json(raw)
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
                    for ev in scrub(json_events(obj, self._api_key)) + redactor.flush():
                        seen.append(ev)
                        yield ev
                    return
                items = feed(raw) + parser.close()
                eof = True
            else:
                items = feed(first)

            append = seen.append
            done = False
            bad = 0
            payloads = 0
            ready = ReadyReader(chunks)  # closed below, with a read it left waiting
            while True:
                # The events of everything that came in one go, parsed, merged and
                # redacted together; a failure among them is raised after the ones
                # before it went out.
                got = decode_items(items, reader, self._api_key, status)
                done = done or got.done
                payloads += got.payloads
                bad += got.bad
                if got.events:
                    for ev in scrub(merge_deltas(got.events)):
                        append(ev)
                        yield ev
                if got.failure is not None:
                    raise got.failure
                if eof:
                    break
                if deadline is None:
                    batch = await ready.next_batch()
                else:
                    batch = await self._within(deadline, ready.next_batch())
                if not batch:
                    eof = True
                    items = parser.close()
                    continue
                items = feed(batch[0] if len(batch) == 1 else b"".join(batch))

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
                        body=trim(redact(first.decode("utf-8", "replace"), self._api_key)),
                    )
                raise NetworkError(
                    "the connection closed before the answer finished "
                    "(no finish_reason and no [DONE])"
                )
            if bad and payloads == 0:
                raise ProtocolError(
                    "the stream's events could not be parsed",
                    http_status=status,
                    body=trim(redact(first.decode("utf-8", "replace"), self._api_key)),
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
                raise self._network_error(exc, partial_result(seen, reader.usage_obj)) from exc
            if not isinstance(exc, ApiError):  # a chunk of the wrong shape
                raise ProtocolError(
                    f"a stream event has an unexpected shape ({exc})",
                    partial=partial_result(seen, reader.usage_obj),
                ) from exc
            if exc.partial is None:
                exc.partial = partial_result(seen, reader.usage_obj)
            raise
        finally:
            await (ready.aclose() if ready is not None else aclose(chunks))
            await response.aclose()
