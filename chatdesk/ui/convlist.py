"""The conversation sidebar: a paged list model with date-group headers, and its widget.

The model never queries the store itself: the controller hands it a ``fetch``
callable, and the model asks for 200 rows at a time as the user scrolls
(``canFetchMore``/``fetchMore``), so 10,000 conversations cost nothing up front.
Group headers ("Pinned", "Today", ...) are real rows with no item flags, so the
view skips them for selection and keyboard navigation.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
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
from chatdesk.ui.icons import icon

if TYPE_CHECKING:
    # Annotations only: a Qt class's first import builds its Python type and enums (~0.5 ms
    # here), which can wait until the delegate paints its first row.
    pass

PAGE_SIZE = 200

FetchFn = Callable[[int, int, str | None], list[ConversationRow]]
CountFn = Callable[[], int]

_AnyIndex = QModelIndex | QPersistentModelIndex


class Group(IntEnum):
    """Sidebar sections, in display order (OLDER repeats: one header per month)."""

    PINNED = 0
    TODAY = 1
    YESTERDAY = 2
    PREVIOUS_7_DAYS = 3
    PREVIOUS_30_DAYS = 4
    OLDER = 5


@dataclass(slots=True, frozen=True)
class Header:
    """A group header row; ``month`` (year * 12 + month - 1) tells OLDER months apart."""

    group: Group
    month: int = 0


@dataclass(slots=True, frozen=True)
class DayBounds:
    """Local-time midnights that separate the date groups, fixed at load time."""

    today: float
    yesterday: float
    week: float
    month: float = 0.0
    year: int = 0

    @classmethod
    def at(cls, now: float) -> DayBounds:
        """Boundaries for the local calendar day containing ``now`` (epoch seconds)."""
        today = datetime.fromtimestamp(now).date()

        def midnight(day: date) -> float:
            # A naive datetime's timestamp() is interpreted in local time (DST-safe).
            return datetime(day.year, day.month, day.day).timestamp()

        return cls(
            today=midnight(today),
            yesterday=midnight(today - timedelta(days=1)),
            week=midnight(today - timedelta(days=7)),
            month=midnight(today - timedelta(days=30)),
            year=today.year,
        )

    def group_of(self, row: ConversationRow) -> Group:
        if row.pinned:
            return Group.PINNED
        if row.updated >= self.today:
            return Group.TODAY
        if row.updated >= self.yesterday:
            return Group.YESTERDAY
        if row.updated >= self.week:
            return Group.PREVIOUS_7_DAYS
        if row.updated >= self.month:
            return Group.PREVIOUS_30_DAYS
        return Group.OLDER

    def header_of(self, row: ConversationRow) -> Header:
        group = self.group_of(row)
        if group != Group.OLDER:
            return Header(group)
        when = datetime.fromtimestamp(max(0.0, min(row.updated, 32503680000.0)))
        return Header(group, when.year * 12 + when.month - 1)


# A display row is either a group header or a conversation.
_Item = Header | ConversationRow

# Kinds a conversation can be; the delegate draws an icon for each.
KINDS = ("chat", "compare", "promptset")


def _key(item: _Item) -> tuple[str, int, int]:
    if isinstance(item, Header):
        return ("h", int(item.group), item.month)
    return ("c", item.id, 0)


class ConversationListModel(QAbstractListModel):
    """Conversations in fetch order (pinned first, then newest), with group header rows.

    ``fetch(offset, limit, title_filter)`` returns rows already sorted; ``count()``
    (optional) tells how many exist so paging can stop without an empty fetch.

    Signals:
        rename_committed(int, str): the user finished editing a title inline.
    """

    rename_committed = Signal(int, str)

    def __init__(
        self,
        fetch: FetchFn,
        count: CountFn | None = None,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.time,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._count = count
        self._clock = clock
        self._page_size = page_size
        self._filter: str | None = None
        self._bounds = DayBounds.at(clock())
        self._convs: list[ConversationRow] = []  # everything fetched, in fetch order
        self._hidden: set[int] = set()  # deleted but maybe undone: kept for paging offsets
        self._items: list[_Item] = []  # what the view shows
        self._labels: dict[int, str] = {}  # shown titles of rows whose title repeats
        self._kinds: dict[int, str] = {}
        self._kind_source: Callable[[int], str] | None = None
        self._exhausted = False
        # Slots on rowsAboutToBeInserted/rowsInserted (views, the model tester) may
        # call fetchMore while we are mid-change; a nested page would be lost.
        self._mutating = False

    # -- Qt model API ----------------------------------------------------------

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if isinstance(item, Header):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.header_title(item)
            if role == Role.IS_HEADER:
                return True
            if role == Role.GROUP:
                return int(item.group)
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            # Repeated titles get a distinguishing word; the store keeps the real one.
            return self._labels.get(item.id) or item.title or self.tr("New chat")
        if role == Qt.ItemDataRole.EditRole:
            return item.title or self.tr("New chat")
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.title or None
        if role == Role.ID:
            return item.id
        if role == Role.IS_HEADER:
            return False
        if role == Role.ROW:
            return item
        if role == Role.PINNED:
            return item.pinned
        if role == Role.GROUP:
            return int(self._bounds.group_of(item))
        if role == Role.KIND:
            return self.kind_of(item)
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            kind = self.kind_of(item)
            if kind == "compare":
                return self.tr("Comparison")
            if kind == "promptset":
                return self.tr("Prompt set run")
            return None
        return None

    def kind_of(self, row: ConversationRow) -> str:
        """The row's kind: its own ``kind`` field when it has one, else asked once (lazily:
        only rows painted cost a look-up) of the source the controller set."""
        own = getattr(row, "kind", None)
        if isinstance(own, str) and own in KINDS:
            return own
        kind = self._kinds.get(row.id)
        if kind is None:
            kind = self._kind_source(row.id) if self._kind_source is not None else "chat"
            kind = kind if kind in KINDS else "chat"
            self._kinds[row.id] = kind
        return kind

    def set_kind_source(self, source: Callable[[int], str] | None) -> None:
        """Where kinds come from (the controller asks the store); cached per row."""
        self._kind_source = source
        self._kinds.clear()

    def flags(self, index: _AnyIndex) -> Qt.ItemFlag:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return Qt.ItemFlag.NoItemFlags
        if isinstance(self._items[index.row()], Header):
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def setData(  # noqa: N802
        self, index: _AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        """Inline rename: update the shown title and tell the controller."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        item = self._items[index.row()]
        if isinstance(item, Header):
            return False
        title = str(value).strip()
        if not title or title == item.title:
            return False
        self.update_row(replace(item, title=title))
        self.rename_committed.emit(item.id, title)
        return True

    def canFetchMore(self, parent: _AnyIndex) -> bool:  # noqa: N802
        return not parent.isValid() and not self._exhausted and not self._mutating

    def fetchMore(self, parent: _AnyIndex) -> None:  # noqa: N802
        if not self.canFetchMore(parent):
            return
        rows = self._fetch(len(self._convs), self._page_size, self._filter)
        self._append(rows, self._page_size)

    # -- public API --------------------------------------------------------

    def group_title(self, group: Group) -> str:
        return {
            Group.PINNED: self.tr("Pinned"),
            Group.TODAY: self.tr("Today"),
            Group.YESTERDAY: self.tr("Yesterday"),
            Group.PREVIOUS_7_DAYS: self.tr("Previous 7 days"),
            Group.PREVIOUS_30_DAYS: self.tr("Previous 30 days"),
            Group.OLDER: self.tr("Older"),
        }[group]

    def header_title(self, header: Header) -> str:
        """The group's name; older rows are grouped by month ("February", "May 2025")."""
        if header.group != Group.OLDER:
            return self.group_title(header.group)
        year, month = divmod(header.month, 12)
        names = (
            self.tr("January"),
            self.tr("February"),
            self.tr("March"),
            self.tr("April"),
            self.tr("May"),
            self.tr("June"),
            self.tr("July"),
            self.tr("August"),
            self.tr("September"),
            self.tr("October"),
            self.tr("November"),
            self.tr("December"),
        )
        if year == self._bounds.year:
            return names[month]
        return self.tr("{month} {year}").format(month=names[month], year=year)

    def set_filter(self, title_filter: str | None) -> None:
        """Refetch with a title filter (``None`` or empty shows everything)."""
        self._filter = title_filter or None
        self.reload(keep_loaded=False)

    def title_filter(self) -> str | None:
        return self._filter

    def reload(self, keep_loaded: bool = True) -> None:
        """Refetch from offset 0; with ``keep_loaded`` as many rows as were loaded."""
        limit = max(self._page_size, len(self._convs)) if keep_loaded else self._page_size
        self.beginResetModel()
        self._mutating = True
        try:
            self._bounds = DayBounds.at(self._clock())
            self._convs = []
            self._items = []
            self._kinds.clear()
            self._exhausted = False
            rows = self._fetch(0, limit, self._filter)
            self._append(rows, limit, notify=False)
        finally:
            self._mutating = False
            self.endResetModel()

    def loaded_count(self) -> int:
        """Conversations fetched so far (shown or hidden)."""
        return len(self._convs)

    def row_of(self, conv_id: int) -> int:
        """The view row of a conversation, or -1 when it is not loaded or hidden."""
        for i, item in enumerate(self._items):
            if isinstance(item, ConversationRow) and item.id == conv_id:
                return i
        return -1

    def index_of(self, conv_id: int) -> QModelIndex:
        row = self.row_of(conv_id)
        return self.index(row, 0) if row >= 0 else QModelIndex()

    def conversation(self, conv_id: int) -> ConversationRow | None:
        for conv in self._convs:
            if conv.id == conv_id:
                return conv
        return None

    def ensure_loaded(self, conv_id: int) -> bool:
        """Page in rows until ``conv_id`` is loaded; False if it does not exist."""
        while self.conversation(conv_id) is None and self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())
        return self.conversation(conv_id) is not None

    def update_row(self, row: ConversationRow) -> None:
        """Replace a loaded row in place (e.g. the title set while streaming).

        The row keeps its position so the list does not jump under the user's
        pointer; a change of pinned state regroups it.
        """
        for i, conv in enumerate(self._convs):
            if conv.id == row.id:
                self._convs[i] = row
                break
        else:
            return
        self._rebuild()
        pos = self.row_of(row.id)
        if pos >= 0:
            index = self.index(pos, 0)
            self.dataChanged.emit(index, index)

    def hide_conversation(self, conv_id: int) -> None:
        """Remove from view but keep it for paging offsets (pending delete)."""
        self._hidden.add(conv_id)
        self._rebuild()

    def unhide_conversation(self, conv_id: int) -> None:
        self._hidden.discard(conv_id)
        self._rebuild()

    def forget_conversation(self, conv_id: int) -> None:
        """The store deleted it: drop it so the next page's offset stays right."""
        self._hidden.discard(conv_id)
        self._convs = [c for c in self._convs if c.id != conv_id]
        self._rebuild()

    # -- internals ---------------------------------------------------------

    def _append(self, rows: list[ConversationRow], limit: int, notify: bool = True) -> None:
        known = {c.id for c in self._convs}
        # A row can appear twice if one was added between page fetches; keep the first.
        self._convs.extend(r for r in rows if r.id not in known)
        if len(rows) < limit:
            self._exhausted = True
        elif self._count is not None and len(self._convs) >= self._count():
            self._exhausted = True
        if notify:
            self._rebuild()
        else:
            self._items = self._build(self._convs)

    def _build(self, convs: list[ConversationRow]) -> list[_Item]:
        items: list[_Item] = []
        last: Header | None = None
        shown = [c for c in convs if c.id not in self._hidden]
        for conv in shown:
            header = self._bounds.header_of(conv)
            if header != last:
                items.append(header)
                last = header
            items.append(conv)
        self._labels = self._distinct_labels(shown)
        return items

    def _distinct_labels(self, convs: list[ConversationRow]) -> dict[int, str]:
        """Shown titles for rows whose title repeats: the time (or the day and time) of
        the conversation's start, then "(2)", "(3)" if that still repeats."""
        by_title: dict[str, list[ConversationRow]] = {}
        for conv in convs:
            by_title.setdefault(conv.title or "", []).append(conv)
        labels: dict[int, str] = {}
        for title, rows in by_title.items():
            if len(rows) < 2:
                continue
            base = title or self.tr("New chat")
            seen: dict[str, int] = {}
            for conv in sorted(rows, key=lambda r: (r.created, r.id)):
                when = datetime.fromtimestamp(max(0.0, min(conv.created, 32503680000.0)))
                stamp = when.strftime("%H:%M")
                if conv.created < self._bounds.today:
                    stamp = when.strftime("%m-%d %H:%M")
                label = f"{base} · {stamp}"
                seen[label] = seen.get(label, 0) + 1
                if seen[label] > 1:
                    label = f"{label} ({seen[label]})"
                labels[conv.id] = label
        return labels

    def _rebuild(self) -> None:
        """Swap in the new display list, telling views about the one changed span.

        Every edit (page appended, row hidden/restored, regroup) changes one
        contiguous span, so a common prefix/suffix diff gives exact
        insert/remove notifications and views keep their selection and scroll.
        """
        old_labels = self._labels
        old, new = self._items, self._build(self._convs)
        old_keys = [_key(i) for i in old]
        new_keys = [_key(i) for i in new]
        limit = min(len(old), len(new))
        prefix = 0
        while prefix < limit and old_keys[prefix] == new_keys[prefix]:
            prefix += 1
        suffix = 0
        while suffix < limit - prefix and old_keys[-1 - suffix] == new_keys[-1 - suffix]:
            suffix += 1
        old_end, new_end = len(old) - suffix, len(new) - suffix
        self._mutating = True
        try:
            if old_end > prefix:
                self.beginRemoveRows(QModelIndex(), prefix, old_end - 1)
                self._items = old[:prefix] + old[old_end:] if new_end > prefix else new
                self.endRemoveRows()
            if new_end > prefix:
                self.beginInsertRows(QModelIndex(), prefix, new_end - 1)
                self._items = new
                self.endInsertRows()
            elif old_end <= prefix:
                self._items = new  # same rows; pick up replaced row objects
        finally:
            self._mutating = False
        # A rename can make another row's title repeat (or stop repeating).
        for conv_id in old_labels.keys() | self._labels.keys():
            if old_labels.get(conv_id) != self._labels.get(conv_id):
                pos = self.row_of(conv_id)
                if pos >= 0:
                    self.dataChanged.emit(self.index(pos, 0), self.index(pos, 0))


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
