"""Old documents are released a few at a time, with one budget for every view.

Four compare columns replaced by a new comparison used to free their documents each on
its own 10 ms timer: together they held the thread and the new requests left late.
The budget is checked with objects whose release takes a known time (1 ms each).
"""

from __future__ import annotations

import time

import pytest
from pytestqt.qtbot import QtBot

from chatdesk.store.rows import MessageRow
from chatdesk.ui import graveyard
from tests.fakeserver import markdown_reply
from tests.unit.ui.views import make_view, model_of

pytestmark = pytest.mark.ui


class _Slow:
    """Takes 1 ms to release, and says when it went."""

    released: list[float] = []

    def __del__(self) -> None:
        end = time.perf_counter() + 0.001
        while time.perf_counter() < end:
            pass
        _Slow.released.append(time.perf_counter())


def _drain(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: graveyard.pending() == 0, timeout=10_000)


def test_one_tick_releases_at_most_its_budget_for_everyone(qtbot: QtBot) -> None:
    _drain(qtbot)  # what earlier tests left
    _Slow.released.clear()
    graveyard.bury([_Slow() for _ in range(20)])  # one view's documents
    graveyard.bury([_Slow() for _ in range(20)])  # and another's: the same queue
    assert graveyard.pending() == 40
    yard = graveyard._YARD[0]  # noqa: SLF001
    yard.release_some()
    # A 2 ms budget and 1 ms per object: two or three, never the 40 (nor 2 x 3).
    assert 1 <= len(_Slow.released) <= 3
    assert graveyard.pending() == 40 - len(_Slow.released)
    _drain(qtbot)  # the rest goes tick by tick
    assert len(_Slow.released) == 40


def test_views_cleared_hand_their_documents_to_the_shared_queue(qtbot: QtBot) -> None:
    _drain(qtbot)
    views = [make_view(qtbot, 400) for _ in range(2)]
    for view in views:
        model = model_of(view)
        model.append_message(MessageRow(1, 1, None, "user", "go"))
        model.append_message(MessageRow(2, 1, 1, "assistant", markdown_reply(1500)))
        qtbot.waitUntil(lambda v=view: 2 in v._items, timeout=5000)  # noqa: SLF001
    for view in views:
        model_of(view).set_messages([], {})  # a new comparison
    assert graveyard.pending() >= 4  # both views' documents, waiting their turn
    _drain(qtbot)
