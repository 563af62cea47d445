"""The conversation sidebar widget: filter box, New chat, the list and an Undo bar.

The rows come from ``ConversationListModel`` (chatdesk/ui/convmodel.py: paging and
date-group headers), their sections and repeated-title labels from
chatdesk/ui/convgroups.py; this module is what the user clicks and types into.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.store.rows import ConversationRow
from chatdesk.ui.convdelegate import ConversationDelegate, Role
from chatdesk.ui.convgroups import KINDS, DayBounds, Group, Header
from chatdesk.ui.convmodel import PAGE_SIZE, ConversationListModel, CountFn, FetchFn
from chatdesk.ui.icons import icon


class ConversationList(QWidget):
    """The sidebar: filter box, New chat button, the list and an Undo bar for deletes.

    Deleting hides the row at once; ``delete_requested`` is emitted only once the
    undo window has passed (or ``flush_pending_delete()`` is called, e.g. on
    close or on another delete), so Undo never needs the store.

    Signals:
        conversation_selected(int): the user picked a conversation.
        new_requested(): New chat was clicked (also after deleting the open one).
        rename_requested(int, str): id and new title.
        pin_requested(int, bool): id and the wanted pinned state.
        delete_requested(int): commit the delete of this id now.
        filter_changed(str): the filter text, debounced.
    """

    conversation_selected = Signal(int)
    new_requested = Signal()
    rename_requested = Signal(int, str)
    pin_requested = Signal(int, bool)
    delete_requested = Signal(int)
    filter_changed = Signal(str)

    def __init__(
        self,
        fetch: FetchFn,
        count: CountFn | None = None,
        parent: QWidget | None = None,
        *,
        undo_timeout_ms: int = 6000,
        filter_debounce_ms: int = 150,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(parent)
        self._model = ConversationListModel(fetch, count, self, clock=clock)
        self._model.rename_committed.connect(self.rename_requested)
        self._pending_delete: int | None = None
        self._silent = False  # True while selection changes are programmatic

        self._filter_edit = QLineEdit(self)
        self._filter_edit.setPlaceholderText(self.tr("Filter conversations"))
        self._filter_edit.setAccessibleName(self.tr("Filter conversations"))
        # The clear button only shows with text, and its icon's first look-up (the icon
        # theme, the icon engines) took ~3 ms of the window's first paint: it is enabled
        # with the first text instead.
        self._filter_edit.textChanged.connect(self._enable_clear_button)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(filter_debounce_ms)
        self._filter_timer.timeout.connect(self._apply_filter)
        self._filter_edit.textChanged.connect(lambda _text: self._filter_timer.start())

        # An icon (a pen, as chat apps have it): the sidebar stays narrow enough for four
        # comparison columns beside it at 800 px.
        self._new_button = QToolButton(self)
        self._new_button.setObjectName("new-chat")
        self._new_button.setText(self.tr("New chat"))
        self._new_button.setIcon(icon("edit"))
        self._new_button.setIconSize(QSize(18, 18))
        self._new_button.setAutoRaise(True)
        self._new_button.setToolTip(self.tr("New chat (Ctrl+N)"))
        self._new_button.setAccessibleName(self.tr("New chat"))
        self._new_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        if not self._new_button.icon().isNull():
            self._new_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self._new_button.clicked.connect(self.new_requested)

        self._view = QListView(self)
        self._view.setAccessibleName(self.tr("Conversations"))
        self._view.setModel(self._model)
        self._view.setObjectName("conversation-list")
        self._view.setItemDelegate(ConversationDelegate(self._view))
        self._view.setMouseTracking(True)  # hover highlight
        self._view.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover)
        self._view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._view.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self._view.setUniformItemSizes(False)
        self._view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        # Long titles are elided, never scrolled sideways.
        self._view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self._view.setWordWrap(False)
        self._view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._view.customContextMenuRequested.connect(self._on_context_menu)
        self._view.selectionModel().currentChanged.connect(self._on_current_changed)
        delete_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self._view)
        delete_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_shortcut.activated.connect(self._delete_current)

        self._undo_bar = QFrame(self)
        self._undo_bar.setFrameShape(QFrame.Shape.StyledPanel)
        self._undo_label = QLabel(self.tr("Conversation deleted"), self._undo_bar)
        self._undo_button = QPushButton(self.tr("Undo"), self._undo_bar)
        self._undo_button.clicked.connect(self.undo_delete)
        bar = QHBoxLayout(self._undo_bar)
        bar.setContentsMargins(6, 2, 6, 2)
        bar.addWidget(self._undo_label, 1)
        bar.addWidget(self._undo_button)
        self._undo_bar.hide()
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(undo_timeout_ms)
        self._undo_timer.timeout.connect(self.flush_pending_delete)

        self.setObjectName("sidebar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        top = QHBoxLayout()
        top.setContentsMargins(8, 8, 8, 4)
        top.setSpacing(8)
        top.addWidget(self._filter_edit, 1)
        top.addWidget(self._new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(top)
        layout.addWidget(self._view, 1)
        layout.addWidget(self._undo_bar)

        self._model.reload()

    def _enable_clear_button(self, text: str) -> None:
        if text and not self._filter_edit.isClearButtonEnabled():
            self._filter_edit.setClearButtonEnabled(True)

    # -- public API --------------------------------------------------------

    def model(self) -> ConversationListModel:
        return self._model

    def view(self) -> QListView:
        return self._view

    def set_kind_source(self, source: Callable[[int], str] | None) -> None:
        """Where a row's kind (chat, comparison, prompt-set run) comes from; see the model."""
        self._model.set_kind_source(source)
        self._view.viewport().update()

    def filter_edit(self) -> QLineEdit:
        return self._filter_edit

    def reload(self) -> None:
        """Refetch from the store, keeping the selected conversation selected."""
        current = self.current_id()
        self._model.reload()
        if current is not None:
            self.select_conversation(current)

    def select_conversation(self, conv_id: int | None) -> None:
        """Select without emitting ``conversation_selected`` (the caller already knows)."""
        with self._quiet():
            if conv_id is None or not self._model.ensure_loaded(conv_id):
                self._view.selectionModel().clear()
                return
            index = self._model.index_of(conv_id)
            if not index.isValid():
                self._view.selectionModel().clear()
                return
            self._view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            self._view.scrollTo(index)

    def current_id(self) -> int | None:
        index = self._view.selectionModel().currentIndex()
        if not index.isValid() or not self._view.selectionModel().isSelected(index):
            return None
        value = index.data(Role.ID)
        return int(value) if value is not None else None

    def update_row(self, row: ConversationRow) -> None:
        with self._quiet():
            self._model.update_row(row)

    def pending_delete(self) -> int | None:
        return self._pending_delete

    def undo_bar_visible(self) -> bool:
        return not self._undo_bar.isHidden()

    def rename_conversation(self, conv_id: int) -> None:
        """Start inline editing of the title (Enter commits, Esc cancels)."""
        index = self._model.index_of(conv_id)
        if index.isValid():
            self._view.scrollTo(index)
            self._view.edit(index)

    def toggle_pin(self, conv_id: int) -> None:
        conv = self._model.conversation(conv_id)
        if conv is not None:
            self.pin_requested.emit(conv_id, not conv.pinned)

    def delete_conversation(self, conv_id: int) -> None:
        """Hide the row now and commit after the undo window."""
        if self._pending_delete is not None:
            self.flush_pending_delete()
        was_current = self.current_id() == conv_id
        if was_current:
            # Clear first: removing the current row would make Qt move the current
            # index to a neighbour and we would announce a selection nobody made.
            self.select_conversation(None)
        self._pending_delete = conv_id
        with self._quiet():
            self._model.hide_conversation(conv_id)
        self._undo_bar.show()
        self._undo_timer.start()
        if was_current:
            self.new_requested.emit()

    def undo_delete(self) -> None:
        """Bring the pending row back; nothing reaches the controller."""
        self._undo_timer.stop()
        self._undo_bar.hide()
        conv_id, self._pending_delete = self._pending_delete, None
        if conv_id is not None:
            with self._quiet():
                self._model.unhide_conversation(conv_id)

    def flush_pending_delete(self) -> None:
        """Commit a pending delete now (undo window over, another delete, or closing)."""
        self._undo_timer.stop()
        self._undo_bar.hide()
        conv_id, self._pending_delete = self._pending_delete, None
        if conv_id is None:
            return
        with self._quiet():
            self._model.forget_conversation(conv_id)
        self.delete_requested.emit(conv_id)

    def context_menu_for(self, conv_id: int) -> QMenu | None:
        """Build the per-item menu (Rename, Pin/Unpin, Delete); None if not loaded."""
        conv = self._model.conversation(conv_id)
        if conv is None:
            return None
        menu = QMenu(self)
        rename = QAction(self.tr("Rename"), menu)
        rename.setObjectName("rename")
        rename.triggered.connect(lambda: self.rename_conversation(conv_id))
        pin = QAction(self.tr("Unpin") if conv.pinned else self.tr("Pin"), menu)
        pin.setObjectName("pin")
        pin.triggered.connect(lambda: self.toggle_pin(conv_id))
        delete = QAction(self.tr("Delete"), menu)
        delete.setObjectName("delete")
        delete.triggered.connect(lambda: self.delete_conversation(conv_id))
        menu.addActions([rename, pin])
        menu.addSeparator()
        menu.addAction(delete)
        return menu

    # -- internals ---------------------------------------------------------

    @contextmanager
    def _quiet(self) -> Iterator[None]:
        """Selection changes inside are ours, not the user's: do not announce them."""
        previous, self._silent = self._silent, True
        try:
            yield
        finally:
            self._silent = previous

    def _on_context_menu(self, pos: QPoint) -> None:
        conv_id = self._view.indexAt(pos).data(Role.ID)
        if conv_id is None:
            return
        menu = self.context_menu_for(int(conv_id))
        if menu is not None:
            menu.exec(self._view.viewport().mapToGlobal(pos))
            menu.deleteLater()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._silent or not current.isValid():
            return
        conv_id = current.data(Role.ID)
        if conv_id is not None:
            self.conversation_selected.emit(int(conv_id))

    def _delete_current(self) -> None:
        conv_id = self.current_id()
        if conv_id is not None and self._view.state() != QAbstractItemView.State.EditingState:
            self.delete_conversation(conv_id)

    def _apply_filter(self) -> None:
        text = self._filter_edit.text().strip()
        current = self.current_id()
        self._model.set_filter(text or None)
        if current is not None:
            self.select_conversation(current)
        self.filter_changed.emit(text)


__all__ = [
    "KINDS",
    "PAGE_SIZE",
    "ConversationList",
    "ConversationListModel",
    "DayBounds",
    "Group",
    "Header",
    "Role",
]
