"""Help menu: About (facts and diagnostics without keys or text), the shortcut list, and
the notice about a crash report from the previous run."""

from __future__ import annotations

import platform
from pathlib import Path

from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMenu

from chatdesk import __version__, crash
from chatdesk.ui.about import CrashNotice, diagnostics, offer_crash_reports
from tests.unit.ui.harness import KEY, Harness

SECRET_TEXT = "the launch code is swordfish-42"


def _help_menu(harness: Harness) -> QMenu:
    menus = [a.menu() for a in harness.window.menuBar().actions() if a.menu() is not None]
    [menu] = [m for m in menus if m.objectName() == "help-menu"]
    return menu


def _trigger(menu: QMenu, text: str) -> None:
    [action] = [a for a in menu.actions() if a.text().replace("&", "") == text]
    action.trigger()


def test_about_shows_version_licence_folders_keyring_and_versions(
    harness: Harness, chatdesk_home: Path
) -> None:
    _trigger(_help_menu(harness), "About ChatDesk")
    about = [w for w in QApplication.topLevelWidgets() if w.windowTitle() == "About ChatDesk"]
    assert about
    values = {k: v.text() for k, v in about[0].values.items()}  # type: ignore[attr-defined]
    assert "MIT" in values["licence"]
    assert values["data"] == str(chatdesk_home)
    assert values["log"] == str(chatdesk_home / "logs" / "chatdesk.log")
    assert values["keyring"].startswith("keyring.backends.")
    assert qVersion() in values["qt"]
    assert platform.python_version() in values["python"]
    about[0].close()


def test_copy_diagnostics_holds_no_key_and_no_message_text(harness: Harness) -> None:
    harness.send(SECRET_TEXT)
    assert SECRET_TEXT in [r.content for r in harness.rows()]
    _trigger(_help_menu(harness), "About ChatDesk")
    [about] = [w for w in QApplication.topLevelWidgets() if w.windowTitle() == "About ChatDesk"]
    about.copy_button.click()  # type: ignore[attr-defined]
    copied = QGuiApplication.clipboard().text()
    assert copied == diagnostics()
    assert f"ChatDesk: {__version__}" in copied and "Keyring backend:" in copied
    assert KEY not in copied and "swordfish" not in copied
    # The answer the fake server streamed is not there either.
    answer = harness.rows()[-1].content
    assert answer and answer not in copied
    assert about.copied.text()  # type: ignore[attr-defined]
    about.close()


def test_shortcut_list_has_menu_shortcuts_and_fixed_keys(harness: Harness) -> None:
    _trigger(_help_menu(harness), "Keyboard shortcuts")
    [dialog] = [
        w for w in QApplication.topLevelWidgets() if w.windowTitle() == "Keyboard shortcuts"
    ]
    table = dialog.table  # type: ignore[attr-defined]
    rows = {table.item(i, 0).text(): table.item(i, 1).text() for i in range(table.rowCount())}
    assert rows["New chat"] == "Ctrl+N"
    assert rows["Search all conversations"] == "Ctrl+K"
    assert rows["Keyboard shortcuts"] == "Ctrl+/"
    assert rows["Stop the answer"] == "Esc"
    dialog.close()


def test_next_start_offers_the_crash_report_once(harness: Harness, chatdesk_home: Path) -> None:
    report = crash.write_report("test", ["Traceback (most recent call last):"])
    assert report is not None
    notice = offer_crash_reports(harness.window)
    assert isinstance(notice, CrashNotice)
    assert str(report) in notice.text()
    assert notice.open_report.text() == "Open report"
    notice.close()
    assert offer_crash_reports(harness.window) is None
