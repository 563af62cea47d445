"""One window per data folder: a second start hands its arguments to the running one.

Two parts, both keyed by the data folder:

* a :class:`QLockFile` (``window.lock`` in the data folder) says whether a window is
  open on this history. Qt removes a lock whose process is gone (a crash, a kill), so
  a stale file never blocks a start. Taking it is atomic, so two starts at the same
  moment cannot both win;
* a local socket (name derived from the folder's path and the user) over which a later
  start sends its window options as one JSON line; the running window raises itself,
  applies them, and answers ``ok``. On POSIX it is a plain Unix socket watched by a
  :class:`QSocketNotifier` (QtNetwork would cost 3 MiB of every window's memory for
  this one message); elsewhere Qt's :class:`QLocalServer` (a Windows named pipe).

The CLI subcommands (``ask``, ``history`` ...) never take part: they keep working
beside an open window, as the database allows several processes.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLockFile, QObject, QSocketNotifier

if TYPE_CHECKING:
    import socket

log = logging.getLogger(__name__)

LOCK_NAME = "window.lock"
# A second start waits this long for the first to answer (it may itself be starting).
ANSWER_TIMEOUT_MS = 10_000
_MAX_REQUEST = 64 * 1024


def _posix() -> bool:
    """Unix sockets where the platform has them (Linux, macOS); Qt's local server elsewhere.

    Asked when listening or handing over, not at import: the window takes its lock
    before the first paint and listens after it, so socket (and hashlib, for the name)
    load after the first paint too.
    """
    import socket

    return os.name == "posix" and hasattr(socket, "AF_UNIX")


def socket_path(name: str) -> Path:
    """Where the Unix socket of ``name`` lives (the temp folder, as QLocalServer does)."""
    return Path(tempfile.gettempdir()) / name


def server_name(folder: Path) -> str:
    """A short socket name unique to the folder and the user (Unix paths are limited)."""
    import getpass
    import hashlib

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
        self._name: str | None = None  # see name
        self._lock = QLockFile(str(folder / LOCK_NAME))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone
        self._handler: Callable[[dict[str, Any]], None] | None = None
        self._pending: list[dict[str, Any]] = []
        # POSIX: the listening socket and, per connection, (socket, notifier, bytes so far).
        self._listener: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._conns: dict[int, list[Any]] = {}
        self._qt_server: Any = None  # QLocalServer elsewhere
        self._buffers: dict[Any, bytes] = {}

    @property
    def name(self) -> str:
        """The socket name (worked out on first use: taking the lock does not need it)."""
        if self._name is None:
            self._name = server_name(self.folder)
        return self._name

    # --- the first window --------------------------------------------------------------

    def acquire(self) -> bool:
        """Take the window lock; False when a live process holds it."""
        return bool(self._lock.tryLock(0))

    def listen(self) -> bool:
        """Accept later starts; False (logged) when the socket cannot be made."""
        if not _posix():
            return self._listen_qt()
        import socket

        path = socket_path(self.name)
        try:
            path.unlink(missing_ok=True)  # a crashed window's leftover socket file
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            old = os.umask(0o177)  # only this user may connect
            try:
                sock.bind(str(path))
            finally:
                os.umask(old)
            sock.listen(8)
            sock.setblocking(False)
        except OSError as exc:
            log.warning("single instance: cannot listen on %s: %s", path, exc)
            return False
        notifier = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Read, self)
        notifier.activated.connect(self._on_accept)
        self._listener, self._notifier = sock, notifier
        return True

    def set_handler(self, handler: Callable[[dict[str, Any]], None]) -> None:
        """Who applies a later start's options (the wired window); delivers queued ones."""
        self._handler = handler
        pending, self._pending = self._pending, []
        for request in pending:
            handler(request)

    def release(self) -> None:
        """Stop listening and drop the lock (the window closed)."""
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier = None
        for conn, notifier, _data in list(self._conns.values()):
            notifier.setEnabled(False)
            conn.close()
        self._conns.clear()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
            socket_path(self.name).unlink(missing_ok=True)
        if self._qt_server is not None:
            self._qt_server.close()
            self._qt_server = None
        self._lock.unlock()

    def _on_accept(self, *_args: object) -> None:
        assert self._listener is not None
        while True:
            try:
                conn, _addr = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            conn.setblocking(False)
            notifier = QSocketNotifier(conn.fileno(), QSocketNotifier.Type.Read, self)
            notifier.activated.connect(lambda *_a, c=conn: self._on_data(c))
            self._conns[conn.fileno()] = [conn, notifier, b""]

    def _on_data(self, conn: socket.socket) -> None:
        entry = self._conns.get(conn.fileno())
        if entry is None or entry[0] is not conn:
            return
        try:
            chunk = conn.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        data = entry[2] + chunk
        if chunk and b"\n" not in data and len(data) < _MAX_REQUEST:
            entry[2] = data
            return
        if data.strip():
            reply = self._handle(data)
            try:
                conn.setblocking(True)
                conn.settimeout(1.0)
                conn.sendall(reply)
            except OSError:
                pass  # the other start gave up waiting
        self._close(conn)

    def _close(self, conn: socket.socket) -> None:
        entry = self._conns.pop(conn.fileno(), None)
        if entry is not None:
            entry[1].setEnabled(False)
            entry[1].deleteLater()
        conn.close()

    def _handle(self, data: bytes) -> bytes:
        try:
            request = json.loads(data.split(b"\n", 1)[0].decode("utf-8"))
            if not isinstance(request, dict):
                raise ValueError("not an object")
        except ValueError:
            return b"error\n"
        log.info("another start was passed to this window: options %s", sorted(request))
        if self._handler is None:
            self._pending.append(request)
        else:
            self._handler(request)
        return b"ok\n"

    # --- Qt's local server (platforms without Unix sockets) -----------------------------

    def _listen_qt(self) -> bool:
        from PySide6.QtNetwork import QLocalServer

        QLocalServer.removeServer(self.name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("single instance: cannot listen on %s: %s", self.name, server.errorString())
            return False
        server.newConnection.connect(self._on_qt_connection)
        self._qt_server = server
        return True

    def _on_qt_connection(self) -> None:
        server = self._qt_server
        while server is not None and (sock := server.nextPendingConnection()) is not None:
            self._buffers[sock] = b""
            sock.readyRead.connect(lambda s=sock: self._on_qt_ready_read(s))
            sock.disconnected.connect(lambda s=sock: self._buffers.pop(s, None))
            if sock.bytesAvailable():
                self._on_qt_ready_read(sock)

    def _on_qt_ready_read(self, sock: Any) -> None:
        if sock not in self._buffers:
            return
        data = self._buffers[sock] + bytes(sock.readAll().data())
        if b"\n" not in data and len(data) < _MAX_REQUEST:
            self._buffers[sock] = data
            return
        del self._buffers[sock]
        sock.write(self._handle(data))
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
        deadline = time.monotonic() + timeout_ms / 1000
        payload = json.dumps(request).encode("utf-8") + b"\n"
        while True:
            answered = (
                self._hand_over_posix(payload, deadline)
                if _posix()
                else self._hand_over_qt(payload, deadline)
            )
            if answered is not None:
                return answered
            # The window may still be starting (lock taken, not yet listening).
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)

    def _hand_over_posix(self, payload: bytes, deadline: float) -> bool | None:
        """True/False: the window's answer; None: no window listening (yet)."""
        import socket

        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(1.0)
            try:
                sock.connect(str(socket_path(self.name)))
            except OSError:
                return None
            sock.sendall(payload)
            answer = b""
            while b"\n" not in answer:
                sock.settimeout(max(0.1, deadline - time.monotonic()))
                try:
                    chunk = sock.recv(1024)
                except OSError:
                    break
                if not chunk:
                    break
                answer += chunk
            return answer.startswith(b"ok")
        finally:
            sock.close()

    def _hand_over_qt(self, payload: bytes, deadline: float) -> bool | None:
        from PySide6.QtNetwork import QLocalSocket

        sock = QLocalSocket()
        sock.connectToServer(self.name)
        if not sock.waitForConnected(1000):
            sock.abort()
            return None
        sock.write(payload)
        sock.waitForBytesWritten(2000)
        answer = b""
        left = max(100, int((deadline - time.monotonic()) * 1000))
        while b"\n" not in answer and sock.waitForReadyRead(left):
            answer += bytes(sock.readAll().data())
        sock.abort()
        return answer.startswith(b"ok")
