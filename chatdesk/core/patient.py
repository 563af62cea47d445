"""Saving a streaming answer when the database says "not now".

:class:`PatientStore` stands between an exchange and the :class:`~chatdesk.store.Store`.
A message update the database refuses for a moment (another process holds the write
lock for long, the disk is full) is kept in memory instead of raising, merged with
later updates of the same row, and written at the next chance, so the stream keeps
reading and nothing the server sent is lost. At the end :meth:`PatientStore.settle`
waits (with backoff) for the database; if it still refuses, the caller reports the
error with the whole text it has in memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from chatdesk.store import Store, StoreError

#: While streaming, a write waits this long for the lock before being kept for later:
#: a stream must not stall for the full busy timeout behind an import.
STREAM_WAIT_S = 0.2


class PatientStore:
    """The store seen by an exchange: updates never fail for busy or full databases."""

    def __init__(
        self,
        store: Store,
        *,
        sleep: Callable[[float], None] = time.sleep,
        stream_wait: float = STREAM_WAIT_S,
    ) -> None:
        self.store = store
        self._sleep = sleep
        self._stream_wait = stream_wait  # the window waits less: it must keep painting
        self._pending: dict[int, dict[str, Any]] = {}
        self.last_error: StoreError | None = None

    @property
    def unsaved(self) -> bool:
        """Are some updates still only in memory?"""
        return bool(self._pending)

    # -- what an exchange calls ---------------------------------------------------

    def add_message(self, conversation_id: int, role: str, content: str = "", **kw: Any) -> int:
        """A new row needs its id now: retried for a while, then the error is raised."""
        return self._with_retries(
            lambda: self.store.add_message(conversation_id, role, content, **kw), 5.0
        )

    def update_message(self, id: int, **fields: Any) -> None:
        """Record the update; write every kept update now if the database lets us."""
        self._pending.setdefault(id, {}).update(fields)
        self._write_pending(self._stream_wait)

    def update_conversation(self, id: int, **fields: Any) -> None:
        self.store.update_conversation(id, **fields)

    def get_image(self, hash: str) -> tuple[bytes, str] | None:
        return self.store.get_image(hash)

    # -- the end ------------------------------------------------------------------

    def settle(self, timeout: float = 30.0) -> StoreError | None:
        """Write what is kept, retrying with backoff for up to ``timeout`` seconds.

        ``None`` when everything is saved, else the database's last refusal.
        """
        deadline = time.monotonic() + timeout
        delay = 0.05
        tries = 0
        while self._pending:
            self._write_pending(min(2.0, max(0.0, deadline - time.monotonic())))
            tries += 1
            if not self._pending or time.monotonic() >= deadline:
                break
            error = self.last_error
            if error is not None and error.kind != "locked" and tries >= 3:
                break  # a full disk will not free itself in a second: report it
            self._sleep(delay)
            delay = min(delay * 2, 1.0)
        return self.last_error if self._pending else None

    def overlay(self, row: Any) -> Any:
        """A stored row with the updates still kept in memory applied (what to show)."""
        fields = self._pending.get(getattr(row, "id", -1))
        if not fields:
            return row
        import dataclasses

        known = {f.name for f in dataclasses.fields(row)}
        return dataclasses.replace(row, **{k: v for k, v in fields.items() if k in known})

    def get_message(self, id: int) -> Any:
        """The row as it will be once saved (the database's, plus what is kept)."""
        row = self.store.get_message(id)
        return self.overlay(row) if row is not None else None

    def try_write(self) -> bool:
        """One attempt without waiting (the window retries from a timer); True when saved."""
        self._write_pending(0.0)
        return not self._pending

    # -- internals ----------------------------------------------------------------

    def _write_pending(self, wait: float) -> None:
        if not self._pending:
            return
        try:
            with self.store.busy_timeout(wait):
                for id in sorted(self._pending):
                    self.store.update_message(id, **self._pending[id])
                    del self._pending[id]
        except StoreError as exc:  # busy, full, read-only...: keep it for later
            self.last_error = exc
        else:
            self.last_error = None

    def _with_retries(self, write: Callable[[], int], timeout: float) -> int:
        deadline = time.monotonic() + timeout
        delay = 0.05
        while True:
            try:
                return write()
            except StoreError as exc:
                if exc.kind != "locked" or time.monotonic() >= deadline:
                    raise
                self._sleep(delay)
                delay = min(delay * 2, 1.0)
