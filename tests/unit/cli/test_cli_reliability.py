"""Reliability of the command line under concurrency, hostile input and odd
environments: real ``chatdesk`` processes, a real SQLite file, the fake server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from chatdesk.store import Store
from tests.fakeserver import FakeServer, Reply

KEY = "sk-test-reliability-0123456789"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def server() -> FakeServer:
    with FakeServer(api_key=KEY) as srv:
        yield srv


def env_for(home: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("OPENAI_API_KEY", None)
    env["CHATDESK_HOME"] = str(home)
    env["CHATDESK_API_KEY"] = KEY
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def chatdesk(
    home: Path, *argv: str, stdin: str | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chatdesk", *argv],
        env=env_for(home, **extra),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def start(home: Path, *argv: str, **kw: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "chatdesk", *argv],
        env=env_for(home),
        stdout=kw.get("stdout", subprocess.PIPE),
        stderr=subprocess.PIPE,
    )


def wait_for(check: Callable[[], bool], what: str, limit: float = 60.0) -> None:
    """Poll until ``check()`` holds (a liveness wait, not a timing assertion)."""
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.02)


def streaming_rows(home: Path) -> list[int]:
    path = home / "history.sqlite3"
    if not path.exists():
        return []
    try:
        with Store(path, readonly=True) as s:
            rows = s.conn.execute("SELECT id FROM messages WHERE status = 'streaming'")
            return [r[0] for r in rows]
    except Exception:  # the file is being created and migrated
        return []


def last_answer(home: Path) -> tuple[str, str]:
    with Store(home / "history.sqlite3", readonly=True) as s:
        row = s.conn.execute(
            "SELECT content, status FROM messages WHERE role = 'assistant' ORDER BY id DESC"
        ).fetchone()
    return row[0], row[1]


SLOW = "word " * 300  # ~3 s at 5 characters per 10 ms


# -- 1. restore never pulls the database out from under a live process ----------------


def test_restore_refused_while_another_process_streams(
    server: FakeServer, chatdesk_home: Path
) -> None:
    assert chatdesk(chatdesk_home, "history", "list").returncode == 0
    made = chatdesk(chatdesk_home, "backup", "--json")
    assert made.returncode == 0, made.stderr
    backup = json.loads(made.stdout)["backup"]
    server.script(Reply(text=SLOW, chunk_chars=5, delay_s=0.01))
    asker = start(chatdesk_home, "ask", "--base-url", server.base_url, "-m", "m", "Go")
    try:
        wait_for(lambda: bool(streaming_rows(chatdesk_home)), "the answer starts streaming")
        refused = chatdesk(chatdesk_home, "backup", "--restore", backup)
        assert refused.returncode == 1
        assert f"pid {asker.pid}" in refused.stderr and "Nothing was changed" in refused.stderr
        assert "Traceback" not in refused.stderr
        out, err = asker.communicate(timeout=60)
    finally:
        asker.kill()
    assert asker.returncode == 0, err
    assert out.decode() == SLOW + "\n"
    assert last_answer(chatdesk_home) == (SLOW, "done")  # saved in the live history
    assert not list(chatdesk_home.glob("history.sqlite3.before-restore*"))


def test_each_restore_keeps_its_own_before_restore_copy(chatdesk_home: Path) -> None:
    made = chatdesk(chatdesk_home, "backup", "--json")
    backup = json.loads(made.stdout)["backup"]
    kept: list[str] = []
    for title in ("first", "second"):
        with Store(chatdesk_home / "history.sqlite3") as s:
            s.create_conversation(title)
        done = chatdesk(chatdesk_home, "backup", "--restore", backup, "--json")
        assert done.returncode == 0, done.stderr
        kept.append(json.loads(done.stdout)["previous"])
    assert len(set(kept)) == 2  # two restores in the same second: two copies
    for path, title in zip(kept, ("first", "second"), strict=True):
        with Store(path, readonly=True) as old:
            assert [c.title for c in old.list_conversations()] == [title]


# -- 3. only answers whose process is gone become "interrupted" ------------------------


def test_other_process_starting_leaves_a_live_answer_streaming(
    server: FakeServer, chatdesk_home: Path
) -> None:
    server.script(Reply(text=SLOW, chunk_chars=5, delay_s=0.01))
    asker = start(chatdesk_home, "ask", "--base-url", server.base_url, "-m", "m", "Go")
    try:
        wait_for(lambda: bool(streaming_rows(chatdesk_home)), "the answer starts streaming")
        (row,) = streaming_rows(chatdesk_home)
        other = chatdesk(chatdesk_home, "keys", "status")  # opens the store: marks orphans
        assert other.returncode == 0, other.stderr
        assert streaming_rows(chatdesk_home) == [row]  # still the live writer's
        out, err = asker.communicate(timeout=60)
    finally:
        asker.kill()
    assert asker.returncode == 0, err
    assert last_answer(chatdesk_home) == (SLOW, "done")
