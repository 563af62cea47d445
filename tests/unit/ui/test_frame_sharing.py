"""Several views in one window share each frame (four compare columns at full speed).

What keeps a window with four streaming columns responsive: the views take turns to
render blocks in one window update, a hidden view waits, the scroll bar is cheap to
paint, and a column's width never moves while it streams (a one-pixel change re-wraps
every document of its answer).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from chatdesk.store.rows import MessageRow
from chatdesk.ui.frameshare import paint_pass_deadline, paint_pass_release
from chatdesk.ui.messageview import MessageView
from chatdesk.ui.scrollbar import FlatScrollBar
from tests.fakeserver import Reply, markdown_reply
from tests.unit.ui.harness import Harness
from tests.unit.ui.test_compare import send, start

pytestmark = pytest.mark.ui


def test_views_painted_in_one_update_take_turns_to_render(qtbot: QtBot) -> None:
    a, b, c = 101, 202, 303  # three views painted in the same window update
    qtbot.wait(1)  # close any pass left open by an earlier paint
    for v in (a, b, c):  # the turn may still be a view of an earlier test: one pass
        paint_pass_deadline(v, 0.004)
    turns = []
    for _ in range(4):
        qtbot.wait(1)  # the pass closes when the update is over
        deadlines = [paint_pass_deadline(v, 0.004) for v in (a, b, c)]
        assert sum(d > 0 for d in deadlines) == 1  # one renders, the others only draw
        turns.append(next(v for v, d in zip((a, b, c), deadlines, strict=True) if d > 0))
    assert sorted(turns[:3]) == [a, b, c]  # each in turn: none starves
    assert turns[3] == turns[0]
    # Left alone (the others finished), a view has the turn from its next paint on.
    qtbot.wait(1)
    paint_pass_deadline(a, 0.004)
    for _ in range(3):
        qtbot.wait(1)
        assert paint_pass_deadline(a, 0.004) > 0


def test_a_view_done_in_its_turn_leaves_the_next_turn_to_another(qtbot: QtBot) -> None:
    """Column A renders all it needs in its turn; column B's update comes next. B must
    render in its first paint, not draw its new blocks blank and ask for another."""
    a, b = 111, 222
    qtbot.wait(1)
    paint_pass_deadline(a, 0.004)  # whoever held the turn before: A has it now
    qtbot.wait(1)
    assert paint_pass_deadline(a, 0.004) > 0
    paint_pass_release(a)  # A rendered everything on screen
    qtbot.wait(1)  # the pass closes
    assert paint_pass_deadline(b, 0.004) > 0  # B's first paint renders
    qtbot.wait(1)
    # Not released (its time ran out), B keeps the turn until it is done.
    assert paint_pass_deadline(a, 0.004) == 0.0
    assert paint_pass_deadline(b, 0.004) > 0


def test_the_message_view_scroll_bar_is_flat_and_still_scrolls(qtbot: QtBot) -> None:
    view = MessageView()
    qtbot.addWidget(view)
    assert isinstance(view.verticalScrollBar(), FlatScrollBar)
    bar = FlatScrollBar(Qt.Orientation.Vertical)
    qtbot.addWidget(bar)
    bar.set_colours(QColor("#ffffff"), QColor("#000000"))
    bar.resize(14, 400)
    bar.setRange(0, 1000)
    bar.setPageStep(400)
    bar.setValue(600)
    image = QImage(bar.size(), QImage.Format.Format_ARGB32)
    image.fill(QColor("#ff00ff"))
    bar.render(image)
    handle = bar.handle_rect()
    assert handle.top() > 100  # where the style puts it for value 600 of 1000
    track = image.pixelColor(7, 2)
    middle = image.pixelColor(7, handle.center().y())
    assert track == QColor("#ffffff")  # the page colour, not magenta
    assert middle.lightness() < 230  # the handle is drawn over the track
    bar.triggerAction(FlatScrollBar.SliderAction.SliderPageStepSub)
    assert bar.value() == 200  # every QScrollBar behaviour is kept
    bar.setRange(0, 0)
    image.fill(QColor("#ff00ff"))
    bar.render(image)
    assert image.pixelColor(7, 200) == QColor("#ffffff")  # nothing to scroll: no handle


class _Resizes(QObject):
    """Records the widths a widget is given."""

    def __init__(self) -> None:
        super().__init__()
        self.widths: list[int] = []

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            old, new = event.oldSize().width(), event.size().width()  # type: ignore[attr-defined]
            if old != new:
                self.widths.append(new)
        return False


def test_column_widths_hold_while_four_columns_stream(harness: Harness) -> None:
    h = harness
    models = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "deepseek-reasoner"]
    text = markdown_reply(1500)
    for m in models:
        h.server.script_for(m, Reply(text=text, chunk_chars=8, delay_s=0.0005))
    ctl = start(h, models)
    h.window.resize(1600, 900)
    QApplication.processEvents()
    columns = ctl.view.columns
    widths = [c.width() for c in columns]
    assert max(widths) - min(widths) <= 2  # equal shares
    watchers = []
    for column in columns:
        watcher = _Resizes()
        column.view.installEventFilter(watcher)
        watchers.append(watcher)
    send(h, "Write the long document")
    h.wait(lambda: all(c.model.messages()[-1].content == text for c in columns))
    for column, watcher in zip(columns, watchers, strict=True):
        column.view.removeEventFilter(watcher)
        assert watcher.widths == [], watcher.widths  # Stop, Retry, figures: no reflow
    # Narrow columns show their buttons as icons; the words stay in the tooltips.
    assert all(
        c.carry_button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly for c in columns
    )
    assert columns[0].carry_button.toolTip()
    ctl.view.set_column_count(2)
    QApplication.processEvents()
    assert columns[0].width() >= columns[0].COMPACT_BELOW
    assert columns[0].carry_button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon


def test_a_hidden_chat_view_renders_its_blocks_only_once_shown_again(harness: Harness) -> None:
    h = harness
    text = markdown_reply(6000)  # big enough to render progressively
    h.server.script_for("gpt-4o", Reply(text=text, chunk_chars=64))
    h.send("long one")
    view = h.window.message_view
    answer = h.rows()[-1]
    assert answer.content == text
    start(h, ["gpt-4o", "gpt-4o-mini"])  # the compare page replaces the chat page
    h.wait(lambda: not view.isVisible())
    item = view._items[answer.id]  # noqa: SLF001
    left = set(item.lazy)
    assert left  # blocks skipped while streaming
    for _ in range(20):
        QApplication.processEvents()
    assert item.lazy == left  # no idle work for a page nobody sees
    h.window.show_compare(False)
    h.wait(lambda: view.isVisible())
    h.wait(lambda: not item.lazy, timeout=10)  # rendered in idle time once shown


class _Paints(QObject):
    """Counts the paint events of the widgets it watches."""

    def __init__(self, names: dict[str, QObject]) -> None:
        super().__init__()
        self.names = names
        self.painted: set[str] = set()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.painted.update(k for k, w in self.names.items() if w is obj)
        return False


def test_a_streaming_column_repaints_nothing_behind_it(harness: Harness) -> None:
    """The text, the scroll bar and the figures of a column change ten times a second
    while it streams: none of these repaints may paint the widgets behind them (with
    the app's style sheet, that was every widget up to the main window, each time)."""
    h = harness
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    h.window.resize(1200, 800)
    column = ctl.view.columns[0]
    view = column.view
    model = view.model()
    assert model is not None
    model.append_message(h.rows()[0] if h.rows() else _long_row())
    h.wait(lambda: view.verticalScrollBar().isVisible())
    for _ in range(5):
        QApplication.processEvents()
    bar = view.verticalScrollBar()
    names: dict[str, QObject] = {
        "window": h.window,
        "page": ctl.view,
        "column": column,
        "scroll area": view,
        "bar box": bar.parentWidget(),
        "text": view.viewport(),
        "bar": bar,
        "figures": column.strip,
    }
    watcher = _Paints(names)
    for w in names.values():
        w.installEventFilter(watcher)
    try:
        view.viewport().update()
        bar.setRange(0, bar.maximum() + 40)  # the answer grew
        column.set_figure("tokens", "12 / 345")
        h.wait(lambda: {"text", "bar", "figures"} <= watcher.painted)
        for _ in range(3):
            QApplication.processEvents()
    finally:
        for w in names.values():
            w.removeEventFilter(watcher)
    assert watcher.painted - {"bar box"} == {"text", "bar", "figures"}  # the box: a QWidget


def _long_row() -> MessageRow:
    return MessageRow(
        id=987654, conversation_id=0, parent_id=None, role="assistant", content="line\n\n" * 400
    )
