"""The rendered form of one message (:class:`Item`): its documents, drawn and searched.

An item stacks small documents (header, "Thinking", one per Markdown block, the open
tail, footer) at cached offsets; :func:`paint_item` draws only those that meet the
viewport and :func:`find_highlights` marks the find bar's text in them.
:class:`~chatdesk.ui.lazyblocks.BlockRenderer` builds and updates items.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QPainter,
    QTextCharFormat,
    QTextTable,
)

from chatdesk.ui.messagedocs import Doc
from chatdesk.ui.messagehtml import PALETTES

if TYPE_CHECKING:  # pragma: no cover
    from chatdesk.ui.render import StreamRenderer

__all__ = [
    "Item",
    "Sig",
    "clear_code_backgrounds",
    "code_frames",
    "find_highlights",
    "paint_item",
]

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
        "act",
        "act_sig",
        "body_h",
        "bubble_w",
        "act_x",
        "role",
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
        self.act: Doc | None = None  # the row of action icons, the last part
        self.act_sig: Sig | None = None
        self.body_h = 0  # height of the parts above the actions (the bubble's content)
        self.bubble_w = width  # the bubble's width, padding included
        self.act_x = 0  # where the actions start (a user's sit at the bubble's right)
        self.role = ""

    def x_of(self, k: int) -> int:
        """Horizontal offset of part ``k`` from the item's content origin."""
        return self.act_x if self.act is not None and k == len(self.parts) - 1 else 0


def code_frames(doc: Doc) -> tuple[tuple[QRectF, float], ...]:
    """The code blocks of a document: (frame, bottom of its header bar), measured once.

    The renderer writes each code block as a table whose second row spans both columns
    (:func:`chatdesk.ui.render.highlight.render_code`); the view paints its rounded frame
    and header bar (rich text has no rounded corners) and clears the table's own square
    backgrounds when the document is made (:func:`clear_code_backgrounds`).
    """
    if doc.frames is not None:
        return doc.frames
    out: list[tuple[QRectF, float]] = []
    lay = doc.documentLayout()
    for f in doc.rootFrame().childFrames():
        if _is_code(f):
            assert isinstance(f, QTextTable)
            # From the cells' blocks and paddings: the table's frameBoundingRect is
            # shifted by the first cell's padding.
            head, code = f.cellAt(0, 0), f.cellAt(1, 0)
            hf, cf = head.format().toTableCellFormat(), code.format().toTableCellFormat()
            first = lay.blockBoundingRect(head.firstCursorPosition().block())
            head_end = lay.blockBoundingRect(head.lastCursorPosition().block()).bottom()
            end = lay.blockBoundingRect(code.lastCursorPosition().block()).bottom()
            x = first.left() - hf.leftPadding()
            top = first.top() - hf.topPadding()
            width = lay.frameBoundingRect(f).width()
            rect = QRectF(x, top, width, end + cf.bottomPadding() - top)
            out.append((rect, head_end + hf.bottomPadding()))
    doc.frames = tuple(out)
    return doc.frames


def _is_code(f: object) -> bool:
    if not isinstance(f, QTextTable) or f.columns() != 2 or f.rows() != 2:
        return False
    cell = f.cellAt(1, 0)  # an invalid cell's span would crash: rows are checked first
    return cell.isValid() and cell.columnSpan() == 2


def clear_code_backgrounds(doc: Doc) -> None:
    """Drop the square backgrounds of code blocks (the view paints rounded ones)."""
    for f in doc.rootFrame().childFrames():
        if _is_code(f):
            assert isinstance(f, QTextTable)
            fmt = f.format()
            fmt.clearBackground()
            f.setFormat(fmt)
            for c in range(2):
                cell = f.cellAt(0, c)
                cf = cell.format()
                cf.clearBackground()
                cell.setFormat(cf)
    doc.frames = None


def paint_item(
    p: QPainter,
    ctx: QAbstractTextDocumentLayout.PaintContext,
    item: Item,
    role: str,
    origin: QPointF,
    vh: int,
    dark: bool,
    pad: int,
    show_actions: bool,
) -> None:
    """Draw one message: its bubble, then the documents that meet the viewport.

    ``origin`` is the bubble's top left; the action icons are drawn only when
    ``show_actions`` (the message is hovered, focused or the last one).
    """
    pal = PALETTES[dark]
    bubble = QRectF(origin.x(), origin.y(), item.bubble_w, item.body_h + 2 * pad)
    # The user's words in a tinted bubble; answers on the page itself, no frame
    # (the design of the view); system prompts and tool results as framed cards.
    if role == "assistant":
        pass
    elif role == "user":
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(pal["user"]))
        p.drawRoundedRect(bubble, 16, 16)
    else:
        p.setPen(QColor(pal["border"]))
        p.setBrush(QColor(pal.get(role, pal["card"])))
        p.drawRoundedRect(bubble.adjusted(0.5, 0.5, -0.5, -0.5), 12, 12)
    x = bubble.x() + pad
    base = bubble.y() + pad
    k0 = max(0, bisect.bisect_right(item.offsets, -base) - 1)
    last = len(item.parts) - 1
    for k in range(k0, len(item.parts)):
        doc, off, h = item.parts[k], item.offsets[k], item.heights[k]
        dy = base + off
        if dy > vh:
            break
        if dy + h < 0 or doc is None:
            continue
        if k == last and doc is item.act and not show_actions:
            continue
        p.save()
        p.translate(x + item.x_of(k), dy)
        clip = QRectF(0, max(0.0, -dy), item.width + 1, min(h, vh - dy) - max(0.0, -dy))
        if doc.frames != ():
            _paint_code_frames(p, doc, pal, clip.top(), clip.bottom())
        ctx.clip = clip
        ctx.selections = item.hl.get(k, [])
        p.setClipRect(clip)
        doc.documentLayout().draw(p, ctx)
        p.restore()


def _paint_code_frames(
    p: QPainter, doc: Doc, pal: dict[str, str], top: float, bottom: float
) -> None:
    """Rounded code blocks: the block and its header bar, behind the table's text.

    Only blocks between ``top`` and ``bottom`` (document coordinates: what is on
    screen) are painted, with fills and no strokes: antialiased outlines of rounded
    rectangles cost ~60 µs each, and a long answer holds dozens of blocks.
    """
    code, head = QColor(pal["code"]), QColor(pal["code_head"])
    p.setPen(Qt.PenStyle.NoPen)
    for rect, head_bottom in code_frames(doc):
        if rect.bottom() < top or rect.top() > bottom:
            continue
        p.setBrush(code)
        p.drawRoundedRect(rect, 8, 8)
        bar = QRectF(rect.x(), rect.y(), rect.width(), head_bottom - rect.y())
        p.setBrush(head)
        p.drawRoundedRect(bar.adjusted(0, 0, 0, 8), 8, 8)
        p.fillRect(QRectF(bar.x(), bar.bottom(), bar.width(), 8), code)  # square lower edge


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
