"""A model id typed into a compare column (or the header's list) survives Tab and a click away."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.fakeserver import Reply
from tests.unit.ui.harness import Harness
from tests.unit.ui.test_compare import send, start


def _type(widget: object, text: str) -> None:
    widget.window().activateWindow()  # type: ignore[attr-defined]
    widget.setFocus()  # type: ignore[attr-defined]
    QApplication.processEvents()
    assert widget.hasFocus()  # type: ignore[attr-defined]
    line = widget.lineEdit()  # type: ignore[attr-defined]
    line.selectAll()
    QTest.keyClicks(line, text)


def test_typed_column_model_is_kept_on_tab_and_sent(harness: Harness) -> None:
    h = harness
    h.window.activateWindow()
    h.wait(lambda: bool(h.window.model_picker.models()))  # the server's list is in
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    first, second = (c.picker for c in ctl.view.columns)
    _type(first, "my-custom-model")
    QTest.keyClick(first.lineEdit(), Qt.Key.Key_Tab)  # Tab, not Enter
    QApplication.processEvents()
    assert not first.hasFocus()
    assert first.currentText() == "my-custom-model"
    assert ctl.specs[0].model == "my-custom-model"
    assert first.unlisted() and "not in the server's list" in first.toolTip().lower()
    _type(second, "other-typed-id")
    ctl.view.composer.focus_input()  # a click in the composer
    QApplication.processEvents()
    assert ctl.specs[1].model == "other-typed-id"
    h.server.script(Reply(text="ok"), Reply(text="ok"))
    send(h, "which model?")
    assert sorted(b["model"] for b in h.chat_bodies()) == ["my-custom-model", "other-typed-id"]


def test_typed_header_model_is_kept_on_a_click_away(harness: Harness) -> None:
    h = harness
    h.window.activateWindow()
    h.wait(lambda: bool(h.window.model_picker.models()))  # the server's list is in
    h.window.header.pill.click()
    menu = h.window.model_menu
    h.wait(menu.isVisible)
    QTest.keyClicks(menu.search, "my-custom-model")
    assert menu.matches() == []  # a search that finds nothing: an id
    h.window.composer.focus_input()  # a click elsewhere closes the list
    menu.hide()
    QApplication.processEvents()
    picker = h.window.model_picker
    assert picker.current() == "my-custom-model"
    assert h.controller.current_model() == "my-custom-model"
    assert picker.unlisted() and h.window.header.unlisted_mark.isVisibleTo(h.window)
    h.server.script(Reply(text="ok"))
    h.send("hello")
    assert h.body()["model"] == "my-custom-model"
