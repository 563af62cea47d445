"""The window's MCP part: the tool-server chooser, approvals, and the tool loop of a turn.

The chat controller hands a turn here when the conversation offers MCP tools
(:meth:`McpController.run_turn`); the loop itself is core's
:class:`~chatdesk.core.toolloop.ToolTurn`. Servers run on the manager's own thread,
so a slow or broken server never freezes the window; they stop when the window closes.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from chatdesk.core.exchange import Exchange
from chatdesk.core.mcpconfig import CONVERSATION_PARAM, McpSettings, conversation_servers
from chatdesk.core.mcpmanager import McpManager, ServerStatus
from chatdesk.core.toolloop import Approval, PendingCall, ToolLoopObserver, ToolRun, ToolTurn
from chatdesk.ctl.pane import PaneBinder
from chatdesk.ui.mcpwidgets import ApprovalDialog, ToolServersButton

if TYPE_CHECKING:
    from chatdesk.ctl.chat import Controller


class McpController(QObject):
    """Owns the MCP settings and manager of the window."""

    def __init__(self, chat: Controller) -> None:
        super().__init__(chat)
        self.chat = chat
        self.settings = McpSettings(chat.store, chat.keys)
        self.manager = McpManager(lambda name: self.settings.get(name, secrets=True))
        self.turn: ToolTurn | None = None
        self.dialog: ApprovalDialog | None = None
        self.button = ToolServersButton(chat.window)
        self.button.about_to_show.connect(self.refresh_button)
        self.button.selection_changed.connect(self.set_conversation_servers)
        chat.window.toolbar.addWidget(self.button)
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_event_loop()
        except RuntimeError:
            loop = None
        self.manager.watch(self._on_status, loop)
        chat.mcp = self

    # --- the chooser ------------------------------------------------------------------

    def chosen(self) -> list[str]:
        return conversation_servers(self.chat.window.params_panel.params())

    def refresh_button(self) -> None:
        servers = []
        for cfg in self.settings.servers():
            if not cfg.enabled:
                continue
            status = self.manager.status(cfg.name)
            servers.append((cfg.name, status.summary() if status.state != "stopped" else ""))
        self.button.set_servers(servers, self.chosen())

    def set_conversation_servers(self, names: list[str]) -> None:
        """Store the choice with the conversation's parameters (and the panel's)."""
        panel = self.chat.window.params_panel
        params = panel.params()
        if names:
            params[CONVERSATION_PARAM] = list(names)
        else:
            params.pop(CONVERSATION_PARAM, None)
        panel.set_params(params)
        conv_id = self.chat.conversation_id
        if conv_id is not None:
            conv = self.chat.store.get_conversation(conv_id)
            if conv is not None:
                stored = dict(conv.params)
                if names:
                    stored[CONVERSATION_PARAM] = list(names)
                else:
                    stored.pop(CONVERSATION_PARAM, None)
                self.chat.store.update_conversation(conv_id, params=stored)

    def _on_status(self, status: ServerStatus) -> None:
        if status.state == "failed":
            self.chat.window.set_status(
                self.tr("MCP server %1 failed: %2")
                .replace("%1", status.name)
                .replace("%2", status.error)
            )

    # --- a turn -------------------------------------------------------------------------

    def servers_for(self, conversation_id: int) -> list[str]:
        conv = self.chat.store.get_conversation(conversation_id)
        return conversation_servers(conv.params if conv else None)

    async def run_turn(self, first: Exchange, servers: list[str]) -> Exchange:
        """Run the tool loop in place of ``first``; the last exchange of the turn."""
        chat = self.chat
        controller = self

        class Observer(ToolLoopObserver):
            def exchange_created(self, turn: ToolTurn, exchange: Exchange) -> None:
                binder = PaneBinder(chat.model, exchange.store or chat.store)  # type: ignore[arg-type]
                exchange.observe(binder)
                chat.exchange = exchange
                chat._binder = binder

            def tools_started(self, turn: ToolTurn, calls: list[PendingCall]) -> None:
                names = ", ".join(f"{c.server}.{c.tool}" for c in calls)
                chat.window.set_status(controller.tr("Running %1…").replace("%1", names))

            def tools_saved(self, turn: ToolTurn, runs: list[ToolRun]) -> None:
                if chat.conversation_id == first.target.conversation_id:
                    chat.reload_messages(first.store)

        turn = ToolTurn(
            first.client,
            first.request,
            manager=self.manager,
            servers=servers,
            approve=self.approve,
            approvals=self.settings,
            store=first.store,  # type: ignore[arg-type]
            target=first.target,
            observer=Observer(),
        )
        self.turn = turn
        try:
            outcome = await turn.run()
        finally:
            self.turn = None
        notes = list(outcome.notes)
        if outcome.limit_reached:
            notes.append(
                self.tr("Stopped after %1 tool rounds.").replace("%1", str(turn.max_rounds))
            )
        if notes:
            chat.window.set_status(" ".join(notes))
        return outcome.exchanges[-1] if outcome.exchanges else first

    async def approve(self, call: PendingCall) -> Approval:
        """Ask in a dialog (the window keeps running); Stop closes it as a denial."""
        dialog = ApprovalDialog(call.server, call.tool, call.arguments_text, self.chat.window)
        self.dialog = dialog
        future: asyncio.Future[str] = asyncio.get_event_loop().create_future()
        dialog.finished.connect(lambda _code: future.done() or future.set_result(dialog.choice))
        dialog.open()
        try:
            choice = await future
        finally:
            self.dialog = None
            dialog.close()
            dialog.deleteLater()
        return Approval(choice)

    def stop(self) -> None:
        if self.turn is not None:
            self.turn.stop()

    async def aclose(self) -> None:
        self.stop()
        await self.manager.aclose()
