"""The message view: what a reader does with rendered messages.

Actions are links (``action:...``) hit-tested with ``documentLayout().anchorAt`` and
reported through :attr:`MessageView.action_requested`; the find bar's matches are marked
and scrolled to here; a double-click opens a message as selectable text. The layout,
scrolling and painting are :class:`~chatdesk.ui.messagecanvas.MessageCanvas`; the model
is in :mod:`chatdesk.ui.messagemodel`, the HTML of headers and footers in
:mod:`chatdesk.ui.messagehtml`. Widgets never touch the database or the network: images
come through the model's ``image_loader``.
"""

from __future__ import annotations

import bisect
import logging

from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QAccessible,
    QAccessibleEvent,
    QColor,
    QDesktopServices,
    QFocusEvent,
    QGuiApplication,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QTextCharFormat,
    QTextCursor,
    QWheelEvent,
)
from PySide6.QtWidgets import QDialog, QToolTip, QWidget

from chatdesk.store.rows import MessageStatus
from chatdesk.ui import codescroll
from chatdesk.ui.actions import MessageAction, ViewToggle, parse_href, strict_links
from chatdesk.ui.messagecanvas import MessageCanvas
from chatdesk.ui.messagedocs import Doc, TextDialog, anchor_rect, doc_links
from chatdesk.ui.messageitem import Item, wide_frames
from chatdesk.ui.messagemodel import ImageLoader, MessageListModel
from chatdesk.ui.messagestyle import PALETTES, link_label

__all__ = ["ImageLoader", "MessageListModel", "MessageView"]

SAFE_LINK_SCHEMES = ("http", "https", "mailto")

log = logging.getLogger(__name__)


