"""Running MCP servers: started on first use, kept while used, stopped at exit.

The ``mcp`` SDK (anyio underneath) runs on a thread of its own with its own event
loop. The window's Qt loop and the CLI's loop only ever await a future from it, so
a server that hangs, floods or dies cannot freeze them, every wait of theirs is
bounded, and the SDK (about 0.4 s and 50 MB to import) is loaded only once a
server is first needed, on that thread.

Each server has an owner task that holds its connection open (the SDK's context
managers must be entered and left by one task) until it is told to stop; tool
calls are separate tasks that use the connection. A call that fails because the
connection is gone marks the server failed, and the next use starts it again.

Everything coming back is bounded: tool lists (count, description and schema size),
results (characters, nesting depth), and the stderr tail kept for the failure report.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from chatdesk.core.tools.mcpconfig import ServerConfig
from chatdesk.core.tools.mcpstdio import MAX_MESSAGE_BYTES, BoundedStdio, StderrTail

T = TypeVar("T")

# The SDK logs a traceback for every line a server prints that is not JSON-RPC: keep
# it in the application's log (if any) and off the terminal's stderr.
logging.getLogger("mcp").addHandler(logging.NullHandler())

START_TIMEOUT_S = 30.0
MAX_RESULT_CHARS = 50_000
MAX_TOOLS_PER_SERVER = 128
MAX_DESCRIPTION_CHARS = 2_000
MAX_SCHEMA_CHARS = 32_000
MAX_DEPTH = 16
STDERR_TAIL_CHARS = 2_000
#: The caller gives up this long after the call's own timeout (a stuck worker thread).
CALLER_GRACE_S = 10.0


class ServerState(StrEnum):
    """Where a server is."""

    STOPPED = "stopped"
    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"


@dataclass(slots=True)
class ToolSpec:
    """One tool a server offers, as the model will see it (bounded)."""

    server: str
    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(slots=True)
class ServerStatus:
    """A snapshot of one server for lists and the Settings page."""

    name: str
    state: ServerState
    tools: list[ToolSpec] = field(default_factory=list)
    error: str = ""
    stderr_tail: str = ""

    def summary(self) -> str:
        if self.state is ServerState.READY:
            return f"ready, {len(self.tools)} tools"
        if self.state is ServerState.FAILED:
            return f"failed: {self.error}"
        return str(self.state)


@dataclass(slots=True)
class CallResult:
    """What one tool call produced: text for the model, or an error."""

    text: str = ""
    error: str | None = None
    duration_ms: float = 0.0
    truncated: bool = False


def bounded(value: Any, depth: int = MAX_DEPTH, items: int = 1000) -> Any:
    """A JSON value cut to ``depth`` levels and ``items`` entries per container."""
    if isinstance(value, dict):
        if depth <= 0:
            return "…"
        out = {str(k): bounded(v, depth - 1, items) for k, v in list(value.items())[:items]}
        if len(value) > items:
            out["…"] = f"{len(value) - items} more"
        return out
    if isinstance(value, list | tuple):
        if depth <= 0:
            return "…"
        cut = [bounded(v, depth - 1, items) for v in list(value)[:items]]
        if len(value) > items:
            cut.append(f"… {len(value) - items} more")
        return cut
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def truncate(text: str, limit: int = MAX_RESULT_CHARS) -> tuple[str, bool]:
    """``text`` cut to ``limit`` characters with a note saying how much was left out."""
    if len(text) <= limit:
        return text, False
    note = f"\n\n[output truncated by ChatDesk: {len(text) - limit} more characters not shown]"
    return text[:limit] + note, True


def render_content(blocks: list[dict[str, Any]], structured: Any) -> str:
    """Tool result blocks as text for the model (images and blobs are described)."""
    parts: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "text":
            parts.append(str(block.get("text", "")))
        elif kind in ("image", "audio"):
            size = len(str(block.get("data", ""))) * 3 // 4
            parts.append(f"[{kind}: {block.get('mimeType', '?')}, {size} bytes]")
        elif kind == "resource":
            res = block.get("resource") or {}
            if "text" in res:
                parts.append(str(res.get("text", "")))
            else:
                parts.append(f"[resource {res.get('uri', '?')}: {res.get('mimeType', '?')}]")
        elif kind == "resource_link":
            parts.append(f"[resource link: {block.get('uri', '?')} {block.get('name', '')}]")
        else:
            parts.append(json.dumps(bounded(block), ensure_ascii=False))
    if not parts and structured is not None:
        parts.append(json.dumps(bounded(structured), ensure_ascii=False))
    return "\n".join(parts)


def _leaf(exc: BaseException) -> BaseException:
    """The first real error inside (nested) exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def describe_error(exc: BaseException) -> str:
    exc = _leaf(exc)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        text = message
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _tool_spec(server: str, tool: Any) -> ToolSpec | None:
    """A listed tool, bounded; None when it cannot be offered (no name)."""
    name = getattr(tool, "name", None)
    if not isinstance(name, str) or not name or len(name) > 128:
        return None
    description = getattr(tool, "description", None) or getattr(tool, "title", None) or ""
    schema = getattr(tool, "input_schema", None)
    params: dict[str, Any] = bounded(schema) if isinstance(schema, dict) else {}
    if len(json.dumps(params, ensure_ascii=False)) > MAX_SCHEMA_CHARS:
        params = {"type": "object"}  # the tool still runs; the model sees no schema
    params.setdefault("type", "object")
    if params.get("type") != "object":
        params = {"type": "object"}
    return ToolSpec(server, name, str(description)[:MAX_DESCRIPTION_CHARS], params)


