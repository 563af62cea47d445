"""Where one block of a reply ends: blank lines outside fences, and cuts in huge lines.

Rendering goes block by block (a streaming reply re-renders only its open last block);
:class:`BlockScanner` finds the blocks incrementally, and the same way however the text
arrives, so streaming and a whole render number code blocks and formulas alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from chatdesk.core.mdguard import LIMITS

__all__ = ["FENCE_OPEN_RE", "LONG_LINE", "BlockScanner", "iter_fences", "split_blocks"]

FENCE_OPEN_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)$")

#: Lines longer than this are cut into blocks of this size (see BlockScanner). A block
#: that long is shown as plain text anyway (mdguard's size limit), so nothing is lost.
LONG_LINE = LIMITS.max_chars


class BlockScanner:
    """Split text at blank lines outside fences, incrementally (only new lines are scanned).

    A blank line ends a block only if the next non-blank line starts at column 0, so that
    indented list continuations stay with their list.

    A line longer than :data:`LONG_LINE` (a model repeating one letter) is cut every
    LONG_LINE characters from its start, even before it ends: an open block would
    otherwise be laid out whole on every update, and Qt's layout of one huge paragraph
    froze the window (issue 16). The cuts fall at the same offsets however the text
    arrives. Blocks from the block holding the first cut up to that block's natural end
    are shown as plain text (:attr:`plain_starts`; the open tail when :attr:`cutting`).
    """

    def __init__(self) -> None:
        self.text = ""
        self.scan = 0  # first character of the first unscanned line
        self.block_start = 0
        self.boundaries: list[int] = []  # start offsets of blocks after the first
        self.fence: str | None = None  # the opening fence while inside one
        self.pending_blank = False
        self.plain_starts: set[int] = set()  # blocks of a cut region (plain text)
        self.cutting = False  # the open block belongs to a cut region
        self._begun = -1  # start of the long line whose beginning was handled
        self._cut = 0  # the last cut made

    def feed(self, text: str) -> list[tuple[int, int]]:
        """Scan complete new lines of ``text`` (which extends the previous text).

        Returns the (start, end) spans of blocks that became finished.
        """
        self.text = text
        finished: list[tuple[int, int]] = []
        pos = self.scan
        while True:
            nl = text.find("\n", pos)
            if nl < 0:
                break
            if nl - pos > LONG_LINE:
                self._long(text, pos, nl, finished)
            line = text[pos:nl]
            self._line(line, pos, finished)
            pos = nl + 1
        self.scan = pos
        if len(text) - pos > LONG_LINE:  # an open line already too long: cut it now
            self._long(text, pos, len(text), finished)
        return finished

    def _finish(self, end: int, finished: list[tuple[int, int]], cut: bool) -> None:
        if self.cutting or cut:
            self.plain_starts.add(self.block_start)
        self.cutting = cut
        finished.append((self.block_start, end))
        self.block_start = end

    def _long(self, text: str, start: int, end: int, finished: list[tuple[int, int]]) -> None:
        """Cut the long line at ``start`` every LONG_LINE characters before ``end``."""
        if self._begun != start:
            self._begun = start
            self._begin(text[start], start, finished)
        c = start + LONG_LINE
        while c < end:
            if c > self._cut:
                self._cut = c
                self._finish(c, finished, cut=True)
            c += LONG_LINE

    def _begin(self, first: str, start: int, finished: list[tuple[int, int]]) -> None:
        """What the start of a non-blank line decides: a new block after a blank line."""
        if self.fence is not None:
            return
        if self.pending_blank and not first.isspace() and start > self.block_start:
            self._finish(start, finished, cut=False)
        self.pending_blank = False

    def _line(self, line: str, start: int, finished: list[tuple[int, int]]) -> None:
        if self.fence is not None:
            s = line.strip()
            if s and set(s) == {self.fence[0]} and len(s) >= len(self.fence):
                self.fence = None
            return
        long = len(line) > LONG_LINE  # counted as text even if blank: cut the same way
        if not long and not line.strip():
            self.pending_blank = True
            return
        if self._begun != start:
            self._begin(line[0], start, finished)
        m = FENCE_OPEN_RE.match(line)
        if m and not ("`" in m.group("info") and m.group("fence")[0] == "`"):
            self.fence = m.group("fence")

    @property
    def tail(self) -> str:
        return self.text[self.block_start :]


def iter_fences(lines: list[str]) -> Iterator[tuple[int, int, re.Match[str]]]:
    """Yield ``(open, close, match)`` for each fenced code block of ``lines``.

    ``lines[open]`` is the opening fence, ``lines[close]`` the closing one (``close ==
    len(lines)`` when the fence is still open); ``match`` is the opening line's match.
    """
    i, n = 0, len(lines)
    while i < n:
        m = FENCE_OPEN_RE.match(lines[i])
        if m is None or ("`" in m.group("info") and m.group("fence")[0] == "`"):
            i += 1
            continue
        fence = m.group("fence")
        close_re = re.compile(
            r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$"
        )
        j = i + 1
        while j < n and not close_re.match(lines[j]):
            j += 1
        yield i, j, m
        i = j + 1


def split_blocks(text: str) -> list[str]:
    """The blocks :class:`StreamRenderer` would render, for a complete text."""
    sc = BlockScanner()
    spans = sc.feed(text + "\n")
    blocks = [text[a:b] for a, b in spans]
    blocks.append(text[sc.block_start :])
    return blocks
