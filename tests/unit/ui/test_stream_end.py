"""The end of a streamed answer reaches the view in one update, not two.

The saved row is the whole answer: it replaces what was still buffered at once. A
flush of the buffer first made every answer's end render twice (four compare columns:
eight re-renders of their last blocks where four do).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex
from pytestqt.qtbot import QtBot

from chatdesk.core.chat.exchange import Exchange
from chatdesk.ctl.pane import PaneBinder
from chatdesk.store import Store
from chatdesk.store.rows import MessageStatus
from chatdesk.ui.messagemodel import MessageListModel


def test_the_end_of_an_answer_is_one_update_of_its_row(qtbot: QtBot, tmp_path: Path) -> None:
    with Store(tmp_path / "history.sqlite3") as store:
        conv = store.create_conversation("t")
        mid = store.add_message(conv, "assistant", "", status=MessageStatus.STREAMING)
        model = MessageListModel()
        binder = PaneBinder(model, store)
        binder.message_created(None, 0, mid)  # type: ignore[arg-type]
        model.append_delta(mid, "Hello, ")  # still buffered when the answer ends
        store.update_message(mid, content="Hello, world.", status=MessageStatus.DONE)
        changes: list[int] = []

        def seen(top: QModelIndex, _bottom: QModelIndex, _roles: object = None) -> None:
            changes.append(model.message(top.row()).id)

        model.dataChanged.connect(seen)
        binder.exchange_finished(Exchange.__new__(Exchange))
        assert changes == [mid]
        shown = model.message_by_id(mid)
        assert shown is not None and shown.content == "Hello, world." and shown.status == "done"
        model.flush()
        assert model.message_by_id(mid).content == "Hello, world."  # nothing applied twice
