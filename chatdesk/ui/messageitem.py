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
    QTextFormat,
    QTextTable,
)

from chatdesk.ui import codescroll
from chatdesk.ui.messagedocs import Doc
from chatdesk.ui.messagestyle import PALETTES

if TYPE_CHECKING:  # pragma: no cover
    from chatdesk.ui.render import StreamRenderer

__all__ = [
    "Item",
    "Sig",
    "clear_code_backgrounds",
    "code_frames",
    "find_highlights",
    "paint_item",
    "wide_frames",
]

#: A framed block of a document: (rect, header bottom or -1, border colour, fill colour).
Frame = tuple[QRectF, float, str, str]

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


_EDGE = QTextFormat.Property.UserProperty + 1  # a card's border colour, kept for painting
_FILL = QTextFormat.Property.UserProperty + 2  # ... and its background


def code_frames(doc: Doc) -> tuple[Frame, ...]:
    """The framed blocks of a document, measured once: code blocks and cards.

    The renderer writes each code block as a table whose second row spans both columns
    (:func:`chatdesk.ui.render.highlight.render_code`), a card as a one-cell table with
    a border; the view paints their rounded frames (rich text has no rounded corners)
    and clears the tables' own square ones when the document is made
    (:func:`clear_code_backgrounds`). Each is (rect, bottom of the header bar or -1 for
    a card, border colour, background colour).
    """
    if doc.frames is not None:
        return doc.frames
    out: list[Frame] = []
    lay = doc.documentLayout()
    for f in doc.rootFrame().childFrames():
        code = _is_code(f)
        if not code and not (isinstance(f, QTextTable) and f.format().hasProperty(_EDGE)):
            continue
        assert isinstance(f, QTextTable)
        # From the cells' blocks and paddings: the table's frameBoundingRect is
        # shifted by the first cell's padding.
        head, last = f.cellAt(0, 0), f.cellAt(f.rows() - 1, 0)
        hf, lf = head.format().toTableCellFormat(), last.format().toTableCellFormat()
        hpad = f.format().cellPadding() if hf.leftPadding() == 0 and not code else 0.0
        first = lay.blockBoundingRect(head.firstCursorPosition().block())
        head_end = lay.blockBoundingRect(head.lastCursorPosition().block()).bottom()
        end = lay.blockBoundingRect(last.lastCursorPosition().block()).bottom()
        x = first.left() - hf.leftPadding() - hpad
        top = first.top() - hf.topPadding() - hpad
        width = lay.frameBoundingRect(f).width()
        rect = QRectF(x, top, width, end + lf.bottomPadding() + hpad - top)
        if code:
            out.append((rect, head_end + hf.bottomPadding(), "", ""))
        else:
            fmt = f.format()
            out.append((rect, -1.0, str(fmt.property(_EDGE)), str(fmt.property(_FILL) or "")))
    doc.frames = tuple(out)
    return doc.frames


def wide_frames(doc: Doc, width: float) -> list[codescroll.Wide]:
    """The code blocks of ``doc`` wider than ``width``: they scroll sideways (cheap when
    the document has none)."""
    if doc.frames == ():
        return []
    out: list[codescroll.Wide] = []
    for j, (rect, head, _edge, _fill) in enumerate(code_frames(doc)):
        extra = rect.right() - width
        if head >= 0 and extra > 0.5:
            out.append((j, rect, head, extra))
    return out


def _is_code(f: object) -> bool:
    if not isinstance(f, QTextTable) or f.columns() != 2 or f.rows() != 2:
        return False
    cell = f.cellAt(1, 0)  # an invalid cell's span would crash: rows are checked first
    return cell.isValid() and cell.columnSpan() == 2


def clear_code_backgrounds(doc: Doc) -> None:
    """Drop the square backgrounds of code blocks and the square borders of cards (the
    view paints rounded ones)."""
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
        elif isinstance(f, QTextTable) and f.rows() == 1 and f.columns() == 1:
            fmt = f.format()
            if fmt.border() <= 0:
                continue
            fmt.setProperty(_EDGE, fmt.borderBrush().color().name())
            if fmt.background().style() != Qt.BrushStyle.NoBrush:
                fmt.setProperty(_FILL, fmt.background().color().name())
            fmt.clearBackground()
            fmt.setBorder(0)
            f.setFormat(fmt)
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
        wide: list[codescroll.Wide] = []
        if doc.frames != ():
            _paint_code_frames(p, doc, pal, clip.top(), clip.bottom(), item.width)
            wide = wide_frames(doc, item.width)
        ctx.selections = item.hl.get(k, [])
        if wide:  # code blocks wider than the column, each at its own offset
            codescroll.draw(p, ctx, doc, clip, item.width, wide, pal["muted"])
        else:
            ctx.clip = clip
            p.setClipRect(clip)
            doc.documentLayout().draw(p, ctx)
        p.restore()


def _paint_code_frames(
    p: QPainter, doc: Doc, pal: dict[str, str], top: float, bottom: float, width: float
) -> None:
    """Rounded code blocks: the block and its header bar, behind the table's text.

    Only blocks between ``top`` and ``bottom`` (document coordinates: what is on
    screen) are painted, with fills and no strokes: antialiased outlines of rounded
    rectangles cost ~60 µs each, and a long answer holds dozens of blocks. A block
    wider than ``width`` (it scrolls sideways, see codescroll) is framed at the column.
    """
    code, head = QColor(pal["code"]), QColor(pal["code_head"])
    p.setPen(Qt.PenStyle.NoPen)
    for rect, head_bottom, edge, fill in code_frames(doc):
        if rect.bottom() < top or rect.top() > bottom:
            continue
        if head_bottom < 0:  # a card: its outline (and background), rounded
            p.setPen(QColor(edge))
            p.setBrush(QColor(fill) if fill else Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 8, 8)
            p.setPen(Qt.PenStyle.NoPen)
            continue
        if rect.right() > width:
            rect = QRectF(rect.x(), rect.y(), width - rect.x(), rect.height())
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
