"""The first-run screen: one calm card that walks through adding a provider.

Shown in place of the chat when no key is configured: pick a preset (the Zero API relay,
or any OpenAI-compatible server), paste the key, test the connection, pick a model, save.
Like every widget it only emits signals; the controller tests (through core, never here),
stores the key in the keyring and calls back with :meth:`KeyPanel.show_result` or
:meth:`KeyPanel.show_keyring_problem` (no keyring, or a locked one). In the latter case the
user may still use the key for this session only, never written to disk.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.ui.settings import valid_base_url

__all__ = ["DEFAULT_BASE_URL", "PRESETS", "KeyPanel"]

DEFAULT_BASE_URL = "https://api000.com/v1"
# (name shown, base URL); an empty URL means "type your server's address".
PRESETS = (("Zero API", DEFAULT_BASE_URL), ("", ""))


class KeyPanel(QWidget):
    """Welcome card: provider preset, base URL, key, Test connection, model, Save.

    Signals:
        test_requested(str, str): base URL and key to try.
        save_requested(str, str): base URL and key to store (:meth:`model` says the model).
        use_for_session(str, str): base URL and key to use until the app quits (no keyring).
    """

    test_requested = Signal(str, str)
    save_requested = Signal(str, str)
    use_for_session = Signal(str, str)

    def __init__(self, parent: QWidget | None = None, base_url: str = DEFAULT_BASE_URL) -> None:
        super().__init__(parent)
        self.setObjectName("first-run")
        header = QLabel(self.tr("Welcome to ChatDesk"), self)
        font = header.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setWeight(font.Weight.DemiBold)
        header.setFont(font)
        intro = QLabel(
            self.tr(
                "Connect a provider to start chatting. The key is kept in your system "
                "keyring, never in a file."
            ),
            self,
        )
        intro.setWordWrap(True)
        intro.setProperty("muted", True)

        self.preset_combo = QComboBox(self)
        self.preset_combo.setAccessibleName(self.tr("Provider"))
        for name, url in PRESETS:
            label = name or self.tr("Another OpenAI-compatible server")
            self.preset_combo.addItem(label, url)
        self.preset_combo.activated.connect(self._on_preset)
        self.base_url_edit = QLineEdit(base_url, self)
        self.base_url_edit.setPlaceholderText(DEFAULT_BASE_URL)
        self.base_url_edit.setAccessibleName(self.tr("Base URL"))
        self.key_edit = QLineEdit(self)
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText(self.tr("sk-..."))
        self.key_edit.setAccessibleName(self.tr("API key"))
        self.key_edit.returnPressed.connect(self._on_save_clicked)
        # A result about other values would mislead ("No API key given." once one is typed).
        self.key_edit.textEdited.connect(self._on_field_edited)
        self.base_url_edit.textEdited.connect(self._on_field_edited)
        self.base_url_edit.textChanged.connect(self._sync_preset)
        self.show_key_button = QToolButton(self)
        self.show_key_button.setText(self.tr("Show"))
        self.show_key_button.setCheckable(True)
        self.show_key_button.setAccessibleName(self.tr("Show the key"))
        self.show_key_button.toggled.connect(self._on_show_toggled)
        key_row = QHBoxLayout()
        key_row.setSpacing(8)
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.show_key_button)
        self.model_combo = QComboBox(self)
        self.model_combo.setEditable(True)
        self.model_combo.setAccessibleName(self.tr("Model"))
        self.model_combo.setToolTip(
            self.tr("The model new chats use; the list fills from the server once connected.")
        )
        self._model_typed = False  # the user's own choice is kept when the list refills
        line = self.model_combo.lineEdit()
        if line is not None:
            line.textEdited.connect(self._on_model_typed)
        self.model_combo.activated.connect(self._on_model_typed)
        form = QFormLayout()
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(12)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Provider:"), self.preset_combo)
        form.addRow(self.tr("Base URL:"), self.base_url_edit)
        form.addRow(self.tr("API key:"), key_row)
        form.addRow(self.tr("Model:"), self.model_combo)

        self.test_button = QPushButton(self.tr("Test connection"), self)
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setDefault(True)
        self.test_button.clicked.connect(self._on_test_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addStretch(1)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.save_button)

        self.result_label = QLabel(self)
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()

        self.keyring_frame = QFrame(self)
        self.keyring_frame.setFrameShape(QFrame.Shape.StyledPanel)
        self.keyring_label = QLabel(self.keyring_frame)
        self.keyring_label.setWordWrap(True)
        self.keyring_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.session_button = QPushButton(
            self.tr("Use this key for this session only"), self.keyring_frame
        )
        self.session_button.setToolTip(
            self.tr("The key stays in memory until ChatDesk quits and is not saved anywhere.")
        )
        self.session_button.clicked.connect(self._on_session_clicked)
        frame_layout = QVBoxLayout(self.keyring_frame)
        frame_layout.addWidget(self.keyring_label)
        frame_layout.addWidget(self.session_button, 0, Qt.AlignmentFlag.AlignRight)
        self.keyring_frame.hide()

        card = QFrame(self)
        card.setObjectName("card")
        card.setMinimumWidth(300)
        card.setMaximumWidth(560)
        col = QVBoxLayout(card)
        col.setContentsMargins(24, 24, 24, 24)
        col.setSpacing(12)
        col.addWidget(header)
        col.addWidget(intro)
        col.addSpacing(4)
        col.addLayout(form)
        col.addSpacing(4)
        col.addLayout(buttons)
        col.addWidget(self.result_label)
        col.addWidget(self.keyring_frame)
        # Centre the card with stretches, not an alignment flag: an aligned widget gets
        # only its size hint, which clips word-wrapped labels.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 4)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 16, 16, 16)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self._sync_preset(self.base_url_edit.text())

    def set_models(self, models: list[str], current: str = "") -> None:
        """The models to offer (the built-in list first, the server's once connected)."""
        typed = self.model_combo.currentText().strip() if self._model_typed else ""
        self.model_combo.blockSignals(True)
        try:
            self.model_combo.clear()
            self.model_combo.addItems(models[:500])
            self.model_combo.setEditText(typed or current or (models[0] if models else ""))
        finally:
            self.model_combo.blockSignals(False)

    def _on_model_typed(self, *_args: object) -> None:
        self._model_typed = True

    def model(self) -> str:
        """The model chosen (or typed); '' for the provider's default."""
        return self.model_combo.currentText().strip()

    def _on_preset(self, index: int) -> None:
        url = self.preset_combo.itemData(index)
        if url:
            self.base_url_edit.setText(url)
        else:
            self.base_url_edit.clear()
            self.base_url_edit.setPlaceholderText("http://localhost:11434/v1")
        self._on_field_edited("")
        self.base_url_edit.setFocus()

    def _sync_preset(self, text: str) -> None:
        """The preset box follows a typed address (a Zero API URL selects Zero API)."""
        index = self.preset_combo.findData(text.strip().rstrip("/"))
        self.preset_combo.setCurrentIndex(index if index >= 0 else len(PRESETS) - 1)

    def base_url(self) -> str:
        return self.base_url_edit.text().strip()

    def key(self) -> str:
        """The typed key; surrounding whitespace from a paste is dropped."""
        return self.key_edit.text().strip()

    def _on_show_toggled(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.key_edit.setEchoMode(mode)
        self.show_key_button.setText(self.tr("Hide") if shown else self.tr("Show"))

    def _on_field_edited(self, _text: str) -> None:
        self.result_label.hide()
        self.result_label.clear()

    def _message(self, text: str, role: str) -> None:
        """Show ``text`` in the theme's colour for ``role`` ("error", "success" or "")."""
        self.result_label.setText(text)
        self.result_label.setProperty("role", role)
        style = self.result_label.style()
        style.unpolish(self.result_label)
        style.polish(self.result_label)
        self.result_label.show()

    def _check(self, need_key: bool) -> bool:
        """Validate the fields, showing what is wrong inline."""
        if not valid_base_url(self.base_url()):
            self._message(
                self.tr("The base URL must start with http:// or https://, e.g. {example}").format(
                    example=DEFAULT_BASE_URL
                ),
                "error",
            )
            self.base_url_edit.setFocus()
            return False
        if need_key and not self.key():
            self.keyring_frame.hide()
            self._message(
                "\u2717 " + self.tr("Paste your API key first: nothing was saved."), "error"
            )
            self.key_edit.setFocus()
            return False
        return True

    def _on_test_clicked(self) -> None:
        # A key is optional for a test: local servers often need none.
        if not self._check(need_key=False):
            return
        self.test_button.setEnabled(False)
        self._message(self.tr("Testing the connection\u2026"), "")
        self.test_requested.emit(self.base_url(), self.key())

    def _on_save_clicked(self) -> None:
        if not self._check(need_key=True):
            return
        self.keyring_frame.hide()
        self.result_label.hide()  # an earlier test's outcome says nothing about this save
        self.save_requested.emit(self.base_url(), self.key())

    def _on_session_clicked(self) -> None:
        if not self._check(need_key=True):
            return
        self.use_for_session.emit(self.base_url(), self.key())

    def show_result(self, ok: bool, text: str) -> None:
        """Show the outcome of a test or save (text may span several lines)."""
        self.test_button.setEnabled(True)
        prefix = "\u2713 " if ok else "\u2717 "  # the marks the connection report uses
        self._message(prefix + text, "success" if ok else "error")

    def show_keyring_problem(self, text: str) -> None:
        """Explain why the key cannot be stored and offer to use it for this session only."""
        self.test_button.setEnabled(True)
        self.result_label.hide()  # the keyring message alone says what went wrong
        self.keyring_label.setText(text)
        self.keyring_frame.show()
