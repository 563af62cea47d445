"""One exchange bound to one message view's model: the chat pane and each compare column.

The binder is the only thing that moves an exchange's text into a view, so the chat
window and the compare view show streams the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chatdesk.core.chat.exchange import Exchange, ExchangeObserver
from chatdesk.store.rows import MessageRow

if TYPE_CHECKING:
    from chatdesk.core.chat.patient import PatientStore
    from chatdesk.core.chat.runner import TurnResult
    from chatdesk.store import Store
    from chatdesk.ui.mainwindow import MainWindow
    from chatdesk.ui.messagemodel import MessageListModel


class PaneBinder(ExchangeObserver):
    """Feeds one exchange's first choice into a message model.

    Args:
        show_new_row: append the answer's row when it is created (False when the
            answer continues a row already on screen).
        on_finished: called once the exchange ended and the model shows the final rows.
    """

    def __init__(
        self,
        model: MessageListModel,
        store: Store | PatientStore,
        *,
        show_new_row: bool = True,
        on_finished: Callable[[Exchange], None] | None = None,
        row_filter: Callable[[MessageRow], MessageRow] | None = None,
        on_created: Callable[[int], None] | None = None,
    ) -> None:
        self.model = model
        self.store = store
        self.show_new_row = show_new_row
        self.on_finished = on_finished
        self.row_filter = row_filter
        self.on_created = on_created
        self.ids: dict[int, int] = {}
        self.detached = False

    def detach(self) -> None:
        """The view now shows something else: stop writing into it."""
        self.detached = True

    def message_created(self, exchange: Exchange, index: int, message_id: int) -> None:
        self.ids[index] = message_id
        if self.detached or index != 0 or not self.show_new_row:
            return
        row = self.store.get_message(message_id)
        if row is not None:
            self.model.append_message(self._shown(row))
            if self.on_created is not None:
                self.on_created(message_id)

    def _shown(self, row: MessageRow) -> MessageRow:
        return self.row_filter(row) if self.row_filter is not None else row

    def text_arrived(self, exchange: Exchange, index: int, text: str, reasoning: bool) -> None:
        if self.detached or index != 0 or 0 not in self.ids:
            return
        if reasoning:
            self.model.append_delta(self.ids[0], reasoning=text)
        else:
            self.model.append_delta(self.ids[0], text=text)

    def exchange_finished(self, exchange: Exchange) -> None:
        if not self.detached:
            # The saved row is the whole answer: it replaces what was buffered in one
            # update (a flush first re-rendered each answer's end twice).
            for mid in self.ids.values():
                row = self.store.get_message(mid)
                if row is not None and self.model.row_of(mid) >= 0:
                    self.model.update_message(self._shown(row))
            self.model.flush()  # anything else still buffered
        if self.on_finished is not None:
            self.on_finished(exchange)


def effective_params(window: MainWindow) -> dict[str, Any]:
    """What the chat pane's next request carries: the panel plus the toolbar temperature."""
    params = window.params_panel.params()
    temperature = window.temperature.value()
    if temperature is not None:
        params["temperature"] = temperature
    else:
        params.pop("temperature", None)
    return params


def turn_notes(result: TurnResult, limit: str) -> str:
    """A tool turn's notes on one line (servers that did not start...), with ``limit``
    ("Stopped after %1 tool rounds.", translated) when the round limit cut it."""
    notes = list(result.notes)
    if result.limit_reached:
        notes.append(limit.replace("%1", str(result.max_rounds)))
    return " ".join(notes)
