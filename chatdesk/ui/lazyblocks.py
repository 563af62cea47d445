"""Rendered messages: a stack of small QTextDocuments per message, blocks rendered lazily.

Each message is a header, the collapsible "Thinking" section, one document per Markdown
block (so a streaming reply only appends new blocks and re-renders its open last block;
blocks are kept as Markdown source with an estimated height until they
come on screen, the rest in idle time once the message is complete) and a footer (tool
calls, images, status, statistics, actions).

:class:`BlockRenderer` holds everything that is per view (colours, font metrics, which
sections are open, the highlight, the work still to do); one view owns one renderer, so
views in compare columns never share state. The documents themselves are in
:mod:`chatdesk.ui.messagedocs`, the item that stacks them in :mod:`chatdesk.ui.messageitem`,
the turns that views sharing a window take in :mod:`chatdesk.ui.frameshare`.
"""

from __future__ import annotations

import bisect
import itertools
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, QPointF, QTimer
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QFont,
    QFontMetrics,
    QImage,
    QPainter,
    QTextCursor,
)

from chatdesk.core.mdguard import LIMITS
from chatdesk.store.rows import MessageRow, MessageStatus
from chatdesk.ui import graveyard, render
from chatdesk.ui.breaks import breakable
from chatdesk.ui.frameshare import slice_done, take_turn
from chatdesk.ui.messagedocs import Doc
from chatdesk.ui.messagehtml import (
    PALETTES,
    foot_html,
    head_html,
    retry_wait,
    think_html,
    tool_card_html,
    tool_result_html,
    tool_run,
    user_text_html,
)
from chatdesk.ui.messageitem import (
    Item,
    Sig,
    clear_code_backgrounds,
    find_highlights,
    paint_item,
)
from chatdesk.ui.messagestyle import CARD_TABLE, actions_html, doc_style_sheet
from chatdesk.ui.render import mathtex

__all__ = ["BlockRenderer", "Item"]


