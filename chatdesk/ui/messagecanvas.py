"""The message view's canvas: a virtualised, anchored scroll area that paints a model.

Why not QListView + delegate: QListView re-queries the size of *every* row (a Python call
each) whenever one row's height changes, i.e. on every streaming flush; with 2,000 messages
that alone costs tens of milliseconds. :class:`MessageCanvas` keeps a plain list of row
heights (estimates until a row is first shown), lays out only the rows on screen and keeps
the reading position anchored while estimates turn into real heights.

It lays out, scrolls and paints; what a reader does with the messages (links, actions,
find marks) is :class:`~chatdesk.ui.messageview.MessageView`, built on it. The per-message
documents and lazy block rendering are in :mod:`chatdesk.ui.lazyblocks`. Every view owns
its state (timers, caches), so several views can sit side by side (compare columns).
"""

from __future__ import annotations

import bisect
import itertools
import time
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QCoreApplication, QModelIndex, QPointF, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from chatdesk.store.rows import MessageRow, MessageStatus
from chatdesk.ui import streamload
from chatdesk.ui.frameshare import paint_pass_deadline, paint_pass_release
from chatdesk.ui.jumpbutton import JumpButton
from chatdesk.ui.lazyblocks import BlockRenderer, Item
from chatdesk.ui.messagedocs import Thumbnails
from chatdesk.ui.messagemodel import ImageLoader, MessageListModel
from chatdesk.ui.messagestyle import PALETTES, READING_MAX, USER_SHARE
from chatdesk.ui.scrollbar import FlatScrollBar

__all__ = ["MessageCanvas"]


