"""Tool approval on a real terminal: ``ask --mcp`` run with a pseudo-terminal as its
controlling terminal (python's ``pty``), the question answered by typing into it."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chatdesk.cli.terminal import visible
from tests.fakeserver import FakeServer, Reply
from tests.unit.cli.test_cli_reliability import KEY, chatdesk, env_for

# Runs the command as the leader of a new session that opens the pty first: the pty
# becomes its controlling terminal, so /dev/tty is the pty (stdin stays /dev/null).
LAUNCHER = "import os, sys; os.open(sys.argv[1], os.O_RDWR); os.execv(sys.argv[2], sys.argv[2:])"
QUESTION = b"[y]es / [a]lways / [N]o: "


@pytest.fixture
def server() -> FakeServer:
    with FakeServer(api_key=KEY) as srv:
        yield srv


def read_until(
    fd: int, needle: bytes, seen: bytearray, proc: subprocess.Popen[bytes], limit: float = 60.0
) -> None:
    """Read the pty until ``needle`` shows (a liveness wait, not a timing assertion)."""
    deadline = time.monotonic() + limit
    while needle not in seen:
        if time.monotonic() > deadline or proc.poll() is not None:
            raise AssertionError(f"never shown on the terminal: {needle!r}; got {bytes(seen)!r}")
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            seen += os.read(fd, 4096)


def ask_on_a_pty(home: Path, answer: bytes, *argv: str) -> tuple[int, str, str, bytes]:
    """Run ``chatdesk *argv`` on a new pty, type ``answer`` at the question; (exit status,
    stdout, stderr, what the terminal showed)."""
    master, slave = os.openpty()  # the slave stays open here: no hang-up while it starts
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, os.ttyname(slave), sys.executable]
            + ["-m", "chatdesk", *argv],
            env=env_for(home),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        seen = bytearray()
        try:
            read_until(master, QUESTION, seen, proc)
            os.write(master, answer)
            out, err = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:  # a failed wait: do not leave it running
                proc.kill()
                proc.communicate()
        return proc.returncode, out.decode(), err.decode(), bytes(seen)
    finally:
        os.close(master)
        os.close(slave)


def tool_call(arguments: str) -> Reply:
    call = {"id": "c1", "name": "time__get_current_time", "arguments": arguments}
    return Reply(text="", tool_calls=[call], finish_reason="tool_calls")


def test_approval_is_asked_on_the_terminal(server: FakeServer, chatdesk_home: Path) -> None:
    added = chatdesk(
        chatdesk_home, "mcp", "add", "time", "--", sys.executable, "-m", "mcp_server_time"
    )
    assert added.returncode == 0, added.stderr
    # Line breaks in the arguments (JSON whitespace) would push the question around.
    server.script(tool_call('{"timezone":\r\n\n"Asia/Tokyo"}'), Reply(text="Morning in Tokyo."))
    code, out, err, shown = ask_on_a_pty(
        chatdesk_home, b"y\n", "ask", "--json", "--mcp", "time", "--base-url", server.base_url,
        "-m", "gpt-4o", "Time in Tokyo?",
    )  # fmt: skip
    assert code == 0, err
    assert "no terminal to ask on" not in err
    assert b'Run time.get_current_time({"timezone":\\r\\n\\n"Asia/Tokyo"})? ' in shown
    data = json.loads(out)
    (run,) = data["tool_runs"]
    assert run["error"] is None and "Asia/Tokyo" in run["result"]
    assert data["choices"][0]["content"] == "Morning in Tokyo."


def test_a_no_on_the_terminal_denies(server: FakeServer, chatdesk_home: Path) -> None:
    added = chatdesk(
        chatdesk_home, "mcp", "add", "time", "--", sys.executable, "-m", "mcp_server_time"
    )
    assert added.returncode == 0, added.stderr
    server.script(tool_call('{"timezone": "UTC"}'), Reply(text="Not allowed."))
    code, out, err, _ = ask_on_a_pty(
        chatdesk_home, b"n\n", "ask", "--mcp", "time", "--base-url", server.base_url,
        "-m", "gpt-4o", "Time?",
    )  # fmt: skip
    assert code == 0, err
    assert "the user denied this tool call" in err and "no terminal" not in err
    assert out.strip() == "Not allowed."


def test_arguments_are_shown_on_one_line_with_controls_escaped() -> None:
    text = '{"a": "x\u202eyz", "b":\n\t"\x1b[2J\x07"}'
    shown = visible(text)
    assert shown == '{"a": "x\\u202eyz", "b":\\n\\t"\\x1b[2J\\x07"}'
    assert all(ch.isprintable() for ch in shown)
    assert visible("é 世界 👋") == "é 世界 👋"
    long = visible("x" * 2100)
    assert long.startswith("x" * 2000) and long.endswith("(100 more characters)")
