"""The rendered form of one message (:class:`Item`): its documents, drawn and searched.

An item stacks small documents (header, "Thinking", one per Markdown block, the open
tail, footer) at cached offsets; :func:`paint_item` draws only those that meet the
viewport and :func:`find_highlights` marks the find bar's text in them.
:class:`~chatdesk.ui.lazyblocks.BlockRenderer` builds and updates items.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QPainter, QTextCharFormat

from chatdesk.ui.messagedocs import Doc
from chatdesk.ui.messagehtml import PALETTES

if TYPE_CHECKING:  # pragma: no cover
    from chatdesk.ui.render import StreamRenderer

__all__ = ["Item", "Sig", "find_highlights", "paint_item"]

#: What a part of an item was rendered from: compared to skip work that changes nothing.
Sig = tuple[Any, ...]


class Item:
    """The rendered form of one message at one width."""

    __slots__ = (
        "mid",
        "width",
        "head",
        "think",
        "segs",
        "tail",
        "foot",
        "stream",
        "content",
        "head_sig",
        "think_sig",
        "foot_sig",
        "reasoning_len",
        "parts",
        "offsets",
        "height",
        "hl_sig",
        "hl",
        "codes",
        "seg_h",
        "heights",
        "seg0",
        "lazy",
    )

    def __init__(self, mid: int, width: int) -> None:
        self.mid = mid
        self.width = width
        self.head: Doc | None = None
        self.think: Doc | None = None
        # One document per finished block; None while a block is not rendered yet (lazy).
        self.segs: list[Doc | None] = []
        self.tail: Doc | None = None
        self.foot: Doc | None = None
        self.stream: StreamRenderer | None = None
        self.content: str | None = None
        self.head_sig: Sig | None = None
        self.think_sig: Sig | None = None
        self.foot_sig: Sig | None = None
        self.reasoning_len = 0
        self.parts: list[Doc | None] = []
        self.offsets: list[int] = []
        self.height = 0
        self.hl_sig: Sig | None = None
        self.hl: dict[int, list[QAbstractTextDocumentLayout.Selection]] = {}
        self.codes: list[str] = []
        self.seg_h: list[int] = []
        self.heights: list[int] = []
        self.seg0 = 0  # index in parts of the first block
        self.lazy: set[int] = set()  # indexes of blocks (segs) not rendered yet


def paint_item(
    p: QPainter,
    ctx: QAbstractTextDocumentLayout.PaintContext,
    item: Item,
    role: str,
    bubble: QRectF,
    vh: int,
    dark: bool,
    pad: int,
) -> None:
    """Draw one message: its bubble, then the documents that meet the viewport."""
    pal = PALETTES[dark]
    # The user's words in a tinted bubble; answers on the page itself, no frame
    # (the design of the view); system prompts and tool results as framed cards.
    if role == "assistant":
        pass
    elif role == "user":
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(pal["user"]))
        p.drawRoundedRect(bubble, 12, 12)
    else:
        p.setPen(QColor(pal["border"]))
        p.setBrush(QColor(pal.get(role, pal["card"])))
        p.drawRoundedRect(bubble.adjusted(0.5, 0.5, -0.5, -0.5), 8, 8)
    x = bubble.x() + pad
    base = bubble.y() + pad
    k0 = max(0, bisect.bisect_right(item.offsets, -base) - 1)
    for k in range(k0, len(item.parts)):
        doc, off, h = item.parts[k], item.offsets[k], item.heights[k]
        dy = base + off
        if dy > vh:
            break
        if dy + h < 0 or doc is None:
            continue
        p.save()
        p.translate(x, dy)
        clip = QRectF(0, max(0.0, -dy), item.width + 1, min(h, vh - dy) - max(0.0, -dy))
        ctx.clip = clip
        ctx.selections = item.hl.get(k, [])
        p.setClipRect(clip)
        doc.documentLayout().draw(p, ctx)
        p.restore()


def find_highlights(
    item: Item, text: str, dark: bool
) -> dict[int, list[QAbstractTextDocumentLayout.Selection]]:
    """Every occurrence of ``text`` in the rendered parts of ``item``, marked (200 a part)."""
    fmt = QTextCharFormat()
    fmt.setBackground(QColor(PALETTES[dark]["hl"]))
    out: dict[int, list[QAbstractTextDocumentLayout.Selection]] = {}
    for k, doc in enumerate(item.parts):
        if doc is None:
            continue
        sels: list[QAbstractTextDocumentLayout.Selection] = []
        cur = doc.find(text, 0)
        while not cur.isNull() and len(sels) < 200:
            sel = QAbstractTextDocumentLayout.Selection()
            sel.cursor = cur
            sel.format = fmt
            sels.append(sel)
            cur = doc.find(text, cur)
        if sels:
            out[k] = sels
    return out
