"""Reading an HTTP answer's body within bounds: decompression step by step, size caps.

httpx would inflate a whole network read at once and read a body to its end; the
helpers here keep every step and every body bounded, so that a compression bomb or an
endless error page costs at most the cap.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from chatdesk.api.errors import ProtocolError
from chatdesk.api.redact import redact
from chatdesk.api.wire import BODY_TRIM, trim

if TYPE_CHECKING:
    from chatdesk.api._http import httpx

MAX_BODY_BYTES = 32 * 1024 * 1024  # a non-streamed answer (after decompression)
_INFLATE_STEP = 256 * 1024  # the most decoded bytes produced from one input at a time
_ENCODING_WBITS = {
    "gzip": 16 + zlib.MAX_WBITS,
    "x-gzip": 16 + zlib.MAX_WBITS,
    "deflate": zlib.MAX_WBITS,
}


def body_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """The decoded body, at most ``_INFLATE_STEP`` bytes per piece.

    httpx would inflate each network read whole (64 KB of gzip can hold 64 MB), so the
    raw bytes are read and inflated here with a bound on each step: a size cap further
    up stops a compression bomb after the cap, not after the bomb. We only ever ask for
    gzip and deflate (``Accept-Encoding``); anything else is a protocol error (raised
    when the body is first read, where the caller closes the response).
    """
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        # httpx's own iterator (it yields no empty pieces): a stream at full speed makes
        # one network read per event, and a wrapper would add a generator hop to each.
        return response.aiter_raw()
    return _inflated(response, encoding)


async def _inflated(response: httpx.Response, encoding: str) -> AsyncIterator[bytes]:
    """``body_chunks`` of a compressed body: inflated a bounded step at a time."""
    raw = response.aiter_raw()
    try:
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
        await aclose(raw)


async def read_capped(
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
            body=trim(redact(head, secret)),
        )
    return b"".join(parts)


async def drain(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """Read the rest of a body (at most ``limit`` bytes)."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(parts)


async def aclose(chunks: AsyncIterator[bytes]) -> None:
    """Finalise an httpx body iterator explicitly (not left to the garbage collector)."""
    close = getattr(chunks, "aclose", None)
    if close is not None:
        await close()
