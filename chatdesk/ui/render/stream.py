"""Whole messages and growing replies, rendered block by block.

:func:`render_markdown` renders a complete message; :class:`StreamRenderer` renders a
growing reply so that each update costs only its open last block (finished blocks once,
or, lazily, only when they come on screen), with the same HTML in the end.
"""

from __future__ import annotations

import re
import time
from collections import deque

from chatdesk.ui.render import base, mathtex
from chatdesk.ui.render.base import RenderResult, plain_piece
from chatdesk.ui.render.blocks import BlockScanner
from chatdesk.ui.render.convert import renderer

__all__ = ["MESSAGE_BUDGET_S", "StreamRenderer", "render_markdown"]

# Second line of defence behind the structural limits: once rendering one message has taken
# this long, its remaining blocks are shown as plain text (a message of many blocks, each
# just under the limits). Not reached by any real answer; it makes output depend on speed.
MESSAGE_BUDGET_S = 0.5


def render_markdown(
    text: str, dark: bool = False, budget_s: float | None = MESSAGE_BUDGET_S
) -> RenderResult:
    """Render a whole message the same way the streaming path does (block by block).

    Never raises; blocks that are too costly (or past ``budget_s``) come back as plain text.
    """
    r = renderer(dark)
    parts: list[str] = []
    codes: list[str] = []
    maths: list[str] = []
    used = (0, 0)
    fallback: str | None = None
    sc = BlockScanner()
    spans = sc.feed(text if text.endswith("\n") else text + "\n")
    blocks = [(text[a:b], a in sc.plain_starts) for a, b in spans]
    blocks.append((text[sc.block_start :], sc.cutting))
    deadline = None if budget_s is None else time.perf_counter() + budget_s
    for block, cut in blocks:
        if not block.strip():
            continue
        if cut:
            res = plain_piece(block)
        elif deadline is not None and time.perf_counter() > deadline:
            res = r.plain(block, "time", used)
        else:
            res = r.render(block, len(codes), math_offset=used)
        parts.append(res.html)
        codes.extend(res.code_blocks)
        maths.extend(res.math)
        used = (used[0] + res.math_spans, used[1] + res.math_chars)
        fallback = fallback or res.fallback
    return RenderResult("\n".join(parts), codes, maths, used[0], used[1], fallback)


_UNDERLINE_RE = re.compile(r"[ \t]*[-=][-= \t]*$")


