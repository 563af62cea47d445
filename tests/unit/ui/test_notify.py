"""Notifications when an answer or a comparison ends while the window is in the
background: the built window, the fake server, a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget

from chatdesk.ui.notify import Notifier
from tests.fakeserver import Reply
from tests.unit.ui.harness import Harness

SECRET_TEXT = "what the user typed must never reach a lock screen"


def _notifier(h: Harness) -> Notifier:
    notifier = h.window.findChild(Notifier)
    assert isinstance(notifier, Notifier)
    return notifier


def _to_background(h: Harness) -> QWidget:
    """Another top-level window takes the focus (as another app would)."""
    other = QWidget()
    other.setWindowTitle("another app")
    other.show()
    other.activateWindow()
    h.wait(lambda: not h.window.isActiveWindow())
    return other


def test_long_answer_in_the_background_notifies_without_message_text(harness: Harness) -> None:
    h = harness
    notifier = _notifier(h)
    notifier.long_answer_s = 0.5
    h.server.script_for("gpt-4o", Reply(text=SECRET_TEXT, first_delay_s=0.6))
    other = _to_background(h)
    h.send(SECRET_TEXT)
    [notice] = notifier.sent
    assert notice.title == "The answer is ready"
    assert "gpt-4o" in notice.body
    assert SECRET_TEXT not in notice.title + notice.body
    other.close()


def test_no_notice_for_a_short_answer_or_a_window_in_front(harness: Harness) -> None:
    h = harness
    notifier = _notifier(h)
    other = _to_background(h)
    h.send("quick one")  # well under LONG_ANSWER_S
    assert notifier.sent == []
    other.close()
    notifier.long_answer_s = 0
    h.window.activateWindow()
    h.wait(lambda: h.window.isActiveWindow())
    h.send("in front")
    assert notifier.sent == []


def test_minimised_window_hears_about_a_failed_answer(harness: Harness) -> None:
    h = harness
    notifier = _notifier(h)
    notifier.long_answer_s = 0
    h.server.script_for("gpt-4o", Reply(status=400))
    h.window.showMinimized()
    h.send("will fail")
    assert [n.title for n in notifier.sent] == ["The answer failed"]


def test_finished_comparison_notifies_and_blind_mode_names_no_model(harness: Harness) -> None:
    h = harness
    notifier = _notifier(h)
    models = ["gpt-4o", "gpt-4o-mini"]
    ctl = h.desk.compare
    assert ctl.new_comparison(models)
    ctl.set_blind(True)
    other = _to_background(h)
    composer = ctl.view.composer
    composer.set_text("compare this")
    assert composer.send()
    h.wait(lambda: ctl.busy or bool(ctl.exchanges))
    h.wait(lambda: not ctl.busy, timeout=20)
    [notice] = notifier.sent
    assert notice.title == "The comparison is ready"
    assert not any(m in notice.body for m in models)
    other.close()


def test_settings_switch_turns_desktop_notifications_off(harness: Harness) -> None:
    h = harness
    notifier = _notifier(h)
    assert notifier.enabled()
    h.desk.services.set_settings({**h.desk.services.settings(), "notify": False})
    assert not notifier.enabled()
    notifier.long_answer_s = 0
    h.window.showMinimized()
    h.send("with notifications off")
    # The taskbar still asks for attention; no desktop notification goes out.
    [notice] = notifier.sent
    assert notice.shown is False


def test_without_a_tray_notify_send_carries_it(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain GNOME has no tray: the notice goes to the freedesktop service instead."""
    import os
    import stat

    from PySide6.QtWidgets import QSystemTrayIcon

    h = harness
    record = tmp_path / "calls.txt"
    tool = tmp_path / "notify-send"
    tool.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" >> "{record}"\n')
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: False))
    notifier = _notifier(h)
    notifier.long_answer_s = 0
    h.server.script_for("gpt-4o", Reply(text=SECRET_TEXT))
    other = _to_background(h)
    h.send(SECRET_TEXT)
    [notice] = notifier.sent
    assert notice.shown
    h.wait(lambda: record.exists() and "The answer is ready" in record.read_text())
    assert SECRET_TEXT not in record.read_text()
    other.close()
