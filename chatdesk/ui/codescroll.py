"""Code blocks wider than the column scroll sideways (issue 18).

:func:`~chatdesk.ui.render.highlight.render_code` writes a block's lines unwrapped
(``white-space: pre``) unless one is longer than ``NOWRAP_MAX``; Qt then makes that
block's table wider than the column while the text around it still wraps at the column.
The view paints such a block clipped to the column at its own horizontal offset (kept
on the document, :attr:`Doc.hx`, by block), its header bar (language, Copy) held in
place and a thin indicator along its bottom; Shift+wheel, a horizontal wheel or a
trackpad over it, or Left/Right on its focused Copy link, move it. Hit-testing maps
view points through the same offsets, so links and the Copy link still work; Copy
copies the block's source, never what is painted.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QPainter

from chatdesk.ui.messagedocs import Doc

__all__ = ["STEP", "Wide", "draw", "frame_at", "reveal", "scroll", "to_doc", "to_view"]

#: Pixels a wheel notch or an arrow key moves a block.
STEP = 48.0

#: A code block wider than the column (``messageitem.wide_frames``): (its index in
#: ``code_frames``, rect, header bottom, largest offset).
Wide = tuple[int, QRectF, float, float]


def _offset(doc: Doc, j: int, extra: float) -> float:
    return min(max(doc.hx.get(j, 0.0), 0.0), extra)


def frame_at(wide: list[Wide], y: float) -> Wide | None:
    """The wide code block at document height ``y``, if any."""
    for w in wide:
        if w[1].top() <= y < w[1].bottom():
            return w
    return None


def to_doc(doc: Doc, wide: list[Wide], width: float, x: float, y: float) -> float:
    """The document x of a point painted at (``x``, ``y``) of the column."""
    w = frame_at(wide, y)
    if w is None:
        return x
    j, _rect, head, extra = w
    if y < head:  # the header bar: the language at the left, Copy pulled to the right
        return x + extra if x >= width / 2 else x
    return x + _offset(doc, j, extra)


def to_view(doc: Doc, wide: list[Wide], width: float, r: QRect) -> QRect:
    """Where a rectangle of the document (a link) is painted in the column."""
    w = frame_at(wide, r.center().y())
    if w is None:
        return r
    j, _rect, head, extra = w
    if r.center().y() < head:
        return r.translated(-int(extra), 0) if r.x() - extra >= width / 2 else r
    return r.translated(-int(_offset(doc, j, extra)), 0)


def scroll(doc: Doc, wide: list[Wide], y: float, dx: float) -> bool:
    """Move the wide block at height ``y`` by ``dx`` (clamped); False: no such block."""
    w = frame_at(wide, y)
    if w is None:
        return False
    j, _rect, _head, extra = w
    doc.hx[j] = min(max(_offset(doc, j, extra) + dx, 0.0), extra)
    return True


def reveal(doc: Doc, wide: list[Wide], width: float, x: float, y: float, span: float) -> bool:
    """Move the wide block at height ``y`` so that ``x``..``x + span`` of the document
    shows (a third of the way in); False when it already does or there is no such block.
    The find bar's match in a long code line is brought into view this way."""
    w = frame_at(wide, y)
    if w is None:
        return False
    j, _rect, head, extra = w
    if y < head:
        return False
    shown = _offset(doc, j, extra)
    if shown <= x and x + span <= shown + width:
        return False
    doc.hx[j] = min(max(x - width / 3, 0.0), extra)
    return True


def draw(
    p: QPainter,
    ctx: QAbstractTextDocumentLayout.PaintContext,
    doc: Doc,
    clip: QRectF,
    width: float,
    wide: list[Wide],
    muted: str,
) -> None:
    """Draw ``doc`` in horizontal bands: its wide code blocks shifted, the rest as is.

    Each band is drawn with its own clip, so a block's text never spills out of the
    column and only what is on screen is laid out and painted.
    """
    lay = doc.documentLayout()
    half = width / 2
    bands: list[tuple[float, float, list[tuple[float, float, float]]]] = []
    y = clip.top()
    whole = [(clip.left(), clip.right(), 0.0)]
    for j, rect, head, extra in wide:
        bands.append((y, rect.top(), whole))
        bands.append((rect.top(), head, [(0.0, half, 0.0), (half, clip.right(), extra)]))
        bands.append((head, rect.bottom(), [(0.0, clip.right(), _offset(doc, j, extra))]))
        y = max(y, rect.bottom())
    bands.append((y, clip.bottom(), whole))
    for top, bottom, pieces in bands:
        top, bottom = max(top, clip.top()), min(bottom, clip.bottom())
        if bottom <= top:
            continue
        for x0, x1, dx in pieces:
            band = QRectF(x0, top, x1 - x0, bottom - top)
            p.save()
            p.setClipRect(band)
            p.translate(-dx, 0)
            ctx.clip = band.translated(dx, 0)
            lay.draw(p, ctx)
            p.restore()
    p.save()
    p.setClipRect(clip)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(muted))
    p.setOpacity(0.6)
    for j, rect, _head, extra in wide:
        shown = width - rect.x()
        track = QRectF(rect.x() + 8, rect.bottom() - 5, shown - 16, 3)
        thumb = max(24.0, track.width() * shown / rect.width())
        x = track.x() + (track.width() - thumb) * _offset(doc, j, extra) / extra
        p.drawRoundedRect(QRectF(x, track.y(), thumb, track.height()), 1.5, 1.5)
    p.restore()
