"""The assistants library behind the toolbar menu and the manager dialog.

Saving the window's prompt, model and parameters as an assistant, starting a chat from
one, and the manager's edit / delete / import / export. Storage and every check are in
:mod:`chatdesk.core.chat.assistants`; this only wires them to the widgets.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog, QLineEdit

from chatdesk.core.chat.assistants import (
    Assistant,
    AssistantError,
    delete_assistant,
    dumps_library,
    get_assistant,
    load_assistants,
    merge_imported,
    read_library_file,
    save_assistants,
    upsert_assistant,
)
from chatdesk.ctl.pane import effective_params

if TYPE_CHECKING:
    from chatdesk.ctl.endpoint import EndpointService
    from chatdesk.ctl.services import Services
    from chatdesk.store import Store
    from chatdesk.ui.assistants import AssistantsDialog
    from chatdesk.ui.mainwindow import MainWindow


class AssistantsController(QObject):
    """Wires the assistants menu and manager to the library in the store."""

    def __init__(self, window: MainWindow, services: Services, endpoint: EndpointService) -> None:
        super().__init__(services)
        self.services = services
        self.endpoint = endpoint
        self.window = window
        self.dialog: AssistantsDialog | None = None
        w = self.window
        w.preset_save_requested.connect(self.save_current)
        w.preset_chosen.connect(self.start)
        w.assistants_requested.connect(self.open_manager)
        self._refresh(load_assistants(services.store))  # earlier presets move in here

    @property
    def store(self) -> Store:
        return self.services.store

    def _refresh(self, library: list[Assistant], select: str | None = None) -> None:
        self.window.set_presets([a.name for a in library])
        if self.dialog is not None:
            self.dialog.set_assistants(library, select)

    # --- the toolbar menu ------------------------------------------------------------------

    def _ask_name(self) -> str:
        """The name for a new assistant (a seam tests replace)."""
        name, ok = QInputDialog.getText(
            self.window,
            self.tr("Save as assistant"),
            self.tr("Assistant name:"),
            QLineEdit.EchoMode.Normal,
        )
        return name.strip() if ok else ""

    def save_current(self) -> None:
        """The window's system prompt, model and parameters as an assistant."""
        name = self._ask_name()
        if not name:
            return
        assistant = Assistant(
            name=name,
            system_prompt=self.window.system_prompt.toPlainText(),
            model=self.endpoint.current_model(),
            params=effective_params(self.window),
        )
        try:
            library = upsert_assistant(self.store, assistant)
        except AssistantError as exc:
            self.window.set_status(self.tr("Not saved: %1").replace("%1", str(exc)))
            return
        self._refresh(library, name)
        self.window.set_status(self.tr('Saved the assistant "%1".').replace("%1", name))

    def start(self, name: str) -> None:
        """A new chat with the assistant's prompt, model and parameters."""
        assistant = get_assistant(self.store, name)
        if assistant is None:
            return
        if self.services.running.any():
            self.window.set_status(self.tr("Wait for the answer to finish or stop it first."))
            return
        self.services.new_chat()
        params = assistant.params
        self.window.set_system_prompt(assistant.system_prompt)
        self.window.params_panel.set_params(params)
        temperature = params.get("temperature")
        # The panel and the toolbar show the temperature in force, and that it is the
        # assistant's (the panel said "default" while 0.3 was sent, issue 15).
        self.window.params_panel.temperature.set_value(temperature, from_assistant=True)
        self.window.temperature.set_value(temperature, from_assistant=True)
        if assistant.model:
            self.window.model_picker.set_current(assistant.model)
        self.window.set_assistant(assistant.name)  # the new chat's page names it

    # --- the manager -----------------------------------------------------------------------

    def open_manager(self) -> AssistantsDialog:
        from chatdesk.ui.assistants import AssistantsDialog

        if self.dialog is not None:
            self.dialog.raise_()
            return self.dialog
        dialog = AssistantsDialog(self.window)
        dialog.save_requested.connect(self.on_save)
        dialog.delete_requested.connect(self.on_delete)
        dialog.import_requested.connect(self.on_import)
        dialog.export_requested.connect(self.on_export)
        dialog.start_requested.connect(self.on_start)
        dialog.finished.connect(self._on_closed)
        dialog.setModal(True)
        self.dialog = dialog
        self._refresh(load_assistants(self.store))
        dialog.show()
        return dialog

    def _on_closed(self, _result: int) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = None

    def _tell(self, ok: bool, text: str) -> None:
        if self.dialog is not None:
            self.dialog.show_message(ok, text)

    def _error(self, exc: AssistantError) -> None:
        if self.dialog is not None:
            self.dialog.show_message(False, self.dialog.error_text(exc))

    def on_save(self, assistant: Assistant, old_name: str) -> None:
        try:
            library = upsert_assistant(self.store, assistant, replacing=old_name or None)
        except AssistantError as exc:
            self._error(exc)
            return
        self._refresh(library, assistant.name)
        self._tell(True, self.tr('Saved "%1".').replace("%1", assistant.name))

    def on_delete(self, name: str) -> None:
        self._refresh(delete_assistant(self.store, name))
        self._tell(True, self.tr('Deleted "%1".').replace("%1", name))

    def on_import(self, path: str) -> None:
        try:
            imported = read_library_file(path)
            library, added, replaced = merge_imported(load_assistants(self.store), imported)
        except AssistantError as exc:
            self._error(exc)
            return
        save_assistants(self.store, library)
        self._refresh(library, imported[-1].name)
        self._tell(
            True,
            self.tr("Imported %1 (%2 new, %3 replaced).")
            .replace("%1", Path(path).name)
            .replace("%2", str(added))
            .replace("%3", str(replaced)),
        )

    def on_export(self, path: str) -> None:
        library = load_assistants(self.store)
        try:
            Path(path).write_text(dumps_library(library), encoding="utf-8")
        except OSError as exc:
            self._tell(
                False,
                self.tr("Could not write %1: %2")
                .replace("%1", path)
                .replace("%2", exc.strerror or str(exc)),
            )
            return
        self._tell(
            True,
            self.tr("Exported %1 assistants to %2.")
            .replace("%1", str(len(library)))
            .replace("%2", Path(path).name),
        )

    def on_start(self, name: str) -> None:
        if self.services.running.any():
            self._tell(False, self.tr("Wait for the answer to finish or stop it first."))
            return
        if self.dialog is not None:
            self.dialog.accept()
        self.start(name)
