"""Crash reports and the log file: what is left behind when the window fails.

:func:`install` (called by the window at start) sends an uncaught exception (main
thread, other threads, asyncio tasks) and a fatal Qt error to :func:`write_report`,
which writes ``crash-<UTC time>-<pid>.txt`` into ``<data folder>/crash-reports``, and
points :mod:`faulthandler` at ``faulthandler.log`` there (a segfault or abort cannot
run Python code, so the next start turns a non-empty dump into a report). The next
start lists the reports not yet shown (:func:`unseen_reports`).

A report holds the traceback (file, line, function, source line), the versions and the
platform. Never a key and never message text: no local variables, no arguments, no
environment, and an exception's own message is cut short and stripped of anything that
looks like a key, a bearer token or a password in a URL (:func:`scrub`).
"""

from __future__ import annotations

import faulthandler
import logging
import os
import re
import sys
import threading
import time
import traceback
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from chatdesk import __version__, paths

log = logging.getLogger(__name__)

REPORTS = "crash-reports"
FAULT_LOG = "faulthandler.log"
SEEN_MARK = ".shown"
LOG_NAME = "chatdesk.log"
_MESSAGE_LIMIT = 160

_fault_file: IO[str] | None = None
_installed = False

_SECRET_PATTERNS = [
    # Common key shapes: sk-..., sk-proj-..., pk-/rk-, and long hex or base64 runs.
    (re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{6,}"), "[key]"),
    (re.compile(r"(?i)\bbearer\s+[^\s'\"]+"), "Bearer [key]"),
    (
        re.compile(r"(?i)\b(api[_-]?key|token|secret|password|authorization)(\W{1,3})[^\s'\",}]+"),
        r"\1\2[hidden]",
    ),  # fmt: skip
    (re.compile(r"(?i)(\w+://)[^/@\s]+@"), r"\1[user]@"),
    (re.compile(r"\b[A-Za-z0-9+/_\-]{32,}={0,2}"), "[long token]"),
]


def scrub(text: str, limit: int = _MESSAGE_LIMIT) -> str:
    """``text`` without key-like parts; longer than ``limit`` characters, only its length.

    An exception's message may quote a request or a message; a long one is far more
    likely to, and its start alone could still be someone's text, so it is left out.
    """
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    text = " ".join(text.split())
    return text if len(text) <= limit else f"(a message of {len(text)} characters, left out)"


def reports_dir() -> Path:
    """``<data folder>/crash-reports`` (created)."""
    folder = paths.data_dir() / REPORTS
    folder.mkdir(exist_ok=True)
    return folder


def log_file() -> Path:
    """The window's log file."""
    return paths.log_dir() / LOG_NAME


def setup_logging() -> Path:
    """Log INFO and above to :func:`log_file` (1 MB, 3 old files kept); its path."""
    from logging.handlers import RotatingFileHandler

    path = log_file()
    root = logging.getLogger()
    if not any(getattr(h, "chatdesk", False) for h in root.handlers):
        handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
        handler.chatdesk = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)
    return path


def keyring_backend() -> str:
    """The keyring backend in use, by class name (never a key)."""
    try:
        import keyring

        backend = keyring.get_keyring()
    except Exception as exc:  # noqa: BLE001 - a broken keyring is itself a diagnostic
        return f"unavailable ({type(exc).__name__})"
    return f"{type(backend).__module__}.{type(backend).__name__}"


def versions(with_keyring: bool = True) -> dict[str, str]:
    """Versions and platform facts for reports and the About box (nothing personal)."""
    import platform  # here: crash reports are set up before the first paint, asked later

    facts = {
        "ChatDesk": __version__,
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
        "Platform": platform.platform(),
        "Build": "bundle" if getattr(sys, "frozen", False) else "source",
    }
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        facts["Qt"] = qVersion()
        facts["PySide6"] = PySide6.__version__
        from PySide6.QtGui import QGuiApplication

        if QGuiApplication.instance() is not None:
            facts["Qt platform"] = QGuiApplication.platformName()
    except ImportError:
        pass
    facts["Locale"] = os.environ.get("LANG", "") or "unset"
    if with_keyring:
        facts["Keyring backend"] = keyring_backend()
    return facts


def _format_exception(exc: BaseException) -> list[str]:
    """Frames and a scrubbed exception line, for ``exc`` and what it was raised from."""
    lines: list[str] = []
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    for i, item in enumerate(reversed(chain)):
        if i:
            lines.append("")
            lines.append("During or because of the above, another exception occurred:")
        lines.append("Traceback (most recent call last):")
        for frame in traceback.extract_tb(item.__traceback__):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {scrub(frame.line.strip(), 400)}")
        name = f"{type(item).__module__}.{type(item).__qualname__}".removeprefix("builtins.")
        message = scrub(str(item))
        lines.append(f"{name}: {message}" if message else name)
    return lines


