"""A small, fast, incremental Server-Sent Events parser for chat completion streams.

Relays mangle SSE in many ways: events split across reads anywhere
(even inside a CRLF or a multi-byte UTF-8 character), several events in one read,
``data:`` without the space, CR or CRLF line endings, ``: keep-alive`` comments, empty
``data:`` events, two frames glued on one line (``data: {...}data: {...}``) and error
objects forwarded as a bare JSON line without ``data:`` or on an ``error:`` line
(llama.cpp before its SSE fix), reported as an ``error`` event. This parser copes with all of
them and stays cheap: one C-level decode and split per read, a short Python loop per line.

Long lines cost linear time: the pieces of an unfinished line are kept in a list and
joined once, when its end arrives (re-joining a growing buffer on every read was
quadratic). A line, or the data of one event, longer than ``max_line`` characters ends
the stream with a ``protocol`` :class:`ProtocolError`; the events completed before it
are still returned first, so the caller keeps every word received.

``feed()`` returns ``(event, data)`` tuples: ``event`` is ``None`` unless the frame named
one (``event: error`` gives ``"error"``), ``data`` is the payload string (``"[DONE]"``
included, the caller decides). Events with an empty payload are dropped, except a named
``error`` event, which is always reported so that it cannot pass silently.
"""

from __future__ import annotations

import codecs
import json
import re

from chatdesk.api.errors import ProtocolError

SSEItem = tuple[str | None, str]
MAX_LINE = 8 * 1024 * 1024  # characters of one line (or of one event's data)

# A second "data:" marker followed by the start of a JSON value: a glued frame.
_GLUED_SPLIT = re.compile(r"data: ?(?=[\[{])")


def split_glued(value: str) -> list[str]:
    """Split ``{...}data: {...}`` into frames unless the whole value is valid JSON."""
    try:
        json.loads(value)
    except ValueError:
        parts = [p.strip() for p in _GLUED_SPLIT.split(value)]
        return [p for p in parts if p] or [value]
    return [value]


