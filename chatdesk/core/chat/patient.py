"""Saving a streaming answer when the database says "not now".

:class:`PatientStore` stands between an exchange and the :class:`~chatdesk.store.Store`.
A message update the database refuses for a moment (another process holds the write
lock for long, the disk is full) is kept in memory instead of raising, merged with
later updates of the same row, and written at the next chance, so the stream keeps
reading and nothing the server sent is lost. At the end :meth:`PatientStore.settle`
waits (with backoff) for the database; if it still refuses, the caller reports the
error with the whole text it has in memory.

A large answer (see :mod:`chatdesk.core.chat.offloop`) is written on a thread of its own,
partial saves at most every few times as long as the last write took, the final save
at once; while such a write is under way, the other columns' writes go the same way
(after it), so the loop never waits for the lock that thread holds.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from chatdesk.core.chat import offloop
from chatdesk.store import Store, StoreError
from chatdesk.store.rows import MessageStatus

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
        # Off-loop writing (large answers): the job on the writer thread, what it is
        # writing now (still shown), and when a partial save of a large row may next go.
        self._path = offloop.file_path(store)
        self._lock = threading.Lock()
        self._job: Future[None] | None = None
        self._writing: dict[int, dict[str, Any]] = {}
        self._large = False
        self._next_large = 0.0

    @property
    def unsaved(self) -> bool:
        """Are some updates still only in memory?"""
        return bool(self._pending or self._writing or self._job is not None)

    # -- what an exchange calls ---------------------------------------------------

    def add_message(self, conversation_id: int, role: str, content: str = "", **kw: Any) -> int:
        """A new row needs its id now: retried for a while, then the error is raised."""
        return self._with_retries(
            lambda: self.store.add_message(conversation_id, role, content, **kw), 5.0
        )

    def update_message(self, id: int, **fields: Any) -> None:
        """Record the update; write every kept update now if the database lets us
        (on the writer thread for a large answer, without waiting for it)."""
        with self._lock:
            self._pending.setdefault(id, {}).update(fields)
            row = self._pending[id]
        if self._path is not None and fields.get("status") != MessageStatus.STREAMING:
            # (a row marked streaming names its writer: that stays this store)
            if not self._large and offloop.is_large(row):
                self._large = True
            if self._large:
                if "status" in fields or time.monotonic() >= self._next_large:
                    self._start_job()
                return
            if self._job is not None or offloop.busy(self._path):
                self._start_job()  # queued after the large write, not waiting for it
                return
        self._write_pending(self._stream_wait)

    async def drain(self) -> None:
        """Wait (without blocking the loop) until the writer thread is done with us."""
        while (job := self._job) is not None:
            await asyncio.wrap_future(job)

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
        while (job := self._job) is not None and time.monotonic() < deadline:
            try:
                job.result(timeout=max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                break
        delay = 0.05
        tries = 0
        while self._pending and self._job is None:
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
        id = getattr(row, "id", -1)
        with self._lock:
            fields = {**self._writing.get(id, {}), **self._pending.get(id, {})}
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
        if self._large and self._pending:
            self._start_job()
        else:
            self._write_pending(0.0)
        return not self.unsaved

    # -- internals ----------------------------------------------------------------

    def _start_job(self) -> None:
        """Have the writer thread save what is kept (one job at a time per store)."""
        assert self._path is not None
        with self._lock:
            if self._job is not None or not self._pending:
                return  # the running job looks again when it ends
            self._job = offloop.submit(self._path, self._job_body)

    def _job_body(self) -> None:
        """On the writer thread: write a snapshot of the kept updates."""
        assert self._path is not None
        with self._lock:
            batch, self._pending = self._pending, {}
            self._writing = batch
        began = time.monotonic()
        failed = False
        try:
            offloop.write_updates(self._path, batch)
        except StoreError as exc:  # busy, full...: keep it, newer updates on top
            failed = True
            self.last_error = exc
            with self._lock:
                for id, fields in batch.items():
                    self._pending[id] = {**fields, **self._pending.get(id, {})}
        else:
            self.last_error = None
        finally:
            took = time.monotonic() - began
            # A partial save of a large answer at most every 4x its write time: the
            # lock stays free most of the time for the other columns and processes.
            self._next_large = time.monotonic() + 4 * took
            with self._lock:
                self._writing = {}
                self._job = None
                final = any("status" in f for f in self._pending.values())
                if final and not failed:  # the end came while we wrote: write it now
                    self._job = offloop.submit(self._path, self._job_body)

    def _write_pending(self, wait: float) -> None:
        if not self._pending or self._job is not None:
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