def report_text(kind: str, body: list[str]) -> str:
    """A whole report: what happened, when, the versions, then ``body``."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    head = [f"ChatDesk crash report ({kind})", f"Time: {stamp}", f"Process: {os.getpid()}"]
    head += [f"{k}: {v}" for k, v in versions(with_keyring=False).items()]
    note = "This report holds no API key and no message text; share it when you report a bug."
    return "\n".join([*head, "", *body, "", note, ""])


def write_report(kind: str, body: list[str]) -> Path | None:
    """Write a report; its path, or None when even that fails (logged)."""
    try:
        folder = reports_dir()
        name = time.strftime("crash-%Y%m%d-%H%M%S", time.gmtime()) + f"-{os.getpid()}"
        path = folder / f"{name}.txt"
        n = 1
        while path.exists():
            n += 1
            path = folder / f"{name}-{n}.txt"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(report_text(kind, body))
    except Exception:  # noqa: BLE001 - the crash handler itself must never crash
        log.exception("cannot write a crash report")
        return None
    log.error("crash report written: %s", path)
    return path


def report_exception(exc: BaseException, where: str = "uncaught exception") -> Path | None:
    """Write a report for ``exc``."""
    return write_report(where, _format_exception(exc))


def _excepthook(
    exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    path = report_exception(exc.with_traceback(tb))
    sys.__excepthook__(exc_type, exc, tb)
    if path is not None:
        sys.stderr.write(f"chatdesk: a crash report was written to {path}\n")


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None and not isinstance(args.exc_value, SystemExit):
        name = args.thread.name if args.thread is not None else "?"
        report_exception(args.exc_value, f"uncaught exception in thread {name}")
    threading.__excepthook__(args)


def asyncio_handler(loop: Any, context: dict[str, Any]) -> None:
    """For ``loop.set_exception_handler``: a task's uncaught exception gets a report."""
    exc = context.get("exception")
    if isinstance(exc, BaseException) and not isinstance(exc, KeyboardInterrupt):
        report_exception(exc, "uncaught exception in an asyncio task")
    loop.default_exception_handler(context)


def _install_qt_handler() -> None:
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

    previous: Any = None

    def handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if mode == QtMsgType.QtFatalMsg:
            stack = [line.rstrip() for line in traceback.format_stack()[:-1]]
            body = [f"Qt fatal error: {scrub(message, 500)}", "", "Python stack:", *stack]
            path = write_report("fatal Qt error", body)
            if path is not None:
                sys.stderr.write(f"chatdesk: a crash report was written to {path}\n")
        if previous is not None:
            previous(mode, context, message)
        else:
            sys.stderr.write(message + "\n")

    previous = qInstallMessageHandler(handler)


def collect_fatal() -> Path | None:
    """Turn a previous run's faulthandler dump (segfault, abort) into a report."""
    try:
        fault = reports_dir() / FAULT_LOG
        text = fault.read_text(encoding="utf-8", errors="replace") if fault.exists() else ""
    except OSError:
        return None
    if not text.strip():
        return None
    body = [
        "A previous run ended with a fatal error (faulthandler output):",
        "",
        *text.splitlines(),
    ]
    path = write_report("fatal error in a previous run", body)
    if path is not None:
        fault.write_text("", encoding="utf-8")
    return path


def install(qt: bool = True) -> None:
    """Route crashes to reports (idempotent); keep the previous run's fatal dump first."""
    global _fault_file, _installed
    if _installed:
        return
    _installed = True
    collect_fatal()
    sys.excepthook = _excepthook
    threading.excepthook = _thread_hook
    try:
        _fault_file = open(reports_dir() / FAULT_LOG, "a", encoding="utf-8")  # noqa: SIM115
        faulthandler.enable(_fault_file, all_threads=True)
    except OSError:
        log.warning("faulthandler output cannot go to the data folder")
    if qt:
        _install_qt_handler()


def unseen_reports() -> list[Path]:
    """Reports written since the user was last told about them, newest first."""
    try:
        folder = reports_dir()
    except (OSError, paths.DataFolderError):
        return []
    mark = folder / SEEN_MARK
    since = mark.stat().st_mtime if mark.exists() else 0.0
    found = [p for p in folder.glob("crash-*.txt") if p.stat().st_mtime > since]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def mark_seen() -> None:
    """The user was told about every report there is now."""
    mark = reports_dir() / SEEN_MARK
    mark.touch()
    now = time.time()
    os.utime(mark, (now, now))