class BlockRenderer(QObject):
    """Turns message rows into :class:`Item` s for one view, touching only what changed.

    Work that cannot be done at once is recorded in :attr:`catch_up_ids` (text arrived
    faster than it rendered), :attr:`idle_ids` (blocks skipped while streaming) and
    :attr:`countdown_ids` (a "retry in N s" to refresh) and done by this renderer's own
    timers: ``resync(ids, catch_up)`` asks the view to bring those items up to date (and
    lay out again), ``idle()`` to render a slice of skipped blocks. Finished messages
    showing TeX source are rendered again once the math engine has loaded.
    """

    PAD = 12  # inside a bubble
    GAP = 4  # between the documents of one message
    ACT_GAP = 4  # above the row of action icons (under a bubble, not in it)
    SPACING = 4  # between messages (the action row above adds its own room)
    SLICE_S = 0.004  # Markdown time per event-loop turn while catching up (Qt work ~ same)
    BIG_MESSAGE = 16_000  # chars; longer complete messages are rendered progressively too
    ONE_DOC_BLOCKS = 200  # blank lines; a message with more is rendered progressively too
    CACHE = 40  # rendered messages kept

    def __init__(
        self,
        parent: QObject,
        thumb: Callable[[str], QImage | None],
        row_by_id: Callable[[int], MessageRow | None],
        branch_of: Callable[[int], tuple[int, int] | None],
        resync: Callable[[Iterable[int], bool], None],
        idle: Callable[[], None],
    ) -> None:
        super().__init__(parent)
        self.thumb = thumb
        self.branch_of = branch_of
        self._row_by_id = row_by_id
        self._resync = resync
        self._dark = False
        self._sheet: str | None = None  # the documents' style sheet (font and theme)
        self.font = QFont()
        self.line_h = 16
        self.char_w = 8
        self.think_open: dict[int, bool] = {}
        self.details_open: set[int] = set()
        self.tool_open: set[int] = set()  # tool runs whose long result is shown whole
        self.user_open: set[int] = set()  # long user messages shown whole
        self.copied: set[int] = set()  # messages just copied (their Copy icon is a check)
        self._act_docs: dict[tuple[Any, ...], Doc] = {}  # see _actions_doc
        self.highlight: tuple[int, str] | None = None
        self.items: OrderedDict[int, Item] = OrderedDict()  # least recently used first
        self.known: dict[int, tuple[int, int]] = {}  # id -> (width, height) once rendered
        self.catch_up_ids: set[int] = set()
        self.idle_ids: set[int] = set()
        self.countdown_ids: set[int] = set()
        self._catch_up = self._timer(0, self._on_catch_up, single=True)
        self._idle = self._timer(0, idle, single=True)
        self._idle_later = self._timer(250, self.wake, single=True)  # see idle_later
        self._countdown = self._timer(1000, self._tick)
        self._math_seen = mathtex.math_generation
        self._timer(500, self._check_math).start()

    @property
    def dark(self) -> bool:
        return self._dark

    @dark.setter
    def dark(self, value: bool) -> None:
        self._dark = bool(value)
        self._sheet = None
        self._act_docs = {}

    def _timer(self, ms: int, slot: Callable[[], None], single: bool = False) -> QTimer:
        t = QTimer(self)
        t.setInterval(ms)
        t.setSingleShot(single)
        t.timeout.connect(slot)
        return t

    def wake(self) -> None:
        """Start the timers of the work left for later."""
        if self.catch_up_ids and not self._catch_up.isActive():
            self._catch_up.start()
        if self.idle_ids and not self._idle.isActive():
            self._idle.start()
        if self.countdown_ids and not self._countdown.isActive():
            self._countdown.start()

    def idle_later(self, ms: int) -> None:
        """Try the idle work again in ``ms`` (other views are streaming)."""
        if not self._idle_later.isActive():
            self._idle_later.start(ms)

    def take_turn(self) -> bool:
        """Whether this view may render a slice now (see :func:`frameshare.take_turn`)."""
        return take_turn(self, self.SLICE_S, self.wake)

    def slice_done(self) -> None:
        slice_done(self)

    def _on_catch_up(self) -> None:
        """Render the next slice of messages whose text arrived faster than it rendered."""
        if not self.take_turn():
            return
        ids, self.catch_up_ids = self.catch_up_ids, set()
        self._resync(ids, True)
        self.slice_done()

    def _tick(self) -> None:
        """Once a second: refresh the "retry in N s" countdowns."""
        now = time.time()
        ids = list(self.countdown_ids)
        for mid in ids:
            row = self._row_by_id(mid)
            wait = retry_wait(row, now) if row is not None else None
            if wait is None or wait <= 0:
                self.countdown_ids.discard(mid)
        if not self.countdown_ids:
            self._countdown.stop()
        self._resync(ids, False)

    def _check_math(self) -> None:
        """Re-render finished messages that showed TeX source before math could load."""
        if mathtex.math_generation == self._math_seen:
            return
        self._math_seen = mathtex.math_generation
        self.drop_math(self._row_by_id)
        self._resync((), False)

    def set_font(self, font: QFont) -> None:
        """Use the view's font for new documents and for height estimates."""
        self.font = QFont(font)
        self._sheet = None
        self._act_docs = {}
        fm = QFontMetrics(font)
        self.line_h = fm.lineSpacing()
        self.char_w = max(1, fm.averageCharWidth())

    # -- the cache of rendered items
    def item(self, row: MessageRow, width: int, keep: Callable[[], set[int]]) -> Item:
        """The rendered item of a row at ``width``, brought up to date with the row.

        Beyond :attr:`CACHE` items the least recently used are dropped, never those whose
        ids ``keep()`` returns (the rows on screen).
        """
        items = self.items
        item = items.get(row.id)
        if item is None:
            item = items[row.id] = Item(row.id, width)
            if len(items) > self.CACHE:
                kept = keep()
                while len(items) > self.CACHE:
                    old = next((mid for mid in items if mid not in kept), None)
                    if old is None:
                        break
                    del items[old]
        else:
            items.move_to_end(row.id)
        if item.width != width:
            self.set_width(item, width)
        self.sync(item, row)
        return item

    def keep_only(self, live: set[int]) -> None:
        """Forget the items of messages no longer in the list (freed in the background:
        a long answer's hundreds of documents freed at once stall the window)."""
        for mid in [k for k in self.items if k not in live]:
            item = self.items.pop(mid)
            parts = (item.head, item.think, item.tail, item.foot, item.act, *item.segs)
            graveyard.bury([*(d for d in parts if d is not None), item])

    def drop_math(self, row_of: Callable[[int], MessageRow | None]) -> None:
        """Forget messages that may hold TeX, so they render again with math.

        A streaming message keeps its item: only its blocks start again (as source, the
        ones on screen rendered at once), so formulas complete so far show as math.
        """
        for mid in list(self.items):
            row = row_of(mid)
            if row is None:
                continue
            if "$" in row.content or "\\(" in row.content or "\\[" in row.content:
                if row.status == MessageStatus.STREAMING:
                    item = self.items[mid]
                    item.stream = None
                    item.content = None
                else:
                    del self.items[mid]

    # -- estimates
    def estimate(self, row: MessageRow, width: int) -> int:
        """A cheap height guess for a row not rendered yet (refined when it is shown)."""
        per_line = max(10, width // self.char_w)
        text = row.content
        lines = len(text) // per_line + text.count("\n") + 1
        extra = 3 if row.role == "assistant" else 2  # the badge, the figures, the icons
        if row.tool_calls:
            extra += 4 * len(row.tool_calls)
        if row.parts:
            extra += 6
        return (lines + extra) * self.line_h + 2 * self.PAD + self.SPACING + 2 * self.GAP

    def estimate_block(self, src: str, width: int) -> int:
        """A cheap height guess for a block not rendered yet (replaced once rendered)."""
        per_line = max(10, width // self.char_w)
        lines = 0
        for line in src.strip("\n").split("\n"):
            lines += 1 + len(line) // per_line
        if "```" in src or "~~~" in src:
            lines += 1  # the header row of a code block
        return (lines + 1) * self.line_h

    # -- documents
    def new_doc(self) -> Doc:
        d = Doc(self.thumb)
        d.setDefaultFont(self.font)
        if self._sheet is None:
            self._sheet = doc_style_sheet(PALETTES[self.dark], self.font)
        d.setDefaultStyleSheet(self._sheet)
        return d

    @staticmethod
    def set_html(doc: Doc, text: str, width: int) -> None:
        doc.setHtml(breakable(text))  # an unbroken run of 1 MB froze Qt's layout
        if "copycode:" in text or CARD_TABLE in text:
            clear_code_backgrounds(doc)  # the view paints them rounded
        else:
            doc.frames = ()
        doc.setTextWidth(width)

    def set_width(self, item: Item, w: int) -> None:
        """Re-wrap an item at a new width (lazy blocks get new estimates)."""
        item.width = w
        for d in item.parts:
            if d is not None and d is not item.act:  # shared: sync takes the one for w
                d.setTextWidth(w)
                if d.frames:
                    d.frames = None  # measured again at the new width
        stream = item.stream
        item.seg_h = [
            int(d.size().height())
            if d is not None
            else self.estimate_block(stream.sources[k] if stream else "", w)
            for k, d in enumerate(item.segs)
        ]
        self.measure(item)

    # -- bringing an item up to date
    def sync(self, item: Item, row: MessageRow, catch_up: bool = False) -> None:
        """Bring an item up to date with its row, touching only the parts that changed.

        ``catch_up`` lets a message whose text arrived faster than it rendered take its
        next time slice (only the catch-up timer passes it, so painting stays cheap).
        """
        pal = PALETTES[self.dark]
        w = item.width
        changed = False
        branch = self.branch_of(row.id)
        wake = False

        item.role = row.role
        head_sig = (row.role, row.name, row.model or row.model_requested, self.dark)
        if head_sig != item.head_sig:
            item.head_sig = head_sig
            item.head = item.head or self.new_doc()
            self.set_html(item.head, head_html(row, pal), w)
            changed = True
        copied = row.id in self.copied
        act_sig = (row.role, branch, copied, self.dark, w)
        if act_sig != item.act_sig:
            item.act_sig = act_sig
            item.act = self._actions_doc(row, branch, copied, w)
            changed = True

        # Thinking: open while only reasoning streams, closed once the answer starts.
        if row.reasoning:
            auto = row.status == MessageStatus.STREAMING and not row.content
            expanded = self.think_open.get(row.id, auto)
            sig: Sig = (expanded, self.dark)
            if (
                sig != item.think_sig
                or item.think is None
                or len(row.reasoning) < item.reasoning_len
            ):
                item.think_sig = sig
                item.think = item.think or self.new_doc()
                self.set_html(item.think, think_html(row, expanded, pal), w)
                item.reasoning_len = len(row.reasoning)
                changed = True
            elif len(row.reasoning) != item.reasoning_len:
                if expanded:
                    cur = QTextCursor(item.think)
                    cur.movePosition(QTextCursor.MoveOperation.End)
                    cur.insertText(row.reasoning[item.reasoning_len :])
                else:
                    self.set_html(item.think, think_html(row, expanded, pal), w)
                item.reasoning_len = len(row.reasoning)
                changed = True
        elif tool_run(row) is not None:
            # An MCP tool run: its card sits where "Thinking" would, above the result.
            expanded = row.id in self.tool_open
            sig = ("tool", expanded, self.dark, repr(row.meta), len(row.content))
            if sig != item.think_sig or item.think is None:
                item.think_sig = sig
                item.think = item.think or self.new_doc()
                self.set_html(item.think, tool_card_html(row, expanded, pal), w)
                item.content = None  # the result below folds or unfolds with the card
                changed = True
        elif item.think is not None:
            item.think = None
            item.think_sig = None
            changed = True

        stream = item.stream
        if (
            row.content != item.content
            or (stream is not None and stream.dark != self.dark)
            or (catch_up and stream is not None and stream.behind)
        ):
            self._sync_body(item, row, w)
            changed = True
            stream = item.stream
        if stream is not None and stream.behind:
            self.catch_up_ids.add(row.id)
            wake = True
        elif (
            row.status != MessageStatus.STREAMING
            and stream is not None
            and (item.tail or stream.held)
        ):
            before = stream.tail_html
            if stream.finish() != before:
                item.tail = item.tail or self.new_doc()
                self.set_html(item.tail, stream.tail_html, w)
                item.codes = stream.code_blocks
                changed = True
        if item.lazy and row.status != MessageStatus.STREAMING:
            # Blocks skipped while streaming (never on screen) render in idle time.
            self.idle_ids.add(row.id)
            wake = True

        wait = retry_wait(row, time.time())
        if wait is not None and wait > 0:
            self.countdown_ids.add(row.id)
            wake = True
        details = row.id in self.details_open
        foot_sig = (
            row.status,
            bool(row.content or row.reasoning),  # "Waiting…" goes with the first token
            row.model,
            row.finish_reason,
            repr(row.usage),
            row.ttft_ms,
            row.duration_ms,
            row.error,
            row.error_category,
            wait,
            details,
            repr(row.tool_calls),
            repr(row.parts),
            branch,
            self.dark,
        )
        if foot_sig != item.foot_sig:
            item.foot_sig = foot_sig
            item.foot = item.foot or self.new_doc()
            self.set_html(item.foot, foot_html(row, wait, pal, details, self.thumb), w)
            if not item.foot.isEmpty() and not item.foot.toPlainText().strip():
                item.foot.clear()  # nothing to show (no empty line under an answer)
            changed = True

        hl = self.highlight
        hl_sig = (hl, item.content) if hl and hl[0] == row.id else None
        if hl_sig != item.hl_sig:
            item.hl_sig = hl_sig
            changed = True
        if changed:
            self.measure(item)
            if hl_sig and hl:
                self.realize_all(item, row)
                item.hl = find_highlights(item, hl[1], self.dark)
            else:
                item.hl = {}
        if wake:
            self.wake()

    ACT_DOCS = 64  # shared rows of action icons kept (one per role, branch, width...)

    def _actions_doc(
        self, row: MessageRow, branch: tuple[int, int] | None, copied: bool, w: int
    ) -> Doc:
        """The row of action icons, one document shared by every message that shows the
        same icons at the same width: a message coming on screen makes no new one."""
        key = (row.role, branch, copied, w)
        doc = self._act_docs.get(key)
        if doc is None:
            if len(self._act_docs) >= self.ACT_DOCS:
                self._act_docs.clear()  # the items keep theirs; new ones are made again
            doc = self._act_docs[key] = self.new_doc()
            self.set_html(doc, actions_html(row, branch, PALETTES[self.dark], copied), w)
        return doc

    def _one_doc(self, text: str) -> bool:
        """Is a complete message cheap enough for one Markdown pass and one document?

        Not when it is long, nor when a few KB hold hundreds of blocks or code fences
        (each fence is a table: 1,700 empty fences in 15 KB took 0.6 s in one document,
        issue 16); those are rendered block by block, lazily, like a long message.
        """
        if len(text) >= self.BIG_MESSAGE or text.count("\n\n") > self.ONE_DOC_BLOCKS:
            return False
        return text.count("```") + text.count("~~~") <= 2 * LIMITS.max_fences

    def _sync_body(self, item: Item, row: MessageRow, w: int) -> None:
        """Render the answer: one document when complete, one per block while streaming."""
        text = row.content
        item.content = text
        if row.role != "assistant":
            if row.role == "tool":
                body = tool_result_html(row, row.id in self.tool_open)
            else:
                body = user_text_html(text, row.id in self.user_open)
            item.stream = None
            item.codes = []
            item.lazy = set()
            first = item.segs[0] if item.segs else None
            if first is None:
                first = self.new_doc()
                item.segs = [first]
            self.set_html(first, body if text else "", w)
            item.seg_h = [int(first.size().height())]
            return
        stream = item.stream
        fresh = stream is None or not text.startswith(stream.text)
        if row.status != MessageStatus.STREAMING and fresh and self._one_doc(text):
            # A complete message: one Markdown pass and one document (cheapest to show).
            res = render.render_markdown(text, self.dark)
            item.stream = None
            item.tail = None
            item.lazy = set()
            item.codes = res.code_blocks
            doc = self.new_doc()
            item.segs = [doc]
            self.set_html(doc, res.html, w)
            item.seg_h = [int(doc.size().height())]
            return
        if stream is None or stream.dark != self.dark:
            # Lazy: finished blocks are kept as Markdown source with an estimated height and
            # rendered when they come near the viewport (or in idle time once complete).
            stream = item.stream = render.StreamRenderer(self.dark, lazy=True)
            item.segs = []
            item.seg_h = []
            item.lazy = set()
            item.tail = None
        _, tail_html = stream.update(text, self.SLICE_S)
        if stream.restarted:
            item.segs = []
            item.seg_h = []
            item.lazy = set()
        for k in range(len(item.segs), len(stream.sources)):
            item.segs.append(None)
            item.seg_h.append(self.estimate_block(stream.sources[k], w))
            item.lazy.add(k)
        if tail_html:
            item.tail = item.tail or self.new_doc()
            if item.tail.property("src") != tail_html:
                item.tail.setProperty("src", tail_html)
                self.set_html(item.tail, tail_html, w)
        elif item.tail is not None:
            item.tail = None
        item.codes = stream.code_blocks

    def measure(self, item: Item) -> None:
        """Stack the documents of an item; block heights are cached (O(1) per new block).

        The action icons come last, a little apart: under a user's bubble, not in it.
        """
        docs: list[Doc | None] = []
        hs: list[int] = []
        for d in (item.head, item.think):
            if d is not None and not d.isEmpty():
                docs.append(d)
                hs.append(int(d.size().height()))
        item.seg0 = len(docs)
        docs.extend(item.segs)
        hs.extend(item.seg_h)
        for d in (item.tail, item.foot):
            if d is not None and not d.isEmpty():
                docs.append(d)
                hs.append(int(d.size().height()))
        gap = self.GAP
        offsets = [0, *itertools.accumulate(h + gap for h in hs[:-1])] if hs else []
        body = (offsets[-1] + hs[-1]) if hs else 0
        item.body_h = body
        pad = self.PAD
        item.bubble_w = item.width + 2 * pad
        user = item.role == "user"
        if user:
            # A user's bubble hugs its text (at most the width it was laid out at).
            ideal = max((d.idealWidth() for d in docs if d is not None), default=0.0)
            item.bubble_w = min(item.width, int(ideal) + 1) + 2 * pad
        act = item.act
        if act is not None and not act.isEmpty():
            offsets.append(body + gap + self.ACT_GAP if hs else 0)
            docs.append(act)
            hs.append(int(act.size().height()))
            right = item.bubble_w - 2 * pad - int(act.idealWidth()) - 1
            item.act_x = max(0, right) if user else 0
        else:
            item.act = None if act is not None and act.isEmpty() else act
        item.parts = docs  # None for a block not rendered yet
        item.heights = hs
        item.offsets = offsets
        inner = (offsets[-1] + hs[-1]) if hs else 0
        item.height = inner + 2 * self.PAD + self.SPACING
        self.known[item.mid] = (item.width, item.height)

    # -- lazy blocks
    def realize(self, item: Item, k: int, streaming: bool) -> None:
        """Render block ``k`` of a lazily rendered message (call measure afterwards)."""
        stream = item.stream
        assert stream is not None
        res = stream.render_block(k, streaming)
        d = self.new_doc()
        self.set_html(d, res.html, item.width)
        item.segs[k] = d
        item.seg_h[k] = int(d.size().height())
        item.lazy.discard(k)

    def realize_all(self, item: Item, row: MessageRow) -> bool:
        """Render every block of a message that is not rendered yet; True if any was."""
        if not item.lazy or item.stream is None:
            return False
        streaming = row.status == MessageStatus.STREAMING
        for k in sorted(item.lazy):
            self.realize(item, k, streaming)
        item.codes = item.stream.code_blocks
        self.measure(item)
        return True

    def realize_window(
        self,
        item: Item,
        y0: int,
        vh: int,
        bottom: bool,
        streaming: bool,
        deadline_of: Callable[[], float],
    ) -> bool:
        """Render the lazy blocks of an item seen through a window ``y0 .. y0 + vh``.

        Only what is on screen (the rest renders in idle time once the message is
        complete), bottom first when the item is laid out at the bottom (``bottom``); a
        costly frame is finished by the next paint so that no paint blocks the event loop
        for long. True when the time budget ran out before everything was rendered.
        """
        stream = item.stream
        if stream is None:
            return False
        for _ in range(4):  # real heights move the blocks; look again
            top, end = y0, y0 + vh
            if bottom:  # the row will be laid out at the bottom
                end = max(end, item.height)
                top = end - vh
            first = max(item.seg0, bisect.bisect_right(item.offsets, top) - 1)
            last = min(item.seg0 + len(item.segs), bisect.bisect_left(item.offsets, end))
            todo = [p - item.seg0 for p in range(first, last) if p - item.seg0 in item.lazy]
            if not todo:
                return False
            deadline = deadline_of()  # asked only when there is something to render
            if time.perf_counter() > deadline:
                return True
            over = False
            for k in reversed(todo) if bottom else todo:
                self.realize(item, k, streaming)
                if time.perf_counter() > deadline:
                    over = True
                    break
            item.codes = stream.code_blocks
            self.measure(item)
            if over:
                return True
        return False

    def realize_idle(self, item: Item, top: int, deadline: float) -> int:
        """Render lazy blocks of a complete message, last first, until ``deadline``.

        Returns how much the blocks above ``top`` (item coordinates) grew, so the view can
        keep what is on screen in place.
        """
        assert item.stream is not None
        shift = 0
        for k in sorted(item.lazy, reverse=True):
            p = item.seg0 + k
            above = item.offsets[p] + item.heights[p] <= top
            old = item.seg_h[k]
            self.realize(item, k, False)
            if above:
                shift += item.seg_h[k] - old
            if time.perf_counter() > deadline:
                break
        item.codes = item.stream.code_blocks
        self.measure(item)
        return shift

    # -- painting
    def paint(
        self,
        p: QPainter,
        ctx: QAbstractTextDocumentLayout.PaintContext,
        item: Item,
        role: str,
        origin: QPointF,
        vh: int,
        show_actions: bool,
    ) -> None:
        """Draw one message: its bubble, then the documents that meet the viewport."""
        paint_item(p, ctx, item, role, origin, vh, self.dark, self.PAD, show_actions)