class MessageCanvas(QAbstractScrollArea):
    """Virtualised, anchored list of rendered messages: layout, scrolling, painting.

    Signals:
        scrolled_fraction(fraction): the reader scrolled (0 top .. 1 bottom of the
            range); never emitted for scrolling the view does itself, nor by
            :meth:`set_scroll_fraction`, so views can follow each other both ways.
    """

    scrolled_fraction = Signal(float)

    MARGIN = 12  # around the reading column in a narrow view
    WIDE_MARGIN = 24  # ... and in a view wider than WIDE
    WIDE = 640
    PAD = BlockRenderer.PAD
    GAP = BlockRenderer.GAP
    SPACING = BlockRenderer.SPACING
    SLICE_S = BlockRenderer.SLICE_S
    BIG_MESSAGE = BlockRenderer.BIG_MESSAGE
    PAINT_BUDGET_S = 0.004  # block rendering per window update, one view's turn

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model: MessageListModel | None = None
        self._thumb = Thumbnails(self._image_loader)
        self._blocks = BlockRenderer(
            self, self._thumb, self._row_by_id, self._branch_of, self._resync, self._on_idle
        )
        self._heights: list[int] = []
        self._tops: list[int] = [0]
        self._items = self._blocks.items  # the same dict (tests and benchmarks look inside)
        self._stick_bottom = True
        self._pin: int | None = None  # message kept in place after scroll_to_message
        self._adjusting = False
        self._paint_deadline: float | None = None  # lazy blocks render in a paint until then
        self._hover_mid: int | None = None  # the message under the mouse (its actions show)
        self._focus_mid: int | None = None  # the message holding the keyboard's link focus
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.viewport().setMouseTracking(True)
        self.viewport().setAutoFillBackground(False)
        # paintEvent fills what it paints: Qt then paints none of the widgets behind
        # (with the app's style sheet, half the cost of a streaming column's frame).
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setFrameShape(QAbstractScrollArea.Shape.NoFrame)
        # A streaming view's bar repaints every frame: a flat one costs ~30 µs, Fusion's 1 ms.
        self.setVerticalScrollBar(FlatScrollBar(Qt.Orientation.Vertical, self))
        # The bar (opaque) fills the box Qt keeps it in: without this, each change of its
        # range painted every widget behind the box, up to the main window.
        box = self.verticalScrollBar().parentWidget()
        if box is not None and box is not self:
            box.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self._colour_scroll_bar()
        sb = self.verticalScrollBar()
        sb.setSingleStep(40)
        sb.valueChanged.connect(self._on_scroll)
        self._blocks.set_font(self.font())
        self._reset_anchor: tuple[int, int, int] | None = None  # see _on_about_to_reset
        self._jump = JumpButton(self.viewport())
        self._jump.clicked.connect(self._on_jump_clicked)
        # Screen readers: the text is painted, so the messages on screen are also given
        # as the view's accessible description (refreshed shortly after a change).
        self._a11y_timer = QTimer(self)
        self._a11y_timer.setSingleShot(True)
        self._a11y_timer.setInterval(300)
        self._a11y_timer.timeout.connect(self._update_accessible_text)

    # -- public API
    def setModel(self, model: MessageListModel) -> None:  # noqa: N802 (Qt naming)
        if self._model is not None:
            self._model.disconnect(self)
        self._model = model
        model.modelAboutToBeReset.connect(self._on_about_to_reset)
        model.modelReset.connect(self._on_reset)
        model.layoutChanged.connect(self._on_reset)
        model.rowsInserted.connect(self._on_inserted)
        model.rowsRemoved.connect(self._on_removed)
        model.dataChanged.connect(self._on_data_changed)
        self._on_reset()

    def model(self) -> MessageListModel | None:
        return self._model

    def set_dark(self, dark: bool) -> None:
        """Switch the colours of bubbles, text, code blocks and math."""
        if bool(dark) == self._blocks.dark:
            return
        self._blocks.dark = bool(dark)
        self._items.clear()
        self._colour_scroll_bar()
        self.viewport().update()

    def _colour_scroll_bar(self) -> None:
        bar = self.verticalScrollBar()
        if isinstance(bar, FlatScrollBar):
            pal = PALETTES[self._blocks.dark]
            bar.set_colours(QColor(pal["bg"]), QColor(pal["fg"]))

    def is_dark(self) -> bool:
        return self._blocks.dark

    def scroll_to_bottom(self) -> None:
        """Go to the end and follow new text from now on."""
        self._stick_bottom = True
        self._pin = None
        self._relayout()
        self.viewport().update()

    def scroll_fraction(self) -> float:
        """Where the view is, from 0 (top) to 1 (bottom) of the scroll range."""
        sb = self.verticalScrollBar()
        return sb.value() / sb.maximum() if sb.maximum() > 0 else 0.0

    def set_scroll_fraction(self, fraction: float) -> None:
        """Scroll to ``fraction`` of the range without emitting :attr:`scrolled_fraction`.

        For views linked to each other (compare columns): no feedback loop. Reaching the
        bottom this way follows new text, as a reader scrolling there would.
        """
        sb = self.verticalScrollBar()
        value = round(min(1.0, max(0.0, fraction)) * sb.maximum())
        self._pin = None
        self._stick_bottom = value >= sb.maximum() - 2
        self._set_scroll(value)
        self._update_jump()
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

    def message_rect(self, message_id: int) -> QRect | None:
        """The bubble of a message in viewport coordinates (None if not in the list)."""
        m = self._model
        row = -1 if m is None else m.row_of(message_id)
        if row < 0 or m is None:
            return None
        y = self._tops[row] - self.verticalScrollBar().value()
        item = self._items.get(message_id)
        x, w = self._column()
        if item is not None and item.width == self._width_for(m.message(row).role):
            x, w = self._row_x(item), item.bubble_w
        return QRect(x, y, w, self._heights[row] - self.SPACING)

    def _realized(self, message_id: int) -> tuple[int, Item] | None:
        """(row, item) of a message with every block rendered; None if not in the list."""
        m = self._model
        row = -1 if m is None else m.row_of(message_id)
        if row < 0 or m is None:
            return None
        item = self._item(row)
        if self._blocks.realize_all(item, m.message(row)):
            self._heights[row] = item.height
            self._relayout({row})
            self.viewport().update()
        return row, item

    # -- model signals
    def _on_about_to_reset(self) -> None:
        """Remember what a reader who scrolled up is reading, before the rows are replaced.

        The controller reloads the conversation when a reply ends (new siblings change the
        branch switchers); that must not move the text being read (user issue).
        """
        m = self._model
        self._reset_anchor = None
        if m is None or self._stick_bottom or not self._heights:
            return
        value = self.verticalScrollBar().value()
        i = min(len(self._heights) - 1, max(0, bisect.bisect_right(self._tops, value) - 1))
        if i < m.rowCount():
            self._reset_anchor = (m.message(0).id, m.message(i).id, value - self._tops[i])

    def _on_reset(self) -> None:
        m = self._model
        rows = m.messages() if m is not None else []
        heights = []
        widths = {role: self._width_for(role) for role in ("user", "assistant")}
        for r in rows:
            w = widths.get(r.role) or self._width_for(r.role)
            known = self._blocks.known.get(r.id)
            heights.append(known[1] if known and known[0] == w else self._blocks.estimate(r, w))
        self._heights = heights
        self._blocks.keep_only({r.id for r in rows})
        # The same conversation reloaded: a reader who scrolled up stays where they are.
        # Anything else (another conversation, or a reader at the bottom): the bottom.
        keep, self._reset_anchor = self._reset_anchor, None
        row = m.row_of(keep[1]) if keep and m is not None and rows[:1] else -1
        if keep is not None and row >= 0 and rows[0].id == keep[0]:
            self._stick_bottom = False
            self._tops = [0, *itertools.accumulate(self._heights)]
            self._relayout(anchor=(row, keep[2]))
        else:
            self._stick_bottom = True
            self._pin = None
            self._relayout()
        self.viewport().update()

    def _on_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        m = self._model
        assert m is not None
        new = [m.message(i) for i in range(first, last + 1)]
        self._heights[first:first] = [
            self._blocks.estimate(r, self._width_for(r.role)) for r in new
        ]
        if any(r.role == "user" for r in new):  # the reader just sent it: show it
            self._stick_bottom = True
            self._pin = None
        self._relayout()
        self.viewport().update()

    def _on_removed(self, parent: QModelIndex, first: int, last: int) -> None:
        del self._heights[first : last + 1]
        m = self._model
        self._blocks.keep_only({r.id for r in m.messages()} if m is not None else set())
        self._relayout()
        self.viewport().update()

    def _on_data_changed(self, top: QModelIndex, bottom: QModelIndex, roles: Any = None) -> None:
        m = self._model
        if m is None:
            return
        rows = range(top.row(), bottom.row() + 1)
        for i in rows:
            row = m.message(i)
            item = self._items.get(row.id)
            if item is not None:
                self._blocks.sync(item, row)
                self._heights[i] = item.height
            else:
                self._heights[i] = self._blocks.estimate(row, self._width_for(row.role))
        self._relayout(set(rows))
        self.viewport().update()

    # -- layout
    def _column(self) -> tuple[int, int]:
        """(x, width) of the reading column: at most READING_MAX of text, centred.

        A narrow view (a compare column, a small window) uses its whole width less a
        margin; a wide one keeps answers at a readable line length.
        """
        vw = self.viewport().width()
        margin = self.WIDE_MARGIN if vw >= self.WIDE else self.MARGIN
        w = max(80, min(vw - 2 * margin, READING_MAX + 2 * self.PAD))
        return max(0, (vw - w) // 2), w

    def _width_for(self, role: str) -> int:
        """The text width of a message: the column's, or a share of it for the user's."""
        w = self._column()[1] - 2 * self.PAD
        if role == "user":
            share = USER_SHARE if w >= 480 else 0.9  # narrow: nearly the whole column
            return max(60, int(w * share))
        return w

    def _doc_width(self) -> int:
        """The text width of an answer (the widest documents of the view)."""
        return self._width_for("assistant")

    def _row_x(self, item: Item) -> int:
        """Left edge of a message's bubble: a user's sits at the column's right."""
        x, w = self._column()
        return x + w - item.bubble_w if item.role == "user" else x

    def actions_shown(self, row_index: int) -> bool:
        """Whether a message's action icons are drawn: hovered, focused or the last one,
        never while it streams (nor under "Waiting...")."""
        m = self._model
        if m is None:
            return False
        row = m.message(row_index)
        if row.status == MessageStatus.STREAMING:
            return False
        return row_index == m.rowCount() - 1 or row.id in (self._hover_mid, self._focus_mid)

    def set_hover(self, message_id: int | None) -> None:
        """The message under the mouse (None: none); its actions show."""
        if message_id != self._hover_mid:
            self._hover_mid = message_id
            self.viewport().update()

    def _relayout(
        self,
        changed: set[int] | frozenset[int] = frozenset(),
        anchor: tuple[int, int] | None = None,
    ) -> None:
        """Recompute row tops and the scroll range; keep the anchor row in place.

        The anchor is ``anchor`` (row, offset) when given, else the message pinned by
        :meth:`scroll_to_message`, else the first visible row whose height did not change,
        so text being read does not jump when estimates above or at the top turn into real
        heights. Only a reader at the bottom (``_stick_bottom``) is taken along.
        """
        sb = self.verticalScrollBar()
        old_tops = self._tops
        value = sb.value()
        n_old = len(old_tops) - 1
        anchor_row = max(0, bisect.bisect_right(old_tops, value) - 1)
        pin = self._model.row_of(self._pin) if self._pin is not None and self._model else -1
        if anchor is not None:
            anchor_row = anchor[0]
        elif 0 <= pin < min(n_old, len(self._heights)):
            anchor_row = pin
        elif changed:
            y1 = value + self.viewport().height()
            for i in range(anchor_row, min(n_old, len(self._heights))):
                if old_tops[i] >= y1:
                    break
                if i not in changed:
                    anchor_row = i
                    break
        if anchor is not None:
            anchor_off = anchor[1]
        else:
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
        self._update_jump()

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
            self._update_jump()
            self.scrolled_fraction.emit(self.scroll_fraction())
        self.viewport().update()

    def _update_jump(self) -> None:
        """The jump button shows while the reader is not at the bottom and more is below."""
        sb = self.verticalScrollBar()
        self._jump.set_shown(not self._stick_bottom and sb.value() < sb.maximum())

    def _on_jump_clicked(self) -> None:
        self.scroll_to_bottom()
        self.scrolled_fraction.emit(self.scroll_fraction())  # linked columns follow too

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
        self._paint_deadline = None  # asked for when a block on screen needs rendering
        over = False
        for _ in range(6):
            changed: set[int] = set()
            for i in self._visible_rows():
                item = self._item(i)
                if item.lazy:
                    over = self._realize_visible(item, i) or over
                if self._heights[i] != item.height:
                    self._heights[i] = item.height
                    changed.add(i)
            if not changed:
                break
            self._relayout(changed)
        if over:
            self.viewport().update()  # the next paint renders the rest
        elif self._paint_deadline is not None:
            paint_pass_release(id(self))  # all done: the next pass's turn goes to another

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        self._blocks.wake()  # idle rendering waits while the view is hidden

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._relayout()

    def changeEvent(self, event: Any) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self._blocks.set_font(self.font())
            self._items.clear()
            self.viewport().update()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802
        self.viewport().update()

    # -- items
    def _item(self, row_index: int) -> Item:
        """The rendered item for a row at the current width (rendered on demand)."""
        m = self._model
        assert m is not None
        row = m.message(row_index)
        return self._blocks.item(row, self._width_for(row.role), self._visible_ids)

    def _visible_ids(self) -> set[int]:
        m = self._model
        return {m.message(i).id for i in self._visible_rows()} if m is not None else set()

    def _realize_visible(self, item: Item, row_index: int) -> bool:
        """Render the blocks of a row that intersect the viewport; True when the paint's
        time ran out first (the next paint renders the rest)."""
        m = self._model
        if m is None or item.stream is None:
            return False
        y0 = self.verticalScrollBar().value() - self._tops[row_index] - self.PAD
        streaming = m.message(row_index).status == MessageStatus.STREAMING
        vh = self.viewport().height()
        return self._blocks.realize_window(
            item, y0, vh, self._stick_bottom, streaming, self._deadline_of_paint
        )

    def _deadline_of_paint(self) -> float:
        """This paint's rendering deadline (its turn among the views painted with it)."""
        if self._paint_deadline is None:
            self._paint_deadline = paint_pass_deadline(id(self), self.PAINT_BUDGET_S)
        return self._paint_deadline

    def _on_idle(self) -> None:
        """Render a slice of the blocks skipped while a message streamed."""
        m = self._model
        if m is None:
            self._blocks.idle_ids.clear()
            return
        if self.window().isVisible() and not self.isVisible():
            return  # another page of the window is shown (compare): resumed by showEvent
        if streamload.others_streaming(m):
            # Off-screen blocks can wait: other views' streams come first (compare).
            self._blocks.idle_later(int(streamload.QUIET_S * 1000))
            return
        if not self._blocks.take_turn():
            return
        deadline = time.perf_counter() + self.SLICE_S
        sb = self.verticalScrollBar()
        for mid in list(self._blocks.idle_ids):
            item = self._items.get(mid)
            i = m.row_of(mid)
            row = m.message(i) if i >= 0 else None
            if (
                item is None
                or row is None
                or item.stream is None
                or not item.lazy
                or row.status == MessageStatus.STREAMING  # _sync adds it again once complete
            ):
                self._blocks.idle_ids.discard(mid)
                continue
            # Keep what is on screen in place when blocks above it change height.
            vis = self._visible_rows()
            alone = not self._stick_bottom and vis.start == vis.stop - 1 == i
            top = sb.value() - self._tops[i] - self.PAD
            shift = self._blocks.realize_idle(item, top, deadline)
            self._heights[i] = item.height
            value = sb.value()
            self._relayout({i})
            if alone and shift and self._pin is None:
                self._set_scroll(value + shift)
            self.viewport().update()
            break
        self._blocks.slice_done()
        self._blocks.wake()  # more blocks left: next slice

    def _image_loader(self) -> ImageLoader | None:
        return self._model.image_loader if self._model is not None else None

    def _branch_of(self, message_id: int) -> tuple[int, int] | None:
        m = self._model
        return m.branch(message_id) if m is not None else None

    def _row_by_id(self, message_id: int) -> MessageRow | None:
        return self._model.message_by_id(message_id) if self._model is not None else None

    def _resync(self, ids: Iterable[int], catch_up: bool = False) -> None:
        """Bring the rendered items of some messages up to date with their rows; lay out."""
        m = self._model
        for mid in ids:
            i = m.row_of(mid) if m is not None else -1
            item = self._items.get(mid)
            if i >= 0 and item is not None and m is not None:
                self._blocks.sync(item, m.message(i), catch_up=catch_up)
                self._heights[i] = item.height
        self._relayout()
        self.viewport().update()

    # -- painting
    def accessible_text(self, limit: int = 8000) -> str:
        """The messages on screen as plain text, for screen readers (bounded)."""
        m = self._model
        if m is None:
            return ""
        you = QCoreApplication.translate("MessageView", "You")
        assistant = QCoreApplication.translate("MessageView", "Assistant")
        parts: list[str] = []
        size = 0
        for i in self._visible_rows():
            row = m.message(i)
            who = you if row.role == "user" else assistant if row.role == "assistant" else row.role
            text = f"{who}: {row.content[:2000]}"
            parts.append(text)
            size += len(text)
            if size >= limit:
                break
        return "\n\n".join(parts)[:limit]

    def _update_accessible_text(self) -> None:
        text = self.accessible_text()
        if text != self.accessibleDescription():
            self.setAccessibleDescription(text)
            self.viewport().setAccessibleDescription(text)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        start = time.perf_counter()
        if not self._a11y_timer.isActive():
            self._a11y_timer.start()  # what is on screen may have changed
        self._ensure_visible_rendered()
        pal = PALETTES[self._blocks.dark]
        p = QPainter(self.viewport())
        p.fillRect(event.rect(), QColor(pal["bg"]))
        m = self._model
        if m is None or not self._heights:
            p.end()
            return
        self._paint_rows(p, m, pal)
        p.end()
        m.note_shown(time.perf_counter() - start)  # paces the model's flushes

    def _paint_rows(self, p: QPainter, m: MessageListModel, pal: dict[str, str]) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        y0 = self.verticalScrollBar().value()
        vh = self.viewport().height()
        ctx = QAbstractTextDocumentLayout.PaintContext()
        qpal = QPalette(self.palette())
        qpal.setColor(QPalette.ColorRole.Text, QColor(pal["fg"]))
        ctx.palette = qpal
        for i in self._visible_rows():
            item = self._item(i)
            origin = QPointF(self._row_x(item), self._tops[i] - y0)
            role = m.message(i).role
            self._blocks.paint(p, ctx, item, role, origin, vh, self.actions_shown(i))
