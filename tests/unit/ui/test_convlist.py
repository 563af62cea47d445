"""Conversation sidebar: paging, date groups, context actions, delete with undo, filter."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QLineEdit

from chatdesk.store.rows import ConversationRow
from chatdesk.ui.convlist import (
    PAGE_SIZE,
    ConversationList,
    ConversationListModel,
    Group,
    Role,
)

pytestmark = pytest.mark.ui

# Noon, so "one day ago" is unambiguously yesterday even across a DST change.
NOW = datetime(2026, 3, 18, 12, 0, 0).timestamp()
DAY = 86400.0


class FakeStore:
    """Stands in for the store: sorted like the real query, and records the calls."""

    def __init__(self, rows: list[ConversationRow]) -> None:
        self.rows = rows
        self.calls: list[tuple[int, int, str | None]] = []

    def sorted_rows(self, title_filter: str | None = None) -> list[ConversationRow]:
        rows = [r for r in self.rows if not title_filter or title_filter.lower() in r.title.lower()]
        return sorted(rows, key=lambda r: (not r.pinned, -r.updated, -r.id))

    def fetch(self, offset: int, limit: int, title_filter: str | None) -> list[ConversationRow]:
        self.calls.append((offset, limit, title_filter))
        return self.sorted_rows(title_filter)[offset : offset + limit]

    def count(self) -> int:
        return len(self.rows)


def _rows(n: int) -> list[ConversationRow]:
    # One every ten minutes going back in time.
    return [
        ConversationRow(id=i, title=f"Chat {i}", created=NOW - i * 600, updated=NOW - i * 600)
        for i in range(1, n + 1)
    ]


def _dated_rows() -> list[ConversationRow]:
    def row(id_: int, title: str, age: timedelta, pinned: bool = False) -> ConversationRow:
        t = (datetime.fromtimestamp(NOW) - age).timestamp()
        return ConversationRow(id=id_, title=title, created=t, updated=t, pinned=pinned)

    return [
        row(1, "now", timedelta(0)),
        row(2, "yesterday", timedelta(days=1)),
        row(3, "three days", timedelta(days=3)),
        row(4, "thirty days", timedelta(days=30)),
        row(5, "old but pinned", timedelta(days=40), pinned=True),
    ]


def _shown(model: ConversationListModel) -> list[str]:
    out = []
    for r in range(model.rowCount()):
        index = model.index(r, 0)
        text = index.data(Qt.ItemDataRole.DisplayRole)
        out.append(f"[{text}]" if index.data(Role.IS_HEADER) else text)
    return out


@pytest.fixture
def dated(qtbot) -> tuple[ConversationList, FakeStore]:
    store = FakeStore(_dated_rows())
    widget = ConversationList(
        store.fetch, store.count, undo_timeout_ms=150, filter_debounce_ms=50, clock=lambda: NOW
    )
    qtbot.addWidget(widget)
    widget.resize(300, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget, store


# -- model ---------------------------------------------------------------


def test_fetch_more_pages_with_count(qtmodeltester) -> None:
    store = FakeStore(_rows(1000))
    model = ConversationListModel(store.fetch, store.count, clock=lambda: NOW)
    model.reload()
    assert store.calls == [(0, PAGE_SIZE, None)]
    assert model.loaded_count() == PAGE_SIZE
    qtmodeltester.check(model)  # watches every later insert/remove too
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.loaded_count() == 1000
    assert [c[0] for c in store.calls] == [0, 200, 400, 600, 800]
    ids = [model.index(r, 0).data(Role.ID) for r in range(model.rowCount())]
    ids = [i for i in ids if i is not None]
    assert ids == list(range(1, 1001))  # the fetch order, no duplicates


def test_fetch_more_without_count_stops_on_short_page(qtmodeltester) -> None:
    store = FakeStore(_rows(1000))
    model = ConversationListModel(store.fetch, clock=lambda: NOW)
    model.reload()
    qtmodeltester.check(model)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.loaded_count() == 1000
    assert len(store.calls) == 6  # the sixth page comes back empty
    assert not model.canFetchMore(QModelIndex())


def test_ten_thousand_load_lazily(qtbot) -> None:
    store = FakeStore(_rows(10_000))
    widget = ConversationList(store.fetch, store.count, clock=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(300, 400)
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.model().loaded_count() == PAGE_SIZE
    # Scrolling to the bottom makes the view ask for the next page.
    view = widget.view()
    view.scrollToBottom()
    qtbot.waitUntil(lambda: widget.model().loaded_count() > PAGE_SIZE, timeout=2000)
    assert widget.model().loaded_count() < 10_000


def test_date_groups_and_pinned_first(qtmodeltester) -> None:
    store = FakeStore(_dated_rows())
    model = ConversationListModel(store.fetch, store.count, clock=lambda: NOW)
    model.reload()
    qtmodeltester.check(model)
    assert _shown(model) == [
        "[Pinned]",
        "old but pinned",
        "[Today]",
        "now",
        "[Yesterday]",
        "yesterday",
        "[Previous 7 days]",
        "three days",
        "[Previous 30 days]",
        "thirty days",
    ]
    header = model.index(0, 0)
    assert model.flags(header) == Qt.ItemFlag.NoItemFlags  # not selectable
    assert model.flags(model.index(1, 0)) & Qt.ItemFlag.ItemIsSelectable
    assert model.index(3, 0).data(Role.GROUP) == Group.TODAY


def test_group_boundary_is_local_midnight() -> None:
    today_start = datetime(2026, 3, 18).timestamp()
    rows = [
        ConversationRow(id=1, title="just after midnight", created=0, updated=today_start + 1),
        ConversationRow(id=2, title="just before midnight", created=0, updated=today_start - 1),
    ]
    store = FakeStore(rows)
    model = ConversationListModel(store.fetch, clock=lambda: NOW)
    model.reload()
    assert _shown(model) == [
        "[Today]",
        "just after midnight",
        "[Yesterday]",
        "just before midnight",
    ]


def test_inline_rename_through_set_data(qtbot, qtmodeltester) -> None:
    store = FakeStore(_dated_rows())
    model = ConversationListModel(store.fetch, clock=lambda: NOW)
    model.reload()
    qtmodeltester.check(model)
    index = model.index_of(2)
    with qtbot.waitSignal(model.rename_committed) as blocker:
        assert model.setData(index, "  Renamed 重命名  ")
    assert blocker.args == [2, "Renamed 重命名"]
    assert index.data() == "Renamed 重命名"
    assert not model.setData(index, "   ")  # an empty title is refused
    assert not model.setData(model.index(0, 0), "header")


# -- widget ---------------------------------------------------------------


def test_rename_action_opens_inline_editor(qtbot, dated) -> None:
    widget, _store = dated
    menu = widget.context_menu_for(3)
    rename = next(a for a in menu.actions() if a.objectName() == "rename")
    assert rename.text() == "Rename"
    rename.trigger()
    view = widget.view()
    assert view.state() == QAbstractItemView.State.EditingState
    editor = view.viewport().findChild(QLineEdit)
    assert editor is not None
    editor.setText("Trip plan 旅行")
    with qtbot.waitSignal(widget.rename_requested, timeout=1000) as blocker:
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert blocker.args == [3, "Trip plan 旅行"]


def test_pin_and_unpin_actions(qtbot, dated) -> None:
    widget, _store = dated
    pin = next(a for a in widget.context_menu_for(2).actions() if a.objectName() == "pin")
    assert pin.text() == "Pin"
    with qtbot.waitSignal(widget.pin_requested) as blocker:
        pin.trigger()
    assert blocker.args == [2, True]
    unpin = next(a for a in widget.context_menu_for(5).actions() if a.objectName() == "pin")
    assert unpin.text() == "Unpin"
    with qtbot.waitSignal(widget.pin_requested) as blocker:
        unpin.trigger()
    assert blocker.args == [5, False]


def test_delete_then_undo_restores_and_emits_nothing(qtbot, qtmodeltester, dated) -> None:
    widget, _store = dated
    model = widget.model()
    qtmodeltester.check(model)
    before = _shown(model)
    delete = next(a for a in widget.context_menu_for(2).actions() if a.objectName() == "delete")
    with qtbot.assertNotEmitted(widget.delete_requested, wait=50):
        delete.trigger()
        assert model.row_of(2) == -1
        # "yesterday" was alone in its group, so its header goes too.
        assert "[Yesterday]" not in _shown(model)
        assert widget.undo_bar_visible()
        widget.undo_delete()
    assert _shown(model) == before
    assert not widget.undo_bar_visible()
    with qtbot.assertNotEmitted(widget.delete_requested, wait=400):
        pass


def test_delete_commits_once_after_timeout(qtbot, qtmodeltester, dated) -> None:
    widget, _store = dated
    qtmodeltester.check(widget.model())
    emitted: list[int] = []
    widget.delete_requested.connect(emitted.append)
    widget.delete_conversation(3)
    assert emitted == []
    qtbot.waitUntil(lambda: emitted == [3], timeout=2000)
    qtbot.wait(300)
    assert emitted == [3]
    assert not widget.undo_bar_visible()
    assert widget.model().conversation(3) is None
    widget.undo_delete()  # too late: nothing comes back
    assert widget.model().row_of(3) == -1


def test_second_delete_flushes_first(qtbot, dated) -> None:
    widget, _store = dated
    emitted: list[int] = []
    widget.delete_requested.connect(emitted.append)
    widget.delete_conversation(1)
    widget.delete_conversation(4)
    assert emitted == [1]
    assert widget.pending_delete() == 4
    widget.flush_pending_delete()
    assert emitted == [1, 4]
    widget.flush_pending_delete()
    assert emitted == [1, 4]


def test_deleting_open_conversation_asks_for_new_chat(qtbot, dated) -> None:
    widget, _store = dated
    widget.select_conversation(1)
    with qtbot.assertNotEmitted(widget.conversation_selected):
        with qtbot.waitSignal(widget.new_requested):
            widget.delete_conversation(1)
    assert widget.current_id() is None


def test_click_selects_and_select_conversation_is_silent(qtbot, dated) -> None:
    widget, _store = dated
    view = widget.view()
    rect = view.visualRect(widget.model().index_of(4))
    with qtbot.waitSignal(widget.conversation_selected) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [4]
    assert widget.current_id() == 4
    with qtbot.assertNotEmitted(widget.conversation_selected):
        widget.select_conversation(2)
    assert widget.current_id() == 2


def test_clicking_a_header_selects_nothing(qtbot, dated) -> None:
    widget, _store = dated
    view = widget.view()
    rect = view.visualRect(widget.model().index(0, 0))
    with qtbot.assertNotEmitted(widget.conversation_selected):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert widget.current_id() is None


def test_reload_keeps_selection(qtbot, dated) -> None:
    widget, store = dated
    widget.select_conversation(3)
    store.rows.append(ConversationRow(id=9, title="brand new", created=NOW, updated=NOW + 5))
    widget.reload()
    assert widget.current_id() == 3
    assert "brand new" in _shown(widget.model())


def test_select_pages_in_unloaded_conversation(qtbot) -> None:
    store = FakeStore(_rows(1000))
    widget = ConversationList(store.fetch, store.count, clock=lambda: NOW)
    qtbot.addWidget(widget)
    widget.select_conversation(900)
    assert widget.current_id() == 900
    assert widget.model().loaded_count() == 1000


def test_update_row_changes_title_in_place(qtbot, dated) -> None:
    widget, store = dated
    model = widget.model()
    calls = len(store.calls)
    row = model.conversation(1)
    assert row is not None
    new = ConversationRow(id=1, title="Streaming title", created=row.created, updated=row.updated)
    with qtbot.waitSignal(model.dataChanged):
        widget.update_row(new)
    assert model.index_of(1).data() == "Streaming title"
    assert len(store.calls) == calls  # no refetch


def test_filter_is_debounced(qtbot, dated) -> None:
    widget, store = dated
    emitted: list[str] = []
    widget.filter_changed.connect(emitted.append)
    qtbot.keyClicks(widget.filter_edit(), "day")
    assert emitted == []  # nothing per keystroke
    qtbot.waitUntil(lambda: emitted == ["day"], timeout=1000)
    qtbot.wait(150)
    assert emitted == ["day"]
    assert store.calls[-1] == (0, PAGE_SIZE, "day")
    assert _shown(widget.model()) == [
        "[Yesterday]",
        "yesterday",
        "[Previous 7 days]",
        "three days",
        "[Previous 30 days]",
        "thirty days",
    ]
    widget.filter_edit().clear()
    qtbot.waitUntil(lambda: emitted == ["day", ""], timeout=1000)
    assert store.calls[-1][2] is None
