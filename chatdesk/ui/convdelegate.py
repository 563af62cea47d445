"""How a sidebar row looks: rows with room, a rounded hover/selection highlight, a kind icon.

Kept apart from the list model (chatdesk/ui/convmodel.py) so the model stays about data.
Painting is plain QPainter work from the theme's named colours: no style sheet per item,
no widget per row, so 10,000 conversations still cost nothing until they are on screen.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from chatdesk.ui.icons import glyph, icon_family
from chatdesk.ui.theme import colours, is_dark

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyleOptionViewItem

__all__ = ["KIND_ICONS", "ROW_HEIGHT", "ConversationDelegate", "Role"]

ROW_HEIGHT = 34  # px: room for the pointer and the eye (13 px rows read as a form)
_PAD = 8  # the spacing scale's 8: row inset and the gap after the icon
_ICON = 16

# One codicon per kind; a later kind only needs its name here.
KIND_ICONS = {"chat": "comment", "compare": "split-horizontal", "promptset": "checklist"}


class Role(IntEnum):
    """Item data roles beyond the Qt ones."""

    ID = Qt.ItemDataRole.UserRole + 1  # int conversation id; None on headers
    IS_HEADER = Qt.ItemDataRole.UserRole + 2
    ROW = Qt.ItemDataRole.UserRole + 3  # the ConversationRow; None on headers
    PINNED = Qt.ItemDataRole.UserRole + 4
    GROUP = Qt.ItemDataRole.UserRole + 5
    KIND = Qt.ItemDataRole.UserRole + 6  # "chat", "compare", "promptset" (the row's kind)


class ConversationDelegate(QStyledItemDelegate):
    """Paints headers as small muted captions and conversations as roomy rows."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        c = colours(is_dark())
        rect = option.rect
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        if index.data(Role.IS_HEADER):
            font = QFont(option.font)
            font.setPointSizeF(max(font.pointSizeF() * 0.85, 7.0))
            font.setWeight(QFont.Weight.DemiBold)
            painter.setFont(font)
            painter.setPen(QColor(c["muted"]))
            area = rect.adjusted(_PAD + 4, 0, -_PAD, -4)
            align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom
            painter.drawText(area, int(align), text)
            painter.restore()
            return
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        hovered = bool(state & QStyle.StateFlag.State_MouseOver)
        box = QRectF(rect.adjusted(_PAD // 2, 1, -_PAD // 2, -1))
        if selected or hovered:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(c["accent_soft"] if selected else c["hover"]))
            painter.drawRoundedRect(box, 6, 6)
        if state & QStyle.StateFlag.State_HasFocus and selected:
            view = option.widget  # a keyboard user sees where the focus is
            if view is not None and view.hasFocus():
                painter.setPen(QColor(c["accent"]))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(box.adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        x = rect.left() + _PAD + 4
        kind = str(index.data(Role.KIND) or "chat")
        family = icon_family()
        char = glyph(KIND_ICONS.get(kind, "comment")) if family else ""
        if char and family:
            icon_font = QFont(family)
            icon_font.setPixelSize(_ICON)
            painter.setFont(icon_font)
            painter.setPen(QColor(c["accent"] if kind != "chat" and not selected else c["muted"]))
            icon_rect = QRectF(x, rect.top() + (rect.height() - _ICON) / 2, _ICON, _ICON)
            painter.drawText(icon_rect, int(Qt.AlignmentFlag.AlignCenter), char)
            x += _ICON + _PAD
        painter.setFont(option.font)
        painter.setPen(QColor(c["fg"]))
        area = rect.adjusted(x - rect.left(), 0, -_PAD - 4, 0)
        elided = option.fontMetrics.elidedText(text, Qt.TextElideMode.ElideRight, area.width())
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(area, int(align), elided)
        painter.restore()

    def sizeHint(  # noqa: N802 (Qt override)
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        line = option.fontMetrics.height()
        if index.data(Role.IS_HEADER):
            return QSize(100, int(line * 0.85) + 20)
        return QSize(100, max(ROW_HEIGHT, line + 14))
