"""Crash reports from real crashing processes: an uncaught exception, a thread's, an
asyncio task's, a fatal Qt error, a segfault (through faulthandler, picked up by the
next start). Reports hold the traceback and versions, never a key or message text."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from chatdesk import crash

KEY = "sk-proj-CrashTestKey1234567890abcdef"
SECRET_TEXT = "my private message about the quarterly numbers"


def _run(code: str, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, CHATDESK_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    env["CHATDESK_API_KEY"] = KEY
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _reports(home: Path) -> list[Path]:
    return sorted((home / crash.REPORTS).glob("crash-*.txt"))


def _assert_clean(text: str) -> None:
    assert KEY not in text and "CrashTestKey" not in text
    assert SECRET_TEXT not in text


def test_uncaught_exception_writes_a_report_without_key_or_text(chatdesk_home: Path) -> None:
    proc = _run(
        f"""
        from chatdesk import crash
        crash.install(qt=False)
        def send(message, key):
            raise RuntimeError("upstream refused Authorization: Bearer " + key + message)
        send({SECRET_TEXT!r} * 20, {KEY!r})
        """,
        chatdesk_home,
    )
    assert proc.returncode == 1
    assert "a crash report was written to" in proc.stderr
    [report] = _reports(chatdesk_home)
    text = report.read_text()
    assert "ChatDesk crash report (uncaught exception)" in text
    assert "in send" in text and "RuntimeError" in text
    assert "Python:" in text and "Platform:" in text and "Qt:" in text
    _assert_clean(text)
    assert oct(report.stat().st_mode & 0o777) == "0o600"


def test_thread_and_asyncio_task_exceptions_are_reported(chatdesk_home: Path) -> None:
    proc = _run(
        """
        import asyncio, threading
        from chatdesk import crash
        crash.install(qt=False)
        def work():
            raise ValueError("in a thread")
        t = threading.Thread(target=work, name="worker"); t.start(); t.join()
        async def task():
            raise KeyError("in a task")
        loop = asyncio.new_event_loop()
        loop.set_exception_handler(crash.asyncio_handler)
        fut = loop.create_task(task())
        loop.run_until_complete(asyncio.sleep(0.01))
        del fut
        import gc; gc.collect()
        loop.close()
        """,
        chatdesk_home,
    )
    assert proc.returncode == 0, proc.stderr
    texts = [p.read_text() for p in _reports(chatdesk_home)]
    assert any("thread worker" in t and "ValueError: in a thread" in t for t in texts)
    assert any("asyncio task" in t and "KeyError" in t for t in texts)


def test_fatal_qt_error_writes_a_report(chatdesk_home: Path) -> None:
    proc = _run(
        """
        from PySide6.QtCore import QCoreApplication, qFatal
        app = QCoreApplication([])
        from chatdesk import crash
        crash.install()
        qFatal("the platform plugin exploded")
        """,
        chatdesk_home,
    )
    assert proc.returncode != 0
    [report] = _reports(chatdesk_home)
    text = report.read_text()
    # PySide6 replaces a qFatal() message from Python with a fixed text: the report
    # shows Qt's message and the Python stack that led to it.
    assert "ChatDesk crash report (fatal Qt error)" in text
    assert "Qt fatal error: " in text and 'File "<string>", line 6' in text


@pytest.mark.skipif(sys.platform == "win32", reason="segfault via ctypes")
def test_segfault_goes_to_faulthandler_and_the_next_start_reports_it(chatdesk_home: Path) -> None:
    proc = _run(
        """
        import ctypes
        from chatdesk import crash
        crash.install(qt=False)
        ctypes.string_at(0)
        """,
        chatdesk_home,
    )
    assert proc.returncode != 0
    fault = chatdesk_home / crash.REPORTS / crash.FAULT_LOG
    assert "Segmentation fault" in fault.read_text()
    assert _reports(chatdesk_home) == []
    # The next start turns the dump into a report and lists it as not yet shown.
    nxt = _run(
        """
        from chatdesk import crash
        crash.install(qt=False)
        print([p.name for p in crash.unseen_reports()])
        """,
        chatdesk_home,
    )
    assert nxt.returncode == 0, nxt.stderr
    [report] = _reports(chatdesk_home)
    assert report.name in nxt.stdout
    assert "Segmentation fault" in report.read_text()
    assert fault.read_text() == ""


def test_reports_are_shown_once(chatdesk_home: Path) -> None:
    assert crash.unseen_reports() == []
    path = crash.write_report("test", ["body"])
    assert path is not None and crash.unseen_reports() == [path]
    crash.mark_seen()
    assert crash.unseen_reports() == []


@pytest.mark.parametrize(
    ("raw", "hidden"),
    [
        ("key sk-abc123def456ghi789", "sk-abc123def456ghi789"),
        ("Authorization: Bearer abc.def.ghi", "abc.def.ghi"),
        ("api_key=supersecretvalue", "supersecretvalue"),
        ("https://user:pw@example.com/v1", "user:pw"),
        ("token " + "A" * 40, "A" * 40),
    ],
)
def test_scrub_hides_key_shapes(raw: str, hidden: str) -> None:
    assert hidden not in crash.scrub(raw)


def test_scrub_leaves_out_long_messages() -> None:
    assert crash.scrub("word " * 500) == "(a message of 2499 characters, left out)"
    assert crash.scrub("KeyError: 'choices'") == "KeyError: 'choices'"
