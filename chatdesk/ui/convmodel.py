"""The conversation sidebar's list model: paged rows with date-group headers.

The model never queries the store itself: the controller hands it a ``fetch``
callable, and the model asks for 200 rows at a time as the user scrolls
(``canFetchMore``/``fetchMore``), so 10,000 conversations cost nothing up front.
Group headers ("Pinned", "Today", ...) are real rows with no item flags, so the
view skips them for selection and keyboard navigation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from chatdesk.store.rows import ConversationRow
from chatdesk.ui.convdelegate import Role
from chatdesk.ui.convgroups import (
    KINDS,
    DayBounds,
    Group,
    Header,
    Item,
    distinct_labels,
    item_key,
)

PAGE_SIZE = 200

FetchFn = Callable[[int, int, str | None], list[ConversationRow]]
CountFn = Callable[[], int]

_AnyIndex = QModelIndex | QPersistentModelIndex


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
        self._items: list[Item] = []  # what the view shows
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

    def _build(self, convs: list[ConversationRow]) -> list[Item]:
        items: list[Item] = []
        last: Header | None = None
        shown = [c for c in convs if c.id not in self._hidden]
        for conv in shown:
            header = self._bounds.header_of(conv)
            if header != last:
                items.append(header)
                last = header
            items.append(conv)
        self._labels = distinct_labels(shown, self.tr("New chat"), self._bounds.today)
        return items

    def _rebuild(self) -> None:
        """Swap in the new display list, telling views about the one changed span.

        Every edit (page appended, row hidden/restored, regroup) changes one
        contiguous span, so a common prefix/suffix diff gives exact
        insert/remove notifications and views keep their selection and scroll.
        """
        old_labels = self._labels
        old, new = self._items, self._build(self._convs)
        old_keys = [item_key(i) for i in old]
        new_keys = [item_key(i) for i in new]
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


__all__ = ["PAGE_SIZE", "ConversationListModel", "CountFn", "FetchFn"]
