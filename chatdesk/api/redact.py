"""The API key scrubbed from what a server sends back: error bodies, and the answer itself.

A server (or a relay in front of it) may echo the key in an error, in the streamed
text, in the chunk's ``model`` field or in a tool call (its id, name or arguments);
nothing of it may be shown, stored, exported or passed to a tool.
"""

from __future__ import annotations

import re

from chatdesk.api.types import (
    FinishEvent,
    ModelEvent,
    ReasoningDelta,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
)

_REDACTED = "sk-***"
_TOKENISH = re.compile(r"[A-Za-z0-9_\-.*~+/=%]{8,}")
_KEY_WINDOW = 12  # a run of this many key characters anywhere is the key


def redact(text: str, secret: str | None) -> str:
    """Scrub the API key from text a server sent back, exact match or not.

    Servers echo keys upper-cased, cut short, or masked in the middle. The rule:

    1. every occurrence of the whole key, in any letter case, is replaced;
    2. then every token-looking run of text (letters, digits and ``-_.*~+/=%``, 8+ long)
       is replaced whole when, ignoring case, it contains any 12 consecutive characters
       of the key (a partial echo), or starts with the key's first 6 characters and
       ends with its last 4 (a masked echo such as ``sk-pro****abcd``).

    Twelve key characters, or 6 + 4 at both ends, are far too many to match by chance,
    so ordinary words and other keys are left alone; too much scrubbed is harmless,
    too little is a leak. Keys shorter than 12 characters get rule 1 only.
    """
    if not secret or len(secret) < 4 or not text:
        return text
    text = re.sub(re.escape(secret), _REDACTED, text, flags=re.IGNORECASE)
    key = secret.lower()
    if len(key) < _KEY_WINDOW:
        return text
    windows = {key[i : i + _KEY_WINDOW] for i in range(len(key) - _KEY_WINDOW + 1)}
    head, tail = key[:6], key[-4:]

    def scrub(match: re.Match[str]) -> str:
        token = match.group(0)
        low = token.rstrip(".").lower()  # a sentence's full stop is not part of a key
        trailer = token[len(low) :]
        if len(low) >= 10 and low.startswith(head) and low.endswith(tail):
            return _REDACTED + trailer
        for i in range(len(low) - _KEY_WINDOW + 1):
            if low[i : i + _KEY_WINDOW] in windows:
                return _REDACTED + trailer
        return token

    return _TOKENISH.sub(scrub, text)


class StreamRedactor:
    """Redacts the key from streamed text, which may cut it across chunks.

    Each choice's text (and reasoning, and each tool call's arguments) holds back
    only what could still become an echo of the key: its longest ending that is a
    piece of the key (in any case), or a trailing token that starts like the key (a
    masked echo in the making). Other text passes at once. Any echo that begins in
    what is let through was whole in it when it was scrubbed. A choice's rest is let
    out before its :class:`FinishEvent`, and :meth:`flush` lets out everything at the
    end (or on an error, so the partial answer loses nothing). A tool call's id and
    name come in one piece each (an accumulator appends differing name pieces, so
    holding part of one back would change the name): each is scrubbed as it comes.
    """

    __slots__ = ("_secret", "_key", "_head", "_tails")

    def __init__(self, secret: str | None) -> None:
        self._secret = secret if secret and len(secret) >= 4 else None
        self._key = (secret or "").lower()
        self._head = self._key[:6]
        # (kind, choice index, tool call index or 0) -> text held back
        self._tails: dict[tuple[type[StreamEvent], int, int], str] = {}

    def _held(self, text: str) -> int:
        """How many characters at the end of ``text`` may be the start of an echo."""
        key = self._key
        low = text[-2 * len(key) :].lower()
        # If an ending is no piece of the key, no longer ending is: grow until one fails.
        hold = 0
        for k in range(1, min(len(low), len(key)) + 1):
            if low[-k:] not in key:
                break
            hold = k
        # The trailing token, found in C: this runs for every streamed piece.
        start = len(low.rstrip(_TOKEN_STR))
        if len(low) - start > hold and low.startswith(self._head, start):
            hold = len(low) - start
        return hold

    def feed(self, events: list[StreamEvent]) -> list[StreamEvent]:
        """The events to pass on for ``events`` (texts held back or scrubbed)."""
        secret = self._secret
        if secret is None:
            return events
        out: list[StreamEvent] = []
        for ev in events:
            kind = ev.__class__
            if kind is TextDelta or kind is ReasoningDelta:
                text = ev.text  # type: ignore[union-attr]
                passed = self._pass((kind, ev.index, 0), text)  # type: ignore[union-attr]
                if passed is text:  # nothing held back nor scrubbed: the event as it came
                    out.append(ev)
                elif passed:
                    out.append(kind(ev.index, passed, ev.pieces))  # type: ignore[union-attr]
            elif isinstance(ev, ToolCallDelta):
                passed = self._pass((ToolCallDelta, ev.index, ev.call_index), ev.arguments)
                call_id = redact(ev.id, secret) if ev.id else ev.id
                name = redact(ev.name, secret) if ev.name else ev.name
                if passed or call_id or name:
                    out.append(ToolCallDelta(ev.index, ev.call_index, call_id, name, passed))
            elif isinstance(ev, ModelEvent):
                out.append(ModelEvent(redact(ev.model, secret)))
            elif isinstance(ev, FinishEvent):
                out.extend(self._release(ev.index))
                out.append(ev)
            else:
                out.append(ev)
        return out

    def _pass(self, slot: tuple[type[StreamEvent], int, int], piece: str) -> str:
        """Add ``piece`` to the slot's held text; the scrubbed part that may go now."""
        tails = self._tails
        held = tails.get(slot)
        text = held + piece if held else piece  # as received: checked whole
        hold = self._held(text)
        if not hold:  # the usual piece: all of it goes (the same object when unchanged)
            tails[slot] = ""
            return self._scrub(text)
        cut = len(text) - hold
        passed = ""
        if cut > 0:
            passed = self._scrub(text[:cut])
            text = text[cut:]
        tails[slot] = text
        return passed

    def _scrub(self, text: str) -> str:
        # Too short to hold the key or a key-like token (8+): the usual streamed piece.
        if len(text) < min(len(self._key), 8):
            return text
        return redact(text, self._secret)

    def flush(self) -> list[StreamEvent]:
        """Everything still held back (the stream ended or failed)."""
        return self._release(None)

    def _release(self, index: int | None) -> list[StreamEvent]:
        out: list[StreamEvent] = []
        for slot in [s for s in self._tails if index is None or s[1] == index]:
            kind, at, call = slot
            text = self._tails.pop(slot)
            if not text:
                continue
            if kind is ToolCallDelta:
                out.append(ToolCallDelta(at, call, None, None, self._scrub(text)))
            elif kind is TextDelta or kind is ReasoningDelta:
                out.append(kind(at, self._scrub(text)))
        return out


_TOKEN_STR = "abcdefghijklmnopqrstuvwxyz0123456789_-.*~+/=%"  # lower case, as ``low`` is
