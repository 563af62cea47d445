"""One window per data folder: a second start hands its arguments to the running one.

Two parts, both keyed by the data folder:

* a :class:`QLockFile` (``window.lock`` in the data folder) says whether a window is
  open on this history. Qt removes a lock whose process is gone (a crash, a kill), so
  a stale file never blocks a start. Taking it is atomic, so two starts at the same
  moment cannot both win;
* a :class:`QLocalServer` (a Unix socket / Windows named pipe, name derived from the
  folder's path and the user) over which a later start sends its window options as one
  JSON line; the running window raises itself, applies them, and answers ``ok``.

The CLI subcommands (``ask``, ``history`` ...) never take part: they keep working
beside an open window, as the database allows several processes.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLockFile, QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

LOCK_NAME = "window.lock"
# A second start waits this long for the first to answer (it may itself be starting).
ANSWER_TIMEOUT_MS = 10_000
_MAX_REQUEST = 64 * 1024


def server_name(folder: Path) -> str:
    """A short socket name unique to the folder and the user (Unix paths are limited)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    key = f"{user}\0{os.path.normcase(str(folder.resolve()))}"
    return "chatdesk-" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def window_request(args: Any) -> dict[str, Any]:
    """The window options of a start worth passing on (absent ones left out)."""
    request: dict[str, Any] = {}
    if getattr(args, "base_url", None):
        request["base_url"] = args.base_url
    if getattr(args, "provider", None):
        request["provider"] = args.provider
    if getattr(args, "models", None):
        request["models"] = list(args.models)
    if getattr(args, "compare", False):
        request["compare"] = True
    return request


class InstanceGuard(QObject):
    """The window lock and the server that later starts talk to.

    Call :meth:`acquire`; when it returns False another window owns the folder and
    :meth:`hand_over` passes this start's options to it. When it returns True, call
    :meth:`listen` and, once the window is wired, :meth:`set_handler`: requests that
    arrived before are delivered then.
    """

    def __init__(self, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.name = server_name(folder)
        self._lock = QLockFile(str(folder / LOCK_NAME))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone
        self._server: QLocalServer | None = None
        self._handler: Callable[[dict[str, Any]], None] | None = None
        self._pending: list[dict[str, Any]] = []
        self._buffers: dict[QLocalSocket, bytes] = {}

    # --- the first window --------------------------------------------------------------

    def acquire(self) -> bool:
        """Take the window lock; False when a live process holds it."""
        return bool(self._lock.tryLock(0))

    def listen(self) -> bool:
        """Accept later starts; False (logged) when the socket cannot be made."""
        QLocalServer.removeServer(self.name)  # a crashed window's leftover socket file
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("single instance: cannot listen on %s: %s", self.name, server.errorString())
            return False
        server.newConnection.connect(self._on_new_connection)
        self._server = server
        return True

    def set_handler(self, handler: Callable[[dict[str, Any]], None]) -> None:
        """Who applies a later start's options (the wired window); delivers queued ones."""
        self._handler = handler
        pending, self._pending = self._pending, []
        for request in pending:
            handler(request)

    def release(self) -> None:
        """Stop listening and drop the lock (the window closed)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()

    def _on_new_connection(self) -> None:
        assert self._server is not None
        while (sock := self._server.nextPendingConnection()) is not None:
            self._buffers[sock] = b""
            sock.readyRead.connect(lambda s=sock: self._on_ready_read(s))
            sock.disconnected.connect(lambda s=sock: self._forget(s))
            if sock.bytesAvailable():
                self._on_ready_read(sock)

    def _forget(self, sock: QLocalSocket) -> None:
        self._buffers.pop(sock, None)
        sock.deleteLater()

    def _on_ready_read(self, sock: QLocalSocket) -> None:
        if sock not in self._buffers:
            return
        data = self._buffers[sock] + bytes(sock.readAll().data())
        if b"\n" not in data and len(data) < _MAX_REQUEST:
            self._buffers[sock] = data
            return
        del self._buffers[sock]
        try:
            request = json.loads(data.split(b"\n", 1)[0].decode("utf-8"))
            if not isinstance(request, dict):
                raise ValueError("not an object")
        except ValueError:
            sock.write(b"error\n")
            sock.flush()
            sock.disconnectFromServer()
            return
        log.info("another start was passed to this window: options %s", sorted(request))
        if self._handler is None:
            self._pending.append(request)
        else:
            self._handler(request)
        sock.write(b"ok\n")
        sock.flush()
        sock.disconnectFromServer()

    # --- a later start -----------------------------------------------------------------

    def owner_pid(self) -> int | None:
        """The pid of the process holding the window lock, when Qt can tell."""
        info = self._lock.getLockInfo()
        if isinstance(info, tuple) and len(info) >= 2 and info[0]:
            return int(info[1])
        return None

    def hand_over(self, request: dict[str, Any], timeout_ms: int = ANSWER_TIMEOUT_MS) -> bool:
        """Send ``request`` to the running window; whether it answered ``ok`` in time."""
        import time

        deadline = time.monotonic() + timeout_ms / 1000
        payload = json.dumps(request).encode("utf-8") + b"\n"
        while True:
            sock = QLocalSocket()
            sock.connectToServer(self.name)
            if sock.waitForConnected(1000):
                sock.write(payload)
                sock.waitForBytesWritten(2000)
                answer = b""
                left = max(100, int((deadline - time.monotonic()) * 1000))
                while b"\n" not in answer and sock.waitForReadyRead(left):
                    answer += bytes(sock.readAll().data())
                sock.abort()
                return answer.startswith(b"ok")
            sock.abort()
            # The window may still be starting (lock taken, not yet listening).
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
