"""The stdio transport for MCP servers: bounded reading, a bounded stderr tail, no leftovers.

The SDK's own stdio transport reads whole lines (a 50 MB result was rebuilt on
every read: 19.9 s and 338 MB; a line that never ends grew without limit), keeps
stderr wherever it is told (a file that grew to 506 MB), and kills only the
server's process group (a helper that escaped into its own session outlived the
app). This one feeds the SDK's session the same streams, but:

- a message larger than ``max_bytes`` or nested deeper than ``max_depth`` is not
  parsed: the request it answers gets a clear error at once, the rest of the line
  is skipped (and a server that will not stop is disconnected);
- stderr goes through a pipe into a tail of fixed size;
- the server runs in a session of its own; its descendants are noted while it
  runs (Linux ``/proc``), and on close the group and every noted descendant that
  is still the same process are killed.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

MAX_MESSAGE_BYTES = 4 << 20
MAX_MESSAGE_DEPTH = 64
#: Past this much of one oversized line skipped, the server is disconnected.
MAX_SKIPPED_BYTES = 64 << 20
STDERR_TAIL_BYTES = 8_192
#: Time for the server to exit on its own once its stdin is closed.
EXIT_GRACE_S = 2.0
#: Time between SIGTERM and SIGKILL for what is left.
KILL_GRACE_S = 0.5
#: Descendants are looked up at most this often while messages arrive.
SCAN_INTERVAL_S = 0.5
_CHUNK = 1 << 16
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_ID = re.compile(rb'"id"\s*:\s*(-?\d{1,18}|"(?:[^"\\]|\\.){0,200}")')
#: Square and curly brackets alike become square ones; everything else goes.
_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
INTERNAL_ERROR = -32603


class StderrTail:
    """The last bytes a server wrote to stderr; memory stays fixed however much it writes."""

    def __init__(self, limit: int = STDERR_TAIL_BYTES) -> None:
        self.limit = limit
        self._data = bytearray()
        self.total = 0

    def feed(self, data: bytes) -> None:
        self.total += len(data)
        self._data += data[-self.limit :]
        if len(self._data) > self.limit:
            del self._data[: len(self._data) - self.limit]

    def text(self, chars: int) -> str:
        return self._data.decode("utf-8", "replace").strip()[-chars:]


def too_deep(line: bytes, limit: int = MAX_MESSAGE_DEPTH) -> bool:
    """Does the JSON in ``line`` nest deeper than ``limit``? (Without parsing it.)

    Strings are dropped, brackets kept, and innermost pairs removed one level per
    pass: linear per level, and a parser never recurses into a hostile document.
    """
    if line.count(b"[") + line.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", line).translate(_BRACKETS, _NOT_BRACKETS)
    for _ in range(limit):
        shorter = brackets.replace(b"[]", b"")
        if shorter == brackets:
            return False  # unbalanced: the parser will say what is wrong
        brackets = shorter
        if not brackets:
            return False
    return True


def _error_answer(request_id: Any, message: str) -> Any:
    from mcp.shared.message import SessionMessage
    from mcp_types import ErrorData, JSONRPCError

    error = ErrorData(code=INTERNAL_ERROR, message=message)
    return SessionMessage(JSONRPCError(jsonrpc="2.0", id=request_id, error=error))


def _id_in(prefix: bytes) -> Any:
    """The JSON-RPC id in the start of a message too large to parse, if it shows."""
    found = _ID.search(prefix)
    if found is None:
        return None
    with contextlib.suppress(ValueError):
        value = json.loads(found.group(1))
        return value if isinstance(value, int | str) else None
    return None


def _start_time(pid: int) -> str | None:
    """The kernel's start time of ``pid`` (tells a process from a later one with its id)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if len(fields) < 20 or fields[0] == b"Z":
        return None
    return fields[19].decode()