class _Conn:
    """One server's connection, owned by the worker loop."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.state = ServerState.STARTING
        self.tools: list[ToolSpec] = []
        self.error = ""
        self.client: Any = None
        self.ready = asyncio.Event()
        self.stop = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.scope: Any = None
        self.timed_out = False
        # Only a tail of fixed size is kept: a chatty server cannot fill memory or disk.
        self.stderr = StderrTail(STDERR_TAIL_CHARS * 4)
        #: Why the transport cut the connection (a message too large), if it did.
        self.violation = ""

    def close_stderr(self) -> None:
        """Kept for the callers; the tail lives in memory and needs no closing."""

    def stderr_tail(self) -> str:
        return self.stderr.text(STDERR_TAIL_CHARS)

    def cut(self, why: str) -> None:
        self.violation = why

    def status(self) -> ServerStatus:
        return ServerStatus(
            self.config.name,
            self.state,
            list(self.tools),
            self.error,
            self.stderr_tail() if self.state is ServerState.FAILED else "",
        )


StatusCallback = Callable[[ServerStatus], None]


class McpManager:
    """Starts, uses and stops MCP servers; safe to use from any event loop.

    Args:
        lookup: the configuration of a server by name (secrets loaded), or None.
        start_timeout: a server that is not ready with its tool list by then failed.
    """

    def __init__(
        self,
        lookup: Callable[[str], ServerConfig | None],
        *,
        start_timeout: float = START_TIMEOUT_S,
        max_result_chars: int = MAX_RESULT_CHARS,
        max_message_bytes: int = MAX_MESSAGE_BYTES,
    ) -> None:
        self.lookup = lookup
        self.max_message_bytes = max_message_bytes
        self.start_timeout = start_timeout
        self.max_result_chars = max_result_chars
        self._conns: dict[str, _Conn] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._watchers: list[tuple[asyncio.AbstractEventLoop | None, StatusCallback]] = []
        self._closed = False
        self._statuses: dict[str, ServerStatus] = {}

    # --- the worker thread --------------------------------------------------------

    def _worker(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._closed:
                raise RuntimeError("the MCP manager is closed")
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=self._run_loop, args=(loop,), name="chatdesk-mcp", daemon=True
                )
                self._loop, self._thread = loop, thread
                thread.start()
                atexit.register(self.close)
            return self._loop

    @staticmethod
    def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        loop.run_forever()

    def _submit(self, coro: Awaitable[T]) -> asyncio.Future[T]:
        """Run ``coro`` on the worker loop; the returned future belongs to the caller's."""
        future: concurrent.futures.Future[T] = asyncio.run_coroutine_threadsafe(
            coro,  # type: ignore[arg-type]
            self._worker(),
        )
        return asyncio.wrap_future(future)

    @property
    def started(self) -> bool:
        """Has any server been started (is the worker thread running)?"""
        return self._loop is not None

    # --- status -------------------------------------------------------------------

    def watch(
        self, callback: StatusCallback, loop: asyncio.AbstractEventLoop | None = None
    ) -> None:
        """Call ``callback(status)`` on every change, on ``loop`` (the window's)."""
        self._watchers.append((loop, callback))

    def unwatch(self, callback: StatusCallback) -> None:
        self._watchers = [(lp, cb) for lp, cb in self._watchers if cb is not callback]

    def _changed(self, conn: _Conn) -> None:
        current = self._conns.get(conn.config.name)
        if current is not None and current is not conn:
            return  # an old connection winding down: the new one speaks for the server
        status = conn.status()
        self._statuses[status.name] = status
        for loop, callback in list(self._watchers):
            if loop is None:
                callback(status)
            elif not loop.is_closed():
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(callback, status)

    def status(self, name: str) -> ServerStatus:
        """The last known state (``stopped`` for a server not started in this run)."""
        return self._statuses.get(name) or ServerStatus(name, ServerState.STOPPED)

    # --- starting -----------------------------------------------------------------

    async def ensure(self, name: str) -> ServerStatus:
        """Start ``name`` if it is not running; its state once ready or failed."""
        config = self.lookup(name)
        if config is None:
            return ServerStatus(name, ServerState.FAILED, error="no MCP server of that name")
        if not config.enabled:
            return ServerStatus(name, ServerState.FAILED, error="the server is disabled")
        future = self._submit(self._ensure(config))
        try:
            return await asyncio.wait_for(future, self.start_timeout + CALLER_GRACE_S)
        except TimeoutError:
            return ServerStatus(name, ServerState.FAILED, error="the server did not start")

    async def ensure_all(self, names: list[str]) -> list[ServerStatus]:
        """Start several servers at once."""
        return list(await asyncio.gather(*(self.ensure(n) for n in names)))

    async def _ensure(self, config: ServerConfig) -> ServerStatus:
        conn = self._conns.get(config.name)
        if conn is not None and conn.config != config:
            await self._stop_conn(conn)  # edited in Settings: start it anew
            conn = None
        if conn is None or conn.state in (ServerState.FAILED, ServerState.STOPPED):
            conn = _Conn(config)
            self._conns[config.name] = conn
            conn.task = asyncio.ensure_future(self._serve(conn))
        await conn.ready.wait()
        return conn.status()

    def _transport(self, conn: _Conn) -> Any:
        config = conn.config
        if config.url:
            from mcp.client.streamable_http import streamable_http_client

            from chatdesk.core.tools.mcphttp import bounded_http_client

            def cut(why: str) -> None:  # failed now: a waiting call ends with this reason
                conn.cut(why)
                self._lost(conn, RuntimeError(why))

            headers = {k: v for k, v in config.headers.items() if v}
            http = bounded_http_client(headers or None, self.max_message_bytes, cut)
            return _closing_http(streamable_http_client(config.url, http_client=http), http)
        stdio = BoundedStdio(
            config.command,
            list(config.args),
            dict(config.env) or None,
            config.cwd or None,
            tail=conn.stderr,
            max_bytes=self.max_message_bytes,
            on_violation=conn.cut,
        )
        return stdio.open()

    async def _serve(self, conn: _Conn) -> None:
        """Hold the connection open until told to stop (the owner task)."""
        import anyio
        from mcp import Client
        from mcp.types import Implementation

        from chatdesk import __version__

        self._changed(conn)
        loop = asyncio.get_running_loop()
        try:
            with anyio.CancelScope() as scope:
                conn.scope = scope
                timer = loop.call_later(self.start_timeout, self._start_timed_out, conn)
                try:
                    client = Client(
                        self._transport(conn),
                        cache=None,
                        client_info=Implementation(name="chatdesk", version=__version__),
                    )
                    async with client:
                        conn.tools = await self._list_tools(client, conn.config.name)
                        timer.cancel()
                        conn.client = client
                        conn.state = ServerState.READY
                        conn.ready.set()
                        self._changed(conn)
                        await conn.stop.wait()
                finally:
                    timer.cancel()
                    conn.client = None
            if conn.timed_out:
                conn.state = ServerState.FAILED
                conn.error = f"not ready within {self.start_timeout:g} s"
            elif conn.state is not ServerState.FAILED:
                conn.state = ServerState.STOPPED
        except Exception as exc:
            conn.state = ServerState.FAILED
            conn.error = conn.error or _start_error(exc)
        finally:
            conn.client = None
            conn.close_stderr()
            conn.ready.set()
            self._changed(conn)

    def _start_timed_out(self, conn: _Conn) -> None:
        if conn.state is ServerState.STARTING and conn.scope is not None:
            conn.timed_out = True
            conn.scope.cancel()

    async def _list_tools(self, client: Any, server: str) -> list[ToolSpec]:
        tools: list[ToolSpec] = []
        cursor: str | None = None
        for _page in range(20):  # a server that pages forever cannot hold us
            listing = await client.list_tools(cursor=cursor)
            for tool in listing.tools:
                spec = _tool_spec(server, tool)
                if spec is not None and len(tools) < MAX_TOOLS_PER_SERVER:
                    tools.append(spec)
            cursor = getattr(listing, "next_cursor", None)
            if not cursor:
                break
        return tools

    # --- calling ------------------------------------------------------------------

    async def call(
        self, server: str, tool: str, arguments: dict[str, Any], *, timeout: float | None = None
    ) -> CallResult:
        """Run one tool; never raises for the server's sake (errors are in the result).

        Cancelling the caller (Stop) cancels the call on the server's side too.
        """
        config = self.lookup(server)
        limit = timeout or (config.timeout_s if config else 60.0)
        start = time.monotonic()
        future = self._submit(self._call(server, tool, arguments, limit))
        try:
            result = await asyncio.wait_for(future, limit + CALLER_GRACE_S)
        except TimeoutError:
            result = CallResult(error=f"no answer from {server} within {limit:g} s")
        result.duration_ms = round((time.monotonic() - start) * 1000, 1)
        return result

    async def _call(
        self, server: str, tool: str, arguments: dict[str, Any], limit: float
    ) -> CallResult:
        import anyio
        from mcp import MCPError

        conn = self._conns.get(server)
        if conn is None or conn.state is not ServerState.READY or conn.client is None:
            why = f" ({conn.error})" if conn is not None and conn.error else ""
            return CallResult(error=f"the MCP server {server} is not running{why}")
        try:
            with anyio.fail_after(limit):
                result = await conn.client.call_tool(tool, arguments, read_timeout_seconds=limit)
        except TimeoutError:
            return CallResult(error=f"no answer from {server} within {limit:g} s")
        except MCPError as exc:
            if exc.code == -32000:  # CONNECTION_CLOSED: the server went away
                self._lost(conn, exc)
                if conn.violation:
                    return CallResult(error=f"{server}: {conn.violation}")
            return CallResult(error=f"{server}: {exc.message}")
        except Exception as exc:
            self._lost(conn, exc)
            return CallResult(error=f"{server} failed: {describe_error(exc)}")
        blocks = [
            b.model_dump(mode="json", by_alias=True, exclude_none=True)
            for b in (result.content or [])
        ]
        text = render_content(blocks, getattr(result, "structured_content", None))
        text, cut = truncate(text, self.max_result_chars)
        if getattr(result, "is_error", False):
            return CallResult(text=text, error=text or "the tool reported an error", truncated=cut)
        return CallResult(text=text, truncated=cut)

    def _lost(self, conn: _Conn, exc: BaseException) -> None:
        """The connection broke mid-call: failed now, started again at the next use."""
        if conn.state is ServerState.READY:
            conn.state = ServerState.FAILED
            conn.error = conn.violation or f"the server stopped answering ({describe_error(exc)})"
            conn.stop.set()
            self._changed(conn)

    # --- stopping -----------------------------------------------------------------

    async def _stop_conn(self, conn: _Conn) -> None:
        conn.stop.set()
        if conn.state is ServerState.STARTING and conn.scope is not None:
            conn.scope.cancel()
        if conn.task is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(conn.task), 15)
        conn.close_stderr()

    async def _stop_all(self) -> None:
        conns = list(self._conns.values())
        self._conns.clear()
        await asyncio.gather(*(self._stop_conn(c) for c in conns))

    async def stop(self, name: str) -> None:
        """Stop one server (it starts again at its next use)."""
        if self._loop is None:
            return
        conn = self._conns.get(name)
        if conn is not None:
            self._conns.pop(name, None)
            await self._submit(self._stop_conn(conn))
        self._statuses[name] = ServerStatus(name, ServerState.STOPPED)

    async def aclose(self) -> None:
        """Stop every server and the worker thread (from a running event loop)."""
        loop = self._loop
        if loop is None or self._closed:
            self._closed = True
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._submit(self._stop_all()), 20)
        self._finish_thread()

    def close(self) -> None:
        """Stop every server and the worker thread (no event loop needed)."""
        loop = self._loop
        if loop is None or self._closed:
            self._closed = True
            return
        future = asyncio.run_coroutine_threadsafe(self._stop_all(), loop)
        with contextlib.suppress(Exception):
            future.result(timeout=20)
        self._finish_thread()

    def _finish_thread(self) -> None:
        with self._lock:
            self._closed = True
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        atexit.unregister(self.close)
        if loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=5)
        if not loop.is_running():
            loop.close()


def _start_error(exc: BaseException) -> str:
    leaf = _leaf(exc)
    if isinstance(leaf, FileNotFoundError):
        return f"command not found: {leaf.filename or leaf}"
    if isinstance(leaf, OSError):
        return f"cannot start: {leaf.strerror or leaf}"
    return f"could not connect: {describe_error(leaf)}"


@contextlib.asynccontextmanager
async def _closing_http(transport: Any, http: Any) -> Any:
    """The streamable HTTP transport, closing the HTTP client we made for it."""
    async with http:
        async with transport as streams:
            yield streams
