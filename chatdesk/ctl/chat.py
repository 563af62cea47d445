"""The chat controller: the window's one conversation, its composer and its message actions.

It asks core for everything: branch rules (:mod:`chatdesk.core.branches`), requests
(:mod:`chatdesk.core.turns`), clients (:class:`~chatdesk.core.clients.ClientPool`) and
the exchange itself (:class:`~chatdesk.core.exchange.Exchange`, fed into the view by a
:class:`~chatdesk.ctl.pane.PaneBinder`). Settings, providers, keys and presets live in
:mod:`chatdesk.ctl.settingsctl`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QInputDialog, QMessageBox

from chatdesk.core import branches
from chatdesk.core.clients import ClientPool
from chatdesk.core.errors import ChatdeskError, ValidationError, plain
from chatdesk.core.exchange import Exchange, ExchangeTarget
from chatdesk.core.extrabody import extra_body_for
from chatdesk.core.keys import KeyringProblem, KeyStore
from chatdesk.core.patient import PatientStore
from chatdesk.core.services import (
    DEFAULT_MODEL,
    Endpoint,
    SetupError,
    builtin_model_list,
    fetch_models,
    is_local_url,
    resolve_endpoint,
    url_identity,
)
from chatdesk.core.session import ExchangeOutcome
from chatdesk.core.settings import AppSettings, SettingKey
from chatdesk.core.titles import make_title
from chatdesk.core.turns import Draft, build_request, preview_body, save_user_turn
from chatdesk.core.urls import mask_credentials
from chatdesk.ctl.pane import PaneBinder
from chatdesk.store import Store
from chatdesk.store.rows import MessageRow
from chatdesk.ui.actions import MessageAction
from chatdesk.ui.mainwindow import MainWindow

# While streaming, a write waits at most this long for the database (then it is kept
# in memory and written later): the window must keep painting.
WINDOW_STORE_WAIT_S = 0.02

if TYPE_CHECKING:
    from chatdesk.ctl.compare import CompareController
    from chatdesk.ctl.history import HistoryController
    from chatdesk.ctl.mcpctl import McpController
    from chatdesk.ctl.settingsctl import SettingsController


class Controller(QObject):
    """Wires the chat window to the engine.

    Signals:
        exchange_finished(str): status of the last exchange (done, stopped, error).
        models_loaded(str): the model list arrived (its source).
        title_updated(int, str): a conversation got its generated title.
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
        self._run_base_url = base_url  # a --base-url server stays on the provider list
        self._override_model = model
        self._endpoint: Endpoint | None = None
        self._task: asyncio.Task[Any] | None = None
        self.exchange: Exchange | None = None
        self._binder: PaneBinder | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self.conversation_id: int | None = None
        self.last_outcome: ExchangeOutcome | None = None
        self.history: HistoryController | None = None  # set by chatdesk.app.wire
        self.settings_ctl: SettingsController | None = None  # set by chatdesk.app.wire
        self.compare: CompareController | None = None  # set by chatdesk.app.wire
        self.mcp: McpController | None = None  # set by chatdesk.app.wire (MCP tools)
        self._settings: dict[str, Any] = AppSettings.from_dict(
            store.get_setting("app_settings", {})
        ).to_dict()
        self.pool = ClientPool(store, AppSettings.from_dict(self._settings))
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
        w.conversations.rename_requested.connect(self._on_rename)
        w.conversations.pin_requested.connect(self._on_pin)
        w.conversations.delete_requested.connect(self._on_delete_conversation)
        w.message_view.action_requested.connect(self.on_action)
        w.model_picker.model_changed.connect(self._on_model_changed)
        w.provider_chosen.connect(self.choose_provider)
        w.temperature.value_changed.connect(self._on_temperature)
        w.params_panel.params_changed.connect(self._on_params)
        w.params_panel.view_code_requested.connect(self.view_code)
        w.system_prompt_changed.connect(self._on_system_prompt)
        w.closing.connect(self.on_closing)
        layout = self.store.get_setting("window_layout")
        if isinstance(layout, dict):
            w.restore_layout(layout)

    def settings(self) -> dict[str, Any]:
        return dict(self._settings)

    @property
    def app_settings(self) -> AppSettings:
        return AppSettings.from_dict(self._settings)

    def set_settings(self, settings: dict[str, Any]) -> None:
        """New settings (from the settings controller): clients follow at their next use."""
        self._settings = AppSettings.from_dict(settings).to_dict()
        self.pool.reconfigure(AppSettings.from_dict(self._settings))
        self._spawn(self.pool.close_idle())

    def show_server(self) -> None:
        """The status line names the server the window talks to."""
        if self._endpoint is not None:
            name = self._endpoint.name or self._endpoint.base_url
            self.window.set_status(self.tr("Server: %1").replace("%1", name))

    def reload_endpoint(self) -> None:
        """(Re)resolve the chosen server; show the key panel when no key."""
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
            ident = self.url_identity()
            session = self.keys.session_key(ident)
            if session:
                self._endpoint.api_key, self._endpoint.key_source = session, "session"
            elif not self._endpoint.api_key:
                key, source = self.keys.resolve(ident)
                if key:
                    self._endpoint.api_key, self._endpoint.key_source = key, source
        self.window.show_key_panel(not self._endpoint.api_key)
        self.show_server()
        self.refresh_providers()
        current = self._override_model or self.window.model_picker.current()
        if not current:
            self.window.model_picker.set_current(self._endpoint.default_model or DEFAULT_MODEL)

    @property
    def endpoint(self) -> Endpoint | None:
        return self._endpoint

    # --- providers at hand -------------------------------------------------------------

    def refresh_providers(self) -> None:
        """The toolbar's provider list, with the one in use selected."""
        url = self._run_base_url if self._run_base_url else None
        current = self._endpoint.name if self._endpoint is not None else None
        names = [p.name for p in self.store.list_providers()]
        self.window.set_providers(names, current, url)

    def choose_provider(self, name: str) -> None:
        """The user picked a provider ("" = this run's --base-url server) for this chat."""
        if self.busy or self._compare_busy():
            self.window.set_status(self.tr("Wait for the answer to finish or stop it first."))
            self.refresh_providers()
            return
        if not self._switch_provider(name):
            return
        if self.conversation_id is not None:
            self.store.update_conversation(self.conversation_id, provider=name or None)
        default = self._endpoint.default_model if self._endpoint else None
        if default:  # the new server's own default, unless the user types another
            self.window.model_picker.set_current(default)
            self._on_model_changed(default)
        self.refresh_models()

    def _switch_provider(self, name: str) -> bool:
        """Talk to ``name`` from now on (the window's endpoint); False if it is unknown."""
        if name and self.store.get_provider(name) is None:
            self.window.set_status(self.tr("No provider named %1.").replace("%1", name))
            self.refresh_providers()
            return False
        if not name and not self._run_base_url:
            return False
        self._override_provider = name or None
        self._override_base_url = None if name else self._run_base_url
        self.reload_endpoint()
        return True

    def _recent_key(self) -> str:
        return self._endpoint.cache_key if self._endpoint is not None else ""

    def recent_models(self) -> list[str]:
        """The models last used with the current server, newest first."""
        table = self.store.get_setting("recent_models", {})
        found = table.get(self._recent_key()) if isinstance(table, dict) else None
        return [m for m in found if isinstance(m, str)][:8] if isinstance(found, list) else []

    def _remember_model(self, model: str) -> None:
        table = self.store.get_setting("recent_models", {})
        table = dict(table) if isinstance(table, dict) else {}
        key = self._recent_key()
        previous = table.get(key) if isinstance(table.get(key), list) else []
        table[key] = [model, *[m for m in previous if m != model]][:8]
        if len(table) > 50:  # bounded: the 50 servers used last
            table = dict(list(table.items())[-50:])
        self.store.set_setting("recent_models", table)

    @property
    def client(self) -> Any:
        """The pooled HTTP client for the current endpoint (None when it cannot be made)."""
        if self._endpoint is None:
            return None
        try:
            return self.pool.get(self._endpoint)
        except ValidationError as exc:  # a malformed key or proxy URL
            self.window.set_status(self.tr("Check the settings: %1").replace("%1", str(exc)))
            return None

    def url_identity(self) -> str:
        """The keyring entry of a --base-url server."""
        return url_identity(self._override_base_url or "")

    def key_owner(self) -> str:
        """Where the key panel's key belongs: the provider, or the --base-url server."""
        if self._override_base_url and not self._override_provider:
            return self.url_identity()
        if self._endpoint and self._endpoint.name:
            return self._endpoint.name
        return str(self.store.get_setting("default_provider") or "zero")

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
        """The model list in the background; without a key for a remote server, the cached
        or built-in list at once (the server would refuse, and no HTTP stack is loaded)."""
        if self._endpoint is None:
            return
        if not self._endpoint.api_key and not is_local_url(self._endpoint.base_url):
            self._show_models_without_asking()
            return
        if self.client is None:
            return
        self._spawn(self._load_models())

    def _show_models_without_asking(self) -> None:
        assert self._endpoint is not None
        cached = self.store.cached_models(self._endpoint.cache_key)
        self.window.model_picker.set_models(
            cached or builtin_model_list(), recent=self.recent_models()
        )
        source = "cache" if cached else "builtin"
        self.window.model_picker.set_source(
            self.tr("Cached model list (no API key yet)")
            if cached
            else self.tr("Built-in model list (no API key yet)")
        )
        self.models_loaded.emit(source)

    async def _load_models(self) -> None:
        assert self._endpoint is not None
        client = self.client
        if client is None:
            return
        self.pool.acquire(client)
        try:
            models, source, _err = await fetch_models(client, self.store, self._endpoint.cache_key)
        finally:
            await self.pool.release(client)
        self.window.model_picker.set_models(models, recent=self.recent_models())
        labels = {
            "server": self.tr("Models from the server"),
            "cache": self.tr("Cached model list (server unreachable)"),
            "builtin": self.tr("Built-in model list (server unreachable)"),
        }
        self.window.model_picker.set_source(labels.get(source, source))
        self.models_loaded.emit(source)

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        """Run a background job; its failure becomes a status line, never silence."""
        return self._spawn(coro)

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background_done)
        return task

    def _background_done(self, task: asyncio.Task[Any]) -> None:
        self._background.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            self.window.set_status(plain(exc))

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
        self._settings = AppSettings.from_dict(store.get_setting("app_settings", {})).to_dict()
        self.store = store
        self.pool.store = store
        self.model.image_loader = store.get_image
        self.store_replaced.emit(store)
        self.conversation_id = None
        self.new_conversation()
        self.window.conversations.reload()
        self.start()

    # --- conversations -----------------------------------------------------------------

    def new_conversation(self) -> None:
        """An empty chat; the row is created when the first message is sent."""
        if self.busy or self._compare_busy():
            self.window.set_status(self.tr("Wait for the answer to finish or stop it first."))
            return
        self.window.show_compare(False)
        self.reset_to_new()

    def _compare_busy(self) -> bool:
        return self.compare is not None and self.compare.busy

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
        if (self.busy and conversation_id != self.conversation_id) or self._compare_busy():
            self.window.set_status(self.tr("Wait for the answer to finish or stop it first."))
            if self.conversation_id is not None:
                self.window.conversations.select_conversation(self.conversation_id)
            return
        if self.compare is not None and self.compare.owns(conversation_id):
            self.compare.open(conversation_id)
            return
        conv = self.store.get_conversation(conversation_id)
        if conv is None:
            return
        self.window.show_compare(False)
        # Each conversation remembers its provider: switch to it (if it still exists).
        # (No provider: this run's --base-url server, when there is one.)
        in_use = (self._endpoint.name if self._endpoint is not None else None) or ""
        wanted = conv.provider or ""
        known = self.store.get_provider(wanted) is not None if wanted else bool(self._run_base_url)
        if wanted != in_use and known and self._switch_provider(wanted):
            self.refresh_models()
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
            self.reset_to_new()
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
        # One temperature, shown the same in the toolbar and the panel.
        self.window.temperature.set_value(params.get("temperature"))
        if self.conversation_id is not None:
            self.store.update_conversation(self.conversation_id, params=self.effective_params())

    def _on_temperature(self, value: object) -> None:
        self.window.params_panel.temperature.set_value(
            float(value) if isinstance(value, int | float) else None
        )
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
        else:
            params.pop("temperature", None)
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
            self.window.set_status(self.tr("Not sent: %1").replace("%1", plain(exc)))
            if self._raise_in_tests():
                raise

    def _submit(self, text: str, attachments: list[Any]) -> None:
        if self.busy or self.client is None:
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
            provider=self._endpoint.name if self._endpoint else None,
            system_prompt=self.window.system_prompt.toPlainText(),
            params=self.effective_params(),
        )
        self._remember_model(self.current_model())
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
        client = self.client
        if client is None:
            self._restore_draft(draft, drop_message=True)
            return
        conv = self.store.get_conversation(conv_id)
        path = self.store.path_to(parent_id if append_to is None else append_to.id)
        model = (conv.model if conv else None) or self.current_model()
        extra = extra_body_for(self.store, self._endpoint.name if self._endpoint else None, model)
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
        self._task = asyncio.ensure_future(self._run(exchange, conv_id, append_to, draft))

    async def _run(
        self,
        exchange: Exchange,
        conv_id: int,
        append_to: MessageRow | None,
        draft: tuple[str, list[Any], int] | None,
    ) -> None:
        self.window.composer.set_busy(True)
        endpoint = self._endpoint
        self.pool.acquire(exchange.client)
        try:
            servers = self.mcp.servers_for(conv_id) if self.mcp is not None else []
            if servers:  # MCP tools chosen: the tool loop runs the turn (a Continue too)
                assert self.mcp is not None
                exchange = await self.mcp.run_turn(exchange, servers)
            else:
                await exchange.run()
        finally:
            self.window.composer.set_busy(False)
            await self.pool.release(exchange.client, endpoint)
            self.last_outcome = exchange.outcome
            if self.conversation_id == conv_id:
                self.reload_messages(exchange.store)  # siblings change the switchers
            elif self._binder is not None:
                self._binder.detach()
            self._refresh_row(conv_id)
        status = str(exchange.status)
        if isinstance(exchange.store, PatientStore) and exchange.store.unsaved:
            self._spawn(self.save_later(exchange.store))
        if exchange.failure is not None:  # the store failed (disk full, locked...): say so
            self.window.set_status(
                self.tr("The answer could not be saved: %1").replace("%1", plain(exchange.failure))
            )
            self._restore_draft(draft, drop_message=False)
            if self._raise_in_tests():
                raise exchange.failure
        elif exchange.error is not None:
            self._restore_draft(draft, drop_message=False)
            self.window.set_status(exchange.error.explain(self.language()))
        elif status == "done":
            self.show_server()  # a message of the turn goes; the server stays named
            conv = self.store.get_conversation(conv_id)
            if conv is not None and conv.message_count <= 2 and append_to is None:
                self._spawn(self._make_title(conv_id))
        self.exchange_finished.emit(status)

    async def save_later(self, patient: PatientStore, every_s: float = 1.0) -> None:
        """The database refused the answer's last writes (busy, full): it is kept in
        memory and written as soon as the database lets us, without freezing the window."""
        self.window.set_status(
            self.tr("The history is busy: the answer is kept and will be saved shortly.")
        )
        for _ in range(3600):
            await asyncio.sleep(every_s)
            if patient.try_write():
                self.window.set_status(self.tr("The answer is saved."))
                return
        self.window.set_status(
            self.tr("The answer could not be saved: %1").replace(
                "%1", plain(patient.last_error or ChatdeskError("?"))
            )
        )

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
        if self.busy and self.exchange is not None:
            self.exchange.stop()
        if self.mcp is not None:
            self.mcp.stop()  # running tool calls and an open approval too

    def language(self) -> str:
        return str(self._settings.get(SettingKey.LANGUAGE) or "en")

    async def _make_title(self, conv_id: int) -> None:
        """Title a new conversation with a short request to the chosen cheap model."""
        title_model = str(self._settings.get(SettingKey.TITLE_MODEL) or "")
        client = self.client
        if not title_model or client is None:
            return
        self.pool.acquire(client)
        try:
            title = await make_title(client, self.store, conv_id, title_model)
        finally:
            await self.pool.release(client)
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
            if self._raise_in_tests():
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
        if row.status == "error" and not row.content:
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
        self.model.update_message(dataclasses.replace(row, status="streaming"))
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
        client = self.pool.peek(self._endpoint) if self._endpoint else None
        return preview_body(
            self.store,
            conv,
            path,
            self.current_model(),
            self.effective_params(),
            draft_text=self.window.composer.text(),
            system_prompt=system,
            include_usage=bool(getattr(client, "include_usage", True)),
            extra_body=extra_body_for(
                self.store, self._endpoint.name if self._endpoint else None, self.current_model()
            ),
        )

    def view_code(self) -> None:
        from chatdesk.ui.codedialog import ViewCodeDialog

        base = mask_credentials(self._endpoint.base_url) if self._endpoint else ""
        key = self._endpoint.api_key if self._endpoint else None
        dialog = ViewCodeDialog(base, self.current_request_body(), key, self.window)
        dialog.setModal(True)
        dialog.show()

    # --- shutdown --------------------------------------------------------------------------

    def on_closing(self) -> None:
        """Save the layout; running answers are stopped (and saved as stopped)."""
        self.store.set_setting("window_layout", self.window.save_layout())
        self.window.conversations.flush_pending_delete()
        self.stop()
        if self.compare is not None:
            self.compare.stop_all()

    async def aclose(self) -> None:
        if self.compare is not None:
            await self.compare.aclose()
        if self._task is not None and not self._task.done():
            self.stop()
            try:
                await self._task
            except (asyncio.CancelledError, ChatdeskError):
                pass
        for task in list(self._background):
            task.cancel()
        if self.mcp is not None:
            await self.mcp.aclose()  # every MCP server process ends with the window
        await self.pool.close()