class SSEParser:
    """Incremental SSE parser: ``feed(bytes)`` per read, ``close()`` at EOF."""

    __slots__ = (
        "_decoder",
        "_pending",
        "_pending_len",
        "_data",
        "_data_len",
        "_event",
        "_cr",
        "_started",
        "_max",
        "_overflow",
    )

    def __init__(self, max_line: int | None = MAX_LINE) -> None:
        """``max_line``: the longest line or event data accepted (None: no limit)."""
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._pending: list[str] = []  # pieces of the incomplete last line
        self._pending_len = 0
        self._data: list[str] | None = None  # data lines of the event being built
        self._data_len = 0  # their total length (multi-line events only)
        self._event: str | None = None  # its event name, if any
        self._cr = False  # the previous read ended with "\r": drop a leading "\n"
        self._started = False  # a leading BOM was checked
        self._max = max_line
        self._overflow: ProtocolError | None = None  # raised on the next call

    def feed(self, data: bytes) -> list[SSEItem]:
        """Consume one network read; return the events it completed."""
        if self._overflow is not None:
            raise self._overflow
        return self._feed_text(self._decoder.decode(data))

    def close(self) -> list[SSEItem]:
        """Flush at EOF: a last event without its trailing blank line still counts."""
        if self._overflow is not None:
            raise self._overflow
        text = self._decoder.decode(b"", True)
        out = self._feed_text(text + "\n\n")
        self._decoder.reset()
        self._pending = []
        self._pending_len = 0
        self._data = None
        self._data_len = 0
        self._event = None
        self._cr = False
        return out

    def _too_long(self, size: int, out: list[SSEItem]) -> list[SSEItem]:
        """Drop the buffers and fail now, or on the next call if events are pending."""
        self._pending = []
        self._pending_len = 0
        self._data = None
        self._data_len = 0
        self._overflow = ProtocolError(
            f"the server sent a stream line of more than {self._max:,} characters "
            f"({size:,} so far); the stream was stopped there"
        )
        if out:
            return out
        raise self._overflow

    def _feed_text(self, text: str) -> list[SSEItem]:
        # The usual read at speed: exactly one whole "data: ..." event and nothing held.
        if (
            text[:6] == "data: "
            and text[-2:] == "\n\n"
            and text.find("\n") == len(text) - 2
            and self._started
            and not self._pending
            and self._data is None
            and self._event is None
            and not self._cr
            and "\r" not in text
            and (self._max is None or len(text) - 2 <= self._max)
        ):
            value = text[6:-2]
            if "data:" not in value:
                return [(None, value)] if value else []
        if self._cr:
            self._cr = False
            if text[:1] == "\n":
                text = text[1:]
        if "\r" in text:
            if text[-1] == "\r":
                self._cr = True
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if "\n" not in text:
            # No line ends here: keep the piece, join once when the line is complete.
            if text:
                self._pending.append(text)
                self._pending_len += len(text)
                if self._max is not None and self._pending_len > self._max:
                    return self._too_long(self._pending_len, [])
            return []
        if self._pending:
            self._pending.append(text)
            text = "".join(self._pending)
            self._pending = []
            self._pending_len = 0
        lines = text.split("\n")
        last = lines.pop()
        if last:
            self._pending = [last]
            self._pending_len = len(last)
        limit = self._max
        long_lines = limit is not None and len(text) > limit
        if not self._started:
            self._started = True
            if lines[0][:1] == "\ufeff":
                lines[0] = lines[0][1:]

        out: list[SSEItem] = []
        append = out.append
        data = self._data
        event = self._event
        data_len = self._data_len
        for line in lines:
            if long_lines and len(line) > limit:  # type: ignore[operator]
                return self._too_long(len(line), out)
            if not line:  # blank line: dispatch
                if data is not None:
                    payload = data[0] if len(data) == 1 else "\n".join(data)
                    if payload or event == "error":
                        append((event, payload))
                    data = None
                elif event == "error":
                    append((event, ""))
                event = None
                continue
            if line.startswith("data:"):
                value = line[6:] if line[5:6] == " " else line[5:]
                if "data:" in value:
                    parts = split_glued(value)
                    if len(parts) > 1:
                        # parts[0] ends the current event, the middle ones are whole
                        # events, the last one starts a new event.
                        if data is None:
                            data = [parts[0]]
                        else:
                            data.append(parts[0])
                        payload = "\n".join(data)
                        append((event, payload))
                        event = None
                        for part in parts[1:-1]:
                            append((None, part))
                        data = [parts[-1]]
                        data_len = len(parts[-1])
                        continue
                if data is None:
                    data = [value]
                    data_len = len(value)
                else:
                    data.append(value)
                    data_len += len(value) + 1
                    if limit is not None and data_len > limit:
                        return self._too_long(data_len, out)
            elif line[0] == ":":  # comment / keep-alive
                continue
            elif line[0] == "{":  # a bare JSON object forwarded without "data:"
                if data is not None:
                    append((event, "\n".join(data)))
                    data = None
                    event = None
                append((event, line.strip()))
                event = None
            else:
                name, _, value = line.partition(":")
                if value[:1] == " ":
                    value = value[1:]
                if name == "event":
                    event = value or None
                elif name == "error":
                    # llama.cpp before its SSE fix: "error: {json}" instead of data.
                    if data is not None:
                        append((event, "\n".join(data)))
                        data = None
                    append(("error", value))
                    event = None
                elif name == "data":  # "data" with no colon: an empty data line
                    if data is None:
                        data = [""]
                    else:
                        data.append("")
                # "id", "retry" and unknown fields are ignored, as the spec says.
        self._data = data
        self._data_len = data_len if data is not None else 0
        self._event = event
        if limit is not None and self._pending_len > limit:
            return self._too_long(self._pending_len, out)
        return out
