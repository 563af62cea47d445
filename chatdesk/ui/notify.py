"""Tell the user that a long answer or a comparison finished while they were elsewhere.

Two signals to the desktop, only when the window is not the active one (or is
minimised): the taskbar entry asks for attention (``QApplication.alert``), and a desktop
notification is shown through ``QSystemTrayIcon.showMessage`` (Qt sends it to the
freedesktop notification service on Linux, to the Action Center on Windows, to the
Notification Center on macOS) unless Settings turned notifications off; a desktop with
no system tray (plain GNOME) gets the notification through ``notify-send`` (the
freedesktop notification service) when it is installed. Clicking the tray's
notification brings the window back. The notification names the model and the time taken, never
the text of a message (it may show on a locked screen).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication, QMainWindow, QSystemTrayIcon

from chatdesk.store.rows import MessageStatus

# An answer shorter than this is not worth a notification: the user did not leave for it.
LONG_ANSWER_S = 8.0


@dataclass(frozen=True, slots=True)
class Notice:
    """One notification as decided (what tests and the log see)."""

    title: str
    body: str
    shown: bool  # a desktop notification went out (else only the taskbar alert)


def _notify_send(title: str, body: str) -> bool:
    """No tray: ask the desktop's notification service through ``notify-send``."""
    import shutil

    from PySide6.QtCore import QProcess

    program = shutil.which("notify-send")
    if program is None:
        return False
    args = ["--app-name=ChatDesk", "--expire-time=10000", "--", title[:200], body[:500]]
    started, _pid = QProcess.startDetached(program, args)
    return bool(started)


class Notifier(QObject):
    """Decides when to notify, and does it.

    Attributes:
        sent: every notice given in this session, oldest first.
    """

    def __init__(
        self,
        window: QMainWindow,
        enabled: Callable[[], bool],
        long_answer_s: float = LONG_ANSWER_S,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.enabled = enabled
        self.long_answer_s = long_answer_s
        self.sent: list[Notice] = []
        self._tray: QSystemTrayIcon | None = None

    def in_background(self) -> bool:
        """Whether the user is looking elsewhere (another window, or minimised)."""
        w = self.window
        return w.isMinimized() or not w.isVisible() or not w.isActiveWindow()

    def exchange_finished(self, status: str, duration_ms: float | None, model: str) -> None:
        """A chat answer ended with ``status`` after ``duration_ms``."""
        if duration_ms is not None and duration_ms < self.long_answer_s * 1000:
            return
        seconds = f"{(duration_ms or 0) / 1000:.0f}"
        if status == MessageStatus.DONE:
            title = self.tr("The answer is ready")
            body = self.tr("%1 answered in %2 s.").replace("%1", model).replace("%2", seconds)
        elif status == MessageStatus.ERROR:
            title = self.tr("The answer failed")
            body = self.tr("%1 stopped with an error.").replace("%1", model)
        else:
            return  # the user pressed Stop: they know
        self.notify(title, body)

    def comparison_finished(self, models: list[str]) -> None:
        """Every column of a comparison's turn has ended (``models`` empty when blind)."""
        title = self.tr("The comparison is ready")
        if models:
            body = self.tr("Answers from %1.").replace("%1", ", ".join(models))
        else:
            body = self.tr("Every column has answered.")
        self.notify(title, body)

    def notify(self, title: str, body: str) -> Notice | None:
        """Alert and (when enabled) notify, if the window is in the background."""
        if not self.in_background():
            return None
        QApplication.alert(self.window)
        shown = False
        if self.enabled():
            tray = self._tray_icon()
            if tray is not None:
                tray.showMessage(title, body, self.window.windowIcon(), 10_000)
                shown = True
            else:
                shown = _notify_send(title, body)
        notice = Notice(title, body, shown)
        self.sent.append(notice)
        return notice

    def _tray_icon(self) -> QSystemTrayIcon | None:
        """The icon that carries notifications, made on first use; None without a tray."""
        if self._tray is None:
            if not (QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages()):
                return None
            tray = QSystemTrayIcon(self.window.windowIcon(), self)
            tray.setToolTip("ChatDesk")
            tray.messageClicked.connect(self.bring_back)
            tray.activated.connect(lambda _reason: self.bring_back())
            tray.show()
            self._tray = tray
        return self._tray

    def bring_back(self) -> None:
        """The notification was clicked: show the window in front."""
        w = self.window
        w.setWindowState(w.windowState() & ~Qt.WindowState.WindowMinimized)
        w.show()
        w.raise_()
        w.activateWindow()