def descendants(root: int) -> dict[int, str]:
    """Every live process under ``root`` (Linux ``/proc``), with its start time."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return {}
    children: dict[int, list[int]] = {}
    starts: dict[int, str] = {}
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            ppid = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
        if fields[0] == b"Z" or len(fields) < 20:
            continue
        children.setdefault(ppid, []).append(int(entry))
        starts[int(entry)] = fields[19].decode()
    out: dict[int, str] = {}
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        if pid in out:
            continue
        out[pid] = starts[pid]
        todo.extend(children.get(pid, []))
    return out


def _signal_leftovers(group: int, tracked: dict[int, str], sig: int) -> bool:
    """Send ``sig`` to the server's group and to every noted descendant still alive.

    Returns whether anything was still there.
    """
    found = False
    own = os.getpgrp()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, sig)
        found = True
    for pid, start in tracked.items():
        if _start_time(pid) != start:
            continue  # gone, or the id now belongs to someone else
        found = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            pgid = os.getpgid(pid)
            if pgid == pid and pgid != own:
                os.killpg(pgid, sig)  # a helper that made a group of its own
            else:
                os.kill(pid, sig)
    return found


def kill_leftovers(group: int, tracked: dict[int, str]) -> None:
    """SIGTERM, a short wait, then SIGKILL for whatever of the server is left."""
    if not hasattr(os, "killpg"):
        return
    if not _signal_leftovers(group, tracked, signal.SIGTERM):
        return
    end = time.monotonic() + KILL_GRACE_S
    while time.monotonic() < end:
        if not any(_start_time(p) == s for p, s in tracked.items()) and not _group_alive(group):
            return
        time.sleep(0.02)
    _signal_leftovers(group, tracked, signal.SIGKILL)


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


class BoundedStdio:
    """One server process and the two streams the SDK's session reads and writes.

    Args:
        on_violation: told why the connection was cut (the manager reports it).
    """

    def __init__(
        self,
        command: str,
        args: list[str],
        env: dict[str, str] | None,
        cwd: str | None,
        *,
        tail: StderrTail,
        max_bytes: int = MAX_MESSAGE_BYTES,
        max_depth: int = MAX_MESSAGE_DEPTH,
        on_violation: Callable[[str], None] | None = None,
    ) -> None:
        self.command = command
        self.args = args
        self.env = env
        self.cwd = cwd
        self.tail = tail
        self.max_bytes = max_bytes
        self.max_depth = max_depth
        self.on_violation = on_violation or (lambda _why: None)
        self.tracked: dict[int, str] = {}
        self._last_scan = 0.0
        self.pid: int | None = None

    def _scan(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.pid is None or (not force and now - self._last_scan < SCAN_INTERVAL_S):
            return
        self._last_scan = now
        if sys.platform.startswith("linux"):
            self.tracked.update(descendants(self.pid))

    def _limit_text(self) -> str:
        size = self.max_bytes
        return f"{size >> 20} MB" if size >= 1 << 20 else f"{size:,} bytes"

    @contextlib.asynccontextmanager
    async def open(self) -> AsyncIterator[tuple[Any, Any]]:
        import anyio
        from mcp.client.stdio import get_default_environment
        from mcp.shared.message import SessionMessage

        process = await anyio.open_process(
            [self.command, *self.args],
            env=get_default_environment() | (self.env or {}),
            cwd=self.cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        self.pid = process.pid
        read_writer, read_stream = anyio.create_memory_object_stream[SessionMessage | Exception](0)
        write_stream, write_reader = anyio.create_memory_object_stream[SessionMessage](0)

        async def deliver(item: Any) -> bool:
            try:
                await read_writer.send(item)
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                return False
            return True

        async def line_read(line: bytes) -> bool:
            """Hand one complete line to the session; False when it is gone."""
            from mcp_types import jsonrpc_message_adapter

            self._scan()
            if not line.strip():
                return True
            if too_deep(line, self.max_depth):
                request_id = _id_in(line[:4096])
                why = (
                    f"the answer is nested more than {self.max_depth} levels deep; "
                    "ChatDesk did not read it"
                )
                if request_id is None:
                    return await deliver(ValueError(why))
                return await deliver(_error_answer(request_id, why))
            try:
                message = jsonrpc_message_adapter.validate_json(line, by_name=False)
            except ValueError as exc:
                return await deliver(exc)
            return await deliver(SessionMessage(message))

        async def stdout_reader() -> None:
            assert process.stdout is not None
            buffer = bytearray()
            skipping = 0  # bytes of an oversized line skipped so far (0: not skipping)
            async with read_writer:
                while True:
                    try:
                        chunk = await process.stdout.receive(_CHUNK)
                    except (anyio.EndOfStream, anyio.ClosedResourceError, OSError):
                        return
                    except anyio.BrokenResourceError:
                        return
                    while chunk:
                        newline = chunk.find(b"\n")
                        if skipping:
                            if newline < 0:
                                skipping += len(chunk)
                                if skipping > MAX_SKIPPED_BYTES:
                                    self.on_violation(
                                        f"the server sent a message of more than "
                                        f"{MAX_SKIPPED_BYTES >> 20} MB without an end; "
                                        "ChatDesk disconnected it"
                                    )
                                    return
                                break
                            skipping, chunk = 0, chunk[newline + 1 :]
                            continue
                        part, chunk = (
                            (chunk, b"") if newline < 0 else (chunk[:newline], chunk[newline + 1 :])
                        )
                        if len(buffer) + len(part) > self.max_bytes:
                            prefix = bytes(buffer[:4096]) + part[:4096]
                            if not await oversized(prefix):
                                return
                            buffer.clear()
                            skipping = max(1, len(part)) if newline < 0 else 0
                            continue
                        buffer += part
                        if newline >= 0:
                            line = bytes(buffer)
                            buffer.clear()
                            if not await line_read(line):
                                return

        async def oversized(prefix: bytes) -> bool:
            """Answer the request a too-large message is for; False: disconnect instead."""
            limit = self._limit_text()
            request_id = _id_in(prefix)
            if request_id is None:
                self.on_violation(f"the server sent a message larger than {limit}")
                return False
            why = f"the answer is larger than {limit}; ChatDesk stopped reading it"
            return await deliver(_error_answer(request_id, why))

        writer_done = anyio.Event()

        async def stdin_writer() -> None:
            assert process.stdin is not None
            try:
                async with write_reader:
                    async for message in write_reader:
                        text = message.message.model_dump_json(by_alias=True, exclude_unset=True)
                        await process.stdin.send((text + "\n").encode("utf-8", "replace"))
            except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
                await read_writer.aclose()  # the session sees the end instead of waiting
            finally:
                writer_done.set()

        async def stderr_reader() -> None:
            assert process.stderr is not None
            with contextlib.suppress(
                anyio.EndOfStream, anyio.ClosedResourceError, anyio.BrokenResourceError, OSError
            ):
                while True:
                    self.tail.feed(await process.stderr.receive(_CHUNK))

        async with anyio.create_task_group() as tg:
            tg.start_soon(stdout_reader)
            tg.start_soon(stdin_writer)
            tg.start_soon(stderr_reader)
            try:
                yield read_stream, write_stream
            finally:
                with anyio.CancelScope(shield=True):
                    self._scan(force=True)  # before stdin closes: helpers still have parents
                    read_stream.close()
                    write_stream.close()
                    with anyio.move_on_after(0.5):
                        await writer_done.wait()
                    await self._stop(process)
                tg.cancel_scope.cancel()

    async def _stop(self, process: Any) -> None:
        """Close stdin, give the server its grace, then kill what is left of it."""
        import anyio

        assert self.pid is not None
        with contextlib.suppress(Exception):
            await process.stdin.aclose()
        end = anyio.current_time() + EXIT_GRACE_S
        while process.returncode is None and anyio.current_time() < end:
            await anyio.sleep(0.02)
        await anyio.to_thread.run_sync(kill_leftovers, self.pid, dict(self.tracked))
        with anyio.move_on_after(2.0):
            while process.returncode is None:
                await anyio.sleep(0.02)
        for pipe in (process.stdout, process.stderr):
            with contextlib.suppress(Exception):
                await pipe.aclose()
        transport = getattr(getattr(process, "_process", None), "_transport", None)
        close = getattr(transport, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):
                close()
