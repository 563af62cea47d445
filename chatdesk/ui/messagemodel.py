"""The message list model: the active branch of one conversation, fed by the controller.

Each compare column gets its own model; nothing here is shared between instances.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import QWidget

from chatdesk.store.rows import MessageRow
from chatdesk.ui import streamload

__all__ = ["ImageLoader", "MessageListModel", "copy_row"]

ImageLoader = Callable[[str], "tuple[bytes, str] | None"]
_Index = QModelIndex | QPersistentModelIndex


class MessageListModel(QAbstractListModel):
    """The active branch of one conversation, fed by the controller.

    Streaming deltas are buffered (``append_delta`` is O(1)) and flushed on a coalescing
    timer so the view is updated at most every :attr:`FLUSH_MS` ms, whatever the token rate.
    When several views stream at once (compare columns), the interval grows with their
    number and the cost of the last update (the flush and the paints after it, reported
    by the view through :meth:`note_shown`) so that streamed updates of all views keep to
    :attr:`UI_SHARE` of the thread, up to :attr:`MAX_FLUSH_MS` (8 updates a second).
    """

    RowRole = Qt.ItemDataRole.UserRole + 1  # the MessageRow
    IdRole = Qt.ItemDataRole.UserRole + 2
    VersionRole = Qt.ItemDataRole.UserRole + 3  # bumped on every change of the row
    BranchRole = Qt.ItemDataRole.UserRole + 4  # (position, count) or None

    FLUSH_MS = 80
    MAX_FLUSH_MS = 125  # however loaded, a streaming view shows new text 8 times a second
    UI_SHARE = 0.15  # of the thread, for the updates of all the views streaming at once
    # Text arriving faster than anyone reads (more than a screenful per update, a
    # local model or a test server at full speed) jumps a screen at each update
    # whatever their rate: then four updates a second show as much, for half the cost.
    FAST_CHARS = 2000
    FAST_FLUSH_MS = 333

    def __init__(
        self, image_loader: ImageLoader | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.image_loader = image_loader
        self._rows: list[MessageRow] = []
        self._pos: dict[int, int] = {}
        self._branch: dict[int, tuple[int, int]] = {}
        self._version: dict[int, int] = {}
        self._pending: dict[int, tuple[list[str], list[str]]] = {}
        self._owned: set[int] = set()  # rows copied before being mutated by deltas
        self._base_ms = self.FLUSH_MS
        self._cost_s = 0.0  # the last flush and the paints after it so far
        self._last_cost_s = 0.0  # the flush before it and all the paints after that one
        self._last_chars = 0  # characters the last flush showed
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.FLUSH_MS)
        self._timer.timeout.connect(self.flush)

    def set_flush_interval(self, ms: int) -> None:
        """How often streamed text reaches the view (when alone). Compare columns use
        slightly different intervals so their repaints fall in different frames."""
        self._base_ms = max(16, min(500, ms))
        self._timer.setInterval(self._base_ms)

    def flush_interval(self) -> int:
        """The wait before buffered text is shown: the base interval, longer while
        several views stream and showing an update costs much (see the class)."""
        if self._last_chars > self.FAST_CHARS:
            return max(self._base_ms, self.FAST_FLUSH_MS)
        n = streamload.streaming_count()
        if n < 2:  # alone (the chat view): as often as it always did
            return self._base_ms
        cost = max(self._cost_s, self._last_cost_s)  # the paints of the last may be due
        want = n * cost / self.UI_SHARE * 1000
        return int(max(self._base_ms, min(max(self._base_ms, self.MAX_FLUSH_MS), want)))

    def note_shown(self, seconds: float) -> None:
        """The view spent ``seconds`` showing this model's rows (a paint)."""
        self._cost_s += seconds

    # -- Qt model API
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row.content
        if role == self.RowRole:
            return row
        if role == self.IdRole:
            return row.id
        if role == self.VersionRole:
            return self._version.get(row.id, 0)
        if role == self.BranchRole:
            return self._branch.get(row.id)
        return None

    def roleNames(self) -> dict[int, QByteArray]:
        names = super().roleNames()
        names[self.RowRole] = QByteArray(b"message")
        names[self.IdRole] = QByteArray(b"messageId")
        names[self.VersionRole] = QByteArray(b"version")
        names[self.BranchRole] = QByteArray(b"branch")
        return names

    # -- controller API
    def set_messages(
        self, rows: list[MessageRow], branch_info: dict[int, tuple[int, int]] | None = None
    ) -> None:
        """Replace the whole list (a conversation or a branch was opened)."""
        self._timer.stop()
        self.beginResetModel()
        self._rows = list(rows)
        self._pos = {r.id: i for i, r in enumerate(self._rows)}
        self._branch = dict(branch_info or {})
        self._pending.clear()
        self._owned.clear()
        self._cost_s = self._last_cost_s = 0.0
        self._last_chars = 0
        self._version = {}
        self.endResetModel()

    def set_branch_info(self, branch_info: dict[int, tuple[int, int]]) -> None:
        """Update the ``< n/m >`` switchers without reloading the messages."""
        changed = {
            k
            for k in set(self._branch) | set(branch_info)
            if self._branch.get(k) != branch_info.get(k)
        }
        self._branch = dict(branch_info)
        for mid in changed:
            self._changed(mid)

    def append_message(self, row: MessageRow) -> None:
        """Add a message at the end (the user's prompt, the new assistant placeholder)."""
        n = len(self._rows)
        self.beginInsertRows(QModelIndex(), n, n)
        self._rows.append(row)
        self._pos[row.id] = n
        self.endInsertRows()

    def update_message(self, row: MessageRow) -> None:
        """Replace a message (status, usage, finish reason, error...); ``row`` is authoritative.

        Buffered deltas of that message are flushed first so nothing arrives out of order.
        """
        if row.id not in self._pos:
            return
        self._flush_one(row.id, emit=False)
        self._owned.discard(row.id)
        self._rows[self._pos[row.id]] = row
        self._changed(row.id)

    def remove_message(self, message_id: int) -> None:
        """Remove one message (deleted); later rows move up."""
        i = self._pos.get(message_id)
        if i is None:
            return
        self._pending.pop(message_id, None)
        self.beginRemoveRows(QModelIndex(), i, i)
        del self._rows[i]
        self._pos = {r.id: k for k, r in enumerate(self._rows)}
        self.endRemoveRows()

    def append_delta(self, message_id: int, text: str = "", reasoning: str = "") -> None:
        """Buffer streamed text for a message; the view sees it at the next flush."""
        buf = self._pending.get(message_id)
        if buf is None:
            # The timer runs whenever something is buffered: armed with the first piece.
            buf = self._pending[message_id] = ([], [])
            if not self._timer.isActive():
                self._timer.start(self.flush_interval())
        if text:
            buf[0].append(text)
        if reasoning:
            buf[1].append(reasoning)

    def flush(self) -> None:
        """Apply buffered deltas now (one dataChanged per streaming message)."""
        self._timer.stop()  # called directly (the stream ended): nothing left for it
        if not self._pending:
            return
        start = time.perf_counter()
        self._last_cost_s = self._cost_s
        streamload.note_streamed(self)
        self._last_chars = 0
        for mid in list(self._pending):
            self._flush_one(mid, emit=True)
        self._cost_s = time.perf_counter() - start  # the paints after it are added

    def row_of(self, message_id: int) -> int:
        """Row of a message, -1 when it is not in the list."""
        return self._pos.get(message_id, -1)

    def message(self, row: int) -> MessageRow:
        return self._rows[row]

    def message_by_id(self, message_id: int) -> MessageRow | None:
        i = self._pos.get(message_id)
        return None if i is None else self._rows[i]

    def branch(self, message_id: int) -> tuple[int, int] | None:
        return self._branch.get(message_id)

    def version(self, message_id: int) -> int:
        return self._version.get(message_id, 0)

    def messages(self) -> list[MessageRow]:
        return list(self._rows)

    # -- internals
    def _flush_one(self, mid: int, emit: bool) -> None:
        buf = self._pending.pop(mid, None)
        i = self._pos.get(mid)
        if buf is None or i is None:
            return
        row = self._rows[i]
        if mid not in self._owned:  # never mutate the controller's object
            row = self._rows[i] = copy_row(row)
            self._owned.add(mid)
        if buf[0]:
            text = "".join(buf[0])
            row.content += text
            self._last_chars += len(text)
        if buf[1]:
            text = "".join(buf[1])
            row.reasoning += text
            self._last_chars += len(text)
        if emit:
            self._changed(mid)

    def _changed(self, mid: int) -> None:
        i = self._pos.get(mid)
        if i is None:
            return
        self._version[mid] = self._version.get(mid, 0) + 1
        idx = self.index(i, 0)
        self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DisplayRole, self.VersionRole])


def copy_row(row: MessageRow) -> MessageRow:
    """A shallow copy, so streamed text never mutates the controller's row object."""
    return MessageRow(**{f: getattr(row, f) for f in MessageRow.__slots__})
