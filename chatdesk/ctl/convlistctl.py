"""The conversation list's own actions: rename, pin, delete; the header's title.

Opening and starting conversations belong to the chat pane; deleting the one it shows
is announced first (:attr:`ConversationListController.deleting`) so that the pane stops
it before its rows go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from chatdesk.ctl.services import Services
    from chatdesk.ui.mainwindow import MainWindow


class ConversationListController(QObject):
    """Wires the list's context actions to the store.

    Signals:
        deleting(int): a conversation is about to be deleted.
    """

    deleting = Signal(int)

    def __init__(self, window: MainWindow, services: Services) -> None:
        super().__init__(services)
        self.window = window
        self.services = services
        lst = window.conversations
        lst.rename_requested.connect(self.rename)
        lst.pin_requested.connect(self.pin)
        lst.delete_requested.connect(self.delete)
        lst.set_kind_source(self.kind_of)
        # The header's title: renamed in place through the same path, and following the
        # conversation on screen.
        window.title_renamed.connect(self.rename)
        services.shown_changed.connect(self.show_title)
        self.show_title(services.shown_conversation)

    def show_title(self, conversation_id: object = None) -> None:
        """The header names the conversation on screen (a new chat: no title yet)."""
        shown = self.services.shown_conversation
        if conversation_id is not None and conversation_id != shown:
            return  # another conversation's title changed
        row = self.services.store.get_conversation(shown) if shown is not None else None
        self.window.set_title(row.id if row else None, row.title if row else "")

    def kind_of(self, conversation_id: int) -> str:
        """What the sidebar draws an icon for: a comparison, or an ordinary chat."""
        store = self.services.store
        return "compare" if store.comparison_for_conversation(conversation_id) else "chat"

    def rename(self, conversation_id: int, title: str) -> None:
        title = title.strip()
        if title:
            store = self.services.store
            store.update_conversation(conversation_id, title=title)
            row = store.get_conversation(conversation_id)
            if row is not None:
                self.window.conversations.update_row(row)
            self.show_title(conversation_id)

    def pin(self, conversation_id: int, pinned: bool) -> None:
        self.services.store.update_conversation(conversation_id, pinned=pinned)
        self.window.conversations.reload()

    def delete(self, conversation_id: int) -> None:
        self.deleting.emit(conversation_id)
        self.services.store.delete_conversation(conversation_id)
