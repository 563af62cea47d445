"""The "View code" dialog: the current request as cURL, Python and Node snippets.

Lets a user reproduce or debug a request outside ChatDesk. The snippets come from
:mod:`chatdesk.core.chat.codegen`, which always masks the API key.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.chat.codegen import curl_snippet, node_snippet, python_snippet

__all__ = ["ViewCodeDialog"]

# (key, tab title, generator); the key names a tab for code and tests.
_KINDS = (
    ("curl", "cURL", curl_snippet),
    ("python", "Python", python_snippet),
    ("node", "Node", node_snippet),
)


class ViewCodeDialog(QDialog):
    """Tabs cURL / Python / Node, each a read-only monospace view with a Copy button."""

    def __init__(
        self,
        base_url: str,
        body: dict[str, Any],
        api_key: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("View code"))
        self.resize(720, 560)
        self.tabs = QTabWidget(self)
        self.editors: dict[str, QPlainTextEdit] = {}
        self.copy_buttons: dict[str, QPushButton] = {}
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        for key, title, make in _KINDS:
            page = QWidget(self.tabs)
            editor = QPlainTextEdit(page)
            editor.setReadOnly(True)
            editor.setFont(mono)
            editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            editor.setPlainText(make(base_url, body, api_key))
            copy = QPushButton(self.tr("Copy"), page)
            copy.setToolTip(self.tr("Copy this snippet to the clipboard"))
            copy.clicked.connect(lambda _checked=False, k=key: self.copy(k))
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(copy)
            layout = QVBoxLayout(page)
            layout.addWidget(editor, 1)
            layout.addLayout(row)
            self.tabs.addTab(page, title)
            self.editors[key] = editor
            self.copy_buttons[key] = copy

        note = QLabel(
            self.tr("The API key is masked: paste your own key or set OPENAI_API_KEY.")
            if api_key
            else self.tr("Set the OPENAI_API_KEY environment variable before running."),
            self,
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def text(self, kind: str) -> str:
        """The snippet shown on tab ``kind`` ("curl", "python" or "node")."""
        return self.editors[kind].toPlainText()

    def copy(self, kind: str) -> None:
        """Put snippet ``kind`` on the clipboard and confirm on its button for a moment."""
        QGuiApplication.clipboard().setText(self.text(kind))
        button = self.copy_buttons[kind]
        button.setText(self.tr("Copied"))
        QTimer.singleShot(1500, button, lambda: button.setText(self.tr("Copy")))
