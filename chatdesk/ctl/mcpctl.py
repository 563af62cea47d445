"""The window's MCP part: the tool-server chooser, approvals, and the tools of a turn.

When a conversation (or a compare column) offers MCP tools, its controller asks here
for a :class:`~chatdesk.core.tools.toolloop.ToolSetup` (:meth:`McpController.tool_setup`:
this window's servers and approval queue) and hands it to the turn's
:class:`~chatdesk.core.chat.runner.TurnRunner`, which runs core's tool loop. Continuing a
cut answer (Continue) runs the loop too: the history may hold earlier tool calls,
which some servers accept only next to the tools' definitions, and the rest of an
answer may need a tool. The continuation is appended to the cut row (its tool calls
with it), and the rounds after it are ordinary answers under the tool results.
Servers run on the manager's own thread, so a slow or broken server never freezes
the window; they stop when the window closes.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt

from chatdesk.core.keys import KeyringProblem
from chatdesk.core.tools.mcpconfig import (
    CONVERSATION_PARAM,
    MAX_IMPORT_BYTES,
    McpConfigError,
    McpSettings,
    ServerConfig,
    conversation_servers,
)
from chatdesk.core.tools.mcpmanager import McpManager, ServerState, ServerStatus
from chatdesk.core.tools.toolloop import Approval, PendingCall, ToolSetup
from chatdesk.ui.mcpsettings import McpServersDialog
from chatdesk.ui.mcpwidgets import ApprovalDialog, ToolServersButton

if TYPE_CHECKING:
    from chatdesk.ctl.services import Services
    from chatdesk.ui.mainwindow import MainWindow


@dataclass(eq=False)
class _Ask:
    """A question waiting in the window's approval queue."""

    call: PendingCall
    column: str
    model: str
    future: asyncio.Future[str]
    dialog: ApprovalDialog | None = None


