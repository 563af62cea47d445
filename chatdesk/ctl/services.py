"""What the window's controllers share, instead of reaching into each other.

:class:`Services` is built once by the wiring (:mod:`chatdesk.app`) and handed to every
controller: the store (swapped by a restore), the keys, the client pool, the settings,
background tasks, the status line, the language and a registry of what is running.
Requests between controllers are calls or signals here ("show this conversation",
"the store was replaced"), so that no controller imports another's module or touches
its private state.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal

from chatdesk.core.clients import ClientPool
from chatdesk.core.errors import plain
from chatdesk.core.keys import KeyStore
from chatdesk.core.services import ensure_default_provider
from chatdesk.core.settings import AppSettings, SettingKey

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from chatdesk.core.chat.runner import TurnRunner
    from chatdesk.core.tools.mcpconfig import McpSettings
    from chatdesk.core.tools.mcpmanager import McpManager
    from chatdesk.core.tools.toolloop import ToolSetup
    from chatdesk.store import Store

# While streaming, a write waits at most this long for the database (then it is kept
# in memory and written later): the window must keep painting.
WINDOW_STORE_WAIT_S = 0.02


class ToolHost(Protocol):
    """The window's MCP tool servers, as the chat pane and the compare columns use them."""

    settings: McpSettings
    manager: McpManager

    def servers_for(self, conversation_id: int) -> list[str]: ...

    def tool_setup(self, servers: list[str], *, column: str = "", model: str = "") -> ToolSetup: ...

    def open_manager(self, parent: QWidget | None = None) -> object: ...


class Running:
    """Who is running something right now (the chat's answer, a comparison...).

    Each controller registers a name and a question; an action that must wait for all
    (a restore, a new chat) asks :meth:`active` instead of knowing every controller.
    A ``background`` job (a prompt-set run, which may take an hour) does not hold the
    chat or the compare view: only :meth:`active` with ``background=True`` (a restore,
    quitting, the full garbage collection) counts it.
    """

    def __init__(self) -> None:
        self._busy: dict[str, Callable[[], bool]] = {}
        self._background: set[str] = set()

    def register(self, name: str, busy: Callable[[], bool], *, background: bool = False) -> None:
        self._busy[name] = busy
        if background:
            self._background.add(name)

    def active(self, *, ignore: tuple[str, ...] = (), background: bool = False) -> list[str]:
        """The names running now (in registration order), except ``ignore`` (and the
        background jobs unless ``background``)."""
        return [
            name
            for name, busy in self._busy.items()
            if name not in ignore and (background or name not in self._background) and busy()
        ]

    def any(self, *, ignore: tuple[str, ...] = (), background: bool = False) -> bool:
        return bool(self.active(ignore=ignore, background=background))


class Services(QObject):
    """The shared parts of the window's controllers (see the module docstring).

    Signals:
        store_replaced(Store): a restore swapped the database (the new one is ready).
        settings_changed(dict): the settings were applied (checked, complete).
        open_requested(int): show this conversation (the chat pane, or the compare view
            for a comparison: see :meth:`add_opener`).
        new_chat_requested(): start an empty chat in the chat pane.
        messages_changed(int): a conversation's stored messages changed (a view that
            shows it reloads them).
        shown_changed(object): the chat pane shows another conversation (its id, or
            None for a new chat).
        open_run_requested(int): show this prompt-set run on the run page.
    """

    store_replaced = Signal(object)
    settings_changed = Signal(dict)
    open_requested = Signal(int)
    new_chat_requested = Signal()
    messages_changed = Signal(int)
    shown_changed = Signal(object)
    open_run_requested = Signal(int)

    def __init__(
        self,
        store: Store,
        keys: KeyStore,
        status: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self.keys = keys
        self._status = status
        self._settings = AppSettings.from_dict(store.get_setting("app_settings", {}))
        self.pool = ClientPool(store, self._settings)
        self.running = Running()
        self._shown_conversation: int | None = None
        # The comparison on screen while the compare view shows (written by it only).
        self.shown_comparison: int | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._openers: list[Callable[[int], bool]] = []

    @property
    def shown_conversation(self) -> int | None:
        """The chat pane's conversation (written by it only; None: a new chat)."""
        return self._shown_conversation

    @shown_conversation.setter
    def shown_conversation(self, value: int | None) -> None:
        changed = value != self._shown_conversation
        self._shown_conversation = value
        if changed:
            self.shown_changed.emit(value)

    # --- store, settings, language ----------------------------------------------------

    @property
    def store(self) -> Store:
        return self._store

    def replace_store(self, store: Store) -> None:
        """After a restore: every controller moves to the new database."""
        self.cancel_background()
        store.mark_interrupted()
        ensure_default_provider(store)
        self._settings = AppSettings.from_dict(store.get_setting("app_settings", {}))
        self._store = store
        self.pool.store = store
        self.store_replaced.emit(store)

    def settings(self) -> dict[str, Any]:
        return self._settings.to_dict()

    @property
    def app_settings(self) -> AppSettings:
        return self._settings

    def set_settings(self, settings: dict[str, Any]) -> None:
        """New settings (from the settings controller): clients follow at their next use."""
        self._settings = AppSettings.from_dict(settings)
        self.pool.reconfigure(self._settings)
        self.spawn(self.pool.close_idle())
        self.settings_changed.emit(self._settings.to_dict())

    def language(self) -> str:
        return str(self._settings.to_dict().get(SettingKey.LANGUAGE) or "en")

    # --- the status line, background work ----------------------------------------------

    def set_status(self, text: str) -> None:
        self._status(text)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run a background job; its failure becomes a status line, never silence."""
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
            self.set_status(plain(exc))

    def cancel_background(self) -> None:
        for task in list(self._background):
            task.cancel()

    async def save_later(self, runner: TurnRunner, every_s: float = 1.0) -> None:
        """The database refused a turn's last writes (busy, full): they are kept in
        memory and written as soon as the database lets us, without freezing the window."""
        self.set_status(
            self.tr("The history is busy: the answer is kept and will be saved shortly.")
        )
        error = await runner.save_later(every_s)
        if error is None:
            self.set_status(self.tr("The answer is saved."))
        else:
            text = self.tr("The answer could not be saved: %1")
            self.set_status(text.replace("%1", plain(error)))

    # --- requests between controllers --------------------------------------------------

    def add_opener(self, opener: Callable[[int], bool]) -> None:
        """``opener(conversation_id)`` shows the conversations it owns and says True."""
        self._openers.append(opener)

    def open_elsewhere(self, conversation_id: int) -> bool:
        """Whether another view (the compare view) took the conversation."""
        return any(opener(conversation_id) for opener in self._openers)

    def show_conversation(self, conversation_id: int) -> None:
        self.open_requested.emit(conversation_id)

    def new_chat(self) -> None:
        self.new_chat_requested.emit()

    async def aclose(self) -> None:
        self.cancel_background()
        await self.pool.close()
