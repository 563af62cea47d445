"""Two small widgets of the main window: the centre's page stack and the system-prompt
editor (kept apart so the window's module stays about the window)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import QPlainTextEdit, QStackedWidget


class Pages(QStackedWidget):
    """The centre's pages; only the page on screen sets the minimum size.

    A plain stacked widget takes the largest minimum of all its pages: the first-run
    panel, once built, kept the conversation 400 px wide and squeezed the Parameters
    drawer until its fields were clipped at 800x600.
    """

    def __init__(self) -> None:
        super().__init__()
        self.currentChanged.connect(lambda _i: self.updateGeometry())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        page = self.currentWidget()
        return page.minimumSizeHint() if page is not None else super().minimumSizeHint()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()


class PromptEdit(QPlainTextEdit):
    """A plain text editor that reports when the user leaves it (save on focus-out)."""

    editing_finished = Signal()

    def focusOutEvent(self, event: object) -> None:  # noqa: N802 (Qt override)
        super().focusOutEvent(event)  # type: ignore[arg-type]
        if self.document().isModified():
            self.document().setModified(False)
            self.editing_finished.emit()
