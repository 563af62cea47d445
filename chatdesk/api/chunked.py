"""A chunked-body reader for h11 that hands over every complete chunk in hand at once.

Why: a streaming server flushes each server-sent event as its own HTTP chunk, about
100 bytes. h11 turns each chunk into one ``Data`` event, and every event then climbs
through h11's state machine and five generator layers of httpcore and httpx before our
client sees it: at full speed that was ~40 % of the client's CPU (20,000 events for
four 5,000-token answers). Chunk boundaries carry no meaning in HTTP/1.1, so this
reader joins the chunks that one network read brought into one ``Data`` event; httpx
hands the same bytes over in a few pieces instead of thousands.

It keeps h11's rules: the same chunk-header grammar (h11's own pattern), the same
CRLF check after each chunk, the same trailer parsing, the same errors (a malformed
chunk is a protocol error, an early end of the connection an incomplete read). An
``EndOfMessage`` that arrives with data, or a malformed chunk after good ones, is held
back and returned (raised) by the next call: the good chunks go out first.

:func:`install` puts it in h11's table of body readers, only when h11 is laid out as
the version it was written for (0.14 to 0.16); otherwise h11's own reader stays and
nothing changes but speed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["install", "installed"]

_state: dict[str, Any] = {"installed": False}


def _reader_class() -> type | None:
    """The reader class bound to h11's helpers, or None when h11 is not as expected."""
    try:
        from h11._events import Data, EndOfMessage
        from h11._readers import _decode_header_lines, chunk_header_re
        from h11._util import LocalProtocolError, RemoteProtocolError, validate
    except ImportError:
        return None

    class JoiningChunkedReader:
        """h11's chunked reader, returning all complete chunks of the buffer as one Data."""

        def __init__(self) -> None:
            self._left = 0  # bytes of the current chunk not read yet
            self._discard = b""  # the CRLF after a chunk, still to check and drop
            self._trailer = False
            # What came with the data returned: the EndOfMessage, or the error after it.
            self._held: Any = None

        def __call__(self, buf: Any) -> Any:
            if self._held is not None:
                event, self._held = self._held, None
                if isinstance(event, BaseException):
                    raise event
                return event
            parts: list[bytes] = []
            try:
                return self._read(buf, parts)
            except LocalProtocolError as exc:
                if not parts:
                    raise
                # The chunks before the bad one go out first, as h11's reader does.
                self._held = exc
                return Data(data=b"".join(parts), chunk_start=False, chunk_end=True)

        def _read(self, buf: Any, parts: list[bytes]) -> Any:
            start = end = False
            while True:
                if self._trailer:
                    lines = buf.maybe_extract_lines()
                    if lines is None:
                        break
                    done = EndOfMessage(headers=list(_decode_header_lines(lines)))
                    if not parts:
                        return done
                    self._held = done
                    break
                if self._discard:
                    data = buf.maybe_extract_at_most(len(self._discard))
                    if data is None:
                        break
                    if data != self._discard[: len(data)]:
                        raise LocalProtocolError(
                            f"malformed chunk footer: {data!r} (expected {self._discard!r})"
                        )
                    self._discard = self._discard[len(data) :]
                    if self._discard:
                        break
                if not self._left:
                    header = buf.maybe_extract_next_line()
                    if header is None:
                        break
                    matches = validate(
                        chunk_header_re, header, "illegal chunk header: {!r}", header
                    )
                    self._left = int(matches["chunk_size"], base=16)
                    if not self._left:
                        self._trailer = True
                        continue
                    start = start or not parts
                data = buf.maybe_extract_at_most(self._left)
                if data is None:
                    break
                self._left -= len(data)
                parts.append(data)
                end = not self._left
                if not end:
                    break  # the buffer ended inside this chunk
                self._discard = b"\r\n"
            if not parts:
                return None
            body = parts[0] if len(parts) == 1 else b"".join(parts)
            return Data(data=body, chunk_start=start, chunk_end=end)

        def read_eof(self) -> Any:
            raise RemoteProtocolError(
                "peer closed connection without sending complete message body "
                "(incomplete chunked read)"
            )

    return JoiningChunkedReader


def install() -> bool:
    """Use the joining reader for every chunked response from now on; True if in use."""
    if _state["installed"]:
        return True
    try:
        from h11 import _readers
        from h11._state import SEND_BODY
    except ImportError:
        return False
    table = getattr(_readers, "READERS", None)
    body = table.get(SEND_BODY) if isinstance(table, dict) else None
    if not isinstance(body, dict) or body.get("chunked") is not _readers.ChunkedReader:
        return False  # not the layout this was written for: h11's reader stays
    cls = _reader_class()
    if cls is None:
        return False
    body["chunked"] = cls
    _state["installed"] = True
    return True


def installed() -> bool:
    """Whether h11 reads chunked bodies with the joining reader."""
    return bool(_state["installed"])
