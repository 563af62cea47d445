"""The Help menu's dialogs: About ChatDesk (versions, folders, keyring, diagnostics), the
shortcut list, and the notice about a crash report left by the previous run.

The menu that opens them is :mod:`chatdesk.ui.helpmenu` (on screen at the first paint,
which need not import these dialogs).
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chatdesk import __version__, crash, paths
from chatdesk.ui.datafolder import open_data_folder


def _home_relative(path: Path) -> str:
    """``path`` with the home folder written as ``~`` (diagnostics need no user name)."""
    text = str(path)
    home = str(Path.home())
    return "~" + text[len(home) :] if home and text.startswith(home) else text


def _folder_or_reason(get: object) -> str:
    try:
        return _home_relative(get())  # type: ignore[operator]
    except paths.DataFolderError as exc:
        return str(exc)


def diagnostics() -> str:
    """Plain text for bug reports: versions, folders, keyring backend, report count.

    Built only from facts about the installation, never from the history or the
    keyring's contents, so it holds no key and no message text.
    """
    facts = crash.versions()
    facts["Data folder"] = _folder_or_reason(paths.data_dir)
    facts["Log file"] = _folder_or_reason(crash.log_file)
    try:
        facts["Crash reports"] = str(len(list(crash.reports_dir().glob("crash-*.txt"))))
    except (OSError, paths.DataFolderError):
        facts["Crash reports"] = "unknown"
    facts["CHATDESK_HOME set"] = "yes" if paths.home() is not None else "no"
    return "\n".join(f"{k}: {v}" for k, v in facts.items()) + "\n"


class AboutDialog(QDialog):
    """Version, licence, where the files are, the keyring backend, Qt and Python."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About ChatDesk"))
        facts = crash.versions()
        title = QLabel(f"<h2>ChatDesk {__version__}</h2>")
        title.setTextFormat(Qt.TextFormat.RichText)
        summary = QLabel(self.tr("A desktop chat client for OpenAI-compatible servers."))
        summary.setWordWrap(True)
        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        rows = [
            ("licence", self.tr("Licence:"), self.tr("MIT (free software)")),
            ("data", self.tr("Data folder:"), _folder_or_reason(paths.data_dir)),
            ("log", self.tr("Log file:"), _folder_or_reason(crash.log_file)),
            ("keyring", self.tr("Keyring backend:"), facts.get("Keyring backend", "")),
            ("qt", self.tr("Qt:"), f"{facts.get('Qt', '?')} (PySide6 {facts.get('PySide6', '?')})"),
            ("python", self.tr("Python:"), facts["Python"]),
            ("platform", self.tr("Platform:"), facts["Platform"]),
        ]
        for key, label, value in rows:
            field = QLabel(value)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            field.setWordWrap(True)
            field.setAccessibleName(label.rstrip(":："))
            form.addRow(label, field)
            self.values[key] = field
        self.copy_button = QPushButton(self.tr("Copy diagnostics"))
        self.copy_button.setToolTip(
            self.tr("Versions and folders for a bug report: never a key, never message text")
        )
        self.copy_button.clicked.connect(self.copy_diagnostics)
        self.open_folder_button = QPushButton(self.tr("Open data folder"))
        self.open_folder_button.clicked.connect(open_data_folder)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.open_folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copied = QLabel("")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(summary)
        layout.addLayout(form)
        layout.addWidget(self.copied)
        layout.addWidget(buttons)

    def copy_diagnostics(self) -> None:
        """Put :func:`diagnostics` on the clipboard and say so."""
        QGuiApplication.clipboard().setText(diagnostics())
        self.copied.setText(self.tr("Diagnostics copied to the clipboard."))


def _action_text(action: QAction) -> str:
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…. ")


class ShortcutsDialog(QDialog):
    """Every keyboard shortcut of the window's menus and toolbars, and the fixed keys."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.resize(520, 560)
        rows = shortcut_rows(window)
        fixed = [
            (self.tr("Send the message"), self.tr("Enter (or Ctrl+Enter, see Settings)")),
            (self.tr("New line in the message"), self.tr("Shift+Enter")),
            (self.tr("Stop the answer"), "Esc"),
            (self.tr("Move between controls"), self.tr("Tab, Shift+Tab")),
        ]
        rows += [(name, key) for name, key in fixed if name not in dict(rows)]
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels([self.tr("Action"), self.tr("Shortcut")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        for i, (name, key) in enumerate(rows):
            name_item = QTableWidgetItem(name)
            name_item.setToolTip(name)
            self.table.setItem(i, 0, name_item)
            self.table.setItem(i, 1, QTableWidgetItem(key))
        # Names are never cut off: the dialog opens as wide as its longest name and key
        # (a fixed 460 px cut "Edit last message (Up in an empty box)" in half).
        self.table.setWordWrap(False)
        self.table.resizeColumnsToContents()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        need = self.table.columnWidth(0) + self.table.columnWidth(1) + 24
        need += self.table.verticalScrollBar().sizeHint().width() + 2 * self.table.frameWidth()
        self.table.setMinimumWidth(min(need, 900))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str]]:
    """(action, key) for each named action of ``window`` that has a shortcut, in menu
    order, each once."""
    rows: list[tuple[str, str]] = []
    seen: set[int] = set()

    def visit(actions: list[QAction]) -> None:
        for action in actions:
            if id(action) in seen:
                continue
            seen.add(id(action))
            submenu = action.menu()
            if isinstance(submenu, QMenu):
                visit(submenu.actions())
                continue
            keys = action.shortcuts()
            name = _action_text(action)
            if keys and name:
                text = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
                rows.append((name, text))

    visit(window.menuBar().actions())
    visit(window.actions())
    from PySide6.QtWidgets import QToolBar

    for bar in window.findChildren(QToolBar):
        visit(bar.actions())
    return rows


class CrashNotice(QMessageBox):
    """Tells that the previous run crashed, where the report is, and opens it on request."""

    def __init__(self, reports: list[Path], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reports = reports
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(self.tr("ChatDesk stopped unexpectedly"))
        self.setText(
            self.tr("ChatDesk stopped unexpectedly last time. A crash report was saved:")
            + "\n"
            + os.fspath(reports[0])
        )
        self.setInformativeText(
            self.tr("It holds no key and no message text. Attach it when you report the problem.")
        )
        self.open_report = self.addButton(self.tr("Open report"), QMessageBox.ButtonRole.ActionRole)
        self.open_folder = self.addButton(self.tr("Open folder"), QMessageBox.ButtonRole.ActionRole)
        self.addButton(QMessageBox.StandardButton.Close)
        self.buttonClicked.connect(self._on_clicked)

    def _on_clicked(self, button: object) -> None:
        if button is self.open_report:
            QDesktopServices.openUrl(QUrl.fromLocalFile(os.fspath(self.reports[0])))
        elif button is self.open_folder:
            QDesktopServices.openUrl(QUrl.fromLocalFile(os.fspath(self.reports[0].parent)))


def offer_crash_reports(window: QWidget) -> CrashNotice | None:
    """After the first paint: a non-blocking notice about reports not shown before."""
    reports = crash.unseen_reports()
    if not reports:
        return None
    notice = CrashNotice(reports, window)
    notice.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    notice.open()
    crash.mark_seen()
    return notice
