"""The HTTP client for MCP servers over streamable HTTP: every message bounded while read.

The MCP SDK reads a JSON answer whole, and each server-sent event whole, before
anything looks at its size: a server answering a tool call with 500 MB would be held
in memory first. The client made here counts bytes as they arrive, per response for
JSON and per event for an event stream (a session's stream stays open for hours, its
events are what must be small), and stops reading at ``max_bytes``: the read fails,
``on_violation`` is told why (the manager disconnects the server, so the call that
waits fails at once with that reason instead of after its timeout).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any


def bounded_http_client(
    headers: dict[str, str] | None,
    max_bytes: int,
    on_violation: Callable[[str], None],
) -> Any:
    """An ``httpx2.AsyncClient`` as the SDK makes it, reading at most ``max_bytes`` a message."""
    import httpx2
    from mcp.shared._httpx_utils import MCP_DEFAULT_SSE_READ_TIMEOUT, MCP_DEFAULT_TIMEOUT

    class Bounded(httpx2.AsyncByteStream):
        def __init__(self, inner: Any, events: bool) -> None:
            self.inner = inner
            self.events = events

        async def __aiter__(self) -> AsyncIterator[bytes]:
            held = 0  # bytes of the message being read
            async for chunk in self.inner:
                if self.events:
                    end = max(chunk.rfind(b"\n\n"), chunk.rfind(b"\r\n\r\n"))
                    held = len(chunk) - end if end >= 0 else held + len(chunk)
                else:
                    held += len(chunk)
                if held > max_bytes:
                    why = (
                        f"the server sent a message larger than {max_bytes >> 20} MB; "
                        "ChatDesk stopped reading it and disconnected"
                    )
                    on_violation(why)
                    raise httpx2.ReadError(why)
                yield chunk

        async def aclose(self) -> None:
            await self.inner.aclose()

    class BoundedTransport(httpx2.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = httpx2.AsyncHTTPTransport()

        async def handle_async_request(self, request: Any) -> Any:
            response = await self.inner.handle_async_request(request)
            kind = response.headers.get("content-type", "").lower()
            response.stream = Bounded(response.stream, "event-stream" in kind)
            return response

        async def aclose(self) -> None:
            await self.inner.aclose()

    timeout = httpx2.Timeout(MCP_DEFAULT_TIMEOUT, read=MCP_DEFAULT_SSE_READ_TIMEOUT)
    return httpx2.AsyncClient(headers=headers, timeout=timeout, transport=BoundedTransport())
