"""The Settings dialog: providers, appearance, network and the auto-title model.

The dialog runs no SQL, keyring or HTTP: it emits signals (``provider_saved``,
``test_requested`` ...) and the controller does the work, then calls back
(``set_providers``, ``show_test_result``). API keys are write-only here: a stored key is
never shown, and an empty key field means "keep the stored key".
"""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.chat.extrabody import (
    ExtraBodyError,
    format_extra_body,
    parse_extra_body,
    parse_model_map,
)
from chatdesk.core.settings import DEFAULTS, SettingKey
from chatdesk.store.rows import ProviderRow

__all__ = ["DEFAULT_SETTINGS", "SettingsDialog", "valid_base_url"]

# The one set of defaults (chatdesk.core.settings); the dialog shows and returns these keys.
DEFAULT_SETTINGS: dict[str, Any] = dict(DEFAULTS)
_PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
_ERROR_STYLE = "color: #c0392b;"
_OK_STYLE = "color: #1e8449;"


def valid_base_url(url: str) -> bool:
    """True for an http(s) URL with a host: the only kind an OpenAI-compatible server has."""
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in url.strip()


class _KeyField(QWidget):
    """A password-mode key editor with a "Show" toggle (keys are long; typos are common)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName(self.tr("API key"))
        self.edit.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText | Qt.InputMethodHint.ImhNoPredictiveText
        )
        self.show_button = QToolButton(self)
        self.show_button.setText(self.tr("Show"))
        self.show_button.setCheckable(True)
        self.show_button.setToolTip(self.tr("Show or hide the key you are typing"))
        self.show_button.toggled.connect(self._on_show_toggled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.show_button)

    def _on_show_toggled(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.edit.setEchoMode(mode)
        self.show_button.setText(self.tr("Hide") if shown else self.tr("Show"))

    def text(self) -> str:
        """The typed key without surrounding whitespace (pasted keys often carry some)."""
        return self.edit.text().strip()

    def clear(self) -> None:
        self.edit.clear()
        self.show_button.setChecked(False)


class SettingsDialog(QDialog):
    """Application settings in four tabs: Providers, Appearance, Network, Title model.

    Signals:
        settings_changed(dict): the settings (see DEFAULT_SETTINGS keys) on OK or Apply.
        provider_saved(ProviderRow, str): a provider to store, and a new key or "" to keep
            the stored one.
        provider_removed(str): the name of a provider to delete.
        test_requested(str, str, str, str): name, base URL, key or "" (use the stored key),
            model; the controller answers with show_test_result().
        model_extra_saved(str, dict): a provider's per-model extra body ({model: {...}}),
            emitted just before provider_saved (the provider's own goes in its options).
    """

    settings_changed = Signal(dict)
    provider_saved = Signal(object, str)
    model_extra_saved = Signal(str, dict)
    provider_removed = Signal(str)
    test_requested = Signal(str, str, str, str)
    mcp_requested = Signal()  # "MCP servers…": the MCP controller opens its dialog

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.resize(720, 520)
        self._providers: dict[str, tuple[ProviderRow, bool]] = {}
        self._model_extras: dict[str, dict[str, dict[str, Any]]] = {}
        self._editing: ProviderRow | None = None  # None while adding a new provider

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._build_providers_tab(), self.tr("Providers"))
        self.tabs.addTab(self._build_appearance_tab(), self.tr("Appearance"))
        self.tabs.addTab(self._build_network_tab(), self.tr("Network"))
        self.tabs.addTab(self._build_title_tab(), self.tr("Title model"))

        self.settings_message = QLabel(self)
        self.settings_message.setStyleSheet(_ERROR_STYLE)
        self.settings_message.setWordWrap(True)
        self.settings_message.hide()
        std = QDialogButtonBox.StandardButton
        self.button_box = QDialogButtonBox(std.Ok | std.Cancel | std.Apply, self)
        self.button_box.clicked.connect(self._on_button_clicked)
        self.button_box.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.settings_message)
        layout.addWidget(self.button_box)
        self.set_settings(DEFAULT_SETTINGS)
        self._close_editor()

    # ------------------------------------------------------------------ providers tab

    def _build_providers_tab(self) -> QWidget:
        page = QWidget(self)
        self.provider_list = QListWidget(page)
        self.provider_list.setAccessibleName(self.tr("Providers"))
        self.provider_list.itemDoubleClicked.connect(lambda _item: self._on_edit_clicked())
        self.provider_list.currentRowChanged.connect(lambda _row: self._update_list_buttons())
        self.add_button = QPushButton(self.tr("Add"), page)
        self.edit_button = QPushButton(self.tr("Edit"), page)
        self.remove_button = QPushButton(self.tr("Remove"), page)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        list_buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.remove_button):
            list_buttons.addWidget(b)
        # What became of the last save (kept after the editor closes, so it is seen).
        self.provider_message = QLabel(page)
        self.provider_message.setWordWrap(True)
        self.provider_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.provider_message.hide()
        # Tool servers sit with the providers, not in the OK/Cancel row (where a third
        # kind of button read as one more way to close the dialog).
        self.mcp_button = QPushButton(self.tr("MCP servers…"), page)
        self.mcp_button.setToolTip(self.tr("Tool servers the models may call (MCP)"))
        self.mcp_button.clicked.connect(self.mcp_requested.emit)
        left = QVBoxLayout()
        left.addWidget(self.provider_list, 1)
        left.addLayout(list_buttons)
        left.addWidget(self.provider_message)
        left.addWidget(self.mcp_button)

        self.editor_box = QGroupBox(self.tr("Provider"), page)
        self.name_edit = QLineEdit(self.editor_box)
        self.name_edit.setPlaceholderText(self.tr("e.g. Zero API"))
        self.base_url_edit = QLineEdit(self.editor_box)
        self.base_url_edit.setPlaceholderText("https://api000.com/v1")
        self.key_field = _KeyField(self.editor_box)
        self.model_edit = QLineEdit(self.editor_box)
        self.model_edit.setPlaceholderText(self.tr("e.g. gpt-4o (optional)"))
        form = QFormLayout()
        form.addRow(self.tr("Name:"), self.name_edit)
        form.addRow(self.tr("Base URL:"), self.base_url_edit)
        form.addRow(self.tr("API key:"), self.key_field)
        form.addRow(self.tr("Default model:"), self.model_edit)
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.extra_edit = QPlainTextEdit(self.editor_box)
        self.extra_edit.setPlaceholderText('{"enable_thinking": false, "top_k": 20}')
        self.extra_edit.setToolTip(
            self.tr("JSON merged last into every request to this provider (all models)")
        )
        self.model_extra_edit = QPlainTextEdit(self.editor_box)
        self.model_extra_edit.setPlaceholderText('{"qwen3-235b-a22b": {"enable_thinking": true}}')
        self.model_extra_edit.setToolTip(
            self.tr("Model id \u2192 JSON merged over the provider's extra body for that model")
        )
        for edit in (self.extra_edit, self.model_extra_edit):
            edit.setFont(fixed)
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 3 + 12)
            edit.textChanged.connect(self._check_extra)
        self.extra_message = QLabel(self.editor_box)
        self.extra_message.setWordWrap(True)
        self.extra_message.setStyleSheet(_ERROR_STYLE)
        self.extra_message.hide()
        form.addRow(self.tr("Extra body:"), self.extra_edit)
        form.addRow(self.tr("Per model:"), self.model_extra_edit)
        form.addRow("", self.extra_message)
        self.key_field.edit.textEdited.connect(lambda _t: self._clear_test_result())
        self.base_url_edit.textEdited.connect(lambda _t: self._clear_test_result())

        self.form_message = QLabel(self.editor_box)
        self.form_message.setWordWrap(True)
        self.form_message.setStyleSheet(_ERROR_STYLE)
        self.form_message.hide()
        self.test_button = QPushButton(self.tr("Test connection"), self.editor_box)
        self.save_button = QPushButton(self.tr("Save provider"), self.editor_box)
        self.cancel_edit_button = QPushButton(self.tr("Cancel"), self.editor_box)
        self.test_button.clicked.connect(self._on_test_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.cancel_edit_button.clicked.connect(self._close_editor)
        editor_buttons = QHBoxLayout()
        editor_buttons.addWidget(self.test_button)
        editor_buttons.addStretch(1)
        editor_buttons.addWidget(self.cancel_edit_button)
        editor_buttons.addWidget(self.save_button)

        self.test_header = QLabel(self.editor_box)
        self.test_header.hide()
        self.test_output = QPlainTextEdit(self.editor_box)
        self.test_output.setReadOnly(True)
        self.test_output.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.test_output.setPlaceholderText(self.tr("Connection test results appear here."))

        editor_layout = QVBoxLayout(self.editor_box)
        editor_layout.addLayout(form)
        editor_layout.addWidget(self.form_message)
        editor_layout.addLayout(editor_buttons)
        editor_layout.addWidget(self.test_header)
        editor_layout.addWidget(self.test_output, 1)

        layout = QHBoxLayout(page)
        layout.addLayout(left, 2)
        layout.addWidget(self.editor_box, 3)
        return page

    def set_model_extra_bodies(self, table: dict[str, dict[str, dict[str, Any]]]) -> None:
        """The stored per-model extra bodies, ``{provider: {model: {...}}}``."""
        self._model_extras = {p: dict(m) for p, m in table.items()}

    def _extra_error_text(self, exc: ExtraBodyError) -> str:
        """The refusal in the user's language (core says it in English for the CLI)."""
        texts = {
            "too_long": self.tr("It is too long ({detail} characters; at most 16000)."),
            "json": self.tr("It is not valid JSON: {detail}"),
            "not_object": self.tr('It must be a JSON object, e.g. {{"enable_thinking": true}}.'),
            "too_deep": self.tr("It is nested too deeply (at most 8 levels)."),
            "reserved": self.tr(
                '"{detail}" cannot be set here: ChatDesk sends model, messages and stream itself.'
            ),
            "model_value": self.tr('The value for model "{detail}" must be a JSON object.'),
            "model_empty": self.tr("A model name is empty."),
        }
        return texts.get(exc.kind, str(exc)).format(detail=exc.detail)

    def _parsed_extra(self) -> tuple[dict[str, Any], dict[str, dict[str, Any]]] | None:
        """Both extra-body fields parsed, or None with the reason shown under them."""
        try:
            extra = parse_extra_body(self.extra_edit.toPlainText())
        except ExtraBodyError as exc:
            self._extra_error(self.tr("Extra body: ") + self._extra_error_text(exc))
            return None
        try:
            per_model = parse_model_map(self.model_extra_edit.toPlainText())
        except ExtraBodyError as exc:
            self._extra_error(self.tr("Per model: ") + self._extra_error_text(exc))
            return None
        self._extra_error(None)
        return extra, per_model

    def _extra_error(self, text: str | None) -> None:
        self.extra_message.setText(text or "")
        self.extra_message.setVisible(bool(text))

    def _check_extra(self) -> None:
        """Validate as the user types; Save waits until both fields are usable."""
        self.save_button.setEnabled(self._parsed_extra() is not None)

    def _clear_test_result(self) -> None:
        """A report about other values would mislead (e.g. "No API key given." once typed)."""
        self.test_header.hide()
        self.test_output.clear()

    def show_provider_message(self, ok: bool, text: str) -> None:
        """Say what became of a save (shown below the list; the editor may be closed)."""
        self.provider_message.setText(("\u2713 " if ok else "\u2717 ") + text)
        self.provider_message.setStyleSheet(_OK_STYLE if ok else _ERROR_STYLE)
        self.provider_message.show()

    def set_providers(self, providers: list[tuple[ProviderRow, bool]]) -> None:
        """Show the configured providers; the bool says whether a key is stored for it."""
        current = self._selected_name()
        self._providers = {row.name: (row, has_key) for row, has_key in providers}
        self._refresh_list(current)

    def _refresh_list(self, select: str | None = None) -> None:
        self.provider_list.clear()
        for name, (row, has_key) in self._providers.items():
            label = f"{name} \u2014 {row.base_url}"
            if not has_key:
                label += "  " + self.tr("(no key)")
            item = QListWidgetItem(label, self.provider_list)
            item.setData(Qt.ItemDataRole.UserRole, name)
            if name == select:
                self.provider_list.setCurrentItem(item)
        self._update_list_buttons()

    def _selected_name(self) -> str | None:
        item = self.provider_list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def select_provider(self, name: str) -> None:
        """Select ``name`` in the list (for the controller and tests)."""
        for i in range(self.provider_list.count()):
            if self.provider_list.item(i).data(Qt.ItemDataRole.UserRole) == name:
                self.provider_list.setCurrentRow(i)
                return

    def _update_list_buttons(self) -> None:
        selected = self._selected_name() is not None
        self.edit_button.setEnabled(selected)
        self.remove_button.setEnabled(selected)

    def _open_editor(self, row: ProviderRow | None, has_key: bool = False) -> None:
        self._editing = row
        self.editor_box.setEnabled(True)
        self.editor_box.setTitle(self.tr("Edit provider") if row else self.tr("New provider"))
        self.name_edit.setText(row.name if row else "")
        # Renaming would orphan the stored key, so the name is fixed once saved.
        self.name_edit.setReadOnly(row is not None)
        self.base_url_edit.setText(row.base_url if row else "")
        self.model_edit.setText((row.default_model or "") if row else "")
        options = row.options if row else {}
        stored = options.get("extra_body") if isinstance(options, dict) else None
        stored = stored if isinstance(stored, dict) else None
        self.extra_edit.setPlainText(format_extra_body(stored))
        self.model_extra_edit.setPlainText(
            format_extra_body(self._model_extras.get(row.name) if row else None)
        )
        self.key_field.clear()  # never show a stored key
        if has_key:
            hint = self.tr("Stored key kept; type a new one to replace it")
        else:
            hint = self.tr("Paste your API key (sk-...)")
        self.key_field.edit.setPlaceholderText(hint)
        self.form_message.hide()
        self.test_header.hide()
        self.test_output.clear()
        self.test_button.setEnabled(True)
        (self.base_url_edit if row else self.name_edit).setFocus()

    def _close_editor(self) -> None:
        self._editing = None
        for w in (self.name_edit, self.base_url_edit, self.model_edit):
            w.clear()
        self.extra_edit.clear()
        self.model_extra_edit.clear()
        self.key_field.clear()
        self.form_message.hide()
        self.test_header.hide()
        self.test_output.clear()
        self.editor_box.setTitle(self.tr("Provider"))
        self.editor_box.setEnabled(False)

    def _on_add_clicked(self) -> None:
        self.provider_list.clearSelection()
        self._open_editor(None)

    def _on_edit_clicked(self) -> None:
        name = self._selected_name()
        if name is None or name not in self._providers:
            return
        row, has_key = self._providers[name]
        self._open_editor(row, has_key)

    def _on_remove_clicked(self) -> None:
        name = self._selected_name()
        if name is None:
            return
        question = self.tr('Remove the provider "{name}" and its stored API key?').format(name=name)
        if not self._confirm(self.tr("Remove provider"), question):
            return
        self._providers.pop(name, None)
        if self._editing is not None and self._editing.name == name:
            self._close_editor()
        self._refresh_list()
        self.provider_removed.emit(name)

    def _confirm(self, title: str, text: str) -> bool:
        """Ask a yes/no question (a seam tests replace to avoid a modal box)."""
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def _form_error(self, text: str | None) -> None:
        self.form_message.setText(text or "")
        self.form_message.setVisible(bool(text))

    def _check_url(self) -> str | None:
        """The base URL if valid, else None with the inline message shown."""
        url = self.base_url_edit.text().strip()
        if not valid_base_url(url):
            self._form_error(
                self.tr("The base URL must start with http:// or https://, e.g. {example}").format(
                    example="https://api000.com/v1"
                )
            )
            self.base_url_edit.setFocus()
            return None
        return url

    def _on_save_clicked(self) -> None:
        name = self.name_edit.text().strip()
        if not name:
            self._form_error(self.tr("Enter a name for this provider."))
            self.name_edit.setFocus()
            return
        if self._editing is None and name in self._providers:
            self._form_error(self.tr('A provider named "{name}" already exists.').format(name=name))
            self.name_edit.setFocus()
            return
        url = self._check_url()
        if url is None:
            return
        parsed = self._parsed_extra()
        if parsed is None:
            return
        extra, per_model = parsed
        self._form_error(None)
        model = self.model_edit.text().strip() or None
        if self._editing is not None:
            row = dataclasses.replace(
                self._editing,
                base_url=url,
                default_model=model,
                options=dict(self._editing.options),
            )
        else:
            row = ProviderRow(name=name, base_url=url, default_model=model)
        if extra:
            row.options["extra_body"] = extra
        else:
            row.options.pop("extra_body", None)
        key = self.key_field.text()
        had_key = self._providers.get(name, (row, False))[1]
        self._providers[name] = (row, had_key or bool(key))
        self._model_extras[name] = per_model
        self._refresh_list(name)
        self._close_editor()
        if had_key or key:
            self.show_provider_message(True, self.tr('Saved "{name}".').format(name=name))
        else:
            self.show_provider_message(
                False,
                self.tr(
                    'Saved "{name}" without an API key: edit it and paste a key, '
                    "unless the server needs none."
                ).format(name=name),
            )
        self.model_extra_saved.emit(name, per_model)
        self.provider_saved.emit(row, key)

    def _on_test_clicked(self) -> None:
        url = self._check_url()
        if url is None:
            return
        self._form_error(None)
        self.test_button.setEnabled(False)
        self.test_header.setText(self.tr("Testing the connection\u2026"))
        self.test_header.setStyleSheet("")
        self.test_header.show()
        self.test_output.clear()
        self.test_requested.emit(
            self.name_edit.text().strip(),
            url,
            self.key_field.text(),
            self.model_edit.text().strip(),
        )

    def show_test_result(self, ok: bool, text: str) -> None:
        """Show the controller's connection report (multi-line text, kept as written)."""
        self.test_button.setEnabled(True)
        if ok:
            self.test_header.setText(self.tr("\u2713 Connection works"))
            self.test_header.setStyleSheet(_OK_STYLE)
        else:
            self.test_header.setText(self.tr("\u2717 Connection failed"))
            self.test_header.setStyleSheet(_ERROR_STYLE)
        self.test_header.show()
        self.test_output.setPlainText(text)

    # ------------------------------------------------------------------ other tabs

    def _build_appearance_tab(self) -> QWidget:
        page = QWidget(self)
        self.theme_combo = QComboBox(page)
        self.theme_combo.addItem(self.tr("Light"), "light")
        self.theme_combo.addItem(self.tr("Dark"), "dark")
        self.theme_combo.addItem(self.tr("Follow system"), "system")
        self.font_size_spin = QSpinBox(page)
        self.font_size_spin.setRange(8, 28)
        self.font_size_spin.setSuffix(self.tr(" pt"))
        self.language_combo = QComboBox(page)
        # Language names stay in their own language so anyone can find theirs.
        self.language_combo.addItem("English", "en")
        self.language_combo.addItem("简体中文", "zh_CN")
        language_note = QLabel(self.tr("Language changes take effect after a restart."), page)
        language_note.setEnabled(False)
        self.send_key_combo = QComboBox(page)
        self.send_key_combo.addItem(self.tr("Enter sends, Shift+Enter for a new line"), "enter")
        self.send_key_combo.addItem(self.tr("Ctrl+Enter sends, Enter for a new line"), "ctrl+enter")
        self.notify_check = QCheckBox(
            self.tr("Notify me when an answer finishes while ChatDesk is in the background"), page
        )
        form = QFormLayout(page)
        form.addRow(self.tr("Theme:"), self.theme_combo)
        form.addRow(self.tr("Font size:"), self.font_size_spin)
        form.addRow(self.tr("Language:"), self.language_combo)
        form.addRow("", language_note)
        form.addRow(self.tr("Send with:"), self.send_key_combo)
        form.addRow(self.tr("Notifications:"), self.notify_check)
        return page

    def _build_network_tab(self) -> QWidget:
        page = QWidget(self)
        self.proxy_combo = QComboBox(page)
        self.proxy_combo.addItem(self.tr("Use the system proxy"), "system")
        self.proxy_combo.addItem(self.tr("No proxy"), "none")
        self.proxy_combo.addItem(self.tr("Custom proxy URL"), "custom")
        self.proxy_url_edit = QLineEdit(page)
        self.proxy_url_edit.setPlaceholderText("http://127.0.0.1:7890")
        self.proxy_combo.currentIndexChanged.connect(self._update_proxy_enabled)
        self.connect_timeout_spin = QDoubleSpinBox(page)
        self.connect_timeout_spin.setRange(1.0, 300.0)
        self.connect_timeout_spin.setDecimals(1)
        self.connect_timeout_spin.setSuffix(self.tr(" s"))
        self.connect_timeout_spin.setToolTip(self.tr("How long to wait for the server to answer"))
        self.read_timeout_spin = QDoubleSpinBox(page)
        self.read_timeout_spin.setRange(5.0, 3600.0)
        self.read_timeout_spin.setDecimals(1)
        self.read_timeout_spin.setSuffix(self.tr(" s"))
        self.read_timeout_spin.setToolTip(
            self.tr("Give up on a reply when no data arrives for this long")
        )
        self.total_timeout_spin = QDoubleSpinBox(page)
        self.total_timeout_spin.setRange(0.0, 86400.0)
        self.total_timeout_spin.setDecimals(0)
        self.total_timeout_spin.setSuffix(self.tr(" s"))
        self.total_timeout_spin.setSpecialValueText(self.tr("No limit"))
        self.total_timeout_spin.setToolTip(
            self.tr("Stop a reply that is still arriving after this long (0: no limit)")
        )
        form = QFormLayout(page)
        form.addRow(self.tr("Proxy:"), self.proxy_combo)
        form.addRow(self.tr("Proxy URL:"), self.proxy_url_edit)
        form.addRow(self.tr("Connect timeout:"), self.connect_timeout_spin)
        form.addRow(self.tr("Stream idle timeout:"), self.read_timeout_spin)
        form.addRow(self.tr("Reply deadline:"), self.total_timeout_spin)
        return page

    def _update_proxy_enabled(self) -> None:
        self.proxy_url_edit.setEnabled(self.proxy_combo.currentData() == "custom")

    def _build_title_tab(self) -> QWidget:
        page = QWidget(self)
        self.title_model_combo = QComboBox(page)
        self.title_model_combo.setEditable(True)
        self.title_model_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        line = self.title_model_combo.lineEdit()
        assert line is not None  # the combo box was made editable just above
        line.setPlaceholderText(self.tr("Empty: use the first words of the message"))
        line.setClearButtonEnabled(True)
        explain = QLabel(
            self.tr("New conversations are titled by this model. Leave empty to skip the request."),
            page,
        )
        explain.setWordWrap(True)
        form = QFormLayout(page)
        form.addRow(explain)
        form.addRow(self.tr("Title model:"), self.title_model_combo)
        return page

    def set_models(self, models: list[str]) -> None:
        """Offer ``models`` in the title-model box, keeping whatever is typed."""
        text = self.title_model_combo.currentText()
        self.title_model_combo.clear()
        self.title_model_combo.addItems(models)
        self.title_model_combo.setEditText(text)

    # ------------------------------------------------------------------ settings dict

    def set_settings(self, settings: dict[str, Any]) -> None:
        """Show ``settings``; missing or unknown values fall back to DEFAULT_SETTINGS."""
        s = {**DEFAULT_SETTINGS, **settings}

        def pick(combo: QComboBox, key: SettingKey) -> None:
            index = combo.findData(s[key])
            combo.setCurrentIndex(index if index >= 0 else combo.findData(DEFAULT_SETTINGS[key]))

        def num(key: SettingKey) -> Any:
            return _num(s.get(key), DEFAULT_SETTINGS[key])

        pick(self.theme_combo, SettingKey.THEME)
        pick(self.language_combo, SettingKey.LANGUAGE)
        pick(self.send_key_combo, SettingKey.SEND_KEY)
        self.notify_check.setChecked(s.get(SettingKey.NOTIFY, True) is not False)
        pick(self.proxy_combo, SettingKey.PROXY_MODE)
        self.font_size_spin.setValue(num(SettingKey.FONT_SIZE))
        self.proxy_url_edit.setText(str(s[SettingKey.PROXY_URL] or ""))
        self.connect_timeout_spin.setValue(num(SettingKey.CONNECT_TIMEOUT))
        self.read_timeout_spin.setValue(num(SettingKey.READ_TIMEOUT))
        self.total_timeout_spin.setValue(num(SettingKey.TOTAL_TIMEOUT))
        self.title_model_combo.setEditText(str(s[SettingKey.TITLE_MODEL] or ""))
        self._update_proxy_enabled()
        self.settings_message.hide()

    def settings(self) -> dict[str, Any]:
        """The settings as shown, one value for each :class:`SettingKey` (plain str keys)."""
        shown: dict[SettingKey, Any] = {
            SettingKey.THEME: self.theme_combo.currentData(),
            SettingKey.FONT_SIZE: self.font_size_spin.value(),
            SettingKey.LANGUAGE: self.language_combo.currentData(),
            SettingKey.SEND_KEY: self.send_key_combo.currentData(),
            SettingKey.NOTIFY: self.notify_check.isChecked(),
            SettingKey.PROXY_MODE: self.proxy_combo.currentData(),
            SettingKey.PROXY_URL: self.proxy_url_edit.text().strip(),
            SettingKey.CONNECT_TIMEOUT: float(self.connect_timeout_spin.value()),
            SettingKey.READ_TIMEOUT: float(self.read_timeout_spin.value()),
            SettingKey.TOTAL_TIMEOUT: float(self.total_timeout_spin.value()),
            SettingKey.TITLE_MODEL: self.title_model_combo.currentText().strip(),
        }
        return {key.value: value for key, value in shown.items()}

    def _settings_error(self) -> str | None:
        if self.proxy_combo.currentData() == "custom":
            parts = urlsplit(self.proxy_url_edit.text().strip())
            if parts.scheme not in _PROXY_SCHEMES or not parts.netloc:
                return self.tr(
                    "The proxy URL must look like http://host:port or socks5://host:port."
                )
        return None

    def apply(self) -> bool:
        """Validate and emit settings_changed; False (with a message) if something is wrong."""
        error = self._settings_error()
        self.settings_message.setText(error or "")
        self.settings_message.setVisible(error is not None)
        if error is not None:
            self.tabs.setCurrentIndex(2)
            return False
        self.settings_changed.emit(self.settings())
        return True

    def _on_button_clicked(self, button: QAbstractButton) -> None:
        role = self.button_box.buttonRole(button)
        if role == QDialogButtonBox.ButtonRole.ApplyRole:
            self.apply()
        elif role == QDialogButtonBox.ButtonRole.AcceptRole and self.apply():
            self.accept()


def _num(value: Any, default: Any) -> Any:
    """``value`` converted to the type of ``default``, or ``default`` if it is not a number."""
    try:
        return type(default)(value)
    except (TypeError, ValueError):
        return default
