"""The arena's side windows: the leaderboard and the price table (issue 7).

Both read and write only the local history, through core and the store; the
widgets get their data from here and hand edits back by signal. The store is
fetched through ``store_getter`` at each use, because restoring a backup swaps it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from chatdesk.core.arena.arena import BoardInput, fit_board, read_board
from chatdesk.core.arena.prices import PriceTable
from chatdesk.store.errors import StoreError
from chatdesk.ui.leaderboard import LeaderboardRow, LeaderboardWindow
from chatdesk.ui.prices import PriceTableDialog

if TYPE_CHECKING:
    from chatdesk.store import Store

__all__ = ["ArenaController"]


class ArenaController(QObject):
    """Opens the leaderboard and the price table and keeps them in step with the store.

    The votes are read and fitted on one worker thread, which opens the history file
    read-only for it (10,000 votes took ~80 ms to read on the GUI thread); the rows
    come back through :attr:`board_ready`, so the window keeps painting. A newer
    request supersedes an older one: a queued one is cancelled, a running one's rows
    are dropped. A store in memory (no file to open again) is read here.

    Signals:
        prices_changed(PriceTable): the user saved new prices (already stored), so
            open comparisons can recompute their costs.
        board_ready(int, object): internal; a fit's request number and its rows
            (or an error message), delivered on the GUI thread.
    """

    prices_changed = Signal(object)
    board_ready = Signal(int, object)

    def __init__(self, store_getter: Callable[[], Store], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store_getter = store_getter
        self.leaderboard: LeaderboardWindow | None = None
        self.prices_dialog: PriceTableDialog | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._request = 0
        self._pending: Future[None] | None = None
        self.board_ready.connect(self._on_board_ready)

    # -- leaderboard ----------------------------------------------------------------------

    def leaderboard_rows(self, since: float | None, until: float | None) -> list[LeaderboardRow]:
        """Ratings from the votes cast in ``[since, until]``, speeds from all history,
        computed here and now (the window uses the worker thread instead).

        Raises :class:`~chatdesk.store.StoreError` when the history cannot be read.
        """
        return _rows(read_board(self.store_getter(), since, until))

    def open_leaderboard(self, parent: QWidget | None = None) -> LeaderboardWindow:
        """Show the leaderboard window (one per controller: reopening refreshes it)."""
        window = self.leaderboard
        if window is None:
            window = LeaderboardWindow(self._source, parent)
            self.leaderboard = window
        else:
            window.refresh()
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def refresh_leaderboard(self) -> None:
        """Re-read the votes if the leaderboard is open (call after a vote)."""
        if self.leaderboard is not None and self.leaderboard.isVisible():
            self.leaderboard.refresh()

    def _source(self, since: float | None, until: float | None) -> str | None:
        store = self.store_getter()
        path = store.path
        data: BoardInput | None = None
        if path == ":memory:" or path.startswith("file:"):
            try:
                data = read_board(store, since, until)
            except StoreError as exc:
                return self._read_failed(exc)
        self._request += 1
        request = self._request
        if self._pending is not None:
            self._pending.cancel()  # not started yet: the newer request replaces it
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="leaderboard")
        self._pending = self._executor.submit(
            self._fit_in_worker, request, data, path, since, until
        )
        return None

    def _read_failed(self, exc: Exception) -> str:
        return self.tr("The votes could not be read: {error}").format(error=exc)

    def _fit_in_worker(
        self,
        request: int,
        data: BoardInput | None,
        path: str,
        since: float | None,
        until: float | None,
    ) -> None:
        """On the worker thread: read (with its own read-only connection), fit, then
        hand the rows to the GUI thread."""
        result: list[LeaderboardRow] | str
        try:
            if data is None:
                from chatdesk.store import Store

                with Store(path, readonly=True) as store:
                    data = read_board(store, since, until)
            result = _rows(data)
        except StoreError as exc:
            result = self._read_failed(exc)
        except (ValueError, ArithmeticError) as exc:  # a damaged vote the checks missed
            result = self.tr("The ratings could not be computed: {error}").format(error=exc)
        try:
            self.board_ready.emit(request, result)
        except RuntimeError:  # the controller is gone (the window closed at exit)
            pass

    def _on_board_ready(self, request: int, result: object) -> None:
        if request != self._request or self.leaderboard is None:
            return  # superseded by a newer request
        self._pending = None
        self.leaderboard.deliver(result)  # type: ignore[arg-type]

    def is_computing(self) -> bool:
        """Whether a requested board has not been delivered yet."""
        return self.leaderboard is not None and self.leaderboard.is_waiting()

    def shutdown(self) -> None:
        """Stop the worker thread (at exit; a running fit finishes, its rows dropped)."""
        self._request += 1
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    # -- prices ---------------------------------------------------------------------------

    def price_table(self) -> PriceTable:
        """The saved prices (empty if none were saved or the stored value is unreadable)."""
        return PriceTable.load(self.store_getter())

    def open_prices(self, parent: QWidget | None = None) -> PriceTableDialog:
        """Open the price table dialog (window-modal); OK stores the table it returns."""
        store = self.store_getter()
        providers = [p.name for p in store.list_providers()]
        dialog = PriceTableDialog(PriceTable.load(store), parent, providers=providers)
        dialog.prices_saved.connect(lambda table: self._on_prices_saved(dialog, table))
        self.prices_dialog = dialog
        dialog.open()
        return dialog

    def save_prices(self, table: PriceTable) -> None:
        """Store ``table`` in place of the saved prices and announce it.

        Raises :class:`~chatdesk.store.StoreError` when the history cannot be written.
        """
        table.save(self.store_getter())
        self.prices_changed.emit(table)

    def _on_prices_saved(self, dialog: PriceTableDialog, table: PriceTable) -> None:
        try:
            self.save_prices(table)
        except StoreError as exc:
            dialog.show_save_error(
                self.tr("The prices could not be saved: {error}").format(error=exc)
            )


def _rows(data: BoardInput) -> list[LeaderboardRow]:
    return [
        LeaderboardRow(r.standing, r.median_ttft_ms, r.median_tokens_per_s) for r in fit_board(data)
    ]
