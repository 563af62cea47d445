"""The Ctrl+K search palette: a query box, filters and a paged list of matching messages.

The panel never touches the store: the controller hands it a ``search(query, filters)``
callable returning ``(hits, total)`` and gets the user's choice back through
``result_activated``. Queries are fast (FTS5), so they run synchronously, debounced
while typing; further pages are asked for only as the list is scrolled to its end.
"""

from __future__ import annotations

import html
import logging
import re
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QDate,
    QDateTime,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core import timestamps
from chatdesk.store.rows import SearchHit

log = logging.getLogger(__name__)

PAGE_SIZE = 50
DEBOUNCE_MS = 120

SearchFn = Callable[[str, dict[str, Any]], tuple[list[SearchHit], int]]
ModelsFn = Callable[[], list[str]]

_AnyIndex = QModelIndex | QPersistentModelIndex

HIT_ROLE = Qt.ItemDataRole.UserRole + 1
SNIPPET_HTML_ROLE = Qt.ItemDataRole.UserRole + 2

# Readable on both light and dark palettes and on the selection colour.
_MARK_STYLE = "background-color:#ffd54f; color:#000000; font-weight:600;"

_DAY = 86400.0


def query_terms(query: str) -> list[str]:
    """Words and ``"quoted phrases"`` of a query, as the store splits them."""
    terms: list[str] = []
    for i, chunk in enumerate(query.split('"')):
        if i % 2:
            if chunk.strip():
                terms.append(" ".join(chunk.split()))
        else:
            terms.extend(chunk.split())
    return terms


def snippet_html(snippet: str, terms: Sequence[str] = ()) -> str:
    """HTML for a store snippet: ``[match]`` markers become highlights, the rest is escaped.

    Message text may contain brackets of its own (``a[i]``), so when the query terms
    are known only ``[term]`` pairs count as markers; any other ``[``/``]`` stays text.
    Without terms (or if none match) every innermost ``[...]`` pair is a marker.
    """
    pattern: re.Pattern[str] | None = None
    if terms:
        alternatives = sorted({t for t in terms if t}, key=len, reverse=True)
        pattern = re.compile(
            r"\[(" + "|".join(re.escape(t) for t in alternatives) + r")\]", re.IGNORECASE
        )
        if not pattern.search(snippet):
            pattern = None
    if pattern is None:
        pattern = re.compile(r"\[([^\[\]]+)\]")
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(snippet):
        out.append(html.escape(snippet[pos : m.start()], quote=False))
        out.append(f'<span style="{_MARK_STYLE}">{html.escape(m.group(1), quote=False)}</span>')
        pos = m.end()
    out.append(html.escape(snippet[pos:], quote=False))
    return "".join(out)


