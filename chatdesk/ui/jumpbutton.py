"""The floating "Jump to latest" button of a message view.

Shown while the reader has scrolled up and there is more below (a reply may be streaming
there); the view decides when, this module only looks after the button's place.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QToolButton, QWidget

__all__ = ["JumpButton"]


class JumpButton(QToolButton):
    """A small button that floats over the bottom-right corner of ``area`` (a viewport)."""

    MARGIN = 12  # from the corner

    def __init__(self, area: QWidget) -> None:
        super().__init__(area)
        self._area = area
        self.setText(self.tr("Jump to latest") + " ↓")
        self.setAccessibleName(self.tr("Jump to latest"))
        self.setAccessibleDescription(self.tr("Scroll to the end of the conversation"))
        self.setToolTip(self.tr("Scroll to the end of the conversation"))
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        area.installEventFilter(self)
        self.hide()

    def set_shown(self, shown: bool) -> None:
        """Show or hide the button, placed at the current corner (cheap when unchanged)."""
        if shown == (not self.isHidden()):
            return
        if shown:
            self.place()
        self.setVisible(shown)

    def place(self) -> None:
        """Put the button in the bottom-right corner of the area."""
        self.adjustSize()
        area = self._area
        self.move(
            max(0, area.width() - self.width() - self.MARGIN),
            max(0, area.height() - self.height() - self.MARGIN),
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self._area and event.type() == QEvent.Type.Resize:
            self.place()
        return False
