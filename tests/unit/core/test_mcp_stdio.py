"""The bounded stdio transport against real servers: tests/mcpraw.py (ours, hostile on
purpose, written without the SDK) and the reference mcp-server-time."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.core.tools.mcpconfig import ServerConfig
from chatdesk.core.tools.mcpmanager import McpManager, ServerState
from chatdesk.core.tools.mcpstdio import StderrTail, too_deep
from tests.mcpservers import ROOT, alive, time_server

RAW = str(ROOT / "tests" / "mcpraw.py")


def raw_server(*args: str, name: str = "raw", timeout_s: float = 20.0) -> ServerConfig:
    return ServerConfig(name, command=sys.executable, args=[RAW, *args], timeout_s=timeout_s)


def manager(*configs: ServerConfig) -> McpManager:
    by_name = {c.name: c for c in configs}
    return McpManager(by_name.get, start_timeout=30)


@pytest.fixture
def pidfile(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "helper.pid"
    yield path
    if path.exists():  # never leave a helper behind, even when the test failed
        pid = int(path.read_text())
        if alive(pid):
            os.kill(pid, 9)


def deleted_files_open() -> int:
    """How many of this process's descriptors point to deleted files."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}").endswith("(deleted)")
        except OSError:
            continue
    return count


@pytest.mark.asyncio
async def test_a_helper_in_its_own_session_ends_with_the_manager(pidfile: Path) -> None:
    mgr = manager(raw_server("--helper", str(pidfile)), time_server())
    try:
        statuses = await mgr.ensure_all(["raw", "time"])
        assert [s.state for s in statuses] == [ServerState.READY, ServerState.READY]
        helper = int(pidfile.read_text())
        assert alive(helper) and os.getsid(helper) == helper  # escaped into its own session
        assert (await mgr.call("raw", "echo", {"text": "hi"})).text == "echo: hi"
    finally:
        await mgr.aclose()
    assert not alive(helper)


def test_a_helper_ends_when_the_manager_closes_without_a_loop(pidfile: Path) -> None:
    mgr = manager(raw_server("--helper", str(pidfile)))

    async def start() -> None:
        assert (await mgr.ensure("raw")).state is ServerState.READY

    asyncio.run(start())
    helper = int(pidfile.read_text())
    assert alive(helper)
    mgr.close()
    assert not alive(helper)


@pytest.mark.asyncio
async def test_stderr_keeps_a_bounded_tail_and_no_hidden_file() -> None:
    before = deleted_files_open()
    mgr = manager(raw_server("--stderr-mb", "20"))
    try:
        assert (await mgr.ensure("raw")).state is ServerState.READY
        assert deleted_files_open() == before  # no invisible temporary file growing
        conn = mgr._conns["raw"]
        tail = conn.stderr_tail()
        assert tail.endswith("last words") and len(tail) <= 2_000
        assert conn.stderr.total > 20_000_000  # all of it went by; the tail is what stayed
    finally:
        await mgr.aclose()


def test_stderr_tail_is_fixed_in_size() -> None:
    tail = StderrTail(100)
    for n in range(1000):
        tail.feed(f"line {n}\n".encode() * 7)
    assert len(tail._data) == 100 and tail.text(2000).endswith("line 999")


@pytest.mark.asyncio
async def test_large_endless_and_deep_results_are_refused_while_reading() -> None:
    mgr = manager(raw_server(timeout_s=15))
    try:
        assert (await mgr.ensure("raw")).state is ServerState.READY
        big = await mgr.call("raw", "big", {"mb": 50})
        assert "larger than 4 MB" in (big.error or "")
        deep = await mgr.call("raw", "deep", {"levels": 250})
        assert "nested more than 64 levels" in (deep.error or "")
        # The connection is still good after both.
        assert (await mgr.call("raw", "echo", {"text": "still here"})).text == "echo: still here"
        late = await mgr.call("raw", "late_id", {})
        assert "larger than 4 MB" in (late.error or "")
        # A message whose request cannot be told is cut with the connection; the
        # next use starts the server again.
        assert (await mgr.ensure("raw")).state is ServerState.READY
        assert (await mgr.call("raw", "echo", {"text": "again"})).text == "echo: again"
        # A line that never ends: answered at once, and the server is cut off
        # once it has sent 64 MB more (memory stays bounded all along).
        endless = await mgr.call("raw", "endless", {})
        assert "larger than 4 MB" in (endless.error or "")
    finally:
        await mgr.aclose()


def test_depth_is_measured_without_parsing() -> None:
    assert not too_deep(b'{"a": [1, {"b": "[[[[[[[[[[[[[["}]}', 3)
    assert too_deep(b'{"a": [[{"b": 1}]]}', 3)
    assert not too_deep(b'{"a": [[{"b": 1}]]}', 4)
    assert too_deep(b"[" * 250 + b"1" + b"]" * 250, 64)
    assert not too_deep(b'{"s": "\\"[[[[", "t": [1]}', 2)
