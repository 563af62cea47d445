"""The arena's side windows: the leaderboard and the price table (issue 7).

Both read and write only the local history, through core and the store; the
widgets get their data from here and hand edits back by signal. The store is
fetched through ``store_getter`` at each use, because restoring a backup swaps it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from chatdesk.core.leaderboard import fit
from chatdesk.core.prices import PriceTable
from chatdesk.store.errors import StoreError
from chatdesk.store.rows import COLUMN_LABELS, VOTE_WINNERS, VoteRow
from chatdesk.ui.leaderboard import LeaderboardRow, LeaderboardWindow
from chatdesk.ui.prices import PriceTableDialog

if TYPE_CHECKING:
    from chatdesk.store import Store

__all__ = ["ArenaController"]


def _usable(vote: VoteRow) -> bool:
    """A vote the fit can read: 2-4 named models and a winner among them (or tie/bad).

    The store checks votes as they are cast, but a damaged or hand-edited history
    must not take the whole board down with one bad row.
    """
    models = vote.models
    if not isinstance(models, list) or not 2 <= len(models) <= len(COLUMN_LABELS):
        return False
    if not all(isinstance(m, str) and m for m in models):
        return False
    if vote.winner not in VOTE_WINNERS:
        return False
    return vote.winner not in COLUMN_LABELS or COLUMN_LABELS.index(vote.winner) < len(models)


def _figure(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


class ArenaController(QObject):
    """Opens the leaderboard and the price table and keeps them in step with the store.

    Signals:
        prices_changed(PriceTable): the user saved new prices (already stored), so
            open comparisons can recompute their costs.
    """

    prices_changed = Signal(object)

    def __init__(self, store_getter: Callable[[], Store], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store_getter = store_getter
        self.leaderboard: LeaderboardWindow | None = None
        self.prices_dialog: PriceTableDialog | None = None

    # -- leaderboard ----------------------------------------------------------------------

    def leaderboard_rows(self, since: float | None, until: float | None) -> list[LeaderboardRow]:
        """Ratings from the votes cast in ``[since, until]``, speeds from all history.

        Raises :class:`~chatdesk.store.StoreError` when the history cannot be read.
        """
        store = self.store_getter()
        ratings = fit(v for v in store.list_votes(since, until) if _usable(v))
        if not ratings:
            return []
        speeds = store.model_speed_stats([r.model for r in ratings])
        rows = []
        for r in ratings:
            speed = speeds.get(r.model, {})
            rows.append(
                LeaderboardRow(
                    r,
                    median_ttft_ms=_figure(speed.get("median_ttft_ms")),
                    median_tokens_per_s=_figure(speed.get("median_tokens_per_s")),
                )
            )
        return rows

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

    def _source(self, since: float | None, until: float | None) -> Sequence[LeaderboardRow] | str:
        try:
            return self.leaderboard_rows(since, until)
        except StoreError as exc:
            return self.tr("The votes could not be read: {error}").format(error=exc)

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
