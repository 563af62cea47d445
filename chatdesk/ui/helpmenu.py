"""The Help menu itself: its actions and what they open.

Kept apart from :mod:`chatdesk.ui.about` because the menu is on screen at the first
paint and its dialogs are not: importing the dialogs' module (QMessageBox, the table,
form and button-box types) took ~2 ms of the window's start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMainWindow

from chatdesk.ui.datafolder import open_data_folder

if TYPE_CHECKING:
    from chatdesk.ui.about import AboutDialog, ShortcutsDialog


class _Help(QObject):
    """Owns the Help menu's actions (and their translation context)."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        menu = window.menuBar().addMenu(self.tr("&Help"))
        menu.setObjectName("help-menu")
        self.shortcuts_action = menu.addAction(self.tr("Keyboard shortcuts"))
        self.shortcuts_action.setShortcut(QKeySequence("Ctrl+/"))
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        self.folder_action = menu.addAction(self.tr("Open data folder"))
        self.folder_action.triggered.connect(open_data_folder)
        menu.addSeparator()
        self.about_action = menu.addAction(self.tr("About ChatDesk"))
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        self.menu = menu
        self.dialog: QDialog | None = None

    def show_about(self) -> AboutDialog:
        from chatdesk.ui.about import AboutDialog

        dialog = AboutDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.dialog = dialog
        return dialog

    def show_shortcuts(self) -> ShortcutsDialog:
        from chatdesk.ui.about import ShortcutsDialog

        dialog = ShortcutsDialog(self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        self.dialog = dialog
        return dialog


def add_help_menu(window: QMainWindow) -> _Help:
    """Add Help (shortcuts, data folder, About) to ``window``'s menu bar."""
    return _Help(window)