class McpController(QObject):
    """Owns the MCP settings and manager of the window."""

    def __init__(self, window: MainWindow, services: Services) -> None:
        super().__init__(services)
        self.window = window
        self.services = services
        self.settings = McpSettings(services.store, services.keys)
        self.manager = McpManager(lambda name: self.settings.get(name, secrets=True))
        self.dialog: ApprovalDialog | None = None  # the question shown (the queue's first)
        self._asks: list[_Ask] = []
        self.button = ToolServersButton(window)
        self.button.about_to_show.connect(self.refresh_button)
        self.button.selection_changed.connect(self.set_conversation_servers)
        self.button.manage_requested.connect(lambda: self.open_manager())
        self.servers_dialog: McpServersDialog | None = None
        window.header.add_tool(self.button)
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_event_loop()
        except RuntimeError:
            loop = None
        self.manager.watch(self._on_status, loop)

    # --- the chooser ------------------------------------------------------------------

    def chosen(self) -> list[str]:
        return conversation_servers(self.window.params_panel.params())

    def refresh_button(self) -> None:
        servers = []
        for cfg in self.settings.servers():
            if not cfg.enabled:
                continue
            status = self.manager.status(cfg.name)
            running = status.state is not ServerState.STOPPED
            servers.append((cfg.name, status.summary() if running else ""))
        self.button.set_servers(servers, self.chosen())

    def set_conversation_servers(self, names: list[str]) -> None:
        """Store the choice with the conversation's parameters (and the panel's)."""
        panel = self.window.params_panel
        params = panel.params()
        if names:
            params[CONVERSATION_PARAM] = list(names)
        else:
            params.pop(CONVERSATION_PARAM, None)
        panel.set_params(params)
        conv_id = self.services.shown_conversation
        if conv_id is not None:
            conv = self.services.store.get_conversation(conv_id)
            if conv is not None:
                stored = dict(conv.params)
                if names:
                    stored[CONVERSATION_PARAM] = list(names)
                else:
                    stored.pop(CONVERSATION_PARAM, None)
                self.services.store.update_conversation(conv_id, params=stored)

    def _on_status(self, status: ServerStatus) -> None:
        self._show_status(status)
        if status.state == "failed":
            self.window.set_status(
                self.tr("MCP server %1 failed: %2")
                .replace("%1", status.name)
                .replace("%2", status.error)
            )

    # --- the servers dialog ------------------------------------------------------------

    def open_manager(self, parent: Any = None) -> McpServersDialog:
        """Show the servers dialog (one at a time); Settings passes itself as the parent."""
        if self.servers_dialog is not None:
            self.servers_dialog.raise_()
            self.servers_dialog.activateWindow()
            return self.servers_dialog
        dialog = McpServersDialog(parent or self.window)
        dialog.save_requested.connect(self.save_server)
        dialog.remove_requested.connect(self.remove_server)
        dialog.enabled_changed.connect(self.enable_server)
        dialog.start_requested.connect(lambda name: self.services.spawn(self.start_server(name)))
        dialog.import_requested.connect(self.import_file)
        dialog.revoke_requested.connect(self.revoke)
        dialog.finished.connect(lambda _code: self._dialog_closed(dialog))
        self.servers_dialog = dialog
        self._refresh_dialog()
        for cfg in self.settings.servers():
            self._show_status(self.manager.status(cfg.name))
        dialog.open()
        return dialog

    def _dialog_closed(self, dialog: McpServersDialog) -> None:
        if self.servers_dialog is dialog:
            self.servers_dialog = None
        dialog.deleteLater()

    def _refresh_dialog(self, select: str | None = None) -> None:
        dialog = self.servers_dialog
        if dialog is not None:
            dialog.set_servers(self.settings.servers(), select)
            dialog.set_approvals(self.settings.approvals())
        self.refresh_button()

    def _show_status(self, status: ServerStatus) -> None:
        """The state line of a server in the dialog, in the user's language."""
        dialog = self.servers_dialog
        if dialog is None:
            return
        texts = {
            ServerState.STOPPED: self.tr("stopped"),
            ServerState.STARTING: self.tr("starting…"),
            ServerState.READY: self.tr("ready, %1 tools").replace("%1", str(len(status.tools))),
            ServerState.FAILED: self.tr("failed"),
        }
        detail = status.error if status.state is ServerState.FAILED else ""
        dialog.set_status(status.name, texts[status.state], detail, status.stderr_tail)

    def save_server(self, cfg: ServerConfig, old_name: str) -> None:
        """Store an added or edited server; a running one stops (it restarts when used)."""
        dialog = self.servers_dialog
        try:
            self.settings.save(cfg, keep_secrets=bool(old_name))
        except McpConfigError as exc:
            if dialog is not None:
                dialog.show_message(False, str(exc))
            return
        except KeyringProblem as exc:
            if dialog is not None:
                dialog.show_message(False, exc.explain(self.services.language()))
            return
        self._refresh_dialog(cfg.name)
        if dialog is not None:
            dialog.show_message(True, self.tr("Saved %1.").replace("%1", cfg.name))
        if self.manager.status(cfg.name).state is not ServerState.STOPPED:
            self.services.spawn(self._stopped(cfg.name))

    async def _stopped(self, name: str) -> None:
        await self.manager.stop(name)
        self._show_status(self.manager.status(name))
        self.refresh_button()

    def remove_server(self, name: str) -> None:
        try:
            self.settings.remove(name)
        except KeyringProblem as exc:
            if self.servers_dialog is not None:
                self.servers_dialog.show_message(False, str(exc))
        chosen = self.chosen()
        if name in chosen:
            self.set_conversation_servers([n for n in chosen if n != name])
        self._refresh_dialog()
        self.services.spawn(self._stopped(name))

    def enable_server(self, name: str, enabled: bool) -> None:
        self.settings.set_enabled(name, enabled)
        self._refresh_dialog(name)
        if not enabled:
            self.services.spawn(self._stopped(name))

    async def start_server(self, name: str) -> ServerStatus:
        """Start a server from the dialog (its state lines follow through the watcher)."""
        status = await self.manager.ensure(name)
        self._show_status(status)
        self.refresh_button()
        return status

    def import_file(self, path: str) -> list[str]:
        """Import an ``mcpServers`` JSON file; the names added (the dialog says so)."""
        dialog = self.servers_dialog
        try:
            with Path(path).open("rb") as fh:
                raw = fh.read(MAX_IMPORT_BYTES + 1)
            names = self.settings.import_json(raw.decode("utf-8", "replace"))
        except OSError as exc:
            names, error = [], exc.strerror or str(exc)
        except (McpConfigError, KeyringProblem) as exc:
            names, error = [], str(exc)
        else:
            error = ""
        self._refresh_dialog(names[0] if names else None)
        if dialog is not None:
            if error:
                dialog.show_message(False, self.tr("Not imported: %1").replace("%1", error))
            else:
                dialog.show_message(True, self.tr("Imported: %1").replace("%1", ", ".join(names)))
        return names

    def revoke(self, server: str, tool: str) -> None:
        self.settings.revoke(server, tool)
        self._refresh_dialog()

    # --- a turn -------------------------------------------------------------------------

    def servers_for(self, conversation_id: int) -> list[str]:
        conv = self.services.store.get_conversation(conversation_id)
        return conversation_servers(conv.params if conv else None)

    def tool_setup(self, servers: list[str], *, column: str = "", model: str = "") -> ToolSetup:
        """This window's tools for a :class:`~chatdesk.core.chat.runner.TurnRunner`: its
        manager, its approval queue (naming ``column`` and ``model``), its "always"."""

        async def approve(call: PendingCall) -> Approval:
            return await self.approve(call, column, model)

        return ToolSetup(self.manager, list(servers), approve, self.settings)

    async def approve(self, call: PendingCall, column: str = "", model: str = "") -> Approval:
        """Ask in a dialog (the window keeps running); Stop withdraws the question.

        Compare columns ask at the same moment, so the questions wait in one queue per
        window and one dialog shows at a time, naming the asking ``column`` (and its
        ``model``, which a blind comparison leaves empty). Stop cancels this coroutine:
        the question leaves the queue (its dialog closes if shown) and the turn counts
        the call as stopped.
        """
        loop = asyncio.get_event_loop()
        ask = _Ask(call, column, model, loop.create_future())
        self._asks.append(ask)
        self._show_next()
        try:
            choice = await ask.future
        finally:
            self._retire(ask)
        return Approval(choice)

    def waiting(self) -> list[str]:
        """The columns whose questions are queued, the shown one first ("" for the chat)."""
        return [ask.column for ask in self._asks]

    def _show_next(self) -> None:
        if self.dialog is not None or not self._asks:
            return
        ask = self._asks[0]
        call = ask.call
        dialog = ApprovalDialog(
            call.server,
            call.tool,
            call.arguments_text,
            self.window,
            column=ask.column,
            model=ask.model,
        )
        ask.dialog = dialog
        self.dialog = dialog
        dialog.finished.connect(lambda _code: self._answered(ask, dialog))
        # Modeless, above the window: the columns' Stop (and Esc, stop all) stay
        # reachable while it asks, and they withdraw their questions.
        dialog.setWindowModality(Qt.WindowModality.NonModal)
        dialog.show()

    def _answered(self, ask: _Ask, dialog: ApprovalDialog) -> None:
        if ask.dialog is not dialog:
            return  # withdrawn: _retire closed it
        if not ask.future.done():
            ask.future.set_result(dialog.choice)
        self._retire(ask)

    def _retire(self, ask: _Ask) -> None:
        """Take an answered or withdrawn question off the queue; the next one shows."""
        if ask in self._asks:
            self._asks.remove(ask)
        dialog, ask.dialog = ask.dialog, None
        if dialog is not None:
            if self.dialog is dialog:
                self.dialog = None
            dialog.close()
            dialog.deleteLater()
        self._show_next()

    async def aclose(self) -> None:
        await self.manager.aclose()
