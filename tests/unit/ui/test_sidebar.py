"""The sidebar's look and feel: month groups, distinct titles, kinds, roomy rows, Ctrl+B."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from chatdesk.store.rows import ConversationRow
from chatdesk.ui.convlist import ConversationList, ConversationListModel, Group, Role
from chatdesk.ui.theme import COLOURS, apply_appearance
from tests.unit.ui.harness import Harness
from tests.unit.ui.test_convlist import NOW, FakeStore, _shown

pytestmark = pytest.mark.ui


def _at(id_: int, title: str, age: timedelta, **kw: object) -> ConversationRow:
    t = (datetime.fromtimestamp(NOW) - age).timestamp()
    return ConversationRow(id=id_, title=title, created=t, updated=t, **kw)  # type: ignore[arg-type]


def test_older_rows_are_grouped_by_month() -> None:
    # NOW is 18 March 2026 at noon.
    store = FakeStore(
        [
            _at(1, "a", timedelta(days=20)),
            _at(2, "b", timedelta(days=40)),  # 6 February
            _at(3, "c", timedelta(days=45)),  # 1 February
            _at(4, "d", timedelta(days=100)),  # 8 December 2025
        ]
    )
    model = ConversationListModel(store.fetch, store.count, clock=lambda: NOW)
    model.reload()
    assert _shown(model) == [
        "[Previous 30 days]",
        "a",
        "[February]",
        "b",
        "c",
        "[December 2025]",
        "d",
    ]
    assert model.index(2, 0).data(Role.GROUP) == Group.OLDER


def test_repeated_titles_are_told_apart_and_the_store_keeps_them() -> None:
    rows = [
        _at(1, "Markdown tour", timedelta(hours=1)),
        _at(2, "Markdown tour", timedelta(hours=2)),
        _at(3, "Markdown tour", timedelta(days=3)),
        _at(4, "Unique", timedelta(hours=3)),
        _at(5, "Same minute", timedelta(hours=4)),
        _at(6, "Same minute", timedelta(hours=4)),
    ]
    store = FakeStore(rows)
    model = ConversationListModel(store.fetch, store.count, clock=lambda: NOW)
    model.reload()
    shown = {
        model.index(r, 0).data(Role.ID): model.index(r, 0).data(Qt.ItemDataRole.DisplayRole)
        for r in range(model.rowCount())
        if not model.index(r, 0).data(Role.IS_HEADER)
    }
    assert shown[4] == "Unique"
    titles = [shown[i] for i in (1, 2, 3, 5, 6)]
    assert len(set(titles)) == len(titles)  # no two rows read the same
    assert shown[1] == "Markdown tour · 11:00" and shown[2] == "Markdown tour · 10:00"
    assert shown[3].startswith("Markdown tour · 03-15")
    assert {shown[5], shown[6]} == {"Same minute · 08:00", "Same minute · 08:00 (2)"}
    # Renaming edits the real title, not the shown one.
    index = model.index_of(1)
    assert index.data(Qt.ItemDataRole.EditRole) == "Markdown tour"
    assert index.data(Qt.ItemDataRole.ToolTipRole) == "Markdown tour"
    # Once a title no longer repeats, the extra word goes away.
    model.setData(model.index_of(2), "Other")
    model.setData(model.index_of(3), "Third")
    assert model.index_of(1).data(Qt.ItemDataRole.DisplayRole) == "Markdown tour"


def test_kind_comes_from_the_row_or_the_source(qtbot) -> None:
    store = FakeStore([_at(1, "chat", timedelta(0)), _at(2, "cmp", timedelta(0))])
    asked: list[int] = []

    def source(conv_id: int) -> str:
        asked.append(conv_id)
        return "compare" if conv_id == 2 else "chat"

    widget = ConversationList(store.fetch, store.count, clock=lambda: NOW)
    qtbot.addWidget(widget)
    widget.set_kind_source(source)
    model = widget.model()
    assert model.index_of(2).data(Role.KIND) == "compare"
    assert model.index_of(1).data(Role.KIND) == "chat"
    model.index_of(2).data(Role.KIND)
    assert asked.count(2) == 1  # cached

    row = _at(3, "run", timedelta(0))
    store.rows.append(row)
    model.reload()
    kinds = {}
    for r in range(model.rowCount()):
        index = model.index(r, 0)
        if not index.data(Role.IS_HEADER):
            kinds[index.data(Role.ID)] = index.data(Role.KIND)
    assert kinds == {1: "chat", 2: "compare", 3: "chat"}
    # The delegate takes the kind from the row itself when the row has one.
    assert model.kind_of(type("Row", (), {"id": 9, "kind": "promptset"})()) == "promptset"


def test_rows_have_room_and_a_rounded_selection(qtbot) -> None:
    apply_appearance({"theme": "light"})
    store = FakeStore([_at(i, f"Chat {i}", timedelta(minutes=i)) for i in range(1, 6)])
    widget = ConversationList(store.fetch, store.count, clock=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(260, 400)
    widget.show()
    qtbot.waitExposed(widget)
    view = widget.view()
    index = widget.model().index_of(2)
    rect = view.visualRect(index)
    assert 32 <= rect.height() <= 40
    widget.select_conversation(2)
    image = view.viewport().grab().toImage()
    dpr = image.devicePixelRatio()
    mid = rect.center()
    inside = image.pixelColor(int((rect.left() + 20) * dpr), int(mid.y() * dpr))
    corner = image.pixelColor(int(rect.left() * dpr), int(rect.top() * dpr))
    assert inside.name() == QColor(COLOURS[False]["accent_soft"]).name()
    assert corner.name() != inside.name()  # rounded and inset, not a full-width bar


def test_ctrl_b_collapses_and_restores_the_sidebar(harness: Harness) -> None:
    window = harness.window
    window.activateWindow()
    window.conversations.view().setFocus()
    QApplication.processEvents()
    assert window.conversations.isVisible()
    before = window.centre.width()
    QTest.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert not window.conversations.isVisible()
    assert not window.sidebar_action.isChecked()
    assert window.centre.width() > before  # the conversation takes the room
    assert window.composer.editor().hasFocus() or not window.isActiveWindow()
    QTest.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert window.conversations.isVisible()
    assert window.sidebar_action.isChecked()
    # It is a View menu action, so menus, Shortcuts and the keyboard all find it.
    view_menu = [
        a
        for a in window.menuBar().actions()
        if a.menu() and window.sidebar_action in a.menu().actions()
    ]
    assert view_menu


def test_comparison_rows_get_the_compare_kind(harness: Harness) -> None:
    from chatdesk.core.arena.compare import ColumnSpec, Comparison

    store = harness.store
    cmp = Comparison.create(store, [ColumnSpec(model="a"), ColumnSpec(model="b")], title="A vs B")
    chat = store.create_conversation("plain chat")
    harness.window.conversations.reload()
    model = harness.window.conversations.model()
    assert model.index_of(cmp.conversation_id).data(Role.KIND) == "compare"
    assert model.index_of(chat).data(Role.KIND) == "chat"
