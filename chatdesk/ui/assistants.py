"""The assistants manager: list, edit, delete, import and export named system prompts.

A pure widget: it shows the library it is given (:meth:`AssistantsDialog.set_assistants`)
and asks for changes with signals; the controller stores them and calls back with the
new library and a message (:meth:`AssistantsDialog.show_message`).
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.chat.assistants import Assistant, AssistantError, parse_params

__all__ = ["AssistantsDialog"]

_ERROR_STYLE = "color: #c0392b;"
_OK_STYLE = "color: #1e8449;"


class AssistantsDialog(QDialog):
    """The library on the left, the selected assistant's fields on the right.

    Signals:
        save_requested(object, str): an Assistant to store, and the name it had ("" when
            new; a different name is a rename).
        delete_requested(str): the name of an assistant to delete.
        import_requested(str): a JSON file to import.
        export_requested(str): where to write the whole library.
        start_requested(str): start a new chat with this assistant.
    """

    save_requested = Signal(object, str)
    delete_requested = Signal(str)
    import_requested = Signal(str)
    export_requested = Signal(str)
    start_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Assistants"))
        self.resize(760, 520)
        self._library: list[Assistant] = []
        self._editing: str | None = None  # the name being edited; None for a new one

        self.list = QListWidget(self)
        self.list.currentRowChanged.connect(self._on_row_changed)
        self.list.itemDoubleClicked.connect(lambda _item: self._on_start_clicked())
        self.new_button = QPushButton(self.tr("New"), self)
        self.delete_button = QPushButton(self.tr("Delete"), self)
        self.import_button = QPushButton(self.tr("Import…"), self)
        self.export_button = QPushButton(self.tr("Export…"), self)
        self.new_button.clicked.connect(self._on_new_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.export_button.clicked.connect(self._on_export_clicked)
        row1 = QHBoxLayout()
        row1.addWidget(self.new_button)
        row1.addWidget(self.delete_button)
        row2 = QHBoxLayout()
        row2.addWidget(self.import_button)
        row2.addWidget(self.export_button)
        left = QVBoxLayout()
        left.addWidget(self.list, 1)
        left.addLayout(row1)
        left.addLayout(row2)

        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText(self.tr("e.g. Translator"))
        self.model_edit = QLineEdit(self)
        self.model_edit.setPlaceholderText(self.tr("Empty: the model chosen in the window"))
        self.prompt_edit = QPlainTextEdit(self)
        self.prompt_edit.setPlaceholderText(self.tr("You are a careful translator…"))
        self.params_edit = QPlainTextEdit(self)
        self.params_edit.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.params_edit.setPlaceholderText('{"temperature": 0.7, "max_tokens": 1024}')
        self.params_edit.setTabChangesFocus(True)
        self.params_edit.setFixedHeight(self.params_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.params_edit.textChanged.connect(self._check_params)
        self.name_edit.textChanged.connect(self._check_params)
        form = QFormLayout()
        form.addRow(self.tr("Name:"), self.name_edit)
        form.addRow(self.tr("Model:"), self.model_edit)
        form.addRow(self.tr("System prompt:"), self.prompt_edit)
        form.addRow(self.tr("Parameters:"), self.params_edit)

        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.save_button = QPushButton(self.tr("Save"), self)
        self.start_button = QPushButton(self.tr("Start chat"), self)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.start_button.clicked.connect(self._on_start_clicked)
        edit_buttons = QHBoxLayout()
        edit_buttons.addStretch(1)
        edit_buttons.addWidget(self.save_button)
        edit_buttons.addWidget(self.start_button)
        right = QVBoxLayout()
        right.addLayout(form, 1)
        right.addWidget(self.message)
        right.addLayout(edit_buttons)

        body = QHBoxLayout()
        body.addLayout(left, 2)
        body.addLayout(right, 3)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(close)
        self._show(None)

    # --- what the controller calls ---------------------------------------------------------

    def set_assistants(self, library: list[Assistant], select: str | None = None) -> None:
        """Show ``library``; keep (or move to) the selection named ``select``."""
        keep = select if select is not None else self._editing
        self._library = list(library)
        self.list.blockSignals(True)
        self.list.clear()
        for a in self._library:
            item = QListWidgetItem(a.name, self.list)
            item.setData(Qt.ItemDataRole.UserRole, a.name)
            item.setToolTip(a.system_prompt[:300])
        self.list.blockSignals(False)
        names = [a.name for a in self._library]
        if keep in names:
            self.list.setCurrentRow(names.index(keep))
        elif self._library:
            self.list.setCurrentRow(0)
        else:
            self._show(None)

    def show_message(self, ok: bool, text: str) -> None:
        self.message.setText(("\u2713 " if ok else "\u2717 ") + text)
        self.message.setStyleSheet(_OK_STYLE if ok else _ERROR_STYLE)
        self.message.show()

    def error_text(self, exc: AssistantError) -> str:
        """The refusal in the user's language (core says it in English)."""
        texts = {
            "name_empty": self.tr("Give the assistant a name."),
            "name_long": self.tr("The name is too long (at most 100 characters)."),
            "prompt_long": self.tr("The system prompt is too long (at most 100000 characters)."),
            "model_long": self.tr("The model name is too long (at most 200 characters)."),
            "params": self.tr('Parameters must be a JSON object, e.g. {"temperature": 0.7}.'),
            "param": self.tr("Parameter {detail}"),
            "file_big": self.tr("The file is too large (at most 4 MB)."),
            "file_read": self.tr("The file cannot be read: {detail}"),
            "json": self.tr("The file is not valid JSON: {detail}"),
            "depth": self.tr("The file is nested too deeply."),
            "shape": self.tr("The file holds no assistants."),
            "item": self.tr("Assistant {detail}"),
            "too_many": self.tr("Too many assistants (at most 500)."),
            "duplicate": self.tr('An assistant named "{detail}" already exists.'),
        }
        text = texts.get(exc.kind)
        return str(exc) if text is None else text.replace("{detail}", exc.detail)

    def current_name(self) -> str | None:
        return self._editing

    # --- editing ---------------------------------------------------------------------------

    def _show(self, assistant: Assistant | None) -> None:
        self._editing = assistant.name if assistant else None
        self.name_edit.setText(assistant.name if assistant else "")
        self.model_edit.setText((assistant.model or "") if assistant else "")
        self.prompt_edit.setPlainText(assistant.system_prompt if assistant else "")
        params = assistant.params if assistant else {}
        self.params_edit.setPlainText(json.dumps(params, ensure_ascii=False) if params else "")
        self.delete_button.setEnabled(assistant is not None)
        self.start_button.setEnabled(assistant is not None)
        self._check_params()

    def _on_row_changed(self, row: int) -> None:
        self._show(self._library[row] if 0 <= row < len(self._library) else None)

    def _on_new_clicked(self) -> None:
        self.list.blockSignals(True)
        self.list.clearSelection()
        self.list.setCurrentRow(-1)
        self.list.blockSignals(False)
        self._show(None)
        self.message.hide()
        self.name_edit.setFocus()

    def _params(self) -> dict[str, object] | None:
        try:
            return parse_params(self.params_edit.toPlainText())
        except AssistantError as exc:
            self.show_message(False, self.error_text(exc))
            return None

    def _check_params(self) -> None:
        """Checked as typed: Save waits for a name and usable parameters."""
        params = self._params()
        if params is not None and self.message.styleSheet() == _ERROR_STYLE:
            self.message.hide()
        self.save_button.setEnabled(params is not None and bool(self.name_edit.text().strip()))

    def _on_save_clicked(self) -> None:
        params = self._params()
        if params is None:
            return
        assistant = Assistant(
            name=self.name_edit.text().strip(),
            system_prompt=self.prompt_edit.toPlainText(),
            model=self.model_edit.text().strip() or None,
            params=dict(params),
        )
        self.save_requested.emit(assistant, self._editing or "")

    def _on_delete_clicked(self) -> None:
        name = self._editing
        if name is None:
            return
        question = self.tr('Delete the assistant "{name}"?').replace("{name}", name)
        if self._confirm(self.tr("Delete assistant"), question):
            self.delete_requested.emit(name)

    def _on_start_clicked(self) -> None:
        if self._editing is not None:
            self.start_requested.emit(self._editing)

    def _on_import_clicked(self) -> None:
        path = self._open_path()
        if path:
            self.import_requested.emit(path)

    def _on_export_clicked(self) -> None:
        path = self._save_path()
        if path:
            self.export_requested.emit(path)

    # --- seams tests replace (no modal boxes in tests) -------------------------------------

    def _confirm(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def _open_path(self) -> str:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import assistants"), "", self.tr("JSON files (*.json)")
        )
        return path

    def _save_path(self) -> str:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export assistants"), "assistants.json", self.tr("JSON files (*.json)")
        )
        return path
