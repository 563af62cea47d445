"""Reliability of the command line under concurrency, hostile input and odd
environments: real ``chatdesk`` processes, a real SQLite file, the fake server."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
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


# -- 4. a closed or full stdout, Ctrl-C, a full disk ------------------------------------


def test_closed_pipe_stops_printing_not_the_answer(server: FakeServer, chatdesk_home: Path) -> None:
    server.script(Reply(text=SLOW, chunk_chars=5, delay_s=0.002))
    asker = start(chatdesk_home, "ask", "--base-url", server.base_url, "-m", "m", "Go")
    assert asker.stdout is not None
    head = asker.stdout.read(100)  # `| head -c 100`
    asker.stdout.close()
    _, err = asker.communicate(timeout=60)
    assert head == SLOW.encode()[:100]
    assert asker.returncode == 141  # 128 + SIGPIPE, quietly
    assert err == b""
    assert last_answer(chatdesk_home) == (SLOW, "done")


def test_stdout_on_a_full_device_is_one_line(server: FakeServer, chatdesk_home: Path) -> None:
    server.script(Reply(text="all of it"))
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "chatdesk", "ask", "--base-url", server.base_url, "-mm", "Q"],
            env=env_for(chatdesk_home),
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
        listed = subprocess.run(
            [sys.executable, "-m", "chatdesk", "history", "list"],
            env=env_for(chatdesk_home),
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    for proc in (done, listed):
        assert proc.returncode == 1
        assert proc.stderr.count("\n") == 1 and "No space left on device" in proc.stderr
    assert last_answer(chatdesk_home) == ("all of it", "done")


def test_ctrl_c_during_ask_json_still_prints_the_object(
    server: FakeServer, chatdesk_home: Path
) -> None:
    # The stream's last words are held back until the signal was sent: on a busy machine
    # the whole answer could otherwise arrive before it (then there is nothing to stop).
    release = threading.Event()
    held = len(SLOW) - 10
    server.script(
        Reply(
            text=SLOW,
            chunk_chars=5,
            delay_s=0.01,
            pause_after_chars=held,
            pause_s=60,
            release=release,
        )
    )
    asker = start(chatdesk_home, "ask", "--json", "--base-url", server.base_url, "-m", "m", "Go")
    try:
        wait_for(lambda: bool(streaming_rows(chatdesk_home)), "the answer starts streaming")
        wait_for(lambda: len(last_answer(chatdesk_home)[0]) > 0, "some text is saved")
        asker.send_signal(signal.SIGINT)
        out, err = asker.communicate(timeout=60)
    finally:
        release.set()
        asker.kill()
    assert asker.returncode == 130, err
    data = json.loads(out)
    assert data["status"] == "stopped" and data["error"]["category"] == "stopped"
    partial = data["partial"]["content"]
    assert partial and SLOW.startswith(partial)
    assert len(data["message_ids"]) == 2
    assert last_answer(chatdesk_home) == (partial, "stopped")


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Path:
    """A 2 MiB tmpfs (needs root; skipped elsewhere)."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(folder: Path) -> Path:
    """Take every free byte of the device."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def test_disk_full_mid_stream_keeps_reading_and_reports_all(
    server: FakeServer, tiny_disk: Path
) -> None:
    home = tiny_disk / "home"
    assert chatdesk(home, "keys", "status").returncode == 0
    text = "".join(f"line {i:05d} of a long answer\n" for i in range(3000))  # ~90 kB
    server.script(Reply(text=text, chunk_chars=200, delay_s=0.002))
    asker = start(home, "ask", "--json", "--base-url", server.base_url, "-m", "m", "Go")
    try:
        wait_for(lambda: bool(streaming_rows(home)), "the answer starts streaming")
        filler = fill(tiny_disk)
        out, err = asker.communicate(timeout=120)
    finally:
        asker.kill()
    assert asker.returncode == 1, err
    data = json.loads(out)
    assert data["error"]["category"] == "full"
    assert data["partial"]["content"] == text  # everything the server sent
    assert b"Traceback" not in err
    filler.unlink()
    with Store(home / "history.sqlite3") as s:
        assert s.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        row = s.conn.execute("SELECT content FROM messages WHERE role = 'assistant'").fetchone()
        assert text.startswith(row[0])  # what could be saved before the disk filled


# -- 5. backups are checked ---------------------------------------------------------------


def test_backup_of_a_damaged_history_is_refused(chatdesk_home: Path) -> None:
    from tests.unit.core.test_backup_checks import damage_an_index

    first = chatdesk(chatdesk_home, "backup", "--json")
    assert first.returncode == 0, first.stderr
    damage_an_index(chatdesk_home / "history.sqlite3")
    refused = chatdesk(chatdesk_home, "backup")
    assert refused.returncode == 1
    assert "damaged" in refused.stderr and refused.stderr.count("\n") == 1
    listed = chatdesk(chatdesk_home, "backup", "--list", "--json")
    assert [b["path"] for b in json.loads(listed.stdout)["backups"]] == [
        json.loads(first.stdout)["backup"]
    ]
