"""Views that stream at once thin out their updates and leave off-screen work for later.

Four compare columns at full speed share one thread with the client reading their
streams: each column's flush interval grows with the number of views streaming and the
cost of its last update (never beyond 8 updates a second), and a finished column renders
its off-screen blocks once the others are quiet. No timing is asserted: the costs are
told to the model, and the mechanism is checked.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from chatdesk.store.rows import MessageRow
from chatdesk.ui import streamload
from chatdesk.ui.messagemodel import MessageListModel
from tests.fakeserver import markdown_reply
from tests.unit.ui.views import make_view, model_of, stream_long_reply

pytestmark = pytest.mark.ui


class _Other:
    """Another view's model, streaming."""


@pytest.fixture(autouse=True)
def no_streams() -> Iterator[None]:
    """No view of another test counts as streaming."""
    streamload._LAST.clear()  # noqa: SLF001
    yield
    streamload._LAST.clear()  # noqa: SLF001


@pytest.fixture
def others() -> list[_Other]:
    return []


def _streaming(model: MessageListModel, mid: int = 1) -> None:
    model.set_messages([MessageRow(mid, 1, None, "assistant", "", status="streaming")], {})


def test_alone_a_view_flushes_at_its_base_interval_whatever_the_cost(qtbot: QtBot) -> None:
    model = MessageListModel()
    _streaming(model)
    model.append_delta(1, "a")
    model.flush()
    model.note_shown(0.050)  # a very costly paint
    model.append_delta(1, "b")
    assert model.flush_interval() == model.FLUSH_MS
    assert model._timer.interval() == model.FLUSH_MS  # noqa: SLF001


def test_several_costly_streams_flush_less_often_down_to_8_a_second(
    qtbot: QtBot, others: list[_Other]
) -> None:
    model = MessageListModel()
    model.set_flush_interval(91)  # a compare column's base
    _streaming(model)
    for _ in range(3):
        others.append(_Other())
        streamload.note_streamed(others[-1])
    model.append_delta(1, "a")
    model.flush()  # this view streams too: four at once
    assert streamload.streaming_count() >= 4
    # The flush measured its own time (0.1 ms, or more on a loaded machine); here the
    # costs are told, so that measure is left out.
    model._cost_s = model._last_cost_s = 0.0  # noqa: SLF001
    model.note_shown(0.0005)  # cheap updates: no reason to wait longer
    assert model.flush_interval() == 91
    model.note_shown(0.004)  # an update costs ~4.5 ms: 4 x 4.5 ms is 12% of 150 ms
    assert 91 < model.flush_interval() < model.MAX_FLUSH_MS
    model.note_shown(0.050)
    assert model.flush_interval() == model.MAX_FLUSH_MS  # never fewer than 8 a second
    # The next delta arms the timer with that interval; later ones in it change nothing.
    for i in range(100):
        model.append_delta(1, f"w{i} ")
    assert model._timer.interval() == model.MAX_FLUSH_MS  # noqa: SLF001
    changes: list[int] = []
    model.dataChanged.connect(lambda a, b, roles=None: changes.append(a.row()))
    qtbot.waitUntil(lambda: bool(changes), timeout=2000)
    assert changes == [0]  # the hundred deltas: one update
    # A costly paint after a flush sets the pace of the next cycle too.
    model.note_shown(0.050)
    model.append_delta(1, "x")
    model.flush()
    assert model.flush_interval() == model.MAX_FLUSH_MS
    model.note_shown(0.0)
    model.append_delta(1, "y")
    model.flush()  # two cheap cycles later: the base again
    model.append_delta(1, "z")
    model.flush()
    assert model.flush_interval() == 91


def test_a_finished_view_renders_off_screen_blocks_once_others_are_quiet(
    qtbot: QtBot, others: list[_Other]
) -> None:
    view = make_view(qtbot, 500)
    model = model_of(view)
    stream_long_reply(model, markdown_reply(4000))
    row = model.message_by_id(2)
    assert row is not None
    done = MessageRow(**{f: getattr(row, f) for f in MessageRow.__slots__})
    done.status = "done"  # type: ignore[assignment]
    model.update_message(done)
    item = view._items[2]  # noqa: SLF001
    left = set(item.lazy)
    assert left  # blocks scrolled past while it streamed
    others.append(_Other())
    streamload.note_streamed(others[0])  # another column still streams
    for _ in range(5):
        view._on_idle()  # noqa: SLF001
        QApplication.processEvents()
    assert item.lazy == left  # its stream comes first
    streamload.forget(others[0])  # it ended

    # Then idle time renders them (the item may be made again once math has loaded).
    def rendered() -> bool:
        now = view._items.get(2)  # noqa: SLF001
        return now is not None and not now.lazy

    qtbot.waitUntil(rendered, timeout=10_000)


def test_text_faster_than_anyone_reads_is_shown_four_times_a_second(qtbot: QtBot) -> None:
    """More than a screenful of new text per update: the next update waits longer
    (the view jumps a screen anyway); text at a reading pace keeps the base rate."""
    model = MessageListModel()
    _streaming(model)
    model.append_delta(1, "word " * 100)  # 500 characters: a fast model
    model.flush()
    assert model.flush_interval() == model.FLUSH_MS
    model.append_delta(1, "x" * (model.FAST_CHARS + 1))  # a wall of text in one update
    model.flush()
    assert model.flush_interval() == model.FAST_FLUSH_MS
    model.append_delta(1, "y")
    assert model._timer.interval() == model.FAST_FLUSH_MS  # noqa: SLF001
    model.flush()  # the stream slowed down: back to the base rate
    assert model.flush_interval() == model.FLUSH_MS
