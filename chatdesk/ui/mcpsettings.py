"""The MCP servers dialog: add, edit, remove, enable and check tool servers.

A pure widget like the assistants manager: it shows what it is given
(:meth:`McpServersDialog.set_servers`, :meth:`set_status`, :meth:`set_approvals`) and
asks for every change with a signal; :class:`~chatdesk.ctl.mcpctl.McpController`
stores it (secret values go to the keyring there) and starts or stops servers.
Secret values are never shown: an edited server lists its environment and header
names with empty values, and an empty value keeps the stored one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
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
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.tools.mcpconfig import DEFAULT_CALL_TIMEOUT_S, McpConfigError, ServerConfig
from chatdesk.core.urls import mask_credentials

__all__ = ["McpServersDialog", "parse_pairs"]

_ERROR_STYLE = "color: #c0392b;"
_OK_STYLE = "color: #1e8449;"
#: What a failed server shows of its stderr (the manager keeps a bounded tail already).
_TAIL_SHOWN = 2_000
_MAX_FIELD = 64_000


def parse_pairs(text: str, sep: str) -> dict[str, str]:
    """``NAME<sep>value`` lines as a dict (blank lines skipped; a bare name has no value).

    Raises:
        McpConfigError: a line has no name.
    """
    out: dict[str, str] = {}
    for line in text[:_MAX_FIELD].splitlines():
        if not line.strip():
            continue
        name, _, value = line.partition(sep)
        if not name.strip():
            raise McpConfigError(f"a line without a name: {line.strip()[:40]!r}")
        out[name.strip()] = value.strip()
    return out


class McpServersDialog(QDialog):
    """The servers on the left (with their states), the selected one's fields on the right.

    Signals:
        save_requested(object, str): a ServerConfig to store, and the name it had ("" when
            new); values left empty keep the stored secret.
        remove_requested(str): the name of a server to forget.
        enabled_changed(str, bool): a server switched on or off.
        start_requested(str): start a server now, to see whether it works and its tools.
        import_requested(str): an ``mcpServers`` JSON file to import.
        revoke_requested(str, str): forget "always allow" for (server, tool).
    """

    save_requested = Signal(object, str)
    remove_requested = Signal(str)
    enabled_changed = Signal(str, bool)
    start_requested = Signal(str)
    import_requested = Signal(str)
    revoke_requested = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mcpServersDialog")
        self.setWindowTitle(self.tr("MCP servers"))
        self.resize(820, 600)
        self._servers: dict[str, ServerConfig] = {}
        self._states: dict[str, tuple[str, str]] = {}  # name -> (state line, stderr tail)
        self._editing: str | None = None  # the name being edited; None for a new one

        self.list = QListWidget(self)
        self.list.setAccessibleName(self.tr("MCP servers"))
        self.list.currentRowChanged.connect(self._on_row_changed)
        self.list.itemChanged.connect(self._on_item_changed)
        self.add_button = QPushButton(self.tr("Add"), self)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.import_button = QPushButton(self.tr("Import…"), self)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.import_button.clicked.connect(self._on_import_clicked)
        list_buttons = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.import_button):
            list_buttons.addWidget(b)
        self.approvals = QListWidget(self)
        self.approvals.setAccessibleName(self.tr("Tools always allowed"))
        self.approvals.currentRowChanged.connect(lambda _r: self._update_buttons())
        self.revoke_button = QPushButton(self.tr("Revoke"), self)
        self.revoke_button.clicked.connect(self._on_revoke_clicked)
        left = QVBoxLayout()
        left.addWidget(self.list, 3)
        left.addLayout(list_buttons)
        left.addWidget(QLabel(self.tr("Tools always allowed:"), self))
        left.addWidget(self.approvals, 1)
        left.addWidget(self.revoke_button)

        self.editor = QGroupBox(self.tr("Server"), self)
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.name_edit = QLineEdit(self.editor)
        self.name_edit.setPlaceholderText(self.tr("e.g. files"))
        self.transport_combo = QComboBox(self.editor)
        self.transport_combo.addItem(self.tr("Program (stdio)"), "stdio")
        self.transport_combo.addItem(self.tr("Streamable HTTP"), "http")
        self.transport_combo.currentIndexChanged.connect(lambda _i: self._update_transport())
        self.command_edit = QLineEdit(self.editor)
        self.command_edit.setPlaceholderText("npx")
        self.args_edit = QPlainTextEdit(self.editor)
        self.args_edit.setPlaceholderText(self.tr("One argument per line"))
        self.env_edit = QPlainTextEdit(self.editor)
        self.env_edit.setPlaceholderText("GITHUB_TOKEN=…")
        self.cwd_edit = QLineEdit(self.editor)
        self.cwd_edit.setPlaceholderText(self.tr("(the default folder)"))
        self.url_edit = QLineEdit(self.editor)
        self.url_edit.setPlaceholderText("http://127.0.0.1:8000/mcp")
        self.headers_edit = QPlainTextEdit(self.editor)
        self.headers_edit.setPlaceholderText("Authorization: Bearer …")
        for edit in (self.args_edit, self.env_edit, self.headers_edit):
            edit.setFont(fixed)
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 3 + 12)
        self.timeout_spin = QDoubleSpinBox(self.editor)
        self.timeout_spin.setRange(1.0, 3600.0)
        self.timeout_spin.setDecimals(0)
        self.timeout_spin.setSuffix(self.tr(" s"))
        self.timeout_spin.setToolTip(self.tr("A tool call that takes longer fails"))
        self.enabled_check = QCheckBox(self.tr("Enabled"), self.editor)
        secret_note = QLabel(
            self.tr(
                "Environment values and headers are kept in the system keyring and never "
                "shown; leave a value empty to keep the stored one."
            ),
            self.editor,
        )
        secret_note.setWordWrap(True)
        self.form = QFormLayout()
        self.form.addRow(self.tr("Name:"), self.name_edit)
        self.form.addRow(self.tr("Kind:"), self.transport_combo)
        self.form.addRow(self.tr("Command:"), self.command_edit)
        self.form.addRow(self.tr("Arguments:"), self.args_edit)
        self.form.addRow(self.tr("Environment:"), self.env_edit)
        self.form.addRow(self.tr("Working folder:"), self.cwd_edit)
        self.form.addRow(self.tr("URL:"), self.url_edit)
        self.form.addRow(self.tr("Headers:"), self.headers_edit)
        self.form.addRow(self.tr("Call timeout:"), self.timeout_spin)
        self.form.addRow("", self.enabled_check)
        self.form.addRow("", secret_note)
        self.save_button = QPushButton(self.tr("Save server"), self.editor)
        self.start_button = QPushButton(self.tr("Start now"), self.editor)
        self.start_button.setToolTip(self.tr("Start the server to see whether it works"))
        self.save_button.clicked.connect(self._on_save_clicked)
        self.start_button.clicked.connect(self._on_start_clicked)
        editor_buttons = QHBoxLayout()
        editor_buttons.addWidget(self.start_button)
        editor_buttons.addStretch(1)
        editor_buttons.addWidget(self.save_button)
        self.message = QLabel(self.editor)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.state_label = QLabel(self.editor)
        self.state_label.setWordWrap(True)
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stderr_view = QPlainTextEdit(self.editor)
        self.stderr_view.setReadOnly(True)
        self.stderr_view.setFont(fixed)
        self.stderr_view.setAccessibleName(self.tr("What the server printed last"))
        self.stderr_view.setFixedHeight(self.stderr_view.fontMetrics().lineSpacing() * 5 + 12)
        self.stderr_view.hide()
        editor_layout = QVBoxLayout(self.editor)
        editor_layout.addLayout(self.form)
        editor_layout.addLayout(editor_buttons)
        editor_layout.addWidget(self.message)
        editor_layout.addWidget(self.state_label)
        editor_layout.addWidget(self.stderr_view)
        editor_layout.addStretch(1)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addLayout(left, 2)
        top.addWidget(self.editor, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addWidget(close)
        self._open_editor(None)

    # --- what the controller sets ------------------------------------------------------

    def set_servers(self, servers: list[ServerConfig], select: str | None = None) -> None:
        """The configured servers (secret values are not needed: names only)."""
        keep = select if select is not None else self._editing
        self._servers = {c.name: c for c in servers}
        self.list.blockSignals(True)
        self.list.clear()
        for cfg in servers:
            item = QListWidgetItem(self._item_text(cfg.name), self.list)
            item.setData(Qt.ItemDataRole.UserRole, cfg.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if cfg.enabled else Qt.CheckState.Unchecked)
            item.setToolTip(cfg.describe()[:500])
        self.list.blockSignals(False)
        names = list(self._servers)
        if keep in self._servers:
            self.list.setCurrentRow(names.index(keep))
        elif names:
            self.list.setCurrentRow(0)
        else:
            self._open_editor(None)
        self._update_buttons()

    def set_status(self, name: str, state: str, detail: str = "", stderr_tail: str = "") -> None:
        """A server's state line ("ready, 2 tools", "failed: …") and its stderr tail."""
        line = f"{state}: {detail}" if detail else state
        self._states[name] = (line, stderr_tail[-_TAIL_SHOWN:])
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == name:
                self.list.blockSignals(True)
                item.setText(self._item_text(name))
                self.list.blockSignals(False)
        if name == self._editing:
            self._show_state(name)

    def set_approvals(self, approvals: list[tuple[str, str]]) -> None:
        """Every (server, tool) allowed always."""
        self.approvals.clear()
        for server, tool in approvals:
            item = QListWidgetItem(f"{server} › {tool}", self.approvals)
            item.setData(Qt.ItemDataRole.UserRole, (server, tool))
        self._update_buttons()

    def show_message(self, ok: bool, text: str) -> None:
        self.message.setStyleSheet(_OK_STYLE if ok else _ERROR_STYLE)
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def state_text(self, name: str) -> str:
        return self._states.get(name, ("", ""))[0]

    # --- the editor ----------------------------------------------------------------------

    def _item_text(self, name: str) -> str:
        state = self._states.get(name, ("", ""))[0]
        return f"{name}  ({state})" if state else name

    def _on_row_changed(self, row: int) -> None:
        item = self.list.item(row) if row >= 0 else None
        name = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self._open_editor(self._servers.get(str(name)) if name is not None else None)
        self._update_buttons()

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        name = str(item.data(Qt.ItemDataRole.UserRole))
        cfg = self._servers.get(name)
        on = item.checkState() == Qt.CheckState.Checked
        if cfg is not None and cfg.enabled != on:
            cfg.enabled = on
            if name == self._editing:
                self.enabled_check.setChecked(on)
            self.enabled_changed.emit(name, on)

    def _open_editor(self, cfg: ServerConfig | None) -> None:
        self._editing = cfg.name if cfg is not None else None
        self.editor.setTitle(self.tr("New server") if cfg is None else self.tr("Server"))
        cfg = cfg or ServerConfig("")
        # A rename would orphan the keyring entry and the approvals: a new name is a new server.
        self.name_edit.setText(cfg.name)
        self.name_edit.setReadOnly(self._editing is not None)
        self.transport_combo.setCurrentIndex(1 if cfg.url else 0)
        self.command_edit.setText(cfg.command)
        self.args_edit.setPlainText("\n".join(cfg.args))
        self.env_edit.setPlainText("\n".join(f"{k}=" for k in cfg.env))
        self.cwd_edit.setText(cfg.cwd or "")
        self.url_edit.setText(mask_credentials(cfg.url))  # never shown in clear
        self.headers_edit.setPlainText("\n".join(f"{k}: " for k in cfg.headers))
        self.timeout_spin.setValue(cfg.timeout_s or DEFAULT_CALL_TIMEOUT_S)
        self.enabled_check.setChecked(cfg.enabled)
        self.show_message(True, "")
        self._update_transport()
        self._show_state(self._editing)

    def _show_state(self, name: str | None) -> None:
        line, tail = self._states.get(name or "", ("", ""))
        if name is None:
            line = ""
        elif not line:
            line = self.tr("not started in this session")
        self.state_label.setText(self.tr("State: %1").replace("%1", line) if line else "")
        self.state_label.setVisible(bool(line))
        self.stderr_view.setPlainText(tail)
        self.stderr_view.setVisible(bool(tail))
        self.start_button.setEnabled(name is not None)

    def _update_transport(self) -> None:
        http = self.transport_combo.currentData() == "http"
        for widget, show in (
            (self.command_edit, not http),
            (self.args_edit, not http),
            (self.env_edit, not http),
            (self.cwd_edit, not http),
            (self.url_edit, http),
            (self.headers_edit, http),
        ):
            self.form.setRowVisible(widget, show)

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(self._editing is not None)
        self.revoke_button.setEnabled(self.approvals.currentRow() >= 0)

    def config(self) -> ServerConfig:
        """The server as the fields describe it.

        Raises:
            McpConfigError: the fields do not describe a usable server.
        """
        http = self.transport_combo.currentData() == "http"
        cfg = ServerConfig(
            name=self.name_edit.text().strip(),
            enabled=self.enabled_check.isChecked(),
            timeout_s=float(self.timeout_spin.value()),
        )
        if http:
            cfg.url = self.url_edit.text().strip()
            cfg.headers = parse_pairs(self.headers_edit.toPlainText(), ":")
        else:
            cfg.command = self.command_edit.text().strip()
            cfg.args = [a for a in self.args_edit.toPlainText()[:_MAX_FIELD].splitlines() if a]
            cfg.env = parse_pairs(self.env_edit.toPlainText(), "=")
            cfg.cwd = self.cwd_edit.text().strip() or None
        cfg.check()
        if self._editing is None and cfg.name in self._servers:
            raise McpConfigError(f"there is already a server named {cfg.name}")
        return cfg

    # --- buttons -----------------------------------------------------------------------------

    def _on_add_clicked(self) -> None:
        self.list.setCurrentRow(-1)
        self._open_editor(None)
        self._update_buttons()
        self.name_edit.setFocus()

    def _on_save_clicked(self) -> None:
        try:
            cfg = self.config()
        except McpConfigError as exc:
            self.show_message(False, str(exc))
            return
        self.save_requested.emit(cfg, self._editing or "")

    def _on_start_clicked(self) -> None:
        if self._editing is not None:
            self.start_requested.emit(self._editing)

    def _on_remove_clicked(self) -> None:
        name = self._editing
        if name is None:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Remove server"),
            self.tr("Forget the MCP server %1, its stored secrets and approvals?").replace(
                "%1", name
            ),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.remove_requested.emit(name)

    def _on_import_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Import MCP servers"), "", self.tr("JSON files (*.json);;All files (*)")
        )
        if path:
            self.import_requested.emit(path)

    def _on_revoke_clicked(self) -> None:
        item = self.approvals.currentItem()
        if item is None:
            return
        server, tool = item.data(Qt.ItemDataRole.UserRole)
        self.revoke_requested.emit(str(server), str(tool))
