"""The page of prompt-set runs: the runs (searchable), and the open run's progress,
grid, summary per model and judge replies.

Widgets only: every figure and word arrives prepared by the controller
(:mod:`chatdesk.ctl.runs`); what the user asks for leaves as a signal.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.ui.rungrid import (
    CellDelegate,
    CellState,
    PromptHeader,
    RunGridModel,
    SummaryModel,
    row_height,
)

#: Columns of the grid are at least this wide (three short lines of an answer).
MIN_COLUMN_WIDTH = 220
#: The prompts' column: three lines of about 30 characters each.
PROMPT_HEADER_WIDTH = 220


class RunView(QWidget):
    """The run page (see the module docstring).

    Signals:
        new_run_requested(): the New run button.
        run_chosen(int): a run picked in the list.
        search_changed(str): the runs filter, debounced.
        stop_requested(), resume_requested(), rerun_requested(): the buttons.
        retry_requested(int, int): retry this cell (prompt, column).
        compare_row_requested(int): read this row's answers side by side.
        row_selected(int): the current prompt changed (its judge replies are shown).
        export_requested(str): "csv", "json" or "html".
    """

    new_run_requested = Signal()
    run_chosen = Signal(int)
    search_changed = Signal(str)
    stop_requested = Signal()
    resume_requested = Signal()
    rerun_requested = Signal()
    retry_requested = Signal(int, int)
    compare_row_requested = Signal(int)
    row_selected = Signal(int)
    export_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("run-view")
        self._running = False

        # Left: the runs, searchable.
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search runs"))
        self.search.setAccessibleName(self.tr("Search runs"))
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(150)
        self._search_timer.timeout.connect(lambda: self.search_changed.emit(self.search.text()))
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.new_button = QPushButton(self.tr("New run…"))
        self.new_button.setAccessibleName(self.tr("New prompt-set run"))
        self.new_button.clicked.connect(self.new_run_requested)
        self.runs = QListWidget()
        self.runs.setObjectName("run-list")
        self.runs.setAccessibleName(self.tr("Prompt-set runs"))
        self.runs.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.runs.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.runs.itemActivated.connect(self._on_run_item)
        self.runs.currentItemChanged.connect(lambda item, _prev: self._on_run_item(item))
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        left_layout.addLayout(top)
        left_layout.addWidget(self.runs, 1)

        # Right: the open run.
        self.title = QLabel()
        self.title.setObjectName("run-title")
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(self.tr("Run progress"))
        self.progress.setTextVisible(True)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("run-progress-text")
        self.progress_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setAccessibleName(self.tr("Stop the run"))
        self.stop_button.clicked.connect(self.stop_requested)
        self.resume_button = QPushButton(self.tr("Resume"))
        self.resume_button.setAccessibleName(self.tr("Resume the run"))
        self.resume_button.clicked.connect(self.resume_requested)
        self.retry_button = QPushButton(self.tr("Retry cell"))
        self.retry_button.setAccessibleName(self.tr("Retry the selected cell"))
        self.retry_button.clicked.connect(self._retry_current)
        self.compare_button = QPushButton(self.tr("Compare row"))
        self.compare_button.setAccessibleName(self.tr("Compare this row's answers blind"))
        self.compare_button.clicked.connect(self._compare_current)
        self.rerun_button = QPushButton(self.tr("Re-run with other models…"))
        self.rerun_button.clicked.connect(self.rerun_requested)
        self.export_button = QToolButton()
        self.export_button.setText(self.tr("Export"))
        self.export_button.setAccessibleName(self.tr("Export the run"))
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        export_menu = QMenu(self.export_button)
        for fmt, label in (
            ("csv", self.tr("CSV (one row per cell)…")),
            ("json", self.tr("JSON…")),
            ("html", self.tr("HTML report…")),
        ):
            action = export_menu.addAction(label)
            action.triggered.connect(lambda _=False, f=fmt: self.export_requested.emit(f))
        self.export_button.setMenu(export_menu)
        buttons = QHBoxLayout()
        for button in (
            self.stop_button,
            self.resume_button,
            self.retry_button,
            self.compare_button,
            self.rerun_button,
        ):
            buttons.addWidget(button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)

        self.grid_model = RunGridModel(self)
        self.grid = QTableView()
        self.grid.setObjectName("run-grid")
        self.grid.setAccessibleName(self.tr("Answers: prompts by models"))
        self.grid.setModel(self.grid_model)
        self.grid.setItemDelegate(CellDelegate(self.grid))
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.grid.setWordWrap(False)
        self.grid.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vertical = PromptHeader(self.grid)
        self.grid.setVerticalHeader(vertical)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(row_height(self.grid.fontMetrics()))
        vertical.setFixedWidth(PROMPT_HEADER_WIDTH)  # prompts wrap on three lines
        horizontal = self.grid.horizontalHeader()
        horizontal.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        horizontal.setMinimumSectionSize(MIN_COLUMN_WIDTH // 2)
        self.grid.activated.connect(self._on_activated)
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._on_context_menu)
        self.grid_model.dataChanged.connect(self._on_cell_changed)
        self.grid.selectionModel().currentChanged.connect(self._on_current)
        retry_key = QShortcut(QKeySequence("Ctrl+R"), self.grid)
        retry_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        retry_key.activated.connect(self._retry_current)

        self.summary_model = SummaryModel(self)
        self.summary = QTableView()
        self.summary.setModel(self.summary_model)
        self.summary.setObjectName("run-summary")
        self.summary.setAccessibleName(self.tr("Summary per model"))
        self.summary.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.summary.verticalHeader().setVisible(False)
        heads = self.summary.horizontalHeader()
        # Long titles ("Rating (95% interval)") wrap on two lines instead of pushing
        # the table sideways: the columns are as wide as their figures (_fit_summary).
        heads.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap)
        heads.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        heads.setStretchLastSection(True)
        heads.setMinimumHeight(heads.fontMetrics().height() * 2 + 10)
        self.judge_text = QTextBrowser()
        self.judge_text.setObjectName("run-judge")
        self.judge_text.setAccessibleName(self.tr("Judge replies for the selected prompt"))
        self.judge_text.setOpenLinks(False)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.summary, self.tr("Summary"))
        self.tabs.addTab(self.judge_text, self.tr("Judge replies"))

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.grid)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(6, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.progress_label)
        right_layout.addLayout(head)
        right_layout.addWidget(self.progress)
        right_layout.addLayout(buttons)
        right_layout.addWidget(split, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([220, 900])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.splitter)
        self.set_open(False)

    # --- the runs -----------------------------------------------------------------------

    def set_runs(self, runs: list[tuple[int, str, str]], current: int | None = None) -> None:
        """``(run_id, text, tooltip)`` newest first; ``current`` stays selected."""
        self.runs.blockSignals(True)
        try:
            self.runs.clear()
            for run_id, text, tip in runs:
                item = QListWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, run_id)
                item.setToolTip(tip)
                self.runs.addItem(item)
                if run_id == current:
                    self.runs.setCurrentItem(item)
        finally:
            self.runs.blockSignals(False)

    def _on_run_item(self, item: QListWidgetItem | None) -> None:
        if item is not None and not self.runs.signalsBlocked():
            run_id = item.data(Qt.ItemDataRole.UserRole)
            if isinstance(run_id, int):
                self.run_chosen.emit(run_id)

    # --- the open run -------------------------------------------------------------------

    def set_open(self, is_open: bool) -> None:
        """Whether a run is shown (the buttons need one)."""
        for w in (self.rerun_button, self.export_button, self.compare_button):
            w.setEnabled(is_open)
        if not is_open:
            self.title.setText(self.tr("No run open: start one with New run…"))
            self.stop_button.setEnabled(False)
            self.resume_button.setEnabled(False)
            self.retry_button.setEnabled(False)
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress_label.setText("")

    def set_progress(self, done: int, total: int, text: str) -> None:
        bar = self.progress
        # QProgressBar.setValue repaints at once (a synchronous paint and flush of the
        # window, up to 25 ms measured while the grid fills); with updates off it only
        # schedules one, painted with the grid's own updates.
        bar.setUpdatesEnabled(False)
        try:
            bar.setRange(0, max(1, total))
            bar.setValue(min(done, max(1, total)))
            bar.setFormat(f"{done} / {total}")
        finally:
            bar.setUpdatesEnabled(True)
        if self.progress_label.text() != text:
            self.progress_label.setText(text)

    def set_running(self, running: bool, can_resume: bool) -> None:
        self._running = running
        self.stop_button.setEnabled(running)
        self.resume_button.setEnabled(not running and can_resume)
        self._update_retry()

    def set_summary(self, headers: list[str], rows: list[list[str]]) -> None:
        self.summary_model.set_rows(headers, rows)
        self._fit_summary()

    def _fit_summary(self) -> None:
        """Each column as wide as its widest figure, or its title's longest word."""
        model = self.summary_model
        heads = self.summary.horizontalHeader()
        title_metrics = heads.fontMetrics()
        cell_metrics = self.summary.fontMetrics()
        for col in range(model.columnCount()):
            title = str(model.headerData(col, Qt.Orientation.Horizontal) or "")
            texts = [model.text(r, col) for r in range(model.rowCount())]
            data = max((cell_metrics.horizontalAdvance(t) for t in texts), default=0)
            heads.resizeSection(col, max(data, _two_lines(title, title_metrics)) + 12)

    def set_judge_text(self, text: str) -> None:
        self.judge_text.setPlainText(text)

    def current_cell(self) -> tuple[int, int] | None:
        index = self.grid.currentIndex()
        return (index.row(), index.column()) if index.isValid() else None

    def select_cell(self, row: int, column: int) -> None:
        self.grid.setCurrentIndex(self.grid_model.index(row, column))

    # --- internals ----------------------------------------------------------------------

    def _update_retry(self) -> None:
        where = self.current_cell()
        cell = self.grid_model.cell(*where) if where is not None else None
        retryable = cell is not None and cell.state in (CellState.ERROR, CellState.STOPPED)
        self.retry_button.setEnabled(retryable and not self._running)

    def _on_current(self, current: QModelIndex, previous: QModelIndex) -> None:
        self._update_retry()
        if current.isValid() and (not previous.isValid() or previous.row() != current.row()):
            self.row_selected.emit(current.row())

    def _on_cell_changed(self, top_left: QModelIndex, _bottom_right: QModelIndex) -> None:
        if top_left == self.grid.currentIndex():
            self._update_retry()

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.compare_row_requested.emit(index.row())

    def _retry_current(self) -> None:
        where = self.current_cell()
        if where is not None and self.retry_button.isEnabled():
            self.retry_requested.emit(*where)

    def _compare_current(self) -> None:
        where = self.current_cell()
        if where is not None:
            self.compare_row_requested.emit(where[0])

    def context_menu_for(self, index: QModelIndex) -> QMenu | None:
        """The grid's context menu for a cell (tests open it without a click)."""
        if not index.isValid():
            return None
        self.grid.setCurrentIndex(index)
        menu = QMenu(self)
        compare = menu.addAction(self.tr("Compare this row (blind)"))
        compare.triggered.connect(lambda: self.compare_row_requested.emit(index.row()))
        retry = menu.addAction(self.tr("Retry this cell"))
        retry.setEnabled(self.retry_button.isEnabled())
        retry.triggered.connect(lambda: self.retry_requested.emit(index.row(), index.column()))
        return menu

    def _on_context_menu(self, pos: QPoint) -> None:
        menu = self.context_menu_for(self.grid.indexAt(pos))
        if menu is not None:
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            menu.popup(self.grid.viewport().mapToGlobal(pos))


def _two_lines(title: str, metrics: QFontMetrics) -> int:
    """The narrowest width that shows ``title`` on at most two lines."""
    words = title.split()
    if len(words) > 1:  # the best place for the one line break
        return min(
            max(
                metrics.horizontalAdvance(" ".join(words[:k])),
                metrics.horizontalAdvance(" ".join(words[k:])),
            )
            for k in range(1, len(words))
        )
    if title.isascii():  # one word: never broken
        return metrics.horizontalAdvance(title)
    # Chinese has no spaces and breaks between characters: half, and one to spare.
    return metrics.horizontalAdvance(title) // 2 + metrics.horizontalAdvance(title[:1])
