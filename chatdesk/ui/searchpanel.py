"""The Ctrl+K search palette: a query box, filters and a paged list of matching messages.

The panel never touches the store: the controller hands it a ``search(query, filters)``
callable returning ``(hits, total)`` and gets the user's choice back through
``result_activated``. Queries are fast (FTS5), so they run synchronously, debounced
while typing; further pages are asked for only as the list is scrolled to its end.
The list model lives in ``searchresults`` and the row painter in ``searchdelegate``.
"""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent
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
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.history import timestamps
from chatdesk.store.rows import SearchHit
from chatdesk.ui.searchdelegate import HitDelegate
from chatdesk.ui.searchresults import (
    HIT_ROLE,
    PAGE_SIZE,
    SNIPPET_HTML_ROLE,
    SearchFn,
    SearchResultsModel,
    query_terms,
    snippet_html,
)

# query_terms and the model's names are imported from here by the history controller
# and the tests: the panel is the palette's public face.
__all__ = [
    "DEBOUNCE_MS",
    "HIT_ROLE",
    "PAGE_SIZE",
    "SNIPPET_HTML_ROLE",
    "ModelsFn",
    "RunsFn",
    "SearchFn",
    "SearchPanel",
    "SearchResultsModel",
    "query_terms",
    "snippet_html",
]

log = logging.getLogger(__name__)

DEBOUNCE_MS = 120

ModelsFn = Callable[[], list[str]]
#: ``runs(query)``: prompt-set runs matching the query, as ``(run id, label)``.
RunsFn = Callable[[str], list[tuple[int, str]]]
MAX_RUN_LINKS = 5

_DAY = 86400.0


class SearchPanel(QDialog):
    """Search across all conversations, opened with Ctrl+K; non-modal and frameless.

    Filter keys passed to ``search(query, filters)``: ``model`` (str|None), ``role``
    ("user"|"assistant"|None), ``since``/``until`` (epoch seconds|None, inclusive),
    ``pinned`` (True|None), ``comparisons`` (True|None), ``sort`` ("newest"|"relevance"),
    ``limit`` and ``offset``.

    Signals:
        result_activated(int, int, str): conversation id, message id and the query
            that found it; the panel hides itself after emitting.
        run_activated(int): a prompt-set run named by the query was chosen (the line
            above the messages lists the runs whose name, model or prompt matches).
    """

    result_activated = Signal(int, int, str)
    run_activated = Signal(int)

    # Counts stop at this many (the store caps them); the label then says "5,000+".
    count_cap: int | None = None

    def __init__(
        self,
        search: SearchFn,
        models: ModelsFn | None = None,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float] = time.time,
        runs: RunsFn | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Dialog | Qt.WindowType.FramelessWindowHint)
        self._models = models
        self._runs = runs
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

        self._runs_label = QLabel(frame)
        self._runs_label.setObjectName("searchRuns")
        self._runs_label.setTextFormat(Qt.TextFormat.RichText)
        self._runs_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self._runs_label.setWordWrap(True)
        self._runs_label.setAccessibleName(self.tr("Prompt-set runs that match"))
        self._runs_label.linkActivated.connect(self._on_run_link)
        self._runs_label.setVisible(False)
        layout.addWidget(self._runs_label)

        self._view = QListView(frame)
        self._view.setObjectName("searchResults")
        self._view.setAccessibleName(self.tr("Search results"))
        self._view.setModel(self._results)
        self._view.setItemDelegate(HitDelegate(self, self._view))
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
        self._show_runs(self._query.text())
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

    def runs_label(self) -> QLabel:
        return self._runs_label

    def view(self) -> QListView:
        return self._view

    def query_edit(self) -> QLineEdit:
        return self._query

    def count_label(self) -> QLabel:
        return self._count_label

    def title_text(self, hit: SearchHit) -> str:
        """A hit's conversation title, or the name an untitled chat goes by."""
        return hit.conversation_title or self.tr("New chat")

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

    def _show_runs(self, query: str) -> None:
        """The runs the query names, as links on one line above the messages."""
        found: list[tuple[int, str]] = []
        if self._runs is not None and query.strip():
            try:
                found = self._runs(query)[:MAX_RUN_LINKS]
            except Exception:
                log.exception("searching the prompt-set runs failed")
        if not found:
            self._runs_label.setVisible(False)
            self._runs_label.clear()
            return
        links = " · ".join(
            f'<a href="run:{run_id}">{html.escape(label)}</a>' for run_id, label in found
        )
        self._runs_label.setText(self.tr("Prompt-set runs:") + " " + links)
        self._runs_label.setVisible(True)

    def _on_run_link(self, href: str) -> None:
        kind, _, value = href.partition(":")
        if kind == "run" and value.isdigit() and self.isVisible():
            self.hide()
            self.run_activated.emit(int(value))

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
