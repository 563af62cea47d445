"""The chat pane's controller: its conversation, the exchange and the message actions.

It asks core for everything: branch rules (:mod:`chatdesk.core.chat.branches`), requests
(:mod:`chatdesk.core.chat.turns`) and the exchange itself
(:class:`~chatdesk.core.chat.exchange.Exchange`, fed into the view by a
:class:`~chatdesk.ctl.pane.PaneBinder`). What it shares with the other controllers
(store, keys, clients, settings, background tasks, what is running) comes from
:class:`~chatdesk.ctl.services.Services`; the server and the model list from
:class:`~chatdesk.ctl.endpoint.EndpointService`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QInputDialog, QMessageBox

from chatdesk.core.chat import branches
from chatdesk.core.chat.exchange import Exchange, ExchangeTarget
from chatdesk.core.chat.extrabody import extra_body_for
from chatdesk.core.chat.patient import PatientStore
from chatdesk.core.chat.runner import TurnObserver, TurnRunner, TurnStatus
from chatdesk.core.chat.session import ExchangeOutcome
from chatdesk.core.chat.titles import make_title
from chatdesk.core.chat.turns import Draft, build_request, preview_body, save_user_turn
from chatdesk.core.errors import ChatdeskError, ValidationError, plain
from chatdesk.core.services import server_ref
from chatdesk.core.tools.toolloop import PendingCall, ToolRun
from chatdesk.core.urls import mask_credentials
from chatdesk.ctl.endpoint import EndpointService
from chatdesk.ctl.pane import PaneBinder, effective_params, turn_notes
from chatdesk.ctl.services import WINDOW_STORE_WAIT_S, Services, ToolHost
from chatdesk.store.rows import MessageRow, MessageStatus
from chatdesk.strict import strict
from chatdesk.ui.actions import MessageAction
from chatdesk.ui.mainwindow import MainWindow

if TYPE_CHECKING:
    from chatdesk.store import Store


class ChatController(QObject):
    """Wires the chat pane (composer, message view, parameters) to the engine.

    Signals:
        exchange_finished(str): status of the last exchange (done, stopped, error).
        title_updated(int, str): a conversation got its generated title.
    """

    exchange_finished = Signal(str)
    title_updated = Signal(int, str)

    def __init__(
        self,
        window: MainWindow,
        services: Services,
        endpoint: EndpointService,
        tools: ToolHost | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.services = services
        self.endpoint = endpoint
        self.tools = tools
        self.model = window.message_model
        self._task: asyncio.Task[Any] | None = None
        self.exchange: Exchange | None = None
        self.runner: TurnRunner | None = None  # the turn running (or the last one)
        self._binder: PaneBinder | None = None
        self.last_outcome: ExchangeOutcome | None = None
        self._actions: dict[MessageAction, Callable[[int, object], None]] = {
            MessageAction.COPY: self._action_copy,
            MessageAction.REGENERATE: self._action_regenerate,
            MessageAction.RETRY: self._action_retry,
            MessageAction.CONTINUE: self._action_continue,
            MessageAction.EDIT: self._action_edit,
            MessageAction.DELETE: self._action_delete,
            MessageAction.BRANCH_PREV: lambda mid, _a: self._switch_branch(mid, -1),
            MessageAction.BRANCH_NEXT: lambda mid, _a: self._switch_branch(mid, +1),
            MessageAction.TOOL_RESULT: self._action_tool_result,
            # Done by the view itself; reported so that feedback can follow.
            MessageAction.COPY_CODE: lambda _mid, _a: self.window.set_status(self.tr("Copied")),
            MessageAction.OPEN_LINK: lambda _mid, _a: None,
        }
        self._connect()
        services.running.register("chat", lambda: self.busy)

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def conversation_id(self) -> int | None:
        """The conversation shown in the pane (None: a new chat not sent yet)."""
        return self.services.shown_conversation

    @conversation_id.setter
    def conversation_id(self, value: int | None) -> None:
        self.services.shown_conversation = value

    # --- set-up ------------------------------------------------------------------------

    def _connect(self) -> None:
        w = self.window
        w.composer.submitted.connect(self.on_submitted)
        w.composer.stop_requested.connect(self.stop)
        w.composer.edit_submitted.connect(self.edit_and_resend)
        w.composer.edit_last_requested.connect(self.edit_last)
        w.regenerate_last_requested.connect(lambda: self._on_last_answer(MessageAction.REGENERATE))
        w.copy_last_requested.connect(lambda: self._on_last_answer(MessageAction.COPY))
        w.conversations.conversation_selected.connect(self.open_conversation)
        w.conversations.new_requested.connect(self.new_conversation)
        w.message_view.action_requested.connect(self.on_action)
        w.model_picker.model_changed.connect(self._on_model_changed)
        w.params_panel.params_changed.connect(self._on_params)
        w.params_panel.view_code_requested.connect(self.view_code)
        w.system_prompt_changed.connect(self._on_system_prompt)
        w.closing.connect(self.on_closing)
        s = self.services
        s.open_requested.connect(self.open_conversation)
        s.new_chat_requested.connect(self.new_conversation)
        s.messages_changed.connect(self._on_messages_changed)
        s.store_replaced.connect(self._on_store_replaced)
        layout = self.store.get_setting("window_layout")
        if isinstance(layout, dict):
            w.restore_layout(layout)

    def start(self) -> None:
        """After the first paint: keys, list, last conversation; models in the background."""
        self.endpoint.reload_endpoint()
        self.window.conversations.reload()
        rows = self.store.list_conversations(limit=1, pinned_first=False)
        if rows:
            self.open_conversation(rows[0].id)
            self.window.conversations.select_conversation(rows[0].id)
        elif self.endpoint.override_model:
            self.window.model_picker.set_current(self.endpoint.override_model)
        self.window.composer.focus_input()
        self.endpoint.refresh_models()

    def _on_store_replaced(self, store: Store) -> None:
        """After a restore: show the new database from scratch."""
        self.model.image_loader = store.get_image
        self.conversation_id = None
        self.new_conversation()
        self.window.conversations.reload()
        self.start()

    def _on_messages_changed(self, conversation_id: int) -> None:
        if conversation_id == self.conversation_id:
            self.reload_messages()

    def forget(self, conversation_id: int) -> None:
        """The conversation is being deleted: if shown, stop it and show a new chat."""
        if conversation_id == self.conversation_id:
            self.stop()  # its late writes then land nowhere (ids are never reused)
            self.reset_to_new()

    # --- conversations -----------------------------------------------------------------

    def new_conversation(self) -> None:
        """An empty chat; the row is created when the first message is sent."""
        if self.services.running.any():
            self.window.set_status(self.tr("Wait for the answer to finish or stop it first."))
            return
        self.window.show_compare(False)
        self.reset_to_new()

    def reset_to_new(self) -> None:
        self.conversation_id = None
        self.model.set_messages([], {})
        self.window.set_system_prompt("")
        self.window.params_panel.set_params({})
        self.window.temperature.set_value(None)
        self.window.conversations.select_conversation(-1)
        self.window.composer.focus_input()

    def open_conversation(self, conversation_id: int) -> None:
        """Show a conversation: a comparison opens in the compare view, the rest here."""
        others = self.services.running.any(ignore=("chat",))
        if (self.busy and conversation_id != self.conversation_id) or others:
            self.window.set_status(self.tr("Wait for the answer to finish or stop it first."))
            if self.conversation_id is not None:
                self.window.conversations.select_conversation(self.conversation_id)
            return
        if self.services.open_elsewhere(conversation_id):  # a comparison: the compare view
            return
        conv = self.store.get_conversation(conversation_id)
        if conv is None:
            return
        self.window.show_compare(False)
        self.endpoint.follow(conv.provider)  # the server it remembers, where reachable
        self.conversation_id = conversation_id
        self.reload_messages()
        self.window.set_system_prompt(conv.system_prompt)
        self.window.params_panel.set_params(conv.params)
        self.window.temperature.set_value(conv.params.get("temperature"))
        if conv.model:
            self.window.model_picker.set_current(conv.model)

    def _refresh_switchers(self, conversation_id: int) -> None:
        """A new answer's `< 2/2 >` shows as soon as it exists (regenerate, retry)."""
        if self.conversation_id == conversation_id:
            self.model.set_branch_info(branches.branch_view(self.store, conversation_id).siblings)

    def reload_messages(self, kept: Any = None) -> None:
        """Show the active branch; sibling positions feed the `< 2/3 >` switchers.

        ``kept``: a :class:`PatientStore` whose unsaved updates are shown too.
        """
        view = branches.branch_view(self.store, self.conversation_id)
        path = view.path
        if isinstance(kept, PatientStore) and kept.unsaved:
            path = [kept.overlay(r) for r in path]
        self.model.set_messages(path, view.siblings)

    def _provider(self) -> str | None:
        current = self.endpoint.endpoint
        return current.name if current is not None else None

    def _server_ref(self) -> str | None:
        """What the conversation remembers of its server: a provider or ``url:`` + base URL."""
        current = self.endpoint.endpoint
        return server_ref(current) if current is not None else None

    def _refresh_row(self, conversation_id: int) -> None:
        row = self.store.get_conversation(conversation_id)
        if row is not None:
            self.window.conversations.update_row(row)

    # --- parameters ----------------------------------------------------------------------

    def _conversation_params(self) -> dict[str, Any]:
        if self.conversation_id is None:
            return {}
        conv = self.store.get_conversation(self.conversation_id)
        return dict(conv.params) if conv else {}

    def _on_params(self, params: dict[str, Any]) -> None:
        # The temperature is one of the panel's fields (window.temperature is it).
        if self.conversation_id is not None:
            self.store.update_conversation(self.conversation_id, params=self.effective_params())

    def _on_model_changed(self, model: str) -> None:
        if self.conversation_id is not None and model:
            self.store.update_conversation(self.conversation_id, model=model)

    def _on_system_prompt(self, text: str) -> None:
        if self.conversation_id is not None:
            self.store.update_conversation(self.conversation_id, system_prompt=text)

    def effective_params(self) -> dict[str, Any]:
        """What the next request carries: the panel plus the toolbar temperature."""
        return effective_params(self.window)

    def current_model(self) -> str:
        return self.endpoint.current_model()

    # --- sending -----------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def on_submitted(self, text: str, attachments: list[Any]) -> None:
        """The composer sent a message: save it, then ask the server (never lose the draft)."""
        try:
            self._submit(text, attachments)
        except Exception as exc:  # a store or set-up failure: keep the draft, say why
            self.window.composer.set_text(text)
            self.window.composer.set_attachments(attachments)
            self.window.set_status(self.tr("Not sent: %1").replace("%1", plain(exc)))
            if strict():
                raise

    def _submit(self, text: str, attachments: list[Any]) -> None:
        if self.busy or self.endpoint.client is None:
            self.window.composer.set_text(text)
            self.window.composer.set_attachments(attachments)
            if not self.busy:
                self.window.show_key_panel(True)
            return
        draft = Draft(text, [(a.data, a.mime) for a in attachments])
        shown = self.model.messages()
        parent = branches.parent_for_new_message(shown)
        replaces_failed = bool(shown) and parent != shown[-1].id
        conv_id, user_id = save_user_turn(
            self.store,
            self.conversation_id,
            draft,
            parent_id=parent,
            model=self.current_model(),
            provider=self._server_ref(),
            system_prompt=self.window.system_prompt.toPlainText(),
            params=self.effective_params(),
        )
        self.endpoint.remember_model(self.current_model())
        if self.conversation_id != conv_id:
            self.conversation_id = conv_id
            self.window.conversations.reload()
            self.window.conversations.select_conversation(conv_id)
        self.reload_messages()
        if replaces_failed:
            # Say it: the failed question is kept as the other branch, not lost.
            self.window.set_status(
                self.tr("Sent in place of the failed question (kept as the other branch).")
            )
        self._start(conv_id, user_id, draft=(text, attachments, user_id))

    def _start(
        self,
        conv_id: int,
        parent_id: int,
        *,
        append_to: MessageRow | None = None,
        draft: tuple[str, list[Any], int] | None = None,
    ) -> None:
        client = self.endpoint.client
        if client is None:
            self._restore_draft(draft, drop_message=True)
            return
        conv = self.store.get_conversation(conv_id)
        path = self.store.path_to(parent_id if append_to is None else append_to.id)
        model = (conv.model if conv else None) or self.current_model()
        extra = extra_body_for(self.store, self._provider(), model)
        try:
            request = build_request(
                self.store,
                conv,
                path,
                model,
                conv.params if conv else {},
                append_to=append_to,
                extra_body=extra,
            )
        except ValidationError as exc:
            self._restore_draft(draft, drop_message=True)
            self.window.set_status(self.tr("Not sent: %1").replace("%1", exc.message))
            QMessageBox.warning(
                self.window,
                self.tr("Request not valid"),
                self.tr("Not sent: %1").replace("%1", str(exc)),
            )
            return
        exchange = Exchange(
            client,
            request,
            store=PatientStore(self.store, stream_wait=WINDOW_STORE_WAIT_S),
            target=ExchangeTarget(conv_id, parent_id, append_to),
        )
        patient = exchange.store
        self._binder = PaneBinder(
            self.model,
            patient if isinstance(patient, PatientStore) else self.store,
            show_new_row=append_to is None,
            on_created=lambda _mid: self._refresh_switchers(conv_id),
        )
        exchange.observe(self._binder)
        self.exchange = exchange
        # MCP tools chosen: the tool loop runs the turn (a Continue too).
        tools = self.tools
        servers = tools.servers_for(conv_id) if tools is not None else []
        setup = tools.tool_setup(servers) if tools is not None and servers else None
        # Made here, not in the task: a Stop pressed before the task starts still counts.
        self.runner = TurnRunner(
            self.services.pool,
            exchange,
            endpoint=self.endpoint.endpoint,
            tools=setup,
            observer=self._turn_observer(exchange),
        )
        self._task = asyncio.ensure_future(self._run(self.runner, conv_id, append_to, draft))

    def _turn_observer(self, first: Exchange) -> TurnObserver:
        """The tool loop's exchanges shown in the pane, its tool results as they land."""
        chat = self

        class Observer(TurnObserver):
            def exchange_created(self, runner: TurnRunner, exchange: Exchange) -> None:
                if exchange is first:
                    return  # bound in _start
                # A continued answer (Continue) is already on screen: no new row for it.
                patient = exchange.store
                binder = PaneBinder(
                    chat.model,
                    patient if isinstance(patient, PatientStore) else chat.store,
                    show_new_row=exchange.target.append_to is None,
                )
                exchange.observe(binder)
                chat.exchange = exchange
                chat._binder = binder

            def tools_started(self, runner: TurnRunner, calls: list[PendingCall]) -> None:
                names = ", ".join(f"{c.server}.{c.tool}" for c in calls)
                chat.window.set_status(chat.tr("Running %1…").replace("%1", names))

            def tools_saved(self, runner: TurnRunner, runs: list[ToolRun]) -> None:
                if chat.conversation_id == first.target.conversation_id:
                    chat.reload_messages(first.store)

        return Observer()

    async def _run(
        self,
        runner: TurnRunner,
        conv_id: int,
        append_to: MessageRow | None,
        draft: tuple[str, list[Any], int] | None,
    ) -> None:
        self.window.composer.set_busy(True)
        try:
            result = await runner.run()
        finally:
            self.window.composer.set_busy(False)
            exchange = runner.current or runner.first
            self.last_outcome = exchange.outcome
            if self.conversation_id == conv_id:
                self.reload_messages(exchange.store)  # siblings change the switchers
            elif self._binder is not None:
                self._binder.detach()
            self._refresh_row(conv_id)
        notes = turn_notes(result, self.tr("Stopped after %1 tool rounds."))
        if notes:
            self.window.set_status(notes)
        if result.unsaved:
            self.services.spawn(self.services.save_later(runner))
        if result.failure is not None:  # the store failed (disk full, locked...): say so
            self.window.set_status(
                self.tr("The answer could not be saved: %1").replace("%1", plain(result.failure))
            )
            self._restore_draft(draft, drop_message=False)
            if strict():
                raise result.failure
        elif result.error is not None:
            self._restore_draft(draft, drop_message=False)
            self.window.set_status(result.error.explain(self.services.language()))
        elif result.status is TurnStatus.DONE:
            if not notes:  # a message of the turn goes; the server stays named
                self.endpoint.show_server()
            conv = self.store.get_conversation(conv_id)
            if conv is not None and conv.message_count <= 2 and append_to is None:
                self.services.spawn(self._make_title(conv_id))
        self.exchange_finished.emit(str(result.status))

    def _restore_draft(
        self, draft: tuple[str, list[Any], int] | None, *, drop_message: bool
    ) -> None:
        """A failed send never loses the text: it goes back into the composer."""
        if draft is None:
            return
        text, attachments, user_id = draft
        if drop_message:
            self.store.delete_message(user_id)
            self.reload_messages()
        if not self.window.composer.text().strip():
            self.window.composer.set_text(text)
            self.window.composer.set_attachments(attachments)

    def stop(self) -> None:
        """Stop at once; the partial answer stays, marked as stopped."""
        if self.busy and self.runner is not None:
            self.runner.stop()  # running tool calls and an open approval too

    async def _make_title(self, conv_id: int) -> None:
        """Title a new conversation with a short request to the chosen cheap model."""
        title_model = self.services.app_settings.title_model
        client = self.endpoint.client
        if not title_model or client is None:
            return
        async with self.services.pool.leased(client):
            title = await make_title(client, self.store, conv_id, title_model)
        if title:
            self.store.update_conversation(conv_id, title=title)
            self._refresh_row(conv_id)
            self.title_updated.emit(conv_id, title)

    # --- message actions -----------------------------------------------------------------

    def on_action(self, action: str, message_id: int, arg: object) -> None:
        """Dispatch a message action; an unknown one is a bug and fails loudly in tests."""
        try:
            handler = self._actions[MessageAction(action)]
        except (ValueError, KeyError):
            if strict():
                raise
            return
        handler(message_id, arg)

    def _action_copy(self, message_id: int, _arg: object) -> None:
        row = self.store.get_message(message_id)
        if row is not None:
            QGuiApplication.clipboard().setText(row.content)
            self.window.set_status(self.tr("Copied"))

    def _action_regenerate(self, message_id: int, _arg: object) -> None:
        row = self.store.get_message(message_id)
        if row is None or row.parent_id is None or self.busy:
            return
        # The new answer takes the old one's place at once (the old stays a branch).
        self.model.remove_message(message_id)
        self._start(row.conversation_id, row.parent_id)

    def _action_retry(self, message_id: int, _arg: object) -> None:
        row = self.store.get_message(message_id)
        if row is None or row.parent_id is None or self.busy:
            return
        question = self.store.get_message(row.parent_id)
        if question is not None and self.window.composer.text().strip() == question.content.strip():
            # The failed send put the question back in the composer; Retry sends it
            # again, so keeping it there would let Enter send it twice.
            self.window.composer.clear()
        if row.status == MessageStatus.ERROR and not row.content:
            self.store.delete_message(message_id)
            self.reload_messages()
        else:
            self.model.remove_message(message_id)
        self._start(row.conversation_id, row.parent_id)

    def _action_continue(self, message_id: int, _arg: object) -> None:
        row = self.store.get_message(message_id)
        if row is None or row.parent_id is None or self.busy:
            return
        # "Stopped · Continue" must not stay on screen while the continuation streams.
        self.model.update_message(dataclasses.replace(row, status=MessageStatus.STREAMING))
        self._start(row.conversation_id, row.parent_id, append_to=row)

    def _action_edit(self, message_id: int, _arg: object) -> None:
        """Edit in place: the message goes into the composer (no dialog)."""
        row = self.store.get_message(message_id)
        if row is None or self.busy:
            return
        if row.role != "user":
            self.window.set_status(self.tr("Only your own messages can be edited."))
            return
        self.window.composer.begin_edit(message_id, row.content)

    def edit_last(self) -> None:
        """Up in an empty composer: edit the last message the user sent."""
        if self.busy:
            return
        for row in reversed(self.model.messages()):
            if row.role == "user":
                self.window.composer.begin_edit(row.id, row.content)
                return

    def _on_last_answer(self, action: MessageAction) -> None:
        """Shortcuts on the last answer shown (regenerate, copy)."""
        for row in reversed(self.model.messages()):
            if row.role == "assistant":
                self.on_action(action, row.id, None)
                return
        self.window.set_status(self.tr("There is no answer yet."))

    def edit_and_resend(self, message_id: int, text: str) -> None:
        """A new sibling of the edited message, then a fresh answer under it."""
        row = self.store.get_message(message_id)
        if row is None:
            return
        parts = None
        if row.parts:
            parts = [p for p in row.parts if p.get("type") != "text"]
            parts.insert(0, {"type": "text", "text": text})
        new_id = self.store.add_message(
            row.conversation_id,
            row.role,
            text,
            parent_id=row.parent_id,
            parts=parts,
            make_current=True,
        )
        self.reload_messages()
        if row.role == "user":
            self._start(row.conversation_id, new_id)

    def _action_delete(self, message_id: int, _arg: object) -> None:
        if self.busy:
            return
        self.store.delete_message(message_id)
        self.reload_messages()

    def _switch_branch(self, message_id: int, step: int) -> None:
        if self.busy:
            return
        if branches.switch_sibling(self.store, message_id, step) is not None:
            self.reload_messages()

    def _action_tool_result(self, message_id: int, arg: object) -> None:
        row = self.store.get_message(message_id)
        if row is None or self.busy:
            return
        text, ok = QInputDialog.getMultiLineText(
            self.window,
            self.tr("Tool result"),
            self.tr("Result for %1:").replace("%1", str(arg)),
            "",
        )
        if ok:
            self.send_tool_result(message_id, str(arg), text)

    def send_tool_result(self, message_id: int, call_id: str, result: str) -> None:
        """Answer one tool call; when every call of the message is answered, the chat goes on."""
        row = self.store.get_message(message_id)
        if row is None:
            return
        path = self.store.active_path(row.conversation_id)
        parent, answered = branches.tool_result_parent(path, message_id)
        if call_id in answered:
            self.window.set_status(self.tr("This tool call already has a result."))
            return
        tool_id = self.store.add_message(
            row.conversation_id,
            "tool",
            result,
            parent_id=parent,
            tool_call_id=call_id,
            make_current=True,
        )
        self.reload_messages()
        answered.add(call_id)
        wanted = {c.get("id") for c in row.tool_calls or []}
        if wanted <= answered:
            self._start(row.conversation_id, tool_id)

    # --- View code -----------------------------------------------------------------------

    def current_request_body(self) -> dict[str, Any]:
        """The exact body the next send would carry (for "View code")."""
        conv = self.store.get_conversation(self.conversation_id) if self.conversation_id else None
        path = self.store.active_path(conv.id) if conv else []
        system = None if conv else self.window.system_prompt.toPlainText()
        current = self.endpoint.endpoint
        client = self.services.pool.peek(current) if current else None
        return preview_body(
            self.store,
            conv,
            path,
            self.current_model(),
            self.effective_params(),
            draft_text=self.window.composer.text(),
            system_prompt=system,
            include_usage=bool(getattr(client, "include_usage", True)),
            extra_body=extra_body_for(self.store, self._provider(), self.current_model()),
        )

    def view_code(self) -> None:
        from chatdesk.ui.codedialog import ViewCodeDialog

        current = self.endpoint.endpoint
        base = mask_credentials(current.base_url) if current else ""
        key = current.api_key if current else None
        dialog = ViewCodeDialog(base, self.current_request_body(), key, self.window)
        dialog.setModal(True)
        dialog.show()

    # --- shutdown --------------------------------------------------------------------------

    def on_closing(self) -> None:
        """Save the layout; running answers are stopped (and saved as stopped)."""
        self.store.set_setting("window_layout", self.window.save_layout())
        self.window.conversations.flush_pending_delete()
        self.stop()

    async def aclose(self) -> None:
        if self._task is not None and not self._task.done():
            self.stop()
            try:
                await self._task
            except (asyncio.CancelledError, ChatdeskError):
                pass