class MessageView(MessageCanvas):
    """Virtualised, anchored list of rendered messages that a reader acts on.

    Signals:
        action_requested(action, message_id, arg): a click on an action link; ``action``
            is a :class:`~chatdesk.ui.actions.MessageAction` (a str: receivers get its
            value), ``arg`` the block index (copy_code), the tool call id (tool_result),
            the URL (open_link) or None.
        scrolled_fraction(fraction): inherited from :class:`MessageCanvas`, which
            says when it is emitted.
    """

    action_requested = Signal(str, int, object)

    def __init__(
        self, model: MessageListModel | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        # The find bar's current match: (message, part, selection) marked apart.
        self._current_match: tuple[int, int, QAbstractTextDocumentLayout.Selection] | None = None
        self._press_href: str | None = None
        self._focus_link: tuple[int, str] | None = None  # (message, href) the keyboard is on
        if model is not None:
            self.setModel(model)

    # -- find
    def highlight(self, message_id: int, text: str) -> None:
        """Mark occurrences of ``text`` in a message and scroll to it ("" clears)."""
        self._drop_current_match()
        self._blocks.highlight = (message_id, text) if text else None
        if text:
            self.scroll_to_message(message_id)
        self.viewport().update()

    def scroll_to_match(self, message_id: int, text: str, n: int) -> QRect | None:
        """Scroll occurrence ``n`` (0-based) of ``text`` in a message's body into view.

        Call after :meth:`highlight`. The occurrence is marked apart from the others and
        put a third of the way down the view (a long reply's tenth match may be pages
        below its top). Occurrences are counted in the rendered text; past the last one
        the last is shown. Returns where it is drawn (viewport coordinates), or None.
        """
        self._drop_current_match()
        found = self._realized(message_id) if text else None
        if found is None:
            return None
        _row, item = found
        body = [d for d in (*item.segs, item.tail) if d is not None]
        hit: tuple[int, QTextCursor] | None = None
        seen = 0
        for k, doc in enumerate(item.parts):
            if doc is None or not any(doc is b for b in body):
                continue
            cur = doc.find(text, 0)
            while not cur.isNull():
                hit = (k, cur)
                if seen == n:
                    break
                seen += 1
                cur = doc.find(text, cur)
            else:
                continue
            break
        if hit is None:
            return None
        k, cur = hit
        sel = QAbstractTextDocumentLayout.Selection()
        sel.cursor = cur
        fmt = QTextCharFormat()
        fmt.setBackground(QColor("#c2410c" if self._blocks.dark else "#fb923c"))
        sel.format = fmt
        item.hl.setdefault(k, []).append(sel)
        self._current_match = (message_id, k, sel)
        doc = item.parts[k]
        assert doc is not None
        x, y_in_doc, _height = _match_point(doc, cur, self.fontMetrics().height())
        span = self.fontMetrics().horizontalAdvance(cur.selectedText())
        codescroll.reveal(doc, wide_frames(doc, item.width), item.width, x, y_in_doc, span)
        rect = self.current_match_rect()
        assert rect is not None
        sb = self.verticalScrollBar()
        y = rect.top() + sb.value()  # in content coordinates
        self._stick_bottom = False
        self._pin = message_id  # relayouts keep the offset into this message
        self._set_scroll(max(0, min(sb.maximum(), y - self.viewport().height() // 3)))
        self._update_jump()
        self.viewport().update()
        return self.current_match_rect()

    def current_match_rect(self) -> QRect | None:
        """Where the match marked by :meth:`scroll_to_match` is drawn (viewport coordinates)."""
        if self._current_match is None or self._model is None:
            return None
        mid, k, sel = self._current_match
        row = self._model.row_of(mid)
        item = self._items.get(mid)
        if row < 0 or item is None or k >= len(item.parts) or item.parts[k] is None:
            return None
        doc = item.parts[k]
        assert doc is not None
        cur = sel.cursor
        x, y_in_doc, height = _match_point(doc, cur, self.fontMetrics().height())
        width = max(1, self.fontMetrics().horizontalAdvance(cur.selectedText()))
        # In a code block scrolled sideways the match is drawn shifted with it.
        shifted = codescroll.to_view(
            doc, wide_frames(doc, item.width), item.width, QRect(x, int(y_in_doc), width, height)
        )
        y = self._tops[row] + self.PAD + item.offsets[k] + int(y_in_doc)
        x0 = self._row_x(item) + self.PAD + item.x_of(k) + shifted.x()
        return QRect(x0, y - self.verticalScrollBar().value(), width, height)

    def _drop_current_match(self) -> None:
        """Unmark the match :meth:`scroll_to_match` marked (its item may be gone)."""
        current, self._current_match = self._current_match, None
        if current is None:
            return
        mid, k, sel = current
        item = self._items.get(mid)
        sels = item.hl.get(k, []) if item is not None else []
        for i, other in enumerate(sels):
            if other is sel:
                del sels[i]
                break

    @property
    def _highlight(self) -> tuple[int, str] | None:
        """The current highlight (read by window tests that predate the split)."""
        return self._blocks.highlight

    # -- links
    def link_rect(self, message_id: int, href: str) -> QRect | None:
        """Where the link ``href`` of a message is drawn, in viewport coordinates."""
        found = self._realized(message_id)
        if found is None:
            return None
        row, item = found
        return self._link_rect_in(row, item, href)

    def _link_rect_in(self, row: int, item: Item, href: str) -> QRect | None:
        """Where ``href`` is drawn in an item's rendered parts (viewport coordinates)."""
        base_y = self._tops[row] - self.verticalScrollBar().value() + self.PAD
        base_x = self._row_x(item) + self.PAD
        for k, (doc, off) in enumerate(zip(item.parts, item.offsets, strict=True)):
            r = anchor_rect(doc, href) if doc is not None else None
            if doc is not None and r is not None:
                r = codescroll.to_view(doc, wide_frames(doc, item.width), item.width, r)
                return r.translated(base_x + item.x_of(k), base_y + off)
        return None

    def code_blocks(self, message_id: int) -> list[str]:
        """Raw text of each code block of a message (index = copy_code argument)."""
        found = self._realized(message_id)
        return [] if found is None else list(found[1].codes)

    def open_text_view(self, message_id: int) -> QDialog | None:
        """A read-only selectable view of one message (also opened by double-click)."""
        m = self._model
        row_i = -1 if m is None else m.row_of(message_id)
        if m is None or row_i < 0:
            return None
        dlg = TextDialog(self, m.message(row_i), self._blocks.dark, self._thumb)
        dlg.link_clicked.connect(lambda href: self._handle_href(message_id, href))
        dlg.show()
        return dlg

    # -- keyboard: Tab walks the links and action icons of the messages on screen
    def links_on_screen(self) -> list[tuple[int, str]]:
        """(message, href) of every link of the rows on screen, in reading order."""
        m = self._model
        out: list[tuple[int, str]] = []
        if m is None:
            return out
        for i in self._visible_rows():
            item = self._item(i)
            row = m.message(i)
            for doc in item.parts:
                if doc is None or (doc is item.act and row.status == MessageStatus.STREAMING):
                    continue
                out.extend((row.id, href) for href in doc_links(doc))
        return out

    def focused_link(self) -> tuple[int, str] | None:
        return self._focus_link

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 (Qt override)
        """Tab and Shift+Tab stop at each link and icon on screen, then leave the view."""
        if not self.hasFocus():
            return super().focusNextPrevChild(next)
        links = self.links_on_screen()
        cur = self._focus_link
        i = links.index(cur) if cur in links else (-1 if next else len(links))
        i += 1 if next else -1
        if 0 <= i < len(links):
            self._set_focus_link(links[i])
            return True
        self._set_focus_link(None)
        return super().focusNextPrevChild(next)

    def _set_focus_link(self, link: tuple[int, str] | None) -> None:
        self._focus_link = link
        self._focus_mid = link[0] if link else None
        name = link_label(link[1]) if link else ""
        vp = self.viewport()
        if vp.accessibleName() != name:
            vp.setAccessibleName(name)  # what a screen reader says for the focused link
            QAccessible.updateAccessibility(QAccessibleEvent(vp, QAccessible.Event.NameChanged))
        rect = self._focus_rect()
        if rect is not None and not vp.rect().contains(rect):
            sb = self.verticalScrollBar()
            self._stick_bottom = False
            self._set_scroll(sb.value() + rect.top() - vp.height() // 3)
            self._update_jump()
        vp.update()

    def _focus_rect(self) -> QRect | None:
        """Where the keyboard's link is drawn (no rendering: only rendered parts)."""
        if self._focus_link is None or self._model is None:
            return None
        mid, href = self._focus_link
        row = self._model.row_of(mid)
        item = self._items.get(mid)
        if row < 0 or item is None:
            return None
        return self._link_rect_in(row, item, href)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        keys = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)
        if self._focus_link is not None and event.key() in keys:
            mid, href = self._focus_link
            self._handle_href(mid, href)
            event.accept()
            return
        arrows = {Qt.Key.Key_Left: -codescroll.STEP, Qt.Key.Key_Right: codescroll.STEP}
        if self._focus_link is not None and event.key() in arrows:
            if self._scroll_code(*self._focus_link, arrows[Qt.Key(event.key())]):
                event.accept()
                return
        super().keyPressEvent(event)

    def _scroll_code(self, mid: int, href: str, dx: float) -> bool:
        """Scroll the code block whose Copy link is ``href`` sideways (if it is wide)."""
        item = self._items.get(mid)
        if not href.startswith("copycode:") or item is None:
            return False
        for doc in item.parts:
            r = anchor_rect(doc, href) if doc is not None else None
            if (
                doc is not None
                and r is not None
                and codescroll.scroll(doc, wide_frames(doc, item.width), r.center().y(), dx)
            ):
                self.viewport().update()
                return True
        return False

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        """Shift+wheel, a horizontal wheel or a trackpad over a wide code block scroll it."""
        shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        px, ang = event.pixelDelta(), event.angleDelta()
        if abs(ang.x()) > abs(ang.y()) or abs(px.x()) > abs(px.y()):  # mostly sideways
            dx = -(px.x() or ang.x() / 120 * codescroll.STEP)
        elif shift:
            dx = -(px.y() or ang.y() / 120 * codescroll.STEP)
        else:
            dx = 0
        hit = self._hit(event.position().toPoint()) if dx else None
        if hit is not None:
            item = self._item(hit[0])
            if codescroll.scroll(hit[1], wide_frames(hit[1], item.width), hit[2].y(), dx):
                self.viewport().update()
                event.accept()
                return
        super().wheelEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802
        super().focusOutEvent(event)
        if self._focus_link is not None and event.reason() != Qt.FocusReason.PopupFocusReason:
            self._set_focus_link(None)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)
        rect = self._focus_rect()
        if rect is not None and self.hasFocus():
            p = QPainter(self.viewport())
            p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            p.setPen(QPen(QColor(PALETTES[self._blocks.dark]["accent"]), 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(QRectF(rect).adjusted(-4, -2, 4, 2), 4, 4)
            p.end()

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802
        """Tooltips name the icon under the mouse; leaving the view hides the actions."""
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            got = self._href_at(event.pos())
            if got is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), link_label(got[1]), self.viewport())
            return True
        if event.type() == QEvent.Type.Leave:
            self.set_hover(None)
        return super().viewportEvent(event)

    # -- mouse
    def _hit(self, pos: QPoint) -> tuple[int, Doc, QPoint] | None:
        """(row, document, position in that document) under a viewport point."""
        if self._model is None or not self._heights:
            return None
        y = pos.y() + self.verticalScrollBar().value()
        i = bisect.bisect_right(self._tops, y) - 1
        if not 0 <= i < len(self._heights):
            return None
        item = self._item(i)
        ly = y - self._tops[i] - self.PAD
        k = bisect.bisect_right(item.offsets, ly) - 1
        doc = item.parts[k] if k >= 0 else None
        if doc is None:  # above the first part, or a block not rendered yet
            return None
        if doc is item.act and self._model.message(i).status == MessageStatus.STREAMING:
            return None  # no actions while an answer streams
        lx = pos.x() - self._row_x(item) - self.PAD - item.x_of(k)
        ly -= item.offsets[k]
        wide = wide_frames(doc, item.width)
        lx = int(codescroll.to_doc(doc, wide, item.width, lx, ly))  # a code block scrolled sideways
        return i, doc, QPoint(lx, ly)

    def _row_at(self, pos: QPoint) -> int:
        """The message id under a viewport point (-1: none)."""
        if self._model is None or not self._heights:
            return -1
        y = pos.y() + self.verticalScrollBar().value()
        i = bisect.bisect_right(self._tops, y) - 1
        return self._model.message(i).id if 0 <= i < len(self._heights) else -1

    def _href_at(self, pos: QPoint) -> tuple[int, str] | None:
        hit = self._hit(pos)
        if hit is None:
            return None
        i, doc, local = hit
        href = doc.documentLayout().anchorAt(local)
        return (i, href) if href else None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        mid = self._row_at(event.position().toPoint())
        self.set_hover(mid if mid >= 0 else None)
        on_link = self._href_at(event.position().toPoint()) is not None
        shape = Qt.CursorShape.PointingHandCursor if on_link else Qt.CursorShape.ArrowCursor
        if self.viewport().cursor().shape() != shape:
            self.viewport().setCursor(shape)
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        got = self._href_at(event.position().toPoint())
        self._press_href = got[1] if got and event.button() == Qt.MouseButton.LeftButton else None
        if self._press_href is not None:
            event.accept()  # the release on the same link is the click
            return
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
        """Act on a click on a link of message ``mid`` (a bad link of ours is a bug)."""
        m = self._model
        row = m.message_by_id(mid) if m is not None else None
        if row is None:
            return
        try:
            parsed = parse_href(href)
        except ValueError:
            if strict_links():
                raise
            log.warning("ignored a link naming no action: %r", href)
            return
        if parsed is None:
            url = QUrl(href)
            if url.scheme().lower() in SAFE_LINK_SCHEMES:
                self._emit(MessageAction.OPEN_LINK, mid, href)
                QDesktopServices.openUrl(url)
            return
        action, arg = parsed
        if action is ViewToggle.THINKING:
            auto = row.status == MessageStatus.STREAMING and not row.content
            self._blocks.think_open[mid] = not self._blocks.think_open.get(mid, auto)
            self._resync([mid])
        elif action is ViewToggle.DETAILS:
            self._blocks.details_open.symmetric_difference_update({mid})
            self._resync([mid])
        elif action is ViewToggle.TOOL_RESULT:
            self._blocks.tool_open.symmetric_difference_update({mid})
            self._resync([mid])
        elif action is ViewToggle.USER_TEXT:
            self._blocks.user_open.symmetric_difference_update({mid})
            item = self._items.get(mid)
            if item is not None:
                item.content = None  # folded and whole differ in text: render again
            self._resync([mid])
        elif action is MessageAction.COPY_CODE:
            codes = self.code_blocks(mid)
            n = arg if isinstance(arg, int) else -1
            if 0 <= n < len(codes):
                QGuiApplication.clipboard().setText(codes[n])
            self._emit(action, mid, n)
        else:
            assert isinstance(action, MessageAction)
            if action is MessageAction.COPY:
                QGuiApplication.clipboard().setText(row.content)
                self._show_copied(mid)
            self._emit(action, mid, arg)

    COPIED_MS = 1000  # how long the Copy icon shows a check mark

    def _show_copied(self, mid: int) -> None:
        """The Copy icon turns into a check mark for a moment."""
        self._blocks.copied.add(mid)
        self._resync([mid])
        QTimer.singleShot(self.COPIED_MS, self, lambda: self._end_copied(mid))

    def _end_copied(self, mid: int) -> None:
        if mid in self._blocks.copied:
            self._blocks.copied.discard(mid)
            self._resync([mid])

    def _emit(self, action: MessageAction, mid: int, arg: object) -> None:
        """The one place :attr:`action_requested` is emitted: only named actions leave."""
        if not isinstance(action, MessageAction):
            raise TypeError(f"not a MessageAction: {action!r}")
        self.action_requested.emit(action, mid, arg)


def _match_point(doc: Doc, cur: QTextCursor, fallback_height: int) -> tuple[int, float, int]:
    """(x, y, line height) of a found text's start, in its document's coordinates."""
    block = cur.block()
    pos = cur.selectionStart() - block.position()
    line = block.layout().lineForTextPosition(pos)
    top = doc.documentLayout().blockBoundingRect(block).top()
    if line.isValid():
        at = line.cursorToX(pos)  # PySide6 gives (x, position)
        x = int(at[0] if isinstance(at, tuple) else at)  # type: ignore[arg-type]
        return x, top + line.y(), int(line.height())
    return 0, top, fallback_height
