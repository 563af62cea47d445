"""The message list: a model fed by the controller and a virtualised view that paints it.

Why not QListView + delegate: QListView re-queries the size of *every* row (a Python call
each) whenever one row's height changes, i.e. on every streaming flush; with 2,000 messages
that alone costs tens of milliseconds. :class:`MessageView` keeps a plain list of row heights
(estimates until a row is first shown), lays out only the rows on screen and keeps the
reading position anchored while estimates turn into real heights.

Each message is a stack of small QTextDocuments: a header, the collapsible "Thinking"
section, one document per Markdown block (so a streaming reply only appends new blocks and
re-renders its open last block, RECIPES.md section 6; blocks are rendered lazily: kept as
Markdown source with an estimated height until they come on screen, the rest in idle time
once the message is complete) and a footer (tool calls, images,
status, statistics, actions). Actions are links (``action:...``) hit-tested with
``documentLayout().anchorAt`` and reported through :attr:`MessageView.action_requested`.
Widgets never touch the database or the network: images come through ``image_loader``.
"""

from __future__ import annotations

import bisect
import html
import itertools
import json
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractListModel,
    QByteArray,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QDesktopServices,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QDialog,
    QDialogButtonBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from chatdesk.store.rows import MessageRow
from chatdesk.ui import render

__all__ = ["MessageListModel", "MessageView", "ImageLoader"]

ImageLoader = Callable[[str], "tuple[bytes, str] | None"]
_Index = QModelIndex | QPersistentModelIndex

SAFE_LINK_SCHEMES = ("http", "https", "mailto")


def _tr(text: str) -> str:
    """Translate a string marked with ``QT_TRANSLATE_NOOP("MessageView", ...)``."""
    return QCoreApplication.translate("MessageView", text)


def _copy_label() -> str:
    return QCoreApplication.translate("MessageView", "Copy")


render.copy_label = _copy_label  # the Copy link of code blocks, translated


# --------------------------------------------------------------------------- model


class MessageListModel(QAbstractListModel):
    """The active branch of one conversation, fed by the controller.

    Streaming deltas are buffered (``append_delta`` is O(1)) and flushed on a coalescing
    timer so the view is updated at most every :attr:`FLUSH_MS` ms, whatever the token rate.
    """

    RowRole = Qt.ItemDataRole.UserRole + 1  # the MessageRow
    IdRole = Qt.ItemDataRole.UserRole + 2
    VersionRole = Qt.ItemDataRole.UserRole + 3  # bumped on every change of the row
    BranchRole = Qt.ItemDataRole.UserRole + 4  # (position, count) or None

    FLUSH_MS = 80

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
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.FLUSH_MS)
        self._timer.timeout.connect(self.flush)

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
            buf = self._pending[message_id] = ([], [])
        if text:
            buf[0].append(text)
        if reasoning:
            buf[1].append(reasoning)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        """Apply buffered deltas now (one dataChanged per streaming message)."""
        for mid in list(self._pending):
            self._flush_one(mid, emit=True)

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
            row = self._rows[i] = _copy_row(row)
            self._owned.add(mid)
        if buf[0]:
            row.content += "".join(buf[0])
        if buf[1]:
            row.reasoning += "".join(buf[1])
        if emit:
            self._changed(mid)

    def _changed(self, mid: int) -> None:
        i = self._pos.get(mid)
        if i is None:
            return
        self._version[mid] = self._version.get(mid, 0) + 1
        idx = self.index(i, 0)
        self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DisplayRole, self.VersionRole])


def _copy_row(row: MessageRow) -> MessageRow:
    return MessageRow(**{f: getattr(row, f) for f in MessageRow.__slots__})  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- colours

_PALETTES: dict[bool, dict[str, str]] = {
    False: {
        "bg": "#f3f4f6",
        "fg": "#1f2328",
        "muted": "#656d76",
        "link": "#0969da",
        "user": "#dbeafe",
        "assistant": "#ffffff",
        "system": "#fef9c3",
        "tool": "#eef2f7",
        "border": "#d0d7de",
        "error": "#cf222e",
        "warn": "#9a6700",
        "hl": "#fde047",
        "card": "#f6f8fa",
    },
    True: {
        "bg": "#0d1117",
        "fg": "#e6edf3",
        "muted": "#8d96a0",
        "link": "#58a6ff",
        "user": "#1c2b3f",
        "assistant": "#161b22",
        "system": "#2d2a14",
        "tool": "#1b222c",
        "border": "#30363d",
        "error": "#f85149",
        "warn": "#d29922",
        "hl": "#9e6a03",
        "card": "#21262d",
    },
}


# --------------------------------------------------------------------------- documents

_MATH_IMAGES: dict[str, QImage] = {}


