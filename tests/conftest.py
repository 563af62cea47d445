"""Shared test set-up: offscreen Qt, a hermetic CHATDESK_HOME, the fake server fixture.

Qt warnings fail the test that produced them (see ``qt_warnings_fail``), as Python
warnings do through ``filterwarnings = ["error"]`` in pyproject.toml.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before any QApplication exists; override with QT_QPA_PLATFORM=xcb to watch tests.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler  # noqa: E402

from chatdesk.strict import set_strict  # noqa: E402
from tests.fakeserver import fake_server  # noqa: E402,F401  (fixture re-export)

set_strict(True)  # programming errors raise in the tests (see chatdesk.strict)

# What the offscreen platform plugin prints for window-system calls it cannot honour (Qt's
# QPlatformWindow defaults): they say nothing about our code and appear only because the
# tests run without a real display.
_QT_ALLOWED = [
    re.compile(r"^This plugin does not support propagateSizeHints\(\)$"),
    re.compile(r"^This plugin does not support raise\(\)$"),
    re.compile(r"^This plugin does not support grabbing the keyboard$"),
]
_FAILING = {QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg}
_NAMES = {
    QtMsgType.QtDebugMsg: "debug",
    QtMsgType.QtInfoMsg: "info",
    QtMsgType.QtWarningMsg: "warning",
    QtMsgType.QtCriticalMsg: "critical",
    QtMsgType.QtFatalMsg: "fatal",
}
_qt_lock = threading.Lock()
_qt_failures: list[str] = []


def _qt_message(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Print every Qt message (pytest captures it) and keep the ones that must fail a test.

    Called on whatever thread logged the message, hence the lock.
    """
    line = f"Qt {_NAMES.get(mode, str(mode))}: {message}"
    if context.category and context.category != "default":
        line += f" [{context.category}]"
    print(line, file=sys.stderr)
    if mode in _FAILING and not any(p.search(message) for p in _QT_ALLOWED):
        with _qt_lock:
            _qt_failures.append(line)


def pytest_configure(config: pytest.Config) -> None:
    """One handler for the whole run, so messages from set-up and tear-down count too."""
    qInstallMessageHandler(_qt_message)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Empty the clipboard before Qt shuts down: the offscreen platform crashes on exit
    (SIGSEGV, exit code 139 after every test passed) while it still holds data a test put
    there, as test_composer.py's paste tests do."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication):
        app.clipboard().clear()


@pytest.fixture(autouse=True)
def qt_warnings_fail() -> Iterator[None]:
    """Fail a test whose set-up, body or tear-down made Qt log a warning or worse.

    Autouse in the root conftest, so it is set up first and torn down last: the
    messages of every other fixture's tear-down (closing windows, loops) count too.
    """
    with _qt_lock:
        _qt_failures.clear()
    yield
    with _qt_lock:
        found = list(_qt_failures)
        _qt_failures.clear()
    if found:
        pytest.fail("Qt logged warnings:\n" + "\n".join(found), pytrace=False)


@pytest.fixture(autouse=True)
def chatdesk_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own ChatDesk folder and no key from the developer's shell."""
    home = tmp_path / "chatdesk-home"
    home.mkdir()
    monkeypatch.setenv("CHATDESK_HOME", str(home))
    monkeypatch.delenv("CHATDESK_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    yield home
