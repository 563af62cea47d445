"""A label that takes the room it is given and elides its text (the whole text in a tooltip).

A plain QLabel asks for its whole text as its minimum width: a long server URL pushed the
toolbar's Settings behind its overflow button, and a long prompt as a comparison's title made
the window wider than an 800-pixel screen.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """One line of text, elided (``mode``) to the width it gets; asks for at most ``max_hint``."""

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle,
        max_hint: int = 360,
    ) -> None:
        super().__init__(parent)
        self._full = ""
        self._mode = mode
        self._max_hint = max_hint
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt override)
        self._full = text
        self.setToolTip(text)
        self._elide()

    def text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        hint = super().sizeHint()
        width = QFontMetrics(self.font()).horizontalAdvance(self._full) + 8
        return QSize(min(width, self._max_hint), hint.height())  # never more than what is left

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = QFontMetrics(self.font())
        shown = metrics.elidedText(self._full, self._mode, max(0, self.width()))
        super().setText(shown)
        self.updateGeometry()
