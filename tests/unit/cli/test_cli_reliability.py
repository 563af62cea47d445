"""Reliability of the command line under concurrency, hostile input and odd
environments: real ``chatdesk`` processes, a real SQLite file, the fake server."""

from __future__ import annotations

import json
import os
import sqlite3
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


# -- 2. long writers leave room; readers never need the write lock ---------------------


def hold_write_lock(home: Path) -> sqlite3.Connection:
    """Another program takes the write lock of the history (and keeps it)."""
    conn = sqlite3.connect(home / "history.sqlite3", isolation_level=None, timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    return conn


def test_reading_commands_work_while_another_process_holds_the_write_lock(
    chatdesk_home: Path,
) -> None:
    assert chatdesk(chatdesk_home, "keys", "status").returncode == 0  # create, migrate, seed
    writer = hold_write_lock(chatdesk_home)
    try:
        for argv in (("history", "list"), ("history", "search", "x"), ("keys", "status")):
            done = chatdesk(chatdesk_home, *argv)
            assert done.returncode == 0, (argv, done.stderr)
    finally:
        writer.rollback()
        writer.close()


def test_answer_kept_in_memory_while_the_database_is_locked_then_saved(
    server: FakeServer, chatdesk_home: Path
) -> None:
    server.script(Reply(text=SLOW, chunk_chars=5, delay_s=0.01))
    asker = start(chatdesk_home, "ask", "--base-url", server.base_url, "-m", "m", "Go")
    try:
        wait_for(lambda: bool(streaming_rows(chatdesk_home)), "the answer starts streaming")
        writer = hold_write_lock(chatdesk_home)
        # Longer than SQLite's busy timeout (5 s), past the end of the stream.
        time.sleep(6.0)
        assert asker.poll() is None  # still waiting to save, not given up
        writer.rollback()
        writer.close()
        out, err = asker.communicate(timeout=60)
    finally:
        asker.kill()
    assert asker.returncode == 0, err
    assert out.decode() == SLOW + "\n"
    assert last_answer(chatdesk_home) == (SLOW, "done")


def test_big_import_commits_in_parts_so_others_keep_working(
    server: FakeServer, chatdesk_home: Path, tmp_path: Path
) -> None:
    from tests.benchmarks.bench_import import make_export

    export = tmp_path / "conversations.json"
    export.write_text(json.dumps(make_export(1500, 20)), encoding="utf-8")
    assert chatdesk(chatdesk_home, "history", "list").returncode == 0
    server.script(Reply(text="short answer"))
    importer = start(chatdesk_home, "import", str(export))
    seen: set[int] = set()
    asked = listed = None
    try:
        while importer.poll() is None:
            with Store(chatdesk_home / "history.sqlite3", readonly=True) as s:
                seen.add(s.count_conversations())
            if asked is None and 0 < max(seen):
                listed = chatdesk(chatdesk_home, "history", "list", "--limit", "1")
                asked = chatdesk(
                    chatdesk_home, "ask", "--base-url", server.base_url, "-m", "m", "Hi"
                )
        out, err = importer.communicate(timeout=120)
    finally:
        importer.kill()
    assert importer.returncode == 0, err
    assert b"added 1500 conversations" in out
    assert any(0 < n < 1500 for n in seen), sorted(seen)  # visible in parts
    assert listed is not None and listed.returncode == 0, listed.stderr
    assert asked is not None and asked.returncode == 0, asked.stderr
    assert asked.stdout == "short answer\n"