class StreamRenderer:
    """Render a growing Markdown text: finished blocks once, the open last block each time.

    ``update(full_text)`` returns the HTML of blocks that became finished since the last call
    (to be appended to the document) and the HTML of the open tail (to replace the old tail).
    The concatenation ``"\\n".join(all finished + [tail])`` equals
    ``render_markdown(full_text).html``.

    With ``lazy=True`` finished blocks are only recorded (:attr:`sources`, with the index
    of their first code block) and :meth:`render_block` renders one on request, with the
    same HTML as the eager path; the tail is rendered as before.
    """

    def __init__(self, dark: bool = False, lazy: bool = False) -> None:
        self.dark = dark
        self.lazy = lazy
        self._sc = BlockScanner()
        self._text = ""
        self._queue: deque[tuple[int, int]] = deque()  # finished spans not rendered yet
        self.restarted = False
        self.finished_html: list[str] = []
        self.finished_codes: list[str] = []
        self.finished_math: list[str] = []
        self.tail_html = ""
        self.tail_codes: list[str] = []
        self.tail_math: list[str] = []
        self._tail_src: str | None = None
        self.held = False  # the tail's last line is held back (see _shown_tail)
        # Lazy mode: finished blocks are kept as source and rendered on request.
        self.sources: list[str] = []
        self.code_starts: list[int] = []  # index of each block's first code block
        self.math_starts: list[tuple[int, int]] = []  # math (spans, chars) before each block
        self.block_codes: list[list[str] | None] = []  # None: not rendered yet
        self.block_plain: list[bool] = []  # a piece of a cut long line (plain text)
        self._code_count = 0  # code blocks in all finished blocks
        self._math_used = (0, 0)  # math (spans, chars) in all finished blocks

    @property
    def code_blocks(self) -> list[str]:
        """Raw code of every block so far (index = N of ``copycode:N``).

        In lazy mode only rendered blocks contribute: render them all first.
        """
        if self.lazy:
            return [c for cs in self.block_codes if cs for c in cs] + self.tail_codes
        return self.finished_codes + self.tail_codes

    @property
    def unrendered(self) -> int:
        """Lazy mode: how many finished blocks have not been rendered yet."""
        return sum(1 for cs in self.block_codes if cs is None)

    def render_block(self, k: int, streaming: bool = False) -> RenderResult:
        """Lazy mode: render finished block ``k`` (the same HTML as the eager path)."""
        base.streaming = streaming
        try:
            if self.block_plain[k]:
                res = plain_piece(self.sources[k])
            else:
                res = renderer(self.dark).render(
                    self.sources[k], self.code_starts[k], math_offset=self.math_starts[k]
                )
        finally:
            base.streaming = False
        self.block_codes[k] = res.code_blocks
        return res

    @property
    def math(self) -> list[str]:
        return self.finished_math + self.tail_math

    @property
    def text(self) -> str:
        return self._text

    @property
    def behind(self) -> bool:
        """True when a time budget left finished blocks unrendered: call update() again."""
        return bool(self._queue)

    def reset(self) -> None:
        self.__init__(self.dark, self.lazy)  # type: ignore[misc]

    def update(self, text: str, budget_s: float | None = None) -> tuple[list[str], str]:
        """See :meth:`_update`; math met while streaming never waits for its engine."""
        base.streaming = True
        try:
            return self._update(text, budget_s)
        finally:
            base.streaming = False

    def _update(self, text: str, budget_s: float | None = None) -> tuple[list[str], str]:
        """Feed the full text so far; returns (newly finished block HTMLs, tail HTML).

        With ``budget_s``, rendering stops once that much time is spent, so a burst of text
        never blocks the UI for long; :attr:`behind` then says more calls are needed, and
        the tail stays empty until the finished blocks have caught up.
        If ``text`` does not extend the previous text (an edit), everything starts again
        and :attr:`restarted` is set: callers should then drop what they show.
        """
        self.restarted = False
        if not text.startswith(self._text):
            self.reset()
            self.restarted = True
        self._text = text
        self._queue.extend(self._sc.feed(text))
        deadline = None if budget_s is None else time.perf_counter() + budget_s
        if self.lazy:
            return self._update_lazy(text, deadline)
        r = renderer(self.dark)
        new_html: list[str] = []
        while self._queue:
            a, b = self._queue.popleft()
            block = text[a:b]
            if not block.strip():
                continue
            if a in self._sc.plain_starts:
                res = plain_piece(block)
            else:
                res = r.render(block, len(self.finished_codes), math_offset=self._math_used)
            new_html.append(res.html)
            self.finished_codes.extend(res.code_blocks)
            self.finished_math.extend(res.math)
            self._math_used = (
                self._math_used[0] + res.math_spans,
                self._math_used[1] + res.math_chars,
            )
            if deadline is not None and time.perf_counter() > deadline:
                break
        self.finished_html.extend(new_html)
        if self._queue:
            self._tail_src = None
            self.tail_html, self.tail_codes, self.tail_math = "", [], []
            return new_html, ""
        tail = self._shown_tail(text[self._sc.block_start :])
        if new_html or tail != self._tail_src:
            self._tail_src = tail
            if tail.strip():
                # The preprocessor closes an open fence at the end of the text; such a fence
                # is re-rendered on every update, so Pygments waits until it closes.
                self._render_tail(tail, highlight_open=False)
            else:
                self.tail_html, self.tail_codes, self.tail_math = "", [], []
        return new_html, self.tail_html

    def _update_lazy(self, text: str, deadline: float | None) -> tuple[list[str], str]:
        """Lazy mode: record finished blocks (returned as source); render only the tail."""
        r = renderer(self.dark)
        new_src: list[str] = []
        while self._queue:
            a, b = self._queue.popleft()
            block = text[a:b]
            if not block.strip():
                continue
            new_src.append(block)
            self.sources.append(block)
            self.code_starts.append(self._code_count)
            self.math_starts.append(self._math_used)
            self.block_codes.append(None)
            cut = a in self._sc.plain_starts
            self.block_plain.append(cut)
            if cut:
                continue
            codes, spans, chars = r.scan(block, self._math_used)
            self._code_count += len(codes)
            self._math_used = (self._math_used[0] + spans, self._math_used[1] + chars)
            if deadline is not None and time.perf_counter() > deadline:
                break
        if self._queue:
            self._tail_src = None
            self.tail_html, self.tail_codes, self.tail_math = "", [], []
            return new_src, ""
        tail = self._shown_tail(text[self._sc.block_start :])
        if new_src or tail != self._tail_src:
            self._tail_src = tail
            if tail.strip():
                self._render_tail(tail, highlight_open=False)
            else:
                self.tail_html, self.tail_codes, self.tail_math = "", [], []
        return new_src, self.tail_html

    def finish(self) -> str:
        """The reply is complete: render the tail once more, highlighting an unclosed fence."""
        mathtex.start_if_wanted()
        tail = self._text[self._sc.block_start :]
        if self._queue:
            return self.tail_html
        if self.held:  # the end is known now: the held-back line is shown as it is
            self.held = False
            self._tail_src = tail
            if tail.strip():
                self._render_tail(tail, highlight_open=self._sc.fence is not None)
            else:
                self.tail_html, self.tail_codes, self.tail_math = "", [], []
        elif tail.strip() and self._sc.fence is not None and not self._sc.cutting:
            self._render_tail(tail, highlight_open=True)
        return self.tail_html

    def _shown_tail(self, tail: str) -> str:
        """The open tail without an unfinished last line of only ``-`` / ``=``.

        Such a line ("- item" then "-", on its way to "- next") makes the line before it
        a setext heading: shown while streaming, it flashed a bold heading that the
        final text did not have (issue 15). It is shown once its line ends or the
        answer is complete (:meth:`finish`).
        """
        cut = tail.rfind("\n") + 1
        last = tail[cut:]
        self.held = (
            self._sc.fence is None
            and cut > 0
            and bool(last.strip())
            and _UNDERLINE_RE.match(last) is not None
        )
        return tail[:cut] if self.held else tail

    def _render_tail(self, tail: str, highlight_open: bool) -> None:
        if self._sc.cutting:
            res = plain_piece(tail)
            self.tail_html, self.tail_codes, self.tail_math = res.html, [], []
            return
        base = self._code_count if self.lazy else len(self.finished_codes)
        res = renderer(self.dark).render(tail, base, highlight_open, self._math_used)
        self.tail_html, self.tail_codes, self.tail_math = res.html, res.code_blocks, res.math

    def full_html(self) -> str:
        parts = list(self.finished_html)
        if self.tail_html:
            parts.append(self.tail_html)
        return "\n".join(parts)
