"""The leaderboard window: your own model ranking from compare-mode votes (issue 7).

Shows each voted model's Bradley-Terry rating with its 95 % interval, its vote
counts, and its median speeds from the history. The window never reads the store:
it asks a *source* callable, given by the controller, for the rows of a date range,
and asks again whenever the range changes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QDateTime,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTime,
    QTimer,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.arena.leaderboard import MIN_VOTES, Rating
from chatdesk.ui.comparestyle import palette_of

__all__ = ["LeaderboardModel", "LeaderboardRow", "LeaderboardWindow", "Source"]

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class LeaderboardRow:
    """One model on the board: core's fitted :class:`Rating` (rating, interval, vote
    counts) as it is, and the median speeds the history adds beside it.

    The speeds are ``None`` when the history has no finished answer of that model
    with timing figures.
    """

    standing: Rating
    median_ttft_ms: float | None = None
    median_tokens_per_s: float | None = None


Source = Callable[[float | None, float | None], Sequence[LeaderboardRow] | str | None]
"""``source(since, until)``: the rows for votes cast in ``[since, until]`` (epoch
seconds, ``None`` for open ends), or a message saying why they cannot be had, or
``None`` when the answer will come later through :meth:`LeaderboardWindow.deliver`
(the fit runs off the GUI thread)."""

# Columns of the table.
RANK, MODEL, RATING, CI, VOTES, WINS, LOSSES, TIES, TTFT, SPEED = range(10)
#: The role that gives a cell's value for sorting (``None`` sorts below everything).
SORT_ROLE = int(Qt.ItemDataRole.UserRole) + 1
_NUMERIC = frozenset({RANK, RATING, CI, VOTES, WINS, LOSSES, TIES, TTFT, SPEED})
_DASH = "\u2013"
#: How long date edits wait for more typing before asking the source again (ms).
REQUERY_DELAY_MS = 250


def _rank_key(row: LeaderboardRow) -> tuple[int, int, int, float]:
    """Ranked models by their rank range, then the unranked (too few votes) by rating."""
    r = row.standing
    if r.rank_best is None or r.rank_worst is None:
        return (1, 0, 0, -r.rating)
    return (0, r.rank_best, r.rank_worst, -r.rating)


class LeaderboardModel(QAbstractTableModel):
    """The board's rows as a table; sort through a proxy on :data:`SORT_ROLE`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[LeaderboardRow] = []
        self._headers = [
            self.tr("#"),
            self.tr("Model"),
            self.tr("Rating"),
            self.tr("95% CI"),
            self.tr("Votes"),
            self.tr("Wins"),
            self.tr("Losses"),
            self.tr("Ties"),
            self.tr("First token (ms)"),  # medians: the header's tooltip says so
            self.tr("Tok/s"),
        ]
        self._header_tips = {
            RANK: self.tr(
                "Where the 95% intervals overlap the rank is shared (1-3); models with "
                "fewer than {count} votes are not ranked yet"
            ).format(count=MIN_VOTES),
            RATING: self.tr("Bradley-Terry rating from your votes; 1000 is the average"),
            CI: self.tr("95% confidence interval of the rating"),
            TTFT: self.tr("Median time to first token over your finished answers"),
            SPEED: self.tr("Median generation speed over your finished answers"),
        }
        self._no_figure = self.tr("No finished answers with timing yet")
        self._too_few = self.tr("Too few votes to rank: a model needs {count}").format(
            count=MIN_VOTES
        )

    def set_rows(self, rows: Sequence[LeaderboardRow]) -> None:
        """Show these rows (any order: ranks come from the ratings)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[LeaderboardRow]:
        return list(self._rows)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._header_tips.get(section)
        if role == Qt.ItemDataRole.TextAlignmentRole:  # over its figures
            side = (
                Qt.AlignmentFlag.AlignRight if section in _NUMERIC else Qt.AlignmentFlag.AlignLeft
            )
            return int(side | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, col = self._rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(index.row(), row, col)
        if role == SORT_ROLE:
            return self._sort_value(index.row(), row, col)
        if role == Qt.ItemDataRole.FontRole and col in (RANK, MODEL):
            if row.standing.rank_best == 1 == row.standing.rank_worst:  # a clear leader
                font = QFont()
                font.setWeight(QFont.Weight.DemiBold)
                return font
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in _NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == RANK and not row.standing.ranked:
                return self._too_few
            if col == CI:
                return self.tr("Rating between {low} and {high} with 95% confidence").format(
                    low=f"{row.standing.ci_low:.0f}", high=f"{row.standing.ci_high:.0f}"
                )
            if col in (TTFT, SPEED) and self._sort_value(index.row(), row, col) is None:
                return self._no_figure
        return None

    def _text(self, i: int, row: LeaderboardRow, col: int) -> str:
        if col == RANK:
            return row.standing.rank_text() or _DASH
        standing = row.standing
        if col == MODEL:
            return standing.model
        if col == RATING:
            return f"{standing.rating:.0f}"
        if col == CI:
            return f"{standing.ci_low:.0f}{_DASH}{standing.ci_high:.0f}"
        if col in (VOTES, WINS, LOSSES, TIES):
            return str(self._sort_value(i, row, col))
        value = self._sort_value(i, row, col)
        if value is None:
            return _DASH
        return f"{value:.0f}" if col == TTFT else f"{value:.1f}"

    def _sort_value(self, i: int, row: LeaderboardRow, col: int) -> Any:
        standing = row.standing
        values: dict[int, Any] = {
            RANK: _rank_key(row),
            MODEL: standing.model.casefold(),
            RATING: standing.rating,
            CI: standing.ci_low,
            VOTES: standing.votes,
            WINS: standing.wins,
            LOSSES: standing.losses,
            TIES: standing.ties,
            TTFT: row.median_ttft_ms,
            SPEED: row.median_tokens_per_s,
        }
        value = values[col]
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return value


class _SortProxy(QSortFilterProxyModel):
    """Sorts on :data:`SORT_ROLE`; a missing figure is smaller than any figure."""

    def lessThan(
        self,
        left: _Index,
        right: _Index,
    ) -> bool:
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if a is None or b is None:
            return a is None and b is not None
        return bool(a < b)


class LeaderboardWindow(QDialog):
    """A non-modal window: date range filter, ranked table, empty state.

    ``source`` is called at once (all time) and again whenever the range changes;
    call :meth:`refresh` after a new vote. ``today`` fixes the date edits' start
    values (for tests); by default the range offered is the last 30 days.
    """

    def __init__(
        self, source: Source, parent: QWidget | None = None, *, today: QDate | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowTitle(self.tr("Leaderboard"))
        self.setAccessibleName(self.tr("Leaderboard"))
        self.resize(900, 480)
        self._source = source
        day = today or QDate.currentDate()

        self.all_time = QCheckBox(self.tr("All time"), self)
        self.all_time.setAccessibleName(self.tr("Count votes from all time"))
        self.all_time.setChecked(True)
        self.from_date = self._date_edit(day.addDays(-30), self.tr("Votes from this date"))
        self.to_date = self._date_edit(day, self.tr("Votes up to this date"))
        from_label = QLabel(self.tr("From"), self)
        from_label.setBuddy(self.from_date)
        to_label = QLabel(self.tr("To"), self)
        to_label.setBuddy(self.to_date)
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.refresh_button.setAccessibleName(self.tr("Refresh the leaderboard"))
        self.refresh_button.clicked.connect(self.refresh)

        self.model = LeaderboardModel(self)
        self.proxy = _SortProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = QTableView(self)
        self.view.setModel(self.proxy)
        self.view.setAccessibleName(self.tr("Model ranking"))
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(RANK, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Calm rows: room, no grid, no zebra; the header as muted words over a rule.
        self.view.setObjectName("leaderboard-table")
        self.view.setAlternatingRowColors(False)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        header = self.view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Every column as wide as its contents (the names are read first and were cut to
        # make room for the figures); spare room stays at the right.
        header.setStretchLastSection(False)

        self.empty = QLabel("", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setAccessibleName(self.tr("Leaderboard status"))
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.view)
        self.pages.addWidget(self.empty)

        self._waiting = False
        self.busy = QLabel("", self)
        self.busy.setAccessibleName(self.tr("Leaderboard progress"))
        self.busy.hide()
        self.notice = QLabel("", self)
        self.notice.setWordWrap(True)
        self.notice.setAccessibleName(self.tr("Ranking note"))
        self.notice.hide()

        note = QLabel(
            self.tr(
                "Ratings come from your own votes (Bradley-Terry): 1000 is the average and "
                "a 400-point gap means 10:1 odds. A vote counts only between the columns "
                "that answered. Speeds are medians over all your finished answers."
            ),
            self,
        )
        note.setWordWrap(True)
        note.setObjectName("leaderboard-note")

        filters = QHBoxLayout()
        filters.setSpacing(8)
        filters.addWidget(self.all_time)
        filters.addSpacing(12)
        filters.addWidget(from_label)
        filters.addWidget(self.from_date)
        filters.addWidget(to_label)
        filters.addWidget(self.to_date)
        filters.addStretch(1)
        filters.addWidget(self.busy)
        filters.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.setSpacing(12)
        layout.addLayout(filters)
        layout.addWidget(self.notice)
        layout.addWidget(self.pages, 1)
        layout.addWidget(note)

        # Typing a date changes it once per section: wait for the typing to settle.
        self._requery = QTimer(self)
        self._requery.setSingleShot(True)
        self._requery.setInterval(REQUERY_DELAY_MS)
        self._requery.timeout.connect(self.refresh)
        self.from_date.dateChanged.connect(self._requery.start)
        self.to_date.dateChanged.connect(self._requery.start)
        self.all_time.toggled.connect(self._on_all_time_toggled)
        self._on_all_time_toggled(True)
        self._dark: bool | None = None
        app = QApplication.instance()
        self.set_dark(bool(app.property("chatdesk_dark")) if app is not None else False)

    def set_dark(self, dark: bool) -> None:
        """The window's own sheet in the theme in force (the app calls this on a switch)."""
        if dark == self._dark:
            return
        self._dark = dark
        self.setStyleSheet(_sheet(dark))

    def _date_edit(self, date: QDate, accessible: str) -> QDateEdit:
        edit = QDateEdit(date, self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setAccessibleName(accessible)
        return edit

    def _on_all_time_toggled(self, checked: bool) -> None:
        self.from_date.setEnabled(not checked)
        self.to_date.setEnabled(not checked)
        self.refresh()

    # -- public -------------------------------------------------------------------------

    def date_range(self) -> tuple[float | None, float | None]:
        """The votes asked for: ``(since, until)`` in epoch seconds, local days inclusive."""
        if self.all_time.isChecked():
            return None, None
        start = QDateTime(self.from_date.date(), QTime(0, 0))
        end = QDateTime(self.to_date.date().addDays(1), QTime(0, 0))
        return start.toMSecsSinceEpoch() / 1000.0, (end.toMSecsSinceEpoch() - 1) / 1000.0

    def set_range(self, since: QDate | None, until: QDate | None) -> None:
        """Filter to these days (both ``None``: all time) and ask the source again now."""
        self._requery.stop()
        if since is None and until is None:
            self.all_time.setChecked(True)
            self.refresh()
            return
        for edit, date in ((self.from_date, since), (self.to_date, until)):
            if date is not None:
                edit.blockSignals(True)
                edit.setDate(date)
                edit.blockSignals(False)
        if self.all_time.isChecked():
            self.all_time.setChecked(False)  # refreshes
        else:
            self.refresh()

    def refresh(self) -> None:
        """Ask the source for the current range and show its answer."""
        self._requery.stop()
        if not self.all_time.isChecked() and self.from_date.date() > self.to_date.date():
            self.set_rows([])
            self._show_empty(self.tr("The start date is after the end date."))
            return
        since, until = self.date_range()
        rows = self._source(since, until)
        if rows is None:  # computing elsewhere: keep the table, say so
            self._waiting = True
            self.busy.setText(self.tr("Computing the ratings\u2026"))
            self.busy.show()
            return
        self.deliver(rows)

    def deliver(self, rows: Sequence[LeaderboardRow] | str) -> None:
        """Show the answer of the latest request: rows, or a message why there are none."""
        self._waiting = False
        self.busy.hide()
        if isinstance(rows, str):
            self.show_problem(rows)
        else:
            self.set_rows(rows)

    def is_waiting(self) -> bool:
        """Whether a requested board is still being computed."""
        return self._waiting

    def set_rows(self, rows: Sequence[LeaderboardRow]) -> None:
        """Show these rows, or the empty state when there are none."""
        self.model.set_rows(rows)
        unranked = sum(1 for r in rows if not r.standing.ranked)
        self.notice.setVisible(bool(unranked))
        if unranked:
            self.notice.setText(
                self.tr(
                    "{count} of {total} models have fewer than {needed} votes: too few to "
                    "rank them. Ranks like 1-3 mean the intervals overlap: the votes do "
                    "not tell these models apart."
                ).format(count=unranked, total=len(rows), needed=MIN_VOTES)
            )
        if rows:
            self.pages.setCurrentWidget(self.view)
        elif self.all_time.isChecked():
            self._show_empty(self.tr("Vote in a comparison to build your leaderboard."))
        else:
            self._show_empty(self.tr("No votes between these dates."))

    def show_problem(self, text: str) -> None:
        """Replace the table with a message (the source could not read the votes)."""
        self.model.set_rows([])
        self.notice.hide()
        self._show_empty(text)

    def status_text(self) -> str:
        """The empty-state message, or '' while the table is shown."""
        return self.empty.text() if self.pages.currentWidget() is self.empty else ""

    def displayed_models(self) -> list[str]:
        """Model names top to bottom, as currently sorted on screen."""
        return [str(self.proxy.index(r, MODEL).data()) for r in range(self.proxy.rowCount())]

    def cell_text(self, row: int, column: int) -> str:
        """The text shown in a cell (view order)."""
        return str(self.proxy.index(row, column).data())

    def _show_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.pages.setCurrentWidget(self.empty)


def _sheet(dark: bool) -> str:
    c = palette_of(dark)
    return f"""
QTableView#leaderboard-table {{
    background: {c["base"]}; color: {c["fg"]}; border: 1px solid {c["border"]};
    border-radius: 8px; selection-background-color: {c["accent_soft"]};
    selection-color: {c["fg"]};
}}
QTableView#leaderboard-table::item {{ padding: 0 4px; border-bottom: 1px solid {c["hover"]}; }}
QTableView#leaderboard-table QHeaderView {{ background: {c["base"]}; border: none; }}
QTableView#leaderboard-table QHeaderView::section {{
    background: {c["base"]}; color: {c["muted"]}; border: none;
    border-bottom: 1px solid {c["border"]}; padding: 6px 4px; font-weight: 600;
}}
QLabel#leaderboard-note {{ color: {c["muted"]}; }}
"""
