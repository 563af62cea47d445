"""How the Ctrl+K palette paints one search hit (title, who and when, a two-line snippet)."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from chatdesk.store.rows import SearchHit
from chatdesk.ui.searchresults import HIT_ROLE, SNIPPET_HTML_ROLE

_AnyIndex = QModelIndex | QPersistentModelIndex


class HitTexts(Protocol):
    """The translated texts of a row, which the panel owns (its tr() context)."""

    def meta_text(self, hit: SearchHit) -> str: ...

    def title_text(self, hit: SearchHit) -> str: ...


class HitDelegate(QStyledItemDelegate):
    """Paints a hit as a title line with role, model and date, then a two-line snippet.

    Every row has the same height, so the view can use uniform item sizes and
    scrolling through thousands of hits costs nothing to lay out.
    """

    SNIPPET_LINES = 2
    PAD = 8

    def __init__(self, texts: HitTexts, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._texts = texts

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _AnyIndex) -> None:
        hit: SearchHit | None = index.data(HIT_ROLE)
        if hit is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)

        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = (
            QPalette.ColorGroup.Active
            if opt.state & QStyle.StateFlag.State_Active
            else QPalette.ColorGroup.Inactive
        )
        text_color = opt.palette.color(
            group, QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        dim_color = QColor(text_color)
        dim_color.setAlphaF(0.65)

        rect = opt.rect.adjusted(self.PAD, self.PAD // 2, -self.PAD, -self.PAD // 2)
        painter.save()
        painter.setClipRect(opt.rect)

        # Title line: bold title on the left, "You · gpt-4o · 14:03" on the right.
        meta_font = QFont(opt.font)
        meta_font.setPointSizeF(max(meta_font.pointSizeF() * 0.88, 7.0))
        meta_metrics = QFontMetrics(meta_font)
        meta = self._texts.meta_text(hit)
        meta_width = min(meta_metrics.horizontalAdvance(meta), rect.width() // 2)
        title_font = QFont(opt.font)
        title_font.setBold(True)
        title_metrics = QFontMetrics(title_font)
        line_h = title_metrics.height()
        title_rect = QRect(rect.left(), rect.top(), rect.width() - meta_width - 12, line_h)
        meta_rect = QRect(rect.right() - meta_width, rect.top(), meta_width + 1, line_h)

        title = self._texts.title_text(hit)
        painter.setFont(title_font)
        painter.setPen(text_color)
        painter.drawText(
            title_rect,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            title_metrics.elidedText(title, Qt.TextElideMode.ElideRight, title_rect.width()),
        )
        painter.setFont(meta_font)
        painter.setPen(dim_color)
        painter.drawText(
            meta_rect,
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            meta_metrics.elidedText(meta, Qt.TextElideMode.ElideLeft, meta_rect.width()),
        )

        # Snippet: rich text (escaped, with the match highlighted), clipped to two lines.
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(opt.font)
        doc.setTextWidth(rect.width())
        doc.setHtml(str(index.data(SNIPPET_HTML_ROLE) or ""))
        snippet_top = rect.top() + line_h + 3
        snippet_h = QFontMetrics(opt.font).lineSpacing() * self.SNIPPET_LINES + 2
        painter.translate(rect.left(), snippet_top)
        clip = QRect(0, 0, rect.width(), snippet_h)
        painter.setClipRect(clip, Qt.ClipOperation.IntersectClip)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.palette.setColor(QPalette.ColorRole.Text, dim_color if not selected else text_color)
        ctx.clip = QRectF(clip)
        doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: _AnyIndex) -> QSize:  # noqa: N802
        title_font = QFont(option.font)
        title_font.setBold(True)
        title_h = QFontMetrics(title_font).height()
        snippet_h = QFontMetrics(option.font).lineSpacing() * self.SNIPPET_LINES + 2
        return QSize(200, self.PAD + title_h + 3 + snippet_h + 2)
