"""Keyboard and screen-reader reach: Tab walks every control of the window and the
dialogs, and each control it reaches has an accessible name, in English and Chinese.

The name checked is the one assistive technology gets (``QAccessibleInterface.text``
with ``Name``): a button's text, a field's form label (its buddy), or an explicit
``setAccessibleName``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QApplication, QDialog, QTabWidget, QWidget

from chatdesk.app import install_translations
from chatdesk.ui.about import AboutDialog, ShortcutsDialog
from chatdesk.ui.settings import SettingsDialog
from tests.unit.ui.harness import Harness

MAX_STOPS = 400


@pytest.fixture(params=["en", "zh_CN"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    """Run with no translation, then with the Simplified Chinese one installed."""
    translators = install_translations(qapp, request.param)
    if request.param == "zh_CN":
        assert translators, "the Chinese translation did not load"
    yield request.param
    for t in translators:
        qapp.removeTranslator(t)


def accessible_name(widget: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name).strip() if iface is not None else ""


def describe(widget: QWidget) -> str:
    parent = widget.parentWidget()
    chain = []
    while parent is not None and len(chain) < 3:
        chain.append(
            type(parent).__name__ + (f"#{parent.objectName()}" if parent.objectName() else "")
        )
        parent = parent.parentWidget()
    name = widget.objectName()
    return f"{type(widget).__name__}{'#' + name if name else ''} in {' < '.join(chain)}"


def tab_walk(top: QWidget, h: Harness) -> list[QWidget]:
    """Press Tab from the first control until focus comes back round; the stops."""
    top.activateWindow()
    h.wait(lambda: top.isActiveWindow())
    top.focusNextChild()
    first = QApplication.focusWidget()
    assert first is not None, f"nothing in {type(top).__name__} takes the keyboard focus"
    stops = [first]
    for _ in range(MAX_STOPS):
        top.focusNextChild()
        current = QApplication.focusWidget()
        if current is None or current is first:
            break
        if current not in stops:
            stops.append(current)
    return stops


def unnamed(stops: list[QWidget]) -> list[str]:
    return [describe(w) for w in stops if not accessible_name(w)]


def check(top: QWidget, h: Harness) -> list[QWidget]:
    stops = tab_walk(top, h)
    missing = unnamed(stops)
    assert not missing, "controls without an accessible name:\n  " + "\n  ".join(missing)
    return stops


def test_main_window_chat_page(language: str, harness: Harness) -> None:
    h = harness
    h.window.params_dock.show()
    h.window.params_panel  # noqa: B018 - built on first use
    stops = check(h.window, h)
    # The composer, the conversation list and the message view are all reachable.
    for widget in (h.window.composer, h.window.conversations, h.window.message_view):
        assert any(widget is s or widget.isAncestorOf(s) for s in stops), describe(widget)


def test_main_window_compare_page(language: str, harness: Harness) -> None:
    h = harness
    assert h.desk.compare.new_comparison(["gpt-4o", "gpt-4o-mini"])
    check(h.window, h)


def test_main_window_run_page_and_new_run_dialog(language: str, harness: Harness) -> None:
    from chatdesk.ui.rundialog import ColumnChoice

    h = harness
    ctl = h.desk.runs
    dialog = ctl.new_run()
    dialog.set_prompts_text("one\ntwo")
    dialog.set_columns([ColumnChoice("gpt-4o"), ColumnChoice("gpt-4o-mini")])
    dialog.set_judge("gpt-4o")
    assert dialog.recheck()
    run_id = ctl.create_run(dialog.draft())
    dialog.close()
    _dialog_check(ctl.new_run(), h)
    ctl.open_run(run_id)
    stops = check(h.window, h)
    view = ctl.view
    for widget in (view.grid, view.runs, view.search, view.new_button, view.export_button):
        assert widget in stops, describe(widget)


def _dialog_check(dialog: QDialog, h: Harness) -> None:
    dialog.show()
    tabs = dialog.findChildren(QTabWidget)
    pages = range(tabs[0].count()) if tabs else [None]
    for page in pages:
        if page is not None:
            tabs[0].setCurrentIndex(page)
        check(dialog, h)
    dialog.close()


def test_settings_dialog(language: str, harness: Harness) -> None:
    _dialog_check(SettingsDialog(harness.window), harness)
    with_editor = SettingsDialog(harness.window)
    with_editor.show()
    with_editor.add_button.click()  # the provider editor: name, URL, key, model...
    _dialog_check(with_editor, harness)


def test_about_and_shortcuts(language: str, harness: Harness) -> None:
    _dialog_check(AboutDialog(harness.window), harness)
    _dialog_check(ShortcutsDialog(harness.window), harness)


def test_search_panel(language: str, harness: Harness) -> None:
    h = harness
    h.window.search_requested.emit("")  # Ctrl+K
    panel = h.window.findChild(QWidget, "searchPanel")
    assert panel is not None and panel.isVisible()
    stops = check(panel, h)
    assert any(s.objectName() == "searchQuery" for s in stops)
    panel.close()


def test_first_run_key_panel(language: str, harness: Harness) -> None:
    h = harness
    h.window.show_key_panel(True)
    stops = check(h.window, h)
    assert any(h.window.key_panel.isAncestorOf(s) for s in stops)


def test_message_view_gives_screen_readers_the_text_on_screen(harness) -> None:  # type: ignore[no-untyped-def]
    from tests.fakeserver import Reply

    harness.server.script(Reply(text="The answer is 42 — 答案是四十二 🎉"))
    harness.send("What is the answer?")
    view = harness.window.message_view
    harness.window.grab()  # a paint: the description follows what is on screen
    harness.wait(lambda: "答案是四十二" in view.accessibleDescription())
    text = view.accessibleDescription()
    assert "What is the answer?" in text
    assert text.index("What is the answer?") < text.index("The answer is 42")
    assert len(view.accessible_text(limit=50)) <= 50