def _math_image(name: str) -> QImage:
    img = _MATH_IMAGES.get(name)
    if img is None:
        svg = render.MATH_SVGS.get(name)
        w, h = render.MATH_SIZES.get(name, (1.0, 1.0))
        scale = 2.0
        img = QImage(
            max(1, round(w * scale)),
            max(1, round(h * scale)),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        img.fill(Qt.GlobalColor.transparent)
        if svg:
            p = QPainter(img)
            QSvgRenderer(QByteArray(svg)).render(p)
            p.end()
        img.setDevicePixelRatio(scale)
        _MATH_IMAGES[name] = img
    return img


class _Doc(QTextDocument):
    """A document that resolves only our own resources and never fetches anything."""

    def __init__(self, resolve: Callable[[str], QImage | None]) -> None:
        super().__init__()
        self._resolve = resolve
        self.setUndoRedoEnabled(False)
        self.setDocumentMargin(0)

    def loadResource(self, type_: int, name: QUrl) -> Any:  # noqa: N802 (Qt override)
        url = name.toString()
        if url.startswith("math:"):
            return _math_image(url)
        if url.startswith("img:"):
            img = self._resolve(url[4:])
            if img is not None:
                return img
        return QImage()  # remote or unknown: nothing is loaded


_Sig = tuple[Any, ...]


class _Item:
    """The rendered form of one message at one width."""

    __slots__ = (
        "mid",
        "width",
        "head",
        "think",
        "segs",
        "tail",
        "foot",
        "stream",
        "content",
        "head_sig",
        "think_sig",
        "foot_sig",
        "reasoning_len",
        "parts",
        "offsets",
        "height",
        "hl_sig",
        "hl",
        "codes",
        "seg_h",
        "heights",
        "seg0",
        "lazy",
    )

    def __init__(self, mid: int, width: int) -> None:
        self.mid = mid
        self.width = width
        self.head: _Doc | None = None
        self.think: _Doc | None = None
        # One document per finished block; None while a block is not rendered yet (lazy).
        self.segs: list[_Doc | None] = []
        self.tail: _Doc | None = None
        self.foot: _Doc | None = None
        self.stream: render.StreamRenderer | None = None
        self.content: str | None = None
        self.head_sig: _Sig | None = None
        self.think_sig: _Sig | None = None
        self.foot_sig: _Sig | None = None
        self.reasoning_len = 0
        self.parts: list[_Doc | None] = []
        self.offsets: list[int] = []
        self.height = 0
        self.hl_sig: _Sig | None = None
        self.hl: dict[int, list[QAbstractTextDocumentLayout.Selection]] = {}
        self.codes: list[str] = []
        self.seg_h: list[int] = []
        self.heights: list[int] = []
        self.seg0 = 0  # index in parts of the first block
        self.lazy: set[int] = set()  # indexes of blocks (segs) not rendered yet


# --------------------------------------------------------------------------- view

_ROLE_NAMES = {
    "user": QT_TRANSLATE_NOOP("MessageView", "You"),
    "assistant": QT_TRANSLATE_NOOP("MessageView", "Assistant"),
    "system": QT_TRANSLATE_NOOP("MessageView", "System"),
    "tool": QT_TRANSLATE_NOOP("MessageView", "Tool"),
}


class MessageView(QAbstractScrollArea):
    """Virtualised, anchored list of rendered messages.

    ``action_requested(action, message_id, arg)`` reports every click on an action link:
    copy, regenerate, edit, delete, branch_prev, branch_next, continue, retry,
    copy_code (arg: block index), tool_result (arg: tool call id), open_link (arg: url).
    """

    action_requested = Signal(str, int, object)

    MARGIN = 12  # around a bubble
    PAD = 10  # inside a bubble
    GAP = 6  # between the documents of one message
    SPACING = 8  # between messages
    CACHE = 400  # rendered messages kept
    SLICE_S = 0.004  # Markdown time per event-loop turn while catching up (Qt work ~ same)
    BIG_MESSAGE = 16_000  # chars; longer complete messages are rendered progressively too

    def __init__(
        self, model: MessageListModel | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._model: MessageListModel | None = None
        self._dark = False
        self._heights: list[int] = []
        self._tops: list[int] = [0]
        self._items: OrderedDict[int, _Item] = OrderedDict()
        self._known: dict[int, tuple[int, int]] = {}  # id -> (width, height) once rendered
        self._think_open: dict[int, bool] = {}
        self._details_open: set[int] = set()
        self._highlight: tuple[int, str] | None = None
        self._stick_bottom = True
        self._pin: int | None = None  # message kept in place after scroll_to_message
        self._adjusting = False
        self._press_href: str | None = None
        self._paint_deadline = 0.0  # lazy blocks are rendered by a paint until then
        self._thumbs: dict[str, QImage | None] = {}
        self._math_seen = render.math_generation
        self._math_timer = QTimer(self)
        self._math_timer.setInterval(500)
        self._math_timer.timeout.connect(self._check_math)
        self._math_timer.start()
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)
        self._countdown_ids: set[int] = set()
        self._catch_up = QTimer(self)
        self._catch_up.setSingleShot(True)
        self._catch_up.setInterval(0)
        self._catch_up.timeout.connect(self._on_catch_up)
        self._catch_up_ids: set[int] = set()
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.setInterval(0)
        self._idle.timeout.connect(self._on_idle)
        self._idle_ids: set[int] = set()
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.viewport().setMouseTracking(True)
        self.viewport().setAutoFillBackground(False)
        self.setFrameShape(QAbstractScrollArea.Shape.NoFrame)
        sb = self.verticalScrollBar()
        sb.setSingleStep(40)
        sb.valueChanged.connect(self._on_scroll)
        self._update_metrics()
        if model is not None:
            self.setModel(model)

    # -- public API
    def setModel(self, model: MessageListModel) -> None:  # noqa: N802 (Qt naming)
        if self._model is not None:
            self._model.disconnect(self)
        self._model = model
        model.modelReset.connect(self._on_reset)
        model.layoutChanged.connect(self._on_reset)
        model.rowsInserted.connect(self._on_inserted)
        model.rowsRemoved.connect(self._on_removed)
        model.dataChanged.connect(self._on_data_changed)
        self._on_reset()

    def model(self) -> MessageListModel | None:
        return self._model

    def _check_math(self) -> None:
        """Re-render finished messages that showed TeX source before math could load."""
        if render.math_generation == self._math_seen:
            return
        self._math_seen = render.math_generation
        m = self._model
        if m is None:
            return
        for mid in list(self._items):
            row = m.message_by_id(mid)
            if row is None or row.status == "streaming":
                continue
            if "$" in row.content or "\\(" in row.content or "\\[" in row.content:
                del self._items[mid]
        self.viewport().update()

    def set_dark(self, dark: bool) -> None:
        """Switch the colours of bubbles, text, code blocks and math."""
        if bool(dark) == self._dark:
            return
        self._dark = bool(dark)
        self._items.clear()
        self.viewport().update()

    def is_dark(self) -> bool:
        return self._dark

    def scroll_to_bottom(self) -> None:
        self._stick_bottom = True
        self._pin = None
        self._relayout()
        self.viewport().update()

    def is_at_bottom(self) -> bool:
        return self._stick_bottom

    def scroll_to_message(self, message_id: int) -> None:
        """Bring a message to the top of the view (search results, jumps)."""
        m = self._model
        row = -1 if m is None else m.row_of(message_id)
        if row < 0:
            return
        item = self._item(row)
        self._heights[row] = item.height
        self._stick_bottom = False
        self._pin = message_id
        self._relayout()
        self._set_scroll(self._tops[row] - self.SPACING)
        self.viewport().update()

    def highlight(self, message_id: int, text: str) -> None:
        """Mark occurrences of ``text`` in a message and scroll to it ("" clears)."""
        self._highlight = (message_id, text) if text else None
        if text:
            self.scroll_to_message(message_id)
        self.viewport().update()

    def message_rect(self, message_id: int) -> QRect | None:
        """The bubble of a message in viewport coordinates (None if not in the list)."""
        m = self._model
        row = -1 if m is None else m.row_of(message_id)
        if row < 0:
            return None
        y = self._tops[row] - self.verticalScrollBar().value()
        return QRect(self.MARGIN, y, self._bubble_width(), self._heights[row] - self.SPACING)

    def link_rect(self, message_id: int, href: str) -> QRect | None:
        """Where the link ``href`` of a message is drawn, in viewport coordinates."""
        m = self._model
        row = -1 if m is None else m.row_of(message_id)
        if row < 0:
            return None
        item = self._item(row)
        if self._realize_all(item, m.message(row)):  # type: ignore[union-attr]
            self._heights[row] = item.height
            self._relayout({row})
        base_y = self._tops[row] - self.verticalScrollBar().value() + self.PAD
        base_x = self.MARGIN + self.PAD
        for doc, off in zip(item.parts, item.offsets, strict=True):
            r = _anchor_rect(doc, href) if doc is not None else None
            if r is not None:
                return r.translated(base_x, base_y + off)
        return None

    def code_blocks(self, message_id: int) -> list[str]:
        """Raw text of each code block of a message (index = copy_code argument)."""
        m = self._model
        row = -1 if m is None else m.row_of(message_id)
        if row < 0 or m is None:
            return []
        item = self._item(row)
        if self._realize_all(item, m.message(row)):
            self._heights[row] = item.height
            self._relayout({row})
            self.viewport().update()
        return list(item.codes)

    def open_text_view(self, message_id: int) -> QDialog | None:
        """A read-only selectable view of one message (also opened by double-click)."""
        m = self._model
        row_i = -1 if m is None else m.row_of(message_id)
        if m is None or row_i < 0:
            return None
        row = m.message(row_i)
        dlg = QDialog(self)
        dlg.setWindowTitle(self.tr("Message"))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lay = QVBoxLayout(dlg)
        browser = _SafeBrowser(self._thumb, dlg)
        browser.setOpenLinks(False)
        browser.anchorClicked.connect(lambda url: self._handle_href(message_id, url.toString()))
        if row.role == "assistant":
            browser.setHtml(render.render_markdown(row.content, self._dark).html)
        else:
            browser.setPlainText(row.content)
        lay.addWidget(browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dlg)
        buttons.rejected.connect(dlg.reject)
        lay.addWidget(buttons)
        dlg.resize(720, 560)
        dlg.show()
        return dlg

    # -- model signals
    def _on_reset(self) -> None:
        m = self._model
        rows = m.messages() if m is not None else []
        w = self._doc_width()
        heights = []
        for r in rows:
            known = self._known.get(r.id)
            heights.append(known[1] if known and known[0] == w else self._estimate(r, w))
        self._heights = heights
        live = {r.id for r in rows}
        for mid in [k for k in self._items if k not in live]:
            del self._items[mid]
        self._stick_bottom = True
        self._relayout()
        self.viewport().update()

    def _on_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        m = self._model
        assert m is not None
        w = self._doc_width()
        new = [self._estimate(m.message(i), w) for i in range(first, last + 1)]
        self._heights[first:first] = new
        self._relayout()
        self.viewport().update()

    def _on_removed(self, parent: QModelIndex, first: int, last: int) -> None:
        del self._heights[first : last + 1]
        m = self._model
        live = {r.id for r in m.messages()} if m is not None else set()
        for mid in [k for k in self._items if k not in live]:
            del self._items[mid]
        self._relayout()
        self.viewport().update()

    def _on_data_changed(self, top: QModelIndex, bottom: QModelIndex, roles: Any = None) -> None:
        m = self._model
        if m is None:
            return
        w = self._doc_width()
        rows = range(top.row(), bottom.row() + 1)
        for i in rows:
            row = m.message(i)
            item = self._items.get(row.id)
            if item is not None:
                self._sync(item, row)
                self._heights[i] = item.height
            else:
                self._heights[i] = self._estimate(row, w)
        self._relayout(set(rows))
        self.viewport().update()

    # -- layout
    def _update_metrics(self) -> None:
        fm = QFontMetrics(self.font())
        self._line_h = fm.lineSpacing()
        self._char_w = max(1, fm.averageCharWidth())

    def _bubble_width(self) -> int:
        return max(80, self.viewport().width() - 2 * self.MARGIN)

    def _doc_width(self) -> int:
        return self._bubble_width() - 2 * self.PAD

    def _estimate(self, row: MessageRow, width: int) -> int:
        """A cheap height guess for a row not rendered yet (refined when it is shown)."""
        per_line = max(10, width // self._char_w)
        text = row.content
        lines = len(text) // per_line + text.count("\n") + 1
        extra = 2 if row.role == "assistant" else 1
        if row.tool_calls:
            extra += 4 * len(row.tool_calls)
        if row.parts:
            extra += 6
        return (lines + extra) * self._line_h + 2 * self.PAD + self.SPACING + 2 * self.GAP

    def _relayout(self, changed: set[int] | frozenset[int] = frozenset()) -> None:
        """Recompute row tops and the scroll range; keep the anchor row in place.

        The anchor is the message pinned by :meth:`scroll_to_message`, else the first visible
        row whose height did not change, so text being read does not jump when estimates
        above or at the top turn into real heights.
        """
        sb = self.verticalScrollBar()
        old_tops = self._tops
        value = sb.value()
        n_old = len(old_tops) - 1
        anchor_row = max(0, bisect.bisect_right(old_tops, value) - 1)
        pin = self._model.row_of(self._pin) if self._pin is not None and self._model else -1
        if 0 <= pin < min(n_old, len(self._heights)):
            anchor_row = pin
        elif changed:
            y1 = value + self.viewport().height()
            for i in range(anchor_row, min(n_old, len(self._heights))):
                if old_tops[i] >= y1:
                    break
                if i not in changed:
                    anchor_row = i
                    break
        anchor_off = value - old_tops[anchor_row] if anchor_row < len(old_tops) else 0
        self._tops = [0, *itertools.accumulate(self._heights)]
        total = self._tops[-1] + self.SPACING
        vh = self.viewport().height()
        self._adjusting = True
        try:
            sb.setRange(0, max(0, total - vh))
            sb.setPageStep(vh)
            if self._stick_bottom:
                sb.setValue(sb.maximum())
            elif anchor_row < len(self._heights):
                sb.setValue(self._tops[anchor_row] + anchor_off)
        finally:
            self._adjusting = False

    def _set_scroll(self, value: int) -> None:
        self._adjusting = True
        try:
            self.verticalScrollBar().setValue(value)
        finally:
            self._adjusting = False

    def _on_scroll(self, value: int) -> None:
        if not self._adjusting:
            self._pin = None
            self._stick_bottom = value >= self.verticalScrollBar().maximum() - 2
        self.viewport().update()

    def _visible_rows(self) -> range:
        if not self._heights:
            return range(0)
        y0 = self.verticalScrollBar().value()
        y1 = y0 + self.viewport().height()
        first = max(0, bisect.bisect_right(self._tops, y0) - 1)
        last = min(len(self._heights) - 1, bisect.bisect_left(self._tops, y1))
        return range(first, last + 1)

    def _ensure_visible_rendered(self) -> None:
        """Render the rows on screen; their real heights replace the estimates."""
        self._paint_deadline = time.perf_counter() + self.PAINT_BUDGET_S
        for _ in range(6):
            changed: set[int] = set()
            for i in self._visible_rows():
                item = self._item(i)
                if item.lazy:
                    self._realize_visible(item, i)
                if self._heights[i] != item.height:
                    self._heights[i] = item.height
                    changed.add(i)
            if not changed:
                return
            self._relayout(changed)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._relayout()

    def changeEvent(self, event: Any) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self._update_metrics()
            self._items.clear()
            self.viewport().update()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802
        self.viewport().update()

    # -- items
    def _item(self, row_index: int) -> _Item:
        """The rendered item for a row at the current width (rendered on demand)."""
        m = self._model
        assert m is not None
        row = m.message(row_index)
        w = self._doc_width()
        item = self._items.get(row.id)
        if item is None:
            item = _Item(row.id, w)
            self._items[row.id] = item
            if len(self._items) > self.CACHE:
                self._evict()
        else:
            self._items.move_to_end(row.id)
        if item.width != w:
            item.width = w
            for d in item.parts:
                if d is not None:
                    d.setTextWidth(w)
            stream = item.stream
            item.seg_h = [
                int(d.size().height())
                if d is not None
                else self._estimate_block(stream.sources[k] if stream else "", w)
                for k, d in enumerate(item.segs)
            ]
            self._measure(item)
        self._sync(item, row)
        return item

    def _evict(self) -> None:
        visible = (
            {self._model.message(i).id for i in self._visible_rows()} if self._model else set()
        )
        while len(self._items) > self.CACHE:
            for mid in self._items:
                if mid not in visible:
                    del self._items[mid]
                    break
            else:
                return

    def _new_doc(self) -> _Doc:
        d = _Doc(self._thumb)
        d.setDefaultFont(self.font())
        pal = _PALETTES[self._dark]
        d.setDefaultStyleSheet(
            f"a {{ color: {pal['link']}; text-decoration: none; }}"
            f" code {{ background-color: {pal['card']}; }}"
            " pre { white-space: pre-wrap; }"
        )
        return d

    def _set_html(self, doc: _Doc, text: str, width: int) -> None:
        doc.setHtml(text)
        doc.setTextWidth(width)

    def _sync(self, item: _Item, row: MessageRow, catch_up: bool = False) -> None:
        """Bring an item up to date with its row, touching only the parts that changed.

        ``catch_up`` lets a message whose text arrived faster than it rendered take its
        next time slice (only the catch-up timer passes it, so painting stays cheap).
        """
        pal = _PALETTES[self._dark]
        w = item.width
        changed = False
        m = self._model
        branch = m.branch(row.id) if m is not None else None

        head_sig = (row.role, row.name, branch)
        if head_sig != item.head_sig:
            item.head_sig = head_sig
            item.head = item.head or self._new_doc()
            self._set_html(item.head, self._head_html(row, branch, pal), w)
            changed = True

        # Thinking: open while only reasoning streams, closed once the answer starts.
        if row.reasoning:
            auto = row.status == "streaming" and not row.content
            expanded = self._think_open.get(row.id, auto)
            sig = (expanded, self._dark)
            if (
                sig != item.think_sig
                or item.think is None
                or len(row.reasoning) < item.reasoning_len
            ):
                item.think_sig = sig
                item.think = item.think or self._new_doc()
                self._set_html(item.think, self._think_html(row, expanded, pal), w)
                item.reasoning_len = len(row.reasoning)
                changed = True
            elif len(row.reasoning) != item.reasoning_len:
                if expanded:
                    cur = QTextCursor(item.think)
                    cur.movePosition(QTextCursor.MoveOperation.End)
                    cur.insertText(row.reasoning[item.reasoning_len :])
                else:
                    self._set_html(item.think, self._think_html(row, expanded, pal), w)
                item.reasoning_len = len(row.reasoning)
                changed = True
        elif item.think is not None:
            item.think = None
            item.think_sig = None
            changed = True

        stream = item.stream
        if (
            row.content != item.content
            or (stream is not None and stream.dark != self._dark)
            or (catch_up and stream is not None and stream.behind)
        ):
            self._sync_body(item, row, w)
            changed = True
            stream = item.stream
        if stream is not None and stream.behind:
            self._catch_up_ids.add(row.id)
            if not self._catch_up.isActive():
                self._catch_up.start()
        elif row.status != "streaming" and stream is not None and item.tail is not None:
            before = stream.tail_html
            if stream.finish() != before:
                self._set_html(item.tail, stream.tail_html, w)
                item.codes = stream.code_blocks
                changed = True
        if item.lazy and row.status != "streaming":
            # Blocks skipped while streaming (never on screen) render in idle time.
            self._idle_ids.add(row.id)
            if not self._idle.isActive():
                self._idle.start()

        now = time.time()
        wait = _retry_wait(row, now)
        if wait is not None and wait > 0:
            self._countdown_ids.add(row.id)
            if not self._countdown.isActive():
                self._countdown.start()
        foot_sig = (
            row.status,
            row.model,
            row.finish_reason,
            repr(row.usage),
            row.ttft_ms,
            row.duration_ms,
            row.error,
            row.error_category,
            wait,
            row.id in self._details_open,
            repr(row.tool_calls),
            repr(row.parts),
            branch,
            self._dark,
        )
        if foot_sig != item.foot_sig:
            item.foot_sig = foot_sig
            item.foot = item.foot or self._new_doc()
            self._set_html(item.foot, self._foot_html(row, branch, wait, pal), w)
            changed = True

        hl = self._highlight
        hl_sig = (hl, item.content) if hl and hl[0] == row.id else None
        if hl_sig != item.hl_sig:
            item.hl_sig = hl_sig
            changed = True
        if changed:
            self._measure(item)
            if hl_sig and hl:
                self._realize_all(item, row)
                item.hl = self._find_highlights(item, hl[1])
            else:
                item.hl = {}

    def _sync_body(self, item: _Item, row: MessageRow, w: int) -> None:
        """Render the answer: one document when complete, one per block while streaming."""
        text = row.content
        item.content = text
        if row.role != "assistant":
            if row.role == "tool":
                body = f'<pre style="white-space: pre-wrap;">{html.escape(text)}</pre>'
            else:
                body = f'<p style="white-space: pre-wrap;">{html.escape(text)}</p>'
            item.stream = None
            item.codes = []
            item.lazy = set()
            if not item.segs or item.segs[0] is None:
                item.segs = [self._new_doc()]
            self._set_html(item.segs[0], body if text else "", w)
            item.seg_h = [int(item.segs[0].size().height())]
            return
        stream = item.stream
        fresh = stream is None or not text.startswith(stream.text)
        if row.status != "streaming" and fresh and len(text) < self.BIG_MESSAGE:
            # A complete message: one Markdown pass and one document (cheapest to show).
            res = render.render_markdown(text, self._dark)
            item.stream = None
            item.tail = None
            item.lazy = set()
            item.codes = res.code_blocks
            item.segs = [self._new_doc()]
            self._set_html(item.segs[0], res.html, w)
            item.seg_h = [int(item.segs[0].size().height())]
            return
        if stream is None or stream.dark != self._dark:
            # Lazy: finished blocks are kept as Markdown source with an estimated height and
            # rendered when they come near the viewport (or in idle time once complete).
            stream = item.stream = render.StreamRenderer(self._dark, lazy=True)
            item.segs = []
            item.seg_h = []
            item.lazy = set()
            item.tail = None
        _, tail_html = stream.update(text, self.SLICE_S)
        if stream.restarted:
            item.segs = []
            item.seg_h = []
            item.lazy = set()
        for k in range(len(item.segs), len(stream.sources)):
            item.segs.append(None)
            item.seg_h.append(self._estimate_block(stream.sources[k], w))
            item.lazy.add(k)
        if tail_html:
            item.tail = item.tail or self._new_doc()
            if item.tail.property("src") != tail_html:
                item.tail.setProperty("src", tail_html)
                self._set_html(item.tail, tail_html, w)
        elif item.tail is not None:
            item.tail = None
        item.codes = stream.code_blocks

    def _measure(self, item: _Item) -> None:
        """Stack the documents of an item; block heights are cached (O(1) per new block)."""
        docs: list[_Doc | None] = []
        hs: list[int] = []
        for d in (item.head, item.think):
            if d is not None and not d.isEmpty():
                docs.append(d)
                hs.append(int(d.size().height()))
        item.seg0 = len(docs)
        docs.extend(item.segs)
        hs.extend(item.seg_h)
        for d in (item.tail, item.foot):
            if d is not None and not d.isEmpty():
                docs.append(d)
                hs.append(int(d.size().height()))
        gap = self.GAP
        item.parts = docs  # None for a block not rendered yet
        item.heights = hs
        item.offsets = [0, *itertools.accumulate(h + gap for h in hs[:-1])] if hs else []
        inner = (item.offsets[-1] + hs[-1]) if hs else 0
        item.height = inner + 2 * self.PAD + self.SPACING
        self._known[item.mid] = (item.width, item.height)

    def _estimate_block(self, src: str, width: int) -> int:
        """A cheap height guess for a block not rendered yet (replaced once rendered)."""
        per_line = max(10, width // self._char_w)
        lines = 0
        for line in src.strip("\n").split("\n"):
            lines += 1 + len(line) // per_line
        if "```" in src or "~~~" in src:
            lines += 1  # the header row of a code block
        return (lines + 1) * self._line_h

    def _realize(self, item: _Item, k: int, streaming: bool) -> None:
        """Render block ``k`` of a lazily rendered message (call _measure afterwards)."""
        stream = item.stream
        assert stream is not None
        res = stream.render_block(k, streaming)
        d = self._new_doc()
        self._set_html(d, res.html, item.width)
        item.segs[k] = d
        item.seg_h[k] = int(d.size().height())
        item.lazy.discard(k)

    def _realize_all(self, item: _Item, row: MessageRow) -> bool:
        """Render every block of a message that is not rendered yet; True if any was."""
        if not item.lazy or item.stream is None:
            return False
        streaming = row.status == "streaming"
        for k in sorted(item.lazy):
            self._realize(item, k, streaming)
        item.codes = item.stream.code_blocks
        self._measure(item)
        return True

    PAINT_BUDGET_S = 0.004  # block rendering per paint (a lazily rendered message)

    def _realize_visible(self, item: _Item, row_index: int) -> None:
        """Render the blocks of a row that intersect the viewport (plus a margin)."""
        m = self._model
        if m is None or item.stream is None:
            return
        streaming = m.message(row_index).status == "streaming"
        # Only what is on screen (the rest renders in idle time once the message is
        # complete), bottom first when at the bottom; a costly frame is finished by the
        # next paint so that no paint blocks the event loop for long.
        deadline = self._paint_deadline
        vh = self.viewport().height()
        for _ in range(4):  # real heights move the blocks; look again
            base = self._tops[row_index] + self.PAD
            y0 = self.verticalScrollBar().value() - base
            y1 = y0 + vh
            if self._stick_bottom:  # the row will be laid out at the bottom
                y1 = max(y1, item.height)
                y0 = y1 - vh
            first = max(item.seg0, bisect.bisect_right(item.offsets, y0) - 1)
            last = min(item.seg0 + len(item.segs), bisect.bisect_left(item.offsets, y1))
            todo = [p - item.seg0 for p in range(first, last) if p - item.seg0 in item.lazy]
            if not todo:
                return
            if time.perf_counter() > deadline:
                self.viewport().update()  # the next paint renders the rest
                return
            over = False
            for k in reversed(todo) if self._stick_bottom else todo:
                self._realize(item, k, streaming)
                if time.perf_counter() > deadline:
                    over = True
                    break
            item.codes = item.stream.code_blocks
            self._measure(item)
            if over:
                self.viewport().update()  # the next paint renders the rest
                return

    def _on_idle(self) -> None:
        """Render a slice of the blocks skipped while a message streamed."""
        m = self._model
        if m is None:
            self._idle_ids.clear()
            return
        deadline = time.perf_counter() + self.SLICE_S
        sb = self.verticalScrollBar()
        for mid in list(self._idle_ids):
            item = self._items.get(mid)
            i = m.row_of(mid)
            row = m.message(i) if i >= 0 else None
            if (
                item is None
                or row is None
                or item.stream is None
                or not item.lazy
                or row.status == "streaming"  # _sync adds it again once complete
            ):
                self._idle_ids.discard(mid)
                continue
            # Keep what is on screen in place when blocks above it change height.
            vis = self._visible_rows()
            alone = not self._stick_bottom and vis.start == vis.stop - 1 == i
            top = sb.value() - self._tops[i] - self.PAD
            shift = 0
            for k in sorted(item.lazy, reverse=True):
                p = item.seg0 + k
                above = item.offsets[p] + item.heights[p] <= top
                old = item.seg_h[k]
                self._realize(item, k, False)
                if above:
                    shift += item.seg_h[k] - old
                if time.perf_counter() > deadline:
                    break
            item.codes = item.stream.code_blocks
            self._measure(item)
            self._heights[i] = item.height
            value = sb.value()
            self._relayout({i})
            if alone and shift and self._pin is None:
                self._set_scroll(value + shift)
            self.viewport().update()
            break
        if self._idle_ids:
            self._idle.start()

    def _find_highlights(
        self, item: _Item, text: str
    ) -> dict[int, list[QAbstractTextDocumentLayout.Selection]]:
        fmt = QTextCharFormat()
        fmt.setBackground(QColor(_PALETTES[self._dark]["hl"]))
        out: dict[int, list[QAbstractTextDocumentLayout.Selection]] = {}
        for k, doc in enumerate(item.parts):
            if doc is None:
                continue
            sels = []
            cur = doc.find(text, 0)
            while not cur.isNull() and len(sels) < 200:
                sel = QAbstractTextDocumentLayout.Selection()
                sel.cursor = cur
                sel.format = fmt
                sels.append(sel)
                cur = doc.find(text, cur)
            if sels:
                out[k] = sels
        return out

    def _thumb(self, image_hash: str) -> QImage | None:
        if image_hash in self._thumbs:
            return self._thumbs[image_hash]
        img = None
        loader = self._model.image_loader if self._model is not None else None
        if loader is not None:
            try:
                got = loader(image_hash)
            except Exception:  # a broken image must not break the view
                got = None
            if got:
                q = QImage.fromData(got[0])
                if not q.isNull():
                    img = q.scaled(
                        QSize(240, 160),
                        Qt.AspectRatioMode.KeepAspectRatio,
                        Qt.TransformationMode.SmoothTransformation,
                    )
        self._thumbs[image_hash] = img
        return img

    def _on_catch_up(self) -> None:
        """Render the next slice of messages whose text arrived faster than it rendered."""
        m = self._model
        ids, self._catch_up_ids = self._catch_up_ids, set()
        for mid in ids:
            i = m.row_of(mid) if m is not None else -1
            item = self._items.get(mid)
            if i < 0 or item is None or m is None:
                continue
            self._sync(item, m.message(i), catch_up=True)
            self._heights[i] = item.height
        self._relayout()
        self.viewport().update()

    def _tick(self) -> None:
        """Once a second: refresh the "retry in N s" countdowns."""
        m = self._model
        now = time.time()
        for mid in list(self._countdown_ids):
            row = m.message_by_id(mid) if m is not None else None
            wait = _retry_wait(row, now) if row is not None else None
            if wait is None or wait <= 0:
                self._countdown_ids.discard(mid)
            if row is not None and mid in self._items:
                i = m.row_of(mid)  # type: ignore[union-attr]
                item = self._items[mid]
                self._sync(item, row)
                self._heights[i] = item.height
        if not self._countdown_ids:
            self._countdown.stop()
        self._relayout()
        self.viewport().update()

    # -- HTML of the fixed parts
    def _head_html(
        self, row: MessageRow, branch: tuple[int, int] | None, pal: dict[str, str]
    ) -> str:
        role = _tr(_ROLE_NAMES.get(row.role, row.role.title()))
        out = f"<b>{html.escape(role)}</b>"
        if row.role == "tool" and row.name:
            out += f' <span style="color:{pal["muted"]};">{html.escape(row.name)}</span>'
        if branch and branch[1] > 1:
            pos, count = branch
            out += (
                f'&nbsp;&nbsp;&nbsp;<a href="action:branch_prev">&lt;</a>'
                f'<span style="color:{pal["muted"]};"> {pos}/{count} </span>'
                f'<a href="action:branch_next">&gt;</a>'
            )
        return f'<p style="color:{pal["fg"]};">{out}</p>'

    def _think_html(self, row: MessageRow, expanded: bool, pal: dict[str, str]) -> str:
        arrow = "▾" if expanded else "▸"
        label = html.escape(QCoreApplication.translate("MessageView", "Thinking"))
        head = (
            f'<p style="margin-bottom: 4px;"><a href="action:toggle_thinking">{arrow} {label}</a>'
            f' <span style="color:{pal["muted"]}; font-size: small;">'
            f"({len(row.reasoning)})</span></p>"
        )
        if not expanded:
            return head
        return head + (
            f'<p style="color:{pal["muted"]}; white-space: pre-wrap;">'
            f"{html.escape(row.reasoning)}</p>"
        )

    def _foot_html(
        self,
        row: MessageRow,
        branch: tuple[int, int] | None,
        wait: int | None,
        pal: dict[str, str],
    ) -> str:
        out: list[str] = []
        muted = pal["muted"]
        reply = html.escape(QCoreApplication.translate("MessageView", "Reply with result"))
        for call in row.tool_calls or []:
            fn = call.get("function") or {}
            name = html.escape(str(fn.get("name", "?")))
            args = fn.get("arguments", "")
            try:
                pretty = json.dumps(json.loads(args), indent=2, ensure_ascii=False)
            except (TypeError, ValueError):
                pretty = str(args)
            call_id = quote(str(call.get("id", "")), safe="")
            out.append(
                f'<table width="100%" cellspacing="0" cellpadding="6" '
                f'style="background-color:{pal["card"]}; border: 1px solid {pal["border"]}; '
                f'margin-bottom: 4px;"><tr><td>🔧 <b>{name}</b>'
                f'<pre style="white-space: pre-wrap;">{html.escape(pretty)}</pre>'
                f'<a href="action:tool_result:{call_id}">{reply}'
                f"</a></td></tr></table>"
            )
        images = [p for p in row.parts or [] if p.get("type") == "image" and p.get("hash")]
        if images:
            missing = html.escape(QCoreApplication.translate("MessageView", "image"))
            thumbs = []
            for p in images:
                h = quote(str(p["hash"]), safe="")
                img = self._thumb(str(p["hash"]))
                if img is not None:
                    thumbs.append(
                        f'<img src="img:{h}" width="{img.width()}" height="{img.height()}"> '
                    )
                else:
                    thumbs.append(f'<span style="color:{muted};">[{missing}]</span> ')
            out.append("<p>" + "".join(thumbs) + "</p>")

        status: list[str] = []
        cont = html.escape(QCoreApplication.translate("MessageView", "Continue"))
        if row.status == "streaming" and not row.content and not row.reasoning:
            waiting = html.escape(QCoreApplication.translate("MessageView", "Waiting…"))
            status.append(f'<span style="color:{muted};">{waiting}</span>')
        if row.status == "error":
            sentence = html.escape(_error_sentence(row, wait))
            details = html.escape(
                QCoreApplication.translate("MessageView", "Hide details")
                if row.id in self._details_open
                else QCoreApplication.translate("MessageView", "Details")
            )
            retry = html.escape(QCoreApplication.translate("MessageView", "Retry"))
            status.append(
                f'<span style="color:{pal["error"]};">⚠ {sentence}</span> '
                f'<a href="action:toggle_details">{details}</a> · '
                f'<a href="action:retry">{retry}</a>'
            )
        elif row.status in ("stopped", "interrupted"):
            label = (
                QCoreApplication.translate("MessageView", "Stopped")
                if row.status == "stopped"
                else QCoreApplication.translate("MessageView", "Interrupted")
            )
            status.append(
                f'<span style="color:{pal["warn"]};">⏹ {html.escape(label)}</span> '
                f'<a href="action:continue">{cont}</a>'
            )
        elif row.finish_reason == "length":
            text = html.escape(
                QCoreApplication.translate("MessageView", "The answer reached the length limit.")
            )
            status.append(
                f'<span style="color:{pal["warn"]};">{text}</span> '
                f'<a href="action:continue">{cont}</a>'
            )
        elif row.finish_reason == "content_filter":
            text = html.escape(
                QCoreApplication.translate(
                    "MessageView", "The answer was filtered by the provider."
                )
            )
            status.append(f'<span style="color:{pal["warn"]};">{text}</span>')
        if status:
            out.append("<p>" + "<br>".join(status) + "</p>")
        if row.status == "error" and row.id in self._details_open and row.error:
            out.append(
                f'<pre style="color:{muted}; white-space: pre-wrap;">{html.escape(row.error)}</pre>'
            )

        stats = _stats(row) if row.role == "assistant" else []
        actions = [("copy", QCoreApplication.translate("MessageView", "Copy"))]
        if row.role == "assistant":
            actions.append(("regenerate", QCoreApplication.translate("MessageView", "Regenerate")))
        if row.role == "user":
            actions.append(("edit", QCoreApplication.translate("MessageView", "Edit")))
        actions.append(("delete", QCoreApplication.translate("MessageView", "Delete")))
        links = " · ".join(f'<a href="action:{a}">{html.escape(label)}</a>' for a, label in actions)
        line = f'<span style="font-size: small;">{links}</span>'
        if stats:
            line += (
                f'&nbsp;&nbsp;<span style="color:{muted}; font-size: small;">'
                f"{html.escape(' · '.join(stats))}</span>"
            )
        out.append(f"<p>{line}</p>")
        return "".join(out)

    # -- painting
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        self._ensure_visible_rendered()
        pal = _PALETTES[self._dark]
        p = QPainter(self.viewport())
        p.fillRect(event.rect(), QColor(pal["bg"]))
        m = self._model
        if m is None or not self._heights:
            p.end()
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        y0 = self.verticalScrollBar().value()
        vh = self.viewport().height()
        bw = self._bubble_width()
        ctx = QAbstractTextDocumentLayout.PaintContext()
        qpal = QPalette(self.palette())
        qpal.setColor(QPalette.ColorRole.Text, QColor(pal["fg"]))
        ctx.palette = qpal
        for i in self._visible_rows():
            row = m.message(i)
            item = self._item(i)
            top = self._tops[i] - y0
            bubble = QRectF(self.MARGIN, top, bw, item.height - self.SPACING)
            p.setPen(QColor(pal["border"]))
            p.setBrush(QColor(pal.get(row.role, pal["assistant"])))
            p.drawRoundedRect(bubble.adjusted(0.5, 0.5, -0.5, -0.5), 8, 8)
            x = self.MARGIN + self.PAD
            base = top + self.PAD
            k0 = max(0, bisect.bisect_right(item.offsets, -base) - 1)
            for k in range(k0, len(item.parts)):
                doc, off, h = item.parts[k], item.offsets[k], item.heights[k]
                dy = base + off
                if dy > vh:
                    break
                if dy + h < 0 or doc is None:
                    continue
                p.save()
                p.translate(x, dy)
                clip = QRectF(0, max(0.0, -dy), item.width + 1, min(h, vh - dy) - max(0.0, -dy))
                ctx.clip = clip
                ctx.selections = item.hl.get(k, [])
                p.setClipRect(clip)
                doc.documentLayout().draw(p, ctx)
                p.restore()
        p.end()

    # -- mouse
    def _hit(self, pos: QPoint) -> tuple[int, _Doc, QPoint] | None:
        """(row, document, position in that document) under a viewport point."""
        if self._model is None or not self._heights:
            return None
        y = pos.y() + self.verticalScrollBar().value()
        i = bisect.bisect_right(self._tops, y) - 1
        if not 0 <= i < len(self._heights):
            return None
        item = self._item(i)
        ly = y - self._tops[i] - self.PAD
        lx = pos.x() - self.MARGIN - self.PAD
        k = bisect.bisect_right(item.offsets, ly) - 1
        doc = item.parts[k] if k >= 0 else None
        if doc is None:  # above the first part, or a block not rendered yet
            return None
        return i, doc, QPoint(lx, ly - item.offsets[k])

    def _href_at(self, pos: QPoint) -> tuple[int, str] | None:
        hit = self._hit(pos)
        if hit is None:
            return None
        i, doc, local = hit
        href = doc.documentLayout().anchorAt(local)
        return (i, href) if href else None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        on_link = self._href_at(event.position().toPoint()) is not None
        shape = Qt.CursorShape.PointingHandCursor if on_link else Qt.CursorShape.ArrowCursor
        if self.viewport().cursor().shape() != shape:
            self.viewport().setCursor(shape)
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        got = self._href_at(event.position().toPoint())
        self._press_href = got[1] if got and event.button() == Qt.MouseButton.LeftButton else None
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        got = self._href_at(event.position().toPoint())
        pressed, self._press_href = self._press_href, None
        if got and pressed == got[1] and event.button() == Qt.MouseButton.LeftButton:
            assert self._model is not None
            self._handle_href(self._model.message(got[0]).id, got[1])
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        hit = self._hit(event.position().toPoint())
        if (
            hit is not None
            and self._model is not None
            and self._href_at(event.position().toPoint()) is None
        ):
            self.open_text_view(self._model.message(hit[0]).id)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def _handle_href(self, mid: int, href: str) -> None:
        m = self._model
        row = m.message_by_id(mid) if m is not None else None
        if row is None:
            return
        if href.startswith("copycode:"):
            try:
                n = int(href.split(":", 1)[1])
            except ValueError:
                return
            codes = self.code_blocks(mid)
            if 0 <= n < len(codes):
                QGuiApplication.clipboard().setText(codes[n])
            self.action_requested.emit("copy_code", mid, n)
            return
        if href.startswith("action:"):
            action, _, arg = href[len("action:") :].partition(":")
            if action == "toggle_thinking":
                auto = row.status == "streaming" and not row.content
                self._think_open[mid] = not self._think_open.get(mid, auto)
                self._refresh(mid)
            elif action == "toggle_details":
                self._details_open.symmetric_difference_update({mid})
                self._refresh(mid)
            elif action == "tool_result":
                self.action_requested.emit("tool_result", mid, unquote(arg))
            else:
                if action == "copy":
                    QGuiApplication.clipboard().setText(row.content)
                self.action_requested.emit(action, mid, None)
            return
        url = QUrl(href)
        if url.scheme().lower() in SAFE_LINK_SCHEMES:
            self.action_requested.emit("open_link", mid, href)
            QDesktopServices.openUrl(url)

    def _refresh(self, mid: int) -> None:
        m = self._model
        i = m.row_of(mid) if m is not None else -1
        if i < 0 or m is None:
            return
        item = self._items.get(mid)
        if item is not None:
            self._sync(item, m.message(i))
            self._heights[i] = item.height
        self._relayout()
        self.viewport().update()


class _SafeBrowser(QTextBrowser):
    """QTextBrowser that shows our math/thumbnail resources and loads nothing else."""

    def __init__(self, thumb: Callable[[str], QImage | None], parent: QWidget) -> None:
        super().__init__(parent)
        self._thumb = thumb
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )

    def loadResource(self, type_: int, name: QUrl) -> Any:  # noqa: N802
        url = name.toString()
        if url.startswith("math:"):
            return _math_image(url)
        if url.startswith("img:"):
            return self._thumb(url[4:]) or QImage()
        return QImage()


# --------------------------------------------------------------------------- texts


def _retry_wait(row: MessageRow, now: float) -> int | None:
    """Seconds left before a rate-limited request may be retried (None: not applicable)."""
    if row.status != "error" or row.error_category != "rate_limit":
        return None
    after = row.meta.get("retry_after_s")
    if after is None:
        return None
    failed = row.meta.get("failed_at") or row.updated or now
    try:
        return max(0, math.ceil(float(failed) + float(after) - now))
    except (TypeError, ValueError):
        return None


def _error_sentence(row: MessageRow, wait: int | None) -> str:
    """A readable explanation of a failed request, by category."""
    cat = row.error_category or ""
    if cat == "rate_limit":
        if wait is None:
            return QCoreApplication.translate(
                "MessageView", "Rate limited: the server asks you to wait before retrying."
            )
        if wait > 0:
            return QCoreApplication.translate("MessageView", "Rate limited: retry in {n} s").format(
                n=wait
            )
        return QCoreApplication.translate("MessageView", "Rate limited: you can retry now.")
    sentences = {
        "auth": QT_TRANSLATE_NOOP(
            "MessageView", "The API key was rejected. Check the key for this provider."
        ),
        "quota": QT_TRANSLATE_NOOP(
            "MessageView", "The account has no credit left. Top up the balance with your provider."
        ),
        "not_found": QT_TRANSLATE_NOOP(
            "MessageView", "The server does not know this model. Check the model name and base URL."
        ),
        "server": QT_TRANSLATE_NOOP(
            "MessageView", "The server had an internal error. Try again in a moment."
        ),
        "network": QT_TRANSLATE_NOOP(
            "MessageView",
            "Could not reach the server (network down, timeout or connection dropped).",
        ),
        "protocol": QT_TRANSLATE_NOOP(
            "MessageView", "The server sent a reply this client cannot read. Check the base URL."
        ),
        "content_filter": QT_TRANSLATE_NOOP(
            "MessageView", "The provider's content filter blocked the request or the answer."
        ),
        "bad_request": QT_TRANSLATE_NOOP(
            "MessageView", "The server refused the request as invalid."
        ),
        "permission": QT_TRANSLATE_NOOP(
            "MessageView", "This key is not allowed to use this model or endpoint."
        ),
    }
    return _tr(sentences.get(cat, QT_TRANSLATE_NOOP("MessageView", "The request failed.")))


def _stats(row: MessageRow) -> list[str]:
    out: list[str] = []
    if row.model:
        out.append(row.model)
    usage = row.usage or {}
    pin, pout = usage.get("prompt_tokens"), usage.get("completion_tokens")
    if pin is not None or pout is not None:
        out.append(
            QCoreApplication.translate("MessageView", "{i} in / {o} out tokens").format(
                i=pin or 0, o=pout or 0
            )
        )
    if row.ttft_ms is not None:
        out.append(
            QCoreApplication.translate("MessageView", "first token {ms} ms").format(
                ms=round(row.ttft_ms)
            )
        )
    if pout and row.duration_ms is not None:
        gen_s = (row.duration_ms - (row.ttft_ms or 0.0)) / 1000.0
        if gen_s > 0:
            out.append(
                QCoreApplication.translate("MessageView", "{r} tok/s").format(
                    r=f"{pout / gen_s:.1f}"
                )
            )
    return out


def _anchor_rect(doc: QTextDocument, href: str) -> QRect | None:
    """Rectangle of the first fragment linking to ``href``, in document coordinates."""
    doc.documentLayout()  # make sure the document is laid out
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            fmt = frag.charFormat()
            if fmt.isAnchor() and fmt.anchorHref() == href:
                bl = block.layout()
                rel = frag.position() - block.position()
                line = bl.lineForTextPosition(rel)
                x1 = line.cursorToX(rel)[0]
                x2 = line.cursorToX(rel + frag.length())[0]
                br = doc.documentLayout().blockBoundingRect(block)  # cells: absolute
                return QRect(
                    int(br.x() + x1),
                    int(br.y() + line.y()),
                    max(1, int(x2 - x1)),
                    int(line.height()),
                )
            it += 1
        block = block.next()
    return None
