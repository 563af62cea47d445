"""A label that takes the room it is given and elides its text (the whole text in a tooltip).

A plain QLabel asks for its whole text as its minimum width: a long server URL pushed the
toolbar's Settings behind its overflow button, and a long prompt as a comparison's title made
the window wider than an 800-pixel screen.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QToolButton, QWidget


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
        margins = self.contentsMargins()
        width = QFontMetrics(self.font()).horizontalAdvance(self._full) + 8
        width += margins.left() + margins.right()
        return QSize(min(width, self._max_hint), hint.height())  # never more than what is left

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(0, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = QFontMetrics(self.font())
        # The room inside the margins (a chip's padding): elided there, never clipped.
        room = max(0, self.contentsRect().width())
        shown = metrics.elidedText(self._full, self._mode, room)
        super().setText(shown)
        self.updateGeometry()


class ElidedToolButton(QToolButton):
    """A tool button whose one line of text is elided (``mode``) to the width it gets.

    The compare column's model pill: it reads like a button and never asks for more
    than ``max_hint`` pixels, so a relay's long model id cannot push the header's other
    buttons out of a narrow column. The whole text is its tooltip.
    """

    PADDING = 24  # the style sheet's horizontal padding and border

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight,
        max_hint: int = 280,
    ) -> None:
        super().__init__(parent)
        self._full = ""
        self._mode = mode
        self._max_hint = max_hint
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 (Qt override)
        self._full = text
        self.setToolTip(text)
        self._elide()
        self.updateGeometry()

    def text(self) -> str:
        return self._full

    def shown_text(self) -> str:
        """The text as drawn (elided)."""
        return QToolButton.text(self)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        hint = super().sizeHint()
        # Some slack over the text: the style's margins vary, and a hint that is one
        # pixel short elides a name that would fit.
        width = QFontMetrics(self.font()).horizontalAdvance(self._full) + self.PADDING + 12
        return QSize(min(width, self._max_hint), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(self.PADDING + 12, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = QFontMetrics(self.font())
        room = max(0, self.width() - self.PADDING)
        shown = metrics.elidedText(self._full, self._mode, room)
        if shown != QToolButton.text(self):
            super().setText(shown)
