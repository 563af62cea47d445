"""What a new chat shows before the first message: the model, the assistant, suggestions.

A blank white pane said nothing; this says what will answer and offers a few ways to
start. A suggestion only fills the composer (the user still decides to send). Kept to a
few labels and buttons: it is on screen at the window's first paint.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QShowEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

__all__ = ["EmptyState"]


class EmptyState(QWidget):
    """The new-chat page.

    Signals:
        suggestion_chosen(str): the text to put in the composer.
    """

    suggestion_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("empty-state")
        self.setAutoFillBackground(True)
        self.setBackgroundRole(self.backgroundRole().Base)
        self.title = QLabel(self.tr("How can I help?"), self)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.model_label = QLabel(self)
        self.model_label.setObjectName("empty-model")
        self.model_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.model_label.setProperty("muted", True)
        self.model_label.setWordWrap(True)
        self.suggestions: list[QPushButton] = []
        grid = QGridLayout()
        grid.setSpacing(8)
        starters = (
            (self.tr("Explain a concept simply"), self.tr("Explain in simple terms: ")),
            (self.tr("Summarise a text"), self.tr("Summarise the following text:\n\n")),
            (self.tr("Help me write code"), self.tr("Write a Python function that ")),
            (self.tr("Translate into Chinese"), self.tr("Translate into Chinese:\n\n")),
        )
        for i, (label, text) in enumerate(starters):
            button = QPushButton(label, self)
            button.setObjectName("suggestion")
            button.setAccessibleName(label)
            button.setToolTip(self.tr("Start the message with this"))
            button.clicked.connect(lambda _=False, t=text: self.suggestion_chosen.emit(t))
            grid.addWidget(button, i // 2, i % 2)
            self.suggestions.append(button)
        column = QWidget(self)
        column.setMaximumWidth(560)
        col = QVBoxLayout(column)
        col.setContentsMargins(16, 16, 16, 16)
        col.setSpacing(8)
        col.addWidget(self.title)
        col.addWidget(self.model_label)
        col.addSpacing(16)
        col.addLayout(grid)
        outer = QVBoxLayout(self)
        outer.addStretch(2)
        outer.addWidget(column, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(3)
        self._model = ""
        self._provider = ""
        self._assistant = ""
        self._source: Callable[[], tuple[str, str]] | None = None

    def set_source(self, source: Callable[[], tuple[str, str]]) -> None:
        """Where the (model, provider) shown come from."""
        self._source = source

    def refresh(self) -> None:
        """Show the source's model and provider (the window calls it on every change)."""
        if self._source is not None:
            model, provider = self._source()
            if (model, provider) != (self._model, self._provider):
                self.set_context(model=model, provider=provider)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.refresh()

    def set_context(
        self, model: str | None = None, provider: str | None = None, assistant: str | None = None
    ) -> None:
        """What answers here; None keeps the value shown."""
        if model is not None:
            self._model = model
        if provider is not None:
            self._provider = provider
        if assistant is not None:
            self._assistant = assistant
        parts = []
        if self._model:
            who = self._model
            if self._provider:
                who = self.tr("%1 on %2").replace("%1", self._model).replace("%2", self._provider)
            parts.append(who)
        if self._assistant:
            parts.append(self.tr("Assistant: %1").replace("%1", self._assistant))
        self.model_label.setText("  ·  ".join(parts))
        self.model_label.setVisible(bool(parts))

    def context_text(self) -> str:
        """The model/assistant line as shown (for tests and screen readers)."""
        return self.model_label.text()