class SearchResultsModel(QAbstractListModel):
    """Hits for one query and filter set, fetched a page at a time.

    ``canFetchMore``/``fetchMore`` let the view pull the next page (``offset`` =
    rows loaded so far) only when it scrolls to the end.

    Signals:
        search_failed(str): the search callable raised; the message is for the user.
    """

    search_failed = Signal(str)

    def __init__(
        self, search: SearchFn, parent: QObject | None = None, *, page_size: int = PAGE_SIZE
    ) -> None:
        super().__init__(parent)
        self._search = search
        self._page_size = page_size
        self._query = ""
        self._terms: list[str] = []
        self._filters: dict[str, Any] = {}
        self._hits: list[SearchHit] = []
        self._html: list[str] = []
        self._total = 0
        self._exhausted = True
        self._fetching = False

    # -- Qt model API ----------------------------------------------------------

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.conversation_title
        if role == Qt.ItemDataRole.ToolTipRole:
            return hit.snippet
        if role == HIT_ROLE:
            return hit
        if role == SNIPPET_HTML_ROLE:
            return self._html[index.row()]
        return None

    def flags(self, index: _AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def canFetchMore(self, parent: _AnyIndex) -> bool:  # noqa: N802
        return (
            not parent.isValid()
            and not self._exhausted
            and not self._fetching
            and len(self._hits) < self._total
        )

    def fetchMore(self, parent: _AnyIndex) -> None:  # noqa: N802
        if not self.canFetchMore(parent):
            return
        hits, total = self._fetch(len(self._hits))
        if not hits:
            self._exhausted = True
            return
        first = len(self._hits)
        self.beginInsertRows(QModelIndex(), first, first + len(hits) - 1)
        self._append(hits, total)
        self.endInsertRows()

    # -- public API --------------------------------------------------------

    def run(self, query: str, filters: dict[str, Any]) -> None:
        """Start over with a new query and filters (the first page is loaded now).

        A blank query finds nothing, so the callable is not asked.
        """
        self.beginResetModel()
        self._query = query
        self._terms = query_terms(query)
        self._filters = dict(filters)
        self._hits, self._html, self._total = [], [], 0
        self._exhausted = not query.strip()
        if not self._exhausted:
            hits, total = self._fetch(0)
            self._append(hits, total)
        self.endResetModel()

    def clear(self) -> None:
        self.run("", self._filters)

    def query(self) -> str:
        return self._query

    def filters(self) -> dict[str, Any]:
        return dict(self._filters)

    def total(self) -> int:
        """How many hits the store has for this search (loaded or not)."""
        return self._total

    def hit(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    # -- internals ---------------------------------------------------------

    def _fetch(self, offset: int) -> tuple[list[SearchHit], int]:
        filters = {**self._filters, "limit": self._page_size, "offset": offset}
        self._fetching = True
        try:
            hits, total = self._search(self._query, filters)
        except Exception as exc:  # a store error must not kill a Qt callback
            log.exception("search failed")
            self._exhausted = True
            self.search_failed.emit(str(exc) or type(exc).__name__)
            return [], self._total
        finally:
            self._fetching = False
        return list(hits), int(total)

    def _append(self, hits: list[SearchHit], total: int) -> None:
        self._hits.extend(hits)
        self._html.extend(snippet_html(h.snippet, self._terms) for h in hits)
        if len(hits) < self._page_size:
            # A short page means the store has no more, whatever the count said.
            self._exhausted = True
            self._total = len(self._hits)
        else:
            self._total = max(total, len(self._hits))


class _HitDelegate(QStyledItemDelegate):
    """Paints a hit as a title line with role, model and date, then a two-line snippet.

    Every row has the same height, so the view can use uniform item sizes and
    scrolling through thousands of hits costs nothing to lay out.
    """

    SNIPPET_LINES = 2
    PAD = 8

    def __init__(self, panel: SearchPanel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._panel = panel

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        hit: SearchHit | None = index.data(HIT_ROLE)
        if hit is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, widget)

        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = (
            QPalette.ColorGroup.Active
            if opt.state & QStyle.StateFlag.State_Active
            else QPalette.ColorGroup.Inactive
        )
        text_color = opt.palette.color(
            group, QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        dim_color = QColor(text_color)
        dim_color.setAlphaF(0.65)

        rect = opt.rect.adjusted(self.PAD, self.PAD // 2, -self.PAD, -self.PAD // 2)
        painter.save()
        painter.setClipRect(opt.rect)

        # Title line: bold title on the left, "You · gpt-4o · 14:03" on the right.
        meta_font = QFont(opt.font)
        meta_font.setPointSizeF(max(meta_font.pointSizeF() * 0.88, 7.0))
        meta_metrics = QFontMetrics(meta_font)
        meta = self._panel.meta_text(hit)
        meta_width = min(meta_metrics.horizontalAdvance(meta), rect.width() // 2)
        title_font = QFont(opt.font)
        title_font.setBold(True)
        title_metrics = QFontMetrics(title_font)
        line_h = title_metrics.height()
        title_rect = QRect(rect.left(), rect.top(), rect.width() - meta_width - 12, line_h)
        meta_rect = QRect(rect.right() - meta_width, rect.top(), meta_width + 1, line_h)

        title = hit.conversation_title or self._panel.tr("New chat")
        painter.setFont(title_font)
        painter.setPen(text_color)
        painter.drawText(
            title_rect,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            title_metrics.elidedText(title, Qt.TextElideMode.ElideRight, title_rect.width()),
        )
        painter.setFont(meta_font)
        painter.setPen(dim_color)
        painter.drawText(
            meta_rect,
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            meta_metrics.elidedText(meta, Qt.TextElideMode.ElideLeft, meta_rect.width()),
        )

        # Snippet: rich text (escaped, with the match highlighted), clipped to two lines.
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(opt.font)
        doc.setTextWidth(rect.width())
        doc.setHtml(str(index.data(SNIPPET_HTML_ROLE) or ""))
        snippet_top = rect.top() + line_h + 3
        snippet_h = QFontMetrics(opt.font).lineSpacing() * self.SNIPPET_LINES + 2
        painter.translate(rect.left(), snippet_top)
        clip = QRect(0, 0, rect.width(), snippet_h)
        painter.setClipRect(clip, Qt.ClipOperation.IntersectClip)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.palette.setColor(QPalette.ColorRole.Text, dim_color if not selected else text_color)
        ctx.clip = clip
        doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        title_font = QFont(option.font)
        title_font.setBold(True)
        title_h = QFontMetrics(title_font).height()
        snippet_h = QFontMetrics(option.font).lineSpacing() * self.SNIPPET_LINES + 2
        return QSize(200, self.PAD + title_h + 3 + snippet_h + 2)


class SearchPanel(QDialog):
    """Search across all conversations, opened with Ctrl+K; non-modal and frameless.

    Filter keys passed to ``search(query, filters)``: ``model`` (str|None), ``role``
    ("user"|"assistant"|None), ``since``/``until`` (epoch seconds|None, inclusive),
    ``pinned`` (True|None), ``comparisons`` (True|None), ``sort`` ("newest"|"relevance"),
    ``limit`` and ``offset``.

    Signals:
        result_activated(int, int, str): conversation id, message id and the query
            that found it; the panel hides itself after emitting.
    """

    result_activated = Signal(int, int, str)

    # Counts stop at this many (the store caps them); the label then says "5,000+".
    count_cap: int | None = None

    def __init__(
        self,
        search: SearchFn,
        models: ModelsFn | None = None,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Dialog | Qt.WindowType.FramelessWindowHint)
        self._models = models
        self._clock = clock
        self.setModal(False)
        self.setObjectName("searchPanel")
        self.setWindowTitle(self.tr("Search"))
        self.resize(760, 540)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.run_search)

        self._results = SearchResultsModel(search, self)
        self._results.search_failed.connect(self._on_search_failed)
        self._failed: str | None = None

        frame = QFrame(self)
        frame.setObjectName("searchFrame")
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(10, 10, 10, 8)
        layout.setSpacing(6)

        self._query = QLineEdit(frame)
        self._query.setObjectName("searchQuery")
        self._query.setAccessibleName(self.tr("Search all conversations"))
        self._query.setPlaceholderText(self.tr("Search all conversations…"))
        self._query.setClearButtonEnabled(True)
        query_font = QFont(self._query.font())
        query_font.setPointSizeF(query_font.pointSizeF() * 1.2)
        self._query.setFont(query_font)
        self._query.textChanged.connect(self._on_text_changed)
        self._query.returnPressed.connect(self.activate_current)
        self._query.installEventFilter(self)
        layout.addWidget(self._query)

        # First filter row: what and when.
        row1 = QHBoxLayout()
        row1.setSpacing(6)
        self._model_combo = QComboBox(frame)
        self._model_combo.setObjectName("searchModel")
        self._model_combo.setToolTip(self.tr("Only answers from this model"))
        self._model_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self._model_combo.setMinimumContentsLength(14)
        self._model_combo.addItem(self.tr("All models"), None)
        self._model_combo.setVisible(models is not None)
        row1.addWidget(self._model_combo)

        self._role_combo = QComboBox(frame)
        self._role_combo.setObjectName("searchRole")
        self._role_combo.addItem(self.tr("All messages"), None)
        self._role_combo.addItem(self.tr("You"), "user")
        self._role_combo.addItem(self.tr("Assistant"), "assistant")
        row1.addWidget(self._role_combo)

        self._date_combo = QComboBox(frame)
        self._date_combo.setObjectName("searchDate")
        for text, key in (
            (self.tr("Any time"), "any"),
            (self.tr("Today"), "today"),
            (self.tr("Last 7 days"), "7d"),
            (self.tr("Last 30 days"), "30d"),
            (self.tr("Last year"), "year"),
            (self.tr("Custom range…"), "custom"),
        ):
            self._date_combo.addItem(text, key)
        row1.addWidget(self._date_combo)

        today = QDate.currentDate()
        self._since_edit = QDateEdit(today.addDays(-30), frame)
        self._since_edit.setObjectName("searchSince")
        self._until_edit = QDateEdit(today, frame)
        self._until_edit.setObjectName("searchUntil")
        self._range_dash = QLabel("–", frame)
        for edit, tip in (
            (self._since_edit, self.tr("From (inclusive)")),
            (self._until_edit, self.tr("To (inclusive)")),
        ):
            edit.setCalendarPopup(True)
            edit.setToolTip(tip)
            edit.setVisible(False)
        self._range_dash.setVisible(False)
        row1.addWidget(self._since_edit)
        row1.addWidget(self._range_dash)
        row1.addWidget(self._until_edit)
        row1.addStretch(1)
        layout.addLayout(row1)

        # Second filter row: flags and order.
        row2 = QHBoxLayout()
        row2.setSpacing(12)
        self._pinned_check = QCheckBox(self.tr("Pinned only"), frame)
        self._pinned_check.setObjectName("searchPinned")
        self._comparisons_check = QCheckBox(self.tr("Comparisons only"), frame)
        self._comparisons_check.setObjectName("searchComparisons")
        self._comparisons_check.setToolTip(
            self.tr("Only conversations where several models answered side by side")
        )
        row2.addWidget(self._pinned_check)
        row2.addWidget(self._comparisons_check)
        row2.addStretch(1)
        sort_label = QLabel(self.tr("Sort by"), frame)
        self._sort_combo = QComboBox(frame)
        self._sort_combo.setObjectName("searchSort")
        self._sort_combo.addItem(self.tr("Newest"), "newest")
        self._sort_combo.addItem(self.tr("Relevance"), "relevance")
        sort_label.setBuddy(self._sort_combo)
        row2.addWidget(sort_label)
        row2.addWidget(self._sort_combo)
        layout.addLayout(row2)

        self._view = QListView(frame)
        self._view.setObjectName("searchResults")
        self._view.setAccessibleName(self.tr("Search results"))
        self._view.setModel(self._results)
        self._view.setItemDelegate(_HitDelegate(self, self._view))
        self._view.setUniformItemSizes(True)
        self._view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self._view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self._view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._view.clicked.connect(self._activate_index)
        self._view.activated.connect(self._activate_index)
        self._view.installEventFilter(self)
        layout.addWidget(self._view, 1)

        footer = QHBoxLayout()
        self._count_label = QLabel(frame)
        self._count_label.setObjectName("searchCount")
        hint = QLabel(self.tr("↑↓ select · Enter open · Esc close"), frame)
        hint.setEnabled(False)
        footer.addWidget(self._count_label, 1)
        footer.addWidget(hint)
        layout.addLayout(footer)

        for combo in (self._model_combo, self._role_combo, self._sort_combo):
            combo.currentIndexChanged.connect(self.run_search)
        self._date_combo.currentIndexChanged.connect(self._on_date_choice)
        self._since_edit.dateChanged.connect(self._on_custom_dates)
        self._until_edit.dateChanged.connect(self._on_custom_dates)
        self._pinned_check.toggled.connect(self.run_search)
        self._comparisons_check.toggled.connect(self.run_search)
        self._results.rowsInserted.connect(self._update_count)
        self._update_count()

    # -- public API --------------------------------------------------------

    def open_with(self, query: str = "") -> None:
        """Show centred over the parent with the query selected, ready to retype.

        A non-empty ``query`` replaces the text; otherwise the last query is kept.
        Either way the search runs again so results reflect new messages.
        """
        self.refresh_models()
        if query:
            self._query.blockSignals(True)
            self._query.setText(query)
            self._query.blockSignals(False)
        self.run_search()
        self._center_over_parent()
        self.show()
        self.raise_()
        self.activateWindow()
        self._query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._query.selectAll()

    def refresh_models(self) -> None:
        """Reload the model filter from ``models()``, keeping the choice if still listed."""
        if self._models is None:
            return
        try:
            names = list(self._models())
        except Exception:
            log.exception("listing models for the search filter failed")
            return
        current = self._model_combo.currentData()
        self._model_combo.blockSignals(True)
        self._model_combo.clear()
        self._model_combo.addItem(self.tr("All models"), None)
        for name in names:
            self._model_combo.addItem(name, name)
        pos = self._model_combo.findData(current) if current is not None else 0
        self._model_combo.setCurrentIndex(max(pos, 0))
        self._model_combo.blockSignals(False)
        if current is not None and pos < 0:
            self.run_search()  # the chosen model vanished: the filter changed

    def query(self) -> str:
        return self._query.text()

    def filters(self) -> dict[str, Any]:
        """The filter dict for the first page, as passed to ``search``."""
        since, until = self._date_bounds()
        return {
            "model": self._model_combo.currentData(),
            "role": self._role_combo.currentData(),
            "since": since,
            "until": until,
            "pinned": True if self._pinned_check.isChecked() else None,
            "comparisons": True if self._comparisons_check.isChecked() else None,
            "sort": self._sort_combo.currentData(),
            "limit": PAGE_SIZE,
            "offset": 0,
        }

    def run_search(self) -> None:
        """Search now with the current text and filters (cancels a pending debounce)."""
        self._debounce.stop()
        self._failed = None
        self._results.run(self._query.text(), self.filters())
        if self._results.rowCount() > 0:
            self._view.setCurrentIndex(self._results.index(0, 0))
            self._view.scrollToTop()
        self._update_count()

    def activate_current(self) -> None:
        """Open the selected hit (Enter); a pending keystroke search is run first."""
        if self._debounce.isActive():
            self.run_search()
        index = self._view.currentIndex()
        if not index.isValid() and self._results.rowCount() > 0:
            index = self._results.index(0, 0)
        if index.isValid():
            self._activate_index(index)

    def results_model(self) -> SearchResultsModel:
        return self._results

    def view(self) -> QListView:
        return self._view

    def query_edit(self) -> QLineEdit:
        return self._query

    def count_label(self) -> QLabel:
        return self._count_label

    def meta_text(self, hit: SearchHit) -> str:
        """ "You · gpt-4o · 14:03": who wrote it, with which model, and when."""
        role = {"user": self.tr("You"), "assistant": self.tr("Assistant")}.get(hit.role, hit.role)
        parts = [role]
        if hit.model:
            parts.append(hit.model)
        parts.append(self._format_time(hit.created))
        return " · ".join(parts)

    # -- events ------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if watched is self._query:
                return self._query_key(event)
            if watched is self._view:
                return self._view_key(event)
        return super().eventFilter(watched, event)

    # -- internals ---------------------------------------------------------

    def _query_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self._move(-1 if key == Qt.Key.Key_Up else 1)
            return True
        if key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            if self._debounce.isActive():
                self.run_search()
            QApplication.sendEvent(self._view, event)
            return True
        return False

    def _view_key(self, event: QKeyEvent) -> bool:
        """Typing while the list has focus goes on editing the query."""
        text = event.text()
        mods = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
        if text and text.isprintable() and mods == Qt.KeyboardModifier.NoModifier:
            self._query.setFocus(Qt.FocusReason.OtherFocusReason)
            QApplication.sendEvent(self._query, event)
            return True
        return False

    def _move(self, delta: int) -> None:
        """Move the selection while focus stays in the query box."""
        if self._debounce.isActive():
            self.run_search()
        count = self._results.rowCount()
        if count == 0:
            return
        current = self._view.currentIndex()
        row = current.row() + delta if current.isValid() else 0
        if row >= count and self._results.canFetchMore(QModelIndex()):
            self._results.fetchMore(QModelIndex())
            count = self._results.rowCount()
        row = max(0, min(row, count - 1))
        index = self._results.index(row, 0)
        self._view.setCurrentIndex(index)
        self._view.scrollTo(index)

    def _activate_index(self, index: QModelIndex) -> None:
        hit = self._results.hit(index.row()) if index.isValid() else None
        if hit is None or not self.isVisible():
            return  # clicked + activated on one click: the first one already acted
        query = self._results.query()
        self.hide()
        self.result_activated.emit(hit.conversation_id, hit.message_id, query)

    def _on_text_changed(self, _text: str) -> None:
        self._debounce.start()

    def _on_date_choice(self) -> None:
        custom = self._date_combo.currentData() == "custom"
        for widget in (self._since_edit, self._range_dash, self._until_edit):
            widget.setVisible(custom)
        self.run_search()

    def _on_custom_dates(self) -> None:
        if self._date_combo.currentData() == "custom":
            self.run_search()

    def _date_bounds(self) -> tuple[float | None, float | None]:
        """Epoch bounds (both inclusive) for the chosen date range, in local time."""
        choice = self._date_combo.currentData()
        now = self._clock()
        if choice == "today":
            midnight = datetime.combine(
                datetime.fromtimestamp(now).date(), datetime.min.time()
            ).timestamp()
            return midnight, None
        days = {"7d": 7, "30d": 30, "year": 365}.get(choice)
        if days is not None:
            return now - days * _DAY, None
        if choice == "custom":
            first = self._since_edit.date().toPython()
            last = self._until_edit.date().toPython()
            assert isinstance(first, date) and isinstance(last, date)
            first, last = min(first, last), max(first, last)
            since = datetime.combine(first, datetime.min.time()).timestamp()
            end = datetime.combine(last + timedelta(days=1), datetime.min.time()).timestamp()
            return since, end - 0.001
        return None, None

    def _format_time(self, created: float) -> str:
        # A damaged or old import may hold any number (inf, 1e300): never raise on it.
        if not timestamps.is_valid(created):
            return self.tr("unknown date")
        moment = QDateTime.fromMSecsSinceEpoch(int(created * 1000))
        locale = self.locale()
        if moment.date() == QDate.currentDate():
            return locale.toString(moment.time(), locale.FormatType.ShortFormat)
        return locale.toString(moment.date(), locale.FormatType.ShortFormat)

    def _update_count(self) -> None:
        if self._failed is not None:
            text = self.tr("Search failed: {error}").format(error=self._failed)
        elif not self._results.query().strip():
            text = self.tr("Type to search your conversations")
        else:
            total = self._results.total()
            if total == 0:
                text = self.tr("No results")
            elif total == 1:
                text = self.tr("1 result")
            elif self.count_cap is not None and total >= self.count_cap:
                text = self.tr("{count}+ results").format(count=self.locale().toString(total))
            else:
                text = self.tr("{count} results").format(count=self.locale().toString(total))
        self._count_label.setText(text)

    def _on_search_failed(self, message: str) -> None:
        self._failed = message
        self._update_count()

    def _center_over_parent(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        window = parent.window()
        area = window.frameGeometry() if window.isVisible() else window.geometry()
        width = min(760, max(420, area.width() - 80))
        height = min(540, max(300, area.height() - 80))
        self.resize(width, height)
        self.move(area.center().x() - width // 2, area.center().y() - height // 2)
