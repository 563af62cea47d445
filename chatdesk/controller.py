"""The window's controller: turns widget signals into store writes and requests.

It owns the store, the key store and the HTTP client, and runs requests as asyncio
tasks on the qasync loop (one thread: no cross-thread signals). Widgets never see
SQL or HTTP; this object never lays out widgets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox

from chatdesk.api.errors import ApiError, ChatdeskError, ValidationError
from chatdesk.api.types import ChatMessage, ReasoningDelta, StreamEvent, TextDelta
from chatdesk.api.validate import build_body, validate_request
from chatdesk.core.keys import KeyringProblem, KeyStore
from chatdesk.core.services import (
    DEFAULT_MODEL,
    Endpoint,
    SetupError,
    add_user_message,
    fetch_models,
    include_usage_for,
    remember_include_usage,
    resolve_endpoint,
    title_from_text,
)
from chatdesk.core.session import (
    CONTINUE_PROMPT,
    ExchangeOutcome,
    messages_for,
    request_for,
    run_exchange,
)
from chatdesk.store import Store
from chatdesk.store.rows import MessageRow, ProviderRow
from chatdesk.ui.mainwindow import MainWindow

if TYPE_CHECKING:
    from chatdesk.api.client import ChatClient

TITLE_PROMPT = (
    "Write a short title (at most 6 words, no quotes, same language as the conversation) "
    "for this conversation. Reply with the title only."
)


class Controller(QObject):
    """Wires the window to the engine.

    Signals:
        exchange_finished(str): status of the last exchange (done, stopped, error).
        models_loaded(str): the model list arrived (its source).
        store_replaced(Store): a restore swapped the database.
    """

    exchange_finished = Signal(str)
    models_loaded = Signal(str)
    title_updated = Signal(int, str)
    store_replaced = Signal(object)

    def __init__(
        self,
        window: MainWindow,
        store: Store,
        keys: KeyStore,
        *,
        base_url: str | None = None,
        provider: str | None = None,
        model: str | None = None,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.store = store
        self.keys = keys
        self.model = window.message_model
        self._override_base_url = base_url
        self._override_provider = provider
        self._override_model = model
        self._client: ChatClient | None = None
        self._endpoint: Endpoint | None = None
        self._task: asyncio.Task[Any] | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self.conversation_id: int | None = None
        self.last_outcome: ExchangeOutcome | None = None
        self.history: Any = None  # the HistoryController, set by chatdesk.app.build
        self._retired: list[ChatClient] = []
        self._settings: dict[str, Any] = store.get_setting("app_settings", {}) or {}
        self._connect()
        # The endpoint (and with it the keyring, ~150 ms) is resolved in start(),
        # after the first paint.

    # --- set-up ------------------------------------------------------------------------

    def _connect(self) -> None:
        w = self.window
        w.composer.submitted.connect(self.on_submitted)
        w.composer.stop_requested.connect(self.stop)
        w.conversations.conversation_selected.connect(self.open_conversation)
        w.conversations.new_requested.connect(self.new_conversation)
        w.conversations.rename_requested.connect(self._on_rename)
        w.conversations.pin_requested.connect(self._on_pin)
        w.conversations.delete_requested.connect(self._on_delete_conversation)
        w.message_view.action_requested.connect(self.on_action)
        w.model_picker.model_changed.connect(self._on_model_changed)
        w.temperature.value_changed.connect(self._on_temperature)
        w.params_panel.params_changed.connect(self._on_params)
        w.params_panel.view_code_requested.connect(self.view_code)
        w.system_prompt_changed.connect(self._on_system_prompt)
        w.settings_requested.connect(self.open_settings)
        w.preset_save_requested.connect(self._save_preset)
        w.preset_chosen.connect(self._start_preset)
        w.key_panel.test_requested.connect(
            lambda url, key: self._spawn(
                self._test_connection(url, key, "", w.key_panel.show_result)
            )
        )
        w.key_panel.save_requested.connect(self._on_key_saved)
        w.key_panel.use_for_session.connect(self._on_key_for_session)
        w.closing.connect(self.on_closing)
        w.set_presets(sorted((self.store.get_setting("presets", {}) or {}).keys()))
        layout = self.store.get_setting("window_layout")
        if isinstance(layout, dict):
            w.restore_layout(layout)

    def settings(self) -> dict[str, Any]:
        return dict(self._settings)

    def reload_endpoint(self) -> None:
        """(Re)create the client for the chosen server; show the key panel when no key."""
        try:
            self._endpoint = resolve_endpoint(
                self.store,
                self.keys,
                provider=self._override_provider,
                base_url=self._override_base_url,
            )
        except (SetupError, ValidationError, KeyringProblem) as exc:
            self._endpoint = None
            self.window.set_status(str(exc))
            self.window.show_key_panel(True)
            return
        if self._endpoint.name is None:
            # A --base-url run: a key given in the key panel for this server (this session,
            # then the keyring, which is only loaded when the environment has no key).
            ident = self._url_identity()
            session = self.keys.session_key(ident)
            if session:
                self._endpoint.api_key, self._endpoint.key_source = session, "session"
            elif not self._endpoint.api_key:
                key, source = self.keys.resolve(ident)
                if key:
                    self._endpoint.api_key, self._endpoint.key_source = key, source
        old, self._client = self._client, None  # made on first use (httpx loads then)
        if old is not None:
            if self.busy:
                self._retired.append(old)  # the running answer still reads from it
            else:
                self._spawn(old.close())
        self.window.show_key_panel(not self._endpoint.api_key)
        name = self._endpoint.name or self._endpoint.base_url
        self.window.set_status(self.tr("Server: %1").replace("%1", name))
        current = self._override_model or self.window.model_picker.current()
        if not current:
            self.window.model_picker.set_current(self._endpoint.default_model or DEFAULT_MODEL)

    @property
    def client(self) -> ChatClient | None:
        """The HTTP client for the current endpoint, created on first use."""
        if self._client is None and self._endpoint is not None:
            from chatdesk.api.client import ChatClient

            proxy = None
            trust_env = True
            mode = self._settings.get("proxy_mode", "system")
            if mode == "custom" and self._settings.get("proxy_url"):
                proxy = self._settings["proxy_url"]
            elif mode == "none":
                trust_env = False
            try:
                self._client = ChatClient(
                    self._endpoint.base_url,
                    self._endpoint.api_key,
                    connect_timeout=float(self._settings.get("connect_timeout", 10) or 10),
                    read_timeout=float(self._settings.get("read_timeout", 60) or 60),
                    proxy=proxy,
                    trust_env=trust_env,
                    include_usage=include_usage_for(self.store, self._endpoint.cache_key),
                )
            except ValidationError as exc:  # a malformed key or proxy URL
                self.window.set_status(self.tr("Check the settings: %1").replace("%1", str(exc)))
                return None
        return self._client

    def start(self) -> None:
        """After the first paint: keys, list, last conversation; models in the background."""
        self.reload_endpoint()
        self.window.conversations.reload()
        rows = self.store.list_conversations(limit=1, pinned_first=False)
        if rows:
            self.open_conversation(rows[0].id)
            self.window.conversations.select_conversation(rows[0].id)
        elif self._override_model:
            self.window.model_picker.set_current(self._override_model)
        self.window.composer.focus_input()
        self.refresh_models()

    def refresh_models(self) -> None:
        if self.client is None or self._endpoint is None:
            return
        self._spawn(self._load_models())

    async def _load_models(self) -> None:
        assert self.client is not None and self._endpoint is not None
        models, source, _err = await fetch_models(self.client, self.store, self._endpoint.cache_key)
        self.window.model_picker.set_models(models)
        labels = {
            "server": self.tr("Models from the server"),
            "cache": self.tr("Cached model list (server unreachable)"),
            "builtin": self.tr("Built-in model list (server unreachable)"),
        }
        self.window.model_picker.set_source(labels.get(source, source))
        self.models_loaded.emit(source)

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background_done)
        return task

    def _background_done(self, task: asyncio.Task[Any]) -> None:
        """A background job (title, model list, test) failed: a status line, never silence."""
        self._background.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self.window.set_status(_plain(exc))

    @staticmethod
    def _raise_in_tests() -> bool:
        import sys

        return bool(getattr(sys, "_called_from_test", False))

    def replace_store(self, store: Store) -> None:
        """After a restore: use the new database and show it from scratch."""
        from chatdesk.core.services import ensure_default_provider

        for task in list(self._background):
            task.cancel()
        store.mark_interrupted()
        ensure_default_provider(store)
        self._settings = store.get_setting("app_settings", {}) or {}
        self.store = store
        self.model.image_loader = store.get_image
        self.store_replaced.emit(store)
        self.conversation_id = None
        self.new_conversation()
        self.window.conversations.reload()
        self.start()

    # --- conversations -----------------------------------------------------------------

    def new_conversation(self) -> None:
        """An empty chat; the row is created when the first message is sent."""
        if self.busy:
            self.window.set_status(self.tr("Wait for the answer to finish or stop it first."))
            return
        self._reset_to_new()

    def _reset_to_new(self) -> None:
        self.conversation_id = None
        self.model.set_messages([], {})
        self.window.set_system_prompt("")
        self.window.params_panel.set_params({})
        self.window.temperature.set_value(None)
        self.window.conversations.select_conversation(-1)
        self.window.composer.focus_input()

    def open_conversation(self, conversation_id: int) -> None:
        if self.busy and conversation_id != self.conversation_id:
            self.window.set_status(self.tr("Wait for the answer to finish or stop it first."))
            if self.conversation_id is not None:
                self.window.conversations.select_conversation(self.conversation_id)
            return
        conv = self.store.get_conversation(conversation_id)
        if conv is None:
            return
        self.conversation_id = conversation_id
        self.reload_messages()
        self.window.set_system_prompt(conv.system_prompt)
        self.window.params_panel.set_params(conv.params)
        self.window.temperature.set_value(conv.params.get("temperature"))
        if conv.model:
            self.window.model_picker.set_current(conv.model)

    def reload_messages(self) -> None:
        """Show the active branch; sibling positions feed the `< 2/3 >` switchers."""
        if self.conversation_id is None:
            self.model.set_messages([], {})
            return
        conv = self.store.get_conversation(self.conversation_id)
        tree = self.store.list_messages(self.conversation_id)
        by_id = {m.id: m for m in tree}
        siblings: dict[int | None, list[int]] = {}
        for m in tree:
            siblings.setdefault(m.parent_id, []).append(m.id)
        leaf = conv.current_leaf_id if conv else None
        if leaf not in by_id:
            leaf = tree[-1].id if tree else None
        path: list[MessageRow] = []
        while leaf is not None:
            row = by_id[leaf]
            path.append(row)
            leaf = row.parent_id
        path.reverse()
        info = {}
        for m in path:
            sibs = siblings[m.parent_id]
            info[m.id] = (sibs.index(m.id) + 1, len(sibs))
        self.model.set_messages(path, info)

    def _ensure_conversation(self, first_text: str) -> int:
        if self.conversation_id is not None:
            return self.conversation_id
        params = self.window.params_panel.params()
        temperature = self.window.temperature.value()
        if temperature is not None:
            params["temperature"] = temperature
        self.conversation_id = self.store.create_conversation(
            title_from_text(first_text),
            model=self.current_model(),
            provider=self._endpoint.name if self._endpoint else None,
            system_prompt=self.window.system_prompt.toPlainText(),
            params=params,
        )
        self.window.conversations.reload()
        self.window.conversations.select_conversation(self.conversation_id)
        return self.conversation_id

    def current_model(self) -> str:
        return (
            self.window.model_picker.current()
            or (self._endpoint.default_model if self._endpoint else None)
            or DEFAULT_MODEL
        )

    def _on_rename(self, conversation_id: int, title: str) -> None:
        title = title.strip()
        if title:
            self.store.update_conversation(conversation_id, title=title)
            self._refresh_row(conversation_id)

    def _on_pin(self, conversation_id: int, pinned: bool) -> None:
        self.store.update_conversation(conversation_id, pinned=pinned)
        self.window.conversations.reload()

    def _on_delete_conversation(self, conversation_id: int) -> None:
        if conversation_id == self.conversation_id:
            self.stop()  # its late writes then land nowhere (ids are never reused)
            self._reset_to_new()
        self.store.delete_conversation(conversation_id)

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
        temperature = self.window.temperature.value()
        merged = dict(params)
        if temperature is not None:
            merged["temperature"] = temperature
        else:
            merged.pop("temperature", None)
        if self.conversation_id is not None:
            self.store.update_conversation(self.conversation_id, params=merged)

    def _on_temperature(self, value: object) -> None:
        if self.conversation_id is None:
            return
        params = self._conversation_params()
        if value is None:
            params.pop("temperature", None)
        else:
            params["temperature"] = value
        self.store.update_conversation(self.conversation_id, params=params)

    def _on_model_changed(self, model: str) -> None:
        if self.conversation_id is not None and model:
            self.store.update_conversation(self.conversation_id, model=model)

    def _on_system_prompt(self, text: str) -> None:
        if self.conversation_id is not None:
            self.store.update_conversation(self.conversation_id, system_prompt=text)

    def effective_params(self) -> dict[str, Any]:
        """What the next request carries: the panel plus the toolbar temperature."""
        params = self.window.params_panel.params()
        temperature = self.window.temperature.value()
        if temperature is not None:
            params["temperature"] = temperature
        return params

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
            self.window.set_status(self.tr("Not sent: %1").replace("%1", _plain(exc)))
            if self._raise_in_tests():
                raise

    def _submit(self, text: str, attachments: list[Any]) -> None:
        if self.busy:
            self.window.composer.set_text(text)
            self.window.composer.set_attachments(attachments)
            return
        if self.client is None:
            self.window.composer.set_text(text)
            self.window.composer.set_attachments(attachments)
            self.window.show_key_panel(True)
            return
        conv_id = self._ensure_conversation(text)
        shown = self.model.messages()
        parent = shown[-1].id if shown else None
        if (
            len(shown) >= 2
            and shown[-1].role == "assistant"
            and shown[-1].status == "error"
            and not shown[-1].content
        ):
            # Sending again after a failed exchange: a new branch beside the failed
            # question, so the request does not carry the question twice.
            parent = shown[-2].parent_id
        images = [(a.data, a.mime) for a in attachments]
        user_id = add_user_message(self.store, conv_id, text, parent_id=parent, images=images)
        self.store.update_conversation(
            conv_id, params=self.effective_params(), model=self.current_model()
        )
        self.reload_messages()
        self._start(conv_id, user_id, draft=(text, attachments, user_id))

    def _start(
        self,
        conv_id: int,
        parent_id: int,
        *,
        append_to: MessageRow | None = None,
        draft: tuple[str, list[Any], int] | None = None,
    ) -> None:
        conv = self.store.get_conversation(conv_id)
        path = self.store.path_to(parent_id if append_to is None else append_to.id)
        wire = messages_for(conv, path, self.store.get_image)
        if append_to is not None:
            wire.append(ChatMessage(role="user", content=CONTINUE_PROMPT))
        model = (conv.model if conv else None) or self.current_model()
        request = request_for(model, wire, conv.params if conv else {}, stream=True)
        if append_to is not None:
            request.n = None  # a continuation extends one answer, never adds candidates
        try:
            validate_request(request)
        except ValidationError as exc:
            self._restore_draft(draft, drop_message=True)
            self.window.set_status(self.tr("Not sent: %1").replace("%1", exc.message))
            QMessageBox.warning(
                self.window,
                self.tr("Request not valid"),
                self.tr("Not sent: %1").replace("%1", str(exc)),
            )
            return
        self._task = asyncio.ensure_future(self._run(conv_id, parent_id, request, append_to, draft))

    async def _run(
        self,
        conv_id: int,
        parent_id: int,
        request: Any,
        append_to: MessageRow | None,
        draft: tuple[str, list[Any], int] | None,
    ) -> None:
        assert self.client is not None
        self.window.composer.set_busy(True)
        ids: dict[int, int] = {}
        model = self.model

        def on_message(index: int, message_id: int) -> None:
            ids[index] = message_id
            if index == 0 and append_to is None:
                row = self.store.get_message(message_id)
                if row is not None:
                    model.append_message(row)

        def on_event(event: StreamEvent) -> None:
            kind = type(event)
            if kind is TextDelta:
                if event.index == 0:  # type: ignore[union-attr]
                    model.append_delta(ids[0], text=event.text)  # type: ignore[union-attr]
            elif kind is ReasoningDelta and event.index == 0:  # type: ignore[union-attr]
                model.append_delta(ids[0], reasoning=event.text)  # type: ignore[union-attr]

        status = "error"
        outcome: ExchangeOutcome | None = None
        try:
            outcome = await run_exchange(
                self.client,
                request,
                store=self.store,
                conversation_id=conv_id,
                parent_id=parent_id,
                append_to=append_to,
                on_event=on_event,
                on_message=on_message,
            )
            status = outcome.status
            if self._endpoint is not None:
                remember_include_usage(self.store, self._endpoint.cache_key, self.client)
        except asyncio.CancelledError:
            status = "stopped"
        except Exception as exc:  # the store failed (disk full, locked...): say so
            self.window.set_status(
                self.tr("The answer could not be saved: %1").replace("%1", _plain(exc))
            )
            self._restore_draft(draft, drop_message=False)
            if self._raise_in_tests():
                raise
        finally:
            self.window.composer.set_busy(False)
            for old in self._retired:
                self._spawn(old.close())
            self._retired.clear()
            self.last_outcome = outcome
            if self.conversation_id == conv_id:
                model.flush()
                for mid in ids.values():
                    row = self.store.get_message(mid)
                    if row is not None and model.row_of(mid) >= 0:
                        model.update_message(row)
                self.reload_messages()  # new siblings change the branch switchers
            self._refresh_row(conv_id)
        if outcome is not None and outcome.error is not None:
            self._restore_draft(draft, drop_message=False)
            self.window.set_status(outcome.error.explain(self.language()))
        elif status == "done":
            self.window.set_status("")
            conv = self.store.get_conversation(conv_id)
            if conv is not None and conv.message_count <= 2 and append_to is None:
                self._spawn(self._make_title(conv_id))
        self.exchange_finished.emit(status)

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
        if self.busy:
            assert self._task is not None
            self._task.cancel()

    def language(self) -> str:
        return str(self._settings.get("language") or "en")

    async def _make_title(self, conv_id: int) -> None:
        """Title a new conversation with a short request to the chosen cheap model."""
        title_model = str(self._settings.get("title_model") or "")
        if not title_model or self.client is None:
            return
        path = self.store.active_path(conv_id)
        transcript = "\n".join(f"{m.role}: {m.content[:500]}" for m in path[:2])
        request = request_for(
            title_model,
            [ChatMessage(role="user", content=f"{TITLE_PROMPT}\n\n{transcript}")],
            {"max_tokens": 24, "temperature": 0.3},
            stream=False,
        )
        try:
            result = await self.client.complete(request)
        except ApiError:
            return  # the first-words title stays
        title = " ".join(result.content.strip().strip('"“”').split())[:80]
        if title:
            self.store.update_conversation(conv_id, title=title)
            self._refresh_row(conv_id)
            self.title_updated.emit(conv_id, title)

    # --- message actions -----------------------------------------------------------------

    def on_action(self, action: str, message_id: int, arg: object) -> None:
        handler: Callable[[int, object], None] | None = getattr(self, f"_action_{action}", None)
        if handler is not None:
            handler(message_id, arg)

    def _action_copy(self, message_id: int, _arg: object) -> None:
        row = self.store.get_message(message_id)
        if row is not None:
            QGuiApplication.clipboard().setText(row.content)

    def _action_regenerate(self, message_id: int, _arg: object) -> None:
        row = self.store.get_message(message_id)
        if row is None or row.parent_id is None or self.busy:
            return
        self._start(row.conversation_id, row.parent_id)

    def _action_retry(self, message_id: int, _arg: object) -> None:
        row = self.store.get_message(message_id)
        if row is None or row.parent_id is None or self.busy:
            return
        if row.status == "error" and not row.content:
            self.store.delete_message(message_id)
            self.reload_messages()
        self._start(row.conversation_id, row.parent_id)

    def _action_continue(self, message_id: int, _arg: object) -> None:
        row = self.store.get_message(message_id)
        if row is None or row.parent_id is None or self.busy:
            return
        self._start(row.conversation_id, row.parent_id, append_to=row)

    def _action_edit(self, message_id: int, _arg: object) -> None:
        row = self.store.get_message(message_id)
        if row is None or self.busy:
            return
        text, ok = QInputDialog.getMultiLineText(
            self.window, self.tr("Edit and resend"), self.tr("Message:"), row.content
        )
        if ok and text.strip():
            self.edit_and_resend(message_id, text)

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
        row = self.store.get_message(message_id)
        if row is None or self.busy:
            return
        sibs = [m.id for m in self.store.children(row.parent_id, row.conversation_id)]
        pos = sibs.index(message_id) + step
        if not 0 <= pos < len(sibs):
            return
        leaf = self.store.latest_leaf(sibs[pos])
        self.store.update_conversation(row.conversation_id, current_leaf_id=leaf)
        self.reload_messages()

    def _action_branch_prev(self, message_id: int, _arg: object) -> None:
        self._switch_branch(message_id, -1)

    def _action_branch_next(self, message_id: int, _arg: object) -> None:
        self._switch_branch(message_id, +1)

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
        """Answer one tool call; when every call of the message is answered, the chat goes on.

        Results chain one under the other below the assistant message, so the server
        gets them in order right after the calls.
        """
        row = self.store.get_message(message_id)
        if row is None:
            return
        path = self.store.active_path(row.conversation_id)
        ids = [m.id for m in path]
        parent = message_id
        answered: set[str] = set()
        if message_id in ids:
            for m in path[ids.index(message_id) + 1 :]:
                if m.role != "tool":
                    break
                parent = m.id
                if m.tool_call_id:
                    answered.add(m.tool_call_id)
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

    # --- dialogs -------------------------------------------------------------------------

    def current_request_body(self) -> dict[str, Any]:
        """The exact body the next send would carry (for "View code")."""
        conv = self.store.get_conversation(self.conversation_id) if self.conversation_id else None
        path = self.store.active_path(conv.id) if conv else []
        wire = messages_for(conv, path, self.store.get_image)
        if conv is None and self.window.system_prompt.toPlainText().strip():
            wire.insert(
                0, ChatMessage(role="system", content=self.window.system_prompt.toPlainText())
            )
        draft = self.window.composer.text() or "Hello!"
        wire.append(ChatMessage(role="user", content=draft))
        request = request_for(self.current_model(), wire, self.effective_params(), stream=True)
        include = self._client.include_usage if self._client else True
        return build_body(request, include_usage=include)

    def view_code(self) -> None:
        from chatdesk.ui.codedialog import ViewCodeDialog

        base = self._endpoint.base_url if self._endpoint else ""
        key = self._endpoint.api_key if self._endpoint else None
        dialog = ViewCodeDialog(base, self.current_request_body(), key, self.window)
        dialog.setModal(True)
        dialog.show()

    def open_settings(self) -> None:
        from chatdesk.ui.settings import SettingsDialog

        dialog = SettingsDialog(self.window)
        dialog.set_settings(self._default_settings() | self._settings)
        dialog.set_providers([(p, self.keys.has_key(p.name)) for p in self.store.list_providers()])
        dialog.test_requested.connect(
            lambda name, url, key, model: self._spawn(
                self._test_connection(
                    url, key or self._stored_key(name), model, dialog.show_test_result
                )
            )
        )
        dialog.provider_saved.connect(lambda row, key: self._save_provider(dialog, row, key))
        dialog.provider_removed.connect(lambda name: self._remove_provider(dialog, name))
        dialog.settings_changed.connect(self.apply_settings)
        dialog.setModal(True)
        dialog.show()
        self._settings_dialog = dialog

    def _stored_key(self, name: str) -> str:
        try:
            return self.keys.get(name) or ""
        except KeyringProblem:
            return ""

    @staticmethod
    def _default_settings() -> dict[str, Any]:
        from chatdesk.ui.settings import DEFAULT_SETTINGS

        return dict(DEFAULT_SETTINGS)

    def apply_settings(self, settings: dict[str, Any]) -> None:
        self._settings = dict(settings)
        self.store.set_setting("app_settings", self._settings)
        from chatdesk.app import apply_appearance

        apply_appearance(self._settings)
        self.window.composer.set_send_key(str(self._settings.get("send_key", "enter")))
        self.reload_endpoint()

    def _save_provider(self, dialog: Any, row: ProviderRow, key: str) -> None:
        from chatdesk.api.baseurl import normalize_base_url

        try:
            row.base_url = normalize_base_url(row.base_url)
        except ValidationError as exc:
            dialog.show_test_result(False, str(exc))
            return
        self.store.upsert_provider(row)
        if key:
            try:
                self.keys.set(row.name, key)
            except KeyringProblem as exc:
                self.keys.set_for_session(row.name, key)
                dialog.show_test_result(
                    False,
                    exc.explain(self.language())
                    + "\n"
                    + self.tr("The key is used for this session only."),
                )
        dialog.set_providers([(p, self.keys.has_key(p.name)) for p in self.store.list_providers()])
        self.reload_endpoint()

    def _remove_provider(self, dialog: Any, name: str) -> None:
        self.store.delete_provider(name)
        try:
            self.keys.delete(name)
        except KeyringProblem:
            pass
        dialog.set_providers([(p, self.keys.has_key(p.name)) for p in self.store.list_providers()])
        self.reload_endpoint()

    def _provider_for_key(self) -> str:
        """Where the key panel's key belongs: the provider, or the --base-url server."""
        if self._override_base_url and not self._override_provider:
            return self._url_identity()
        if self._endpoint and self._endpoint.name:
            return self._endpoint.name
        return str(self.store.get_setting("default_provider") or "zero")

    def _url_identity(self) -> str:
        from chatdesk.api.baseurl import normalize_base_url

        try:
            return "url:" + normalize_base_url(self._override_base_url or "")
        except ValidationError:
            return "url:" + str(self._override_base_url)

    def _on_key_saved(self, base_url: str, key: str) -> None:
        from chatdesk.api.baseurl import normalize_base_url

        name = self._provider_for_key()
        try:
            url = normalize_base_url(base_url)
        except ValidationError as exc:
            self.window.key_panel.show_result(False, str(exc))
            return
        if not name.startswith("url:"):  # a --base-url run leaves the providers alone
            existing = self.store.get_provider(name)
            self.store.upsert_provider(
                ProviderRow(
                    name=name,
                    base_url=url,
                    default_model=existing.default_model if existing else DEFAULT_MODEL,
                )
            )
        try:
            self.keys.set(name, key)
        except KeyringProblem as exc:
            self.window.key_panel.show_keyring_problem(exc.explain(self.language()))
            return
        self.reload_endpoint()
        self.refresh_models()

    def _on_key_for_session(self, base_url: str, key: str) -> None:
        name = self._provider_for_key()
        self.keys.set_for_session(name, key)
        self.reload_endpoint()
        self.refresh_models()

    async def _test_connection(
        self, base_url: str, key: str, model: str, report: Callable[[bool, str], None]
    ) -> None:
        from chatdesk.core.diagnose import diagnose

        ok, text = await diagnose(base_url, key or None, model or None, lang=self.language())
        report(ok, text)

    # --- presets -----------------------------------------------------------------------

    def _save_preset(self) -> None:
        name, ok = QInputDialog.getText(
            self.window, self.tr("Save preset"), self.tr("Preset name:"), QLineEdit.EchoMode.Normal
        )
        if not ok or not name.strip():
            return
        presets = dict(self.store.get_setting("presets", {}) or {})
        presets[name.strip()] = {
            "system_prompt": self.window.system_prompt.toPlainText(),
            "model": self.current_model(),
            "params": self.effective_params(),
        }
        self.store.set_setting("presets", presets)
        self.window.set_presets(sorted(presets))

    def _start_preset(self, name: str) -> None:
        preset = (self.store.get_setting("presets", {}) or {}).get(name)
        if not preset:
            return
        if self.busy:
            self.window.set_status(self.tr("Wait for the answer to finish or stop it first."))
            return
        self.new_conversation()
        self.window.set_system_prompt(preset.get("system_prompt", ""))
        self.window.params_panel.set_params(
            {k: v for k, v in preset.get("params", {}).items() if k != "temperature"}
        )
        self.window.temperature.set_value(preset.get("params", {}).get("temperature"))
        if preset.get("model"):
            self.window.model_picker.set_current(preset["model"])

    # --- shutdown --------------------------------------------------------------------------

    def on_closing(self) -> None:
        """Save the layout; a running answer is stopped (and saved as stopped)."""
        self.store.set_setting("window_layout", self.window.save_layout())
        self.window.conversations.flush_pending_delete()
        self.stop()

    async def aclose(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, ChatdeskError):
                pass
        for task in list(self._background):
            task.cancel()
        if self._client is not None:
            await self._client.close()


def _plain(exc: BaseException) -> str:
    """A readable one-line reason (never a traceback)."""
    if isinstance(exc, ApiError):
        return exc.explain()
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text or type(exc).__name__
