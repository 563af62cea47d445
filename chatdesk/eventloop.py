"""The Qt event loop that runs asyncio (qasync), with asyncio's async-generator hooks
and one socket notifier per socket.

WORKAROUND: qasync's ``run_forever`` does not install the async-generator hooks that
asyncio's own loops install. Without them, an async generator left suspended (httpx
and httpcore leave one behind whenever a response is closed before its end, e.g. on
Stop) is finalised by the garbage collector outside the loop: its cleanup awaits,
fails with "no running event loop", and Python reports "async generator ignored
GeneratorExit". With the hooks, the loop closes such generators itself, as a task.

Socket watching: anyio (under httpx) stops and resumes reading around every receive,
and qasync made a new ``QSocketNotifier`` (with a new connection) for each resume, then
ran the callback one Qt timer later. A stream at 100-500 tokens per second does that
for every token: the loop cost more CPU than the client itself (four columns of 1,000
tokens at 500 tokens/s: 0.9 s against 0.53 s on asyncio's own loop). Here a socket
keeps one notifier, switched on and off, and its callback runs when the notifier
fires (0.7 s), as asyncio's selector loop runs a ready socket's callback.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any

import qasync
from PySide6.QtCore import QSocketNotifier

_READ, _WRITE = 0, 1


def _fileno(fd: Any) -> int:
    return fd if isinstance(fd, int) else int(fd.fileno())


class _Watch:
    """One socket and direction: its notifier and the callback to run (None: off)."""

    __slots__ = ("handle", "notifier")

    def __init__(self, notifier: QSocketNotifier) -> None:
        self.notifier = notifier
        self.handle: asyncio.Handle | None = None

    def ready(self, *_: object) -> None:
        handle = self.handle
        if handle is None or handle.cancelled():
            self.handle = None
            self.notifier.setEnabled(False)
            return
        handle._run()  # errors go to the loop's exception handler, as in asyncio


class EventLoop(qasync.QEventLoop):
    """qasync's loop, closing abandoned async generators inside the loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Before qasync's __init__: asyncio registers its self-pipe reader in there.
        self._watches: dict[tuple[int, int], _Watch] = {}
        super().__init__(*args, **kwargs)
        self.install_asyncgen_hooks()

    def install_asyncgen_hooks(self) -> None:
        """Route async-generator finalisation to this loop (the thread's loop from now)."""
        sys.set_asyncgen_hooks(
            firstiter=self._asyncgen_firstiter_hook,
            finalizer=self._asyncgen_finalizer_hook,
        )

    # -- sockets: one notifier each, switched on and off (see the module's docstring)
    def _watch(self, fd: Any, kind: int, callback: Callable[..., Any], args: Any) -> None:
        self._check_closed()
        key = (_fileno(fd), kind)
        watch = self._watches.get(key)
        if watch is None:
            type_ = QSocketNotifier.Type.Read if kind == _READ else QSocketNotifier.Type.Write
            watch = _Watch(QSocketNotifier(key[0], type_))
            watch.notifier.activated.connect(watch.ready)
            self._watches[key] = watch
        watch.handle = asyncio.Handle(callback, args, self)
        watch.notifier.setEnabled(True)

    def _unwatch(self, fd: Any, kind: int) -> bool:
        if self.is_closed():
            return False
        watch = self._watches.get((_fileno(fd), kind))
        if watch is None or watch.handle is None:
            return False
        watch.handle = None
        watch.notifier.setEnabled(False)
        return True

    def _add_reader(self, fd: Any, callback: Callable[..., Any], *args: Any) -> None:
        self._watch(fd, _READ, callback, args)

    def _remove_reader(self, fd: Any) -> bool:
        return self._unwatch(fd, _READ)

    def _add_writer(self, fd: Any, callback: Callable[..., Any], *args: Any) -> None:
        self._watch(fd, _WRITE, callback, args)

    def _remove_writer(self, fd: Any) -> bool:
        return self._unwatch(fd, _WRITE)

    def close(self) -> None:
        hooks = sys.get_asyncgen_hooks()
        if getattr(hooks.finalizer, "__self__", None) is self:
            sys.set_asyncgen_hooks(firstiter=None, finalizer=None)
        super().close()
        for watch in self._watches.values():
            watch.handle = None
            watch.notifier.setEnabled(False)
        self._watches.clear()
