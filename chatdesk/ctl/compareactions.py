"""What the user does with a comparison's answers: vote, diff, redo, continue in a chat.

The compare controller owns a :class:`CompareActions` and connects the compare view's
buttons to it; it reads the controller only through :class:`ActionHost`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt, Signal

from chatdesk.core.arena.compare import LABELS, CompareError, Comparison
from chatdesk.core.errors import plain
from chatdesk.ui.actions import MessageAction

if TYPE_CHECKING:
    from chatdesk.ctl.services import Services
    from chatdesk.ui.compareview import CompareView
    from chatdesk.ui.mainwindow import MainWindow


class ActionHost(Protocol):
    """What the actions need of the compare controller that owns them."""

    @property
    def view(self) -> CompareView: ...

    @property
    def comparison(self) -> Comparison | None: ...

    @property
    def busy(self) -> bool: ...

    def names_hidden(self) -> bool: ...

    def show_page(self) -> None: ...

    def retry_column(self, index: int) -> None: ...


class CompareActions(QObject):
    """Votes, word differences, message links and "Continue in chat".

    Signals:
        voted(str): a vote was stored (its value).
    """

    voted = Signal(str)

    def __init__(
        self, host: ActionHost, window: MainWindow, services: Services, parent: QObject
    ) -> None:
        super().__init__(parent)
        self.host = host
        self.window = window
        self.services = services

    def vote(self, winner: str) -> None:
        """Store the vote on the latest turn; blind names are revealed by it."""
        host = self.host
        if host.comparison is None or host.busy:
            return
        try:
            host.comparison.vote(winner)
        except (CompareError, ValueError) as exc:
            self.window.set_status(plain(exc))
            return
        host.show_page()  # names revealed, rows shown with their models
        # The vote buttons are gone: focus would fall to the next widget in the window
        # (the sidebar's filter, which the next typed text would then filter away).
        host.view.composer.focus_input()
        self.voted.emit(winner)

    def on_action(self, index: int, action: str, message_id: int, arg: object) -> None:
        """A message link in a column: answers are regenerated per column; editing and
        deleting belong to a chat ("Continue in chat" turns a column into one)."""
        kind = MessageAction(action)  # an unknown action is a bug: ValueError
        if kind in (MessageAction.REGENERATE, MessageAction.RETRY):
            comparison = self.host.comparison
            answer = comparison.answer(index) if comparison is not None else None
            if answer is not None and answer.id == message_id:
                self.host.retry_column(index)
                return
            self.window.set_status(self.tr("Only the latest answer of a column can be redone."))
        elif kind in (MessageAction.EDIT, MessageAction.DELETE, MessageAction.CONTINUE):
            self.window.set_status(
                self.tr("To edit or delete messages, use “Continue in chat” on this column.")
            )

    def continue_in_chat(self, index: int) -> None:
        """This column becomes an ordinary conversation with its whole history.

        Before the vote of a blind comparison that names the column's model, so the
        user is asked first (the dialog itself names no model)."""
        host = self.host
        if host.comparison is None or host.comparison.answer(index) is None or host.busy:
            return
        if not host.names_hidden():
            self._fork(index)
            return
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Reveal the model?"),
            self.tr(
                "You have not voted yet. The new chat shows which model answered in "
                "column %1, so this comparison is no longer blind for you. Continue?"
            ).replace("%1", LABELS[index]),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self.window,
        )
        box.setObjectName("blind-continue-confirm")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        comparison = host.comparison

        def answered(_result: int) -> None:
            yes = box.button(QMessageBox.StandardButton.Yes)
            if box.clickedButton() is yes and host.comparison is comparison:
                self._fork(index)

        box.finished.connect(answered)
        box.open()

    def _fork(self, index: int) -> None:
        comparison = self.host.comparison
        if comparison is None or self.host.busy:
            return
        new_id = comparison.fork_column(index)
        self.window.show_compare(False)
        self.window.conversations.reload()
        self.services.show_conversation(new_id)
        self.window.conversations.select_conversation(new_id)

    def set_diff(self, on: bool, left: int, right: int) -> None:
        """Word differences of two columns' latest answers, in those two columns."""
        columns = self.host.view.columns
        for column in columns:
            column.show_diff(None)
        comparison = self.host.comparison
        if not on or comparison is None or left == right:
            return
        a, b = comparison.answer(left), comparison.answer(right)
        if a is None or b is None:
            self.window.set_status(self.tr("Both columns need an answer to compare."))
            return
        self.host.view.show_word_diff(left, right, a.content, b.content)
