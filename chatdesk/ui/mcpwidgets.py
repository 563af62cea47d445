"""MCP widgets: the toolbar's tool-server chooser and the approval dialog."""

from __future__ import annotations

import html
import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


class ToolServersButton(QToolButton):
    """Which MCP servers' tools this conversation offers (a checkable menu).

    Signals:
        selection_changed(list): the chosen server names.
        about_to_show(): the menu opens (refresh the names and states first).
        manage_requested(): "Manage servers…" was chosen.
    """

    selection_changed = Signal(list)
    about_to_show = Signal()
    manage_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mcpServersButton")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._menu = QMenu(self)
        self._menu.aboutToShow.connect(self.about_to_show.emit)
        self.setMenu(self._menu)
        self._chosen: list[str] = []
        self._update_text()

    def set_servers(self, servers: list[tuple[str, str]], chosen: list[str]) -> None:
        """``servers``: (name, state text) in order; ``chosen``: the checked names."""
        self._menu.clear()
        self._chosen = [n for n in chosen if n in {s for s, _ in servers}]
        if not servers:
            empty = self._menu.addAction(self.tr("No MCP servers yet"))
            empty.setEnabled(False)
        for name, state in servers:
            action = QAction(f"{name}  ({state})" if state else name, self._menu)
            action.setCheckable(True)
            action.setChecked(name in self._chosen)
            action.setData(name)
            action.toggled.connect(self._on_toggled)
            self._menu.addAction(action)
        self._menu.addSeparator()
        self.manage_action = self._menu.addAction(self.tr("Manage servers…"))
        self.manage_action.triggered.connect(self.manage_requested.emit)
        self._update_text()

    def chosen(self) -> list[str]:
        return list(self._chosen)

    def set_chosen(self, chosen: list[str]) -> None:
        self._chosen = list(chosen)
        for action in self._menu.actions():
            if action.isCheckable():
                action.blockSignals(True)
                action.setChecked(action.data() in self._chosen)
                action.blockSignals(False)
        self._update_text()

    def _on_toggled(self, _checked: bool) -> None:
        self._chosen = [
            str(a.data()) for a in self._menu.actions() if a.isCheckable() and a.isChecked()
        ]
        self._update_text()
        self.selection_changed.emit(self.chosen())

    def _update_text(self) -> None:
        if self._chosen:
            self.setText(self.tr("Tools: %1").replace("%1", ", ".join(self._chosen)))
        else:
            self.setText(self.tr("Tools: off"))
        self.setToolTip(self.tr("MCP servers whose tools this conversation offers"))


class ApprovalDialog(QDialog):
    """Allow once / Always allow this tool / Deny, with the arguments shown.

    ``choice`` is "once", "always" or "deny" once the dialog is closed. In a
    comparison ``column`` names the asking column (its letter) and ``model`` its
    model; a blind comparison passes no model, so the dialog cannot reveal it.
    """

    def __init__(
        self,
        server: str,
        tool: str,
        arguments: str,
        parent: QWidget | None = None,
        *,
        column: str = "",
        model: str = "",
    ):
        super().__init__(parent)
        self.setObjectName("mcpApprovalDialog")
        self.setWindowTitle(self.tr("Run a tool?"))
        self.choice = "deny"
        layout = QVBoxLayout(self)
        self.column_label = QLabel(self)
        self.column_label.setObjectName("mcpApprovalColumn")
        if column:
            name = self.tr("Column %1").replace("%1", column)
            asker = f"<b>{html.escape(name)}</b>"
            self.column_label.setTextFormat(Qt.TextFormat.RichText)
            self.column_label.setText(f"{asker} · {html.escape(model)}" if model else asker)
            self.setWindowTitle(self.tr("Run a tool? (column %1)").replace("%1", column))
        else:
            self.column_label.hide()
        layout.addWidget(self.column_label)
        label = QLabel(
            self.tr("The model wants to run %1 on the MCP server %2 with these arguments:")
            .replace("%1", tool)
            .replace("%2", server),
            self,
        )
        label.setWordWrap(True)
        layout.addWidget(label)
        self.arguments = QPlainTextEdit(self)
        self.arguments.setReadOnly(True)
        try:
            shown = json.dumps(json.loads(arguments), ensure_ascii=False, indent=2)
        except (ValueError, RecursionError):
            shown = arguments
        self.arguments.setPlainText(shown[:20000])
        layout.addWidget(self.arguments)
        buttons = QDialogButtonBox(self)
        self.once_button = QPushButton(self.tr("Allow once"), self)
        self.always_button = QPushButton(self.tr("Always allow this tool"), self)
        self.deny_button = QPushButton(self.tr("Deny"), self)
        buttons.addButton(self.once_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.always_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.deny_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.once_button.clicked.connect(lambda: self._done("once"))
        self.always_button.clicked.connect(lambda: self._done("always"))
        self.deny_button.clicked.connect(lambda: self._done("deny"))
        layout.addWidget(buttons)
        self.deny_button.setDefault(True)

    def _done(self, choice: str) -> None:
        self.choice = choice
        if choice == "deny":
            self.reject()
        else:
            self.accept()
