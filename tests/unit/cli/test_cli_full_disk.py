"""A full disk: the history can still be listed and exported (to rescue it elsewhere),
and a command that must write says the disk is full.

Real: a 2 MB tmpfs filled to the last block, real ``chatdesk`` processes, the fake
server. Mounting needs root (CI runs as root); elsewhere the test is skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.store import Store
from tests.fakeserver import FakeServer

ROOT = Path(__file__).resolve().parents[3]
KEY = "sk-test-full-disk-0123456789"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> None:
    """Write until the disk refuses a single byte more."""
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (65536, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    assert os.statvfs(disk).f_bavail == 0


def chatdesk(home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("OPENAI_API_KEY", None)
    env.update(CHATDESK_HOME=str(home), CHATDESK_API_KEY=KEY, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "chatdesk", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def seed(home: Path, *, leave_wal: bool) -> None:
    """A conversation; with ``leave_wal`` its data stays in the -wal (a process that was
    killed), and the -shm is gone (so reading would have to create it)."""
    home.mkdir()
    db = home / "history.sqlite3"
    code = (
        "import os, sys\n"
        "from chatdesk.store import Store\n"
        "s = Store(sys.argv[1])\n"
        "s.conn.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "c = s.create_conversation('rescue me', created=1_700_000_000.0)\n"
        "s.add_message(c, 'user', 'the precious words', created=1_700_000_001.0)\n"
        "if sys.argv[2] == '1':\n"
        "    os._exit(0)\n"
        "s.close()\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(db), "1" if leave_wal else "0"],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        check=True,
    )
    shm = home / "history.sqlite3-shm"
    if shm.exists():
        shm.unlink()
    if leave_wal:
        assert (home / "history.sqlite3-wal").stat().st_size > 0


@pytest.mark.parametrize("leave_wal", [False, True], ids=["checkpointed", "data-in-wal"])
def test_history_reads_and_exports_on_a_full_disk(
    small_disk: Path, tmp_path: Path, leave_wal: bool
) -> None:
    home = small_disk / "home"
    seed(home, leave_wal=leave_wal)
    fill(small_disk)

    listed = chatdesk(home, "history", "list")
    assert listed.returncode == 0, listed.stderr
    assert "rescue me" in listed.stdout
    shown = chatdesk(home, "history", "show", "1")
    assert shown.returncode == 0, shown.stderr
    assert "the precious words" in shown.stdout
    out = tmp_path / "rescued.md"  # another disk
    exported = chatdesk(home, "export", "--all", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    assert "the precious words" in out.read_text(encoding="utf-8")
    as_json = chatdesk(home, "export", "1", "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    assert "the precious words" in as_json.stdout


def test_writing_on_a_full_disk_says_the_disk_is_full(small_disk: Path) -> None:
    home = small_disk / "home"
    seed(home, leave_wal=False)
    fill(small_disk)
    with FakeServer(api_key=KEY) as server:
        asked = chatdesk(home, "ask", "--base-url", server.base_url, "hello")
        assert server.requests == []  # nothing sent that could not be saved
    assert asked.returncode != 0
    assert "The disk is full" in asked.stderr
    assert "input/output" not in asked.stderr and "Traceback" not in asked.stderr
    # Nothing was lost: once there is room again, the history is intact.
    (small_disk / "filler").unlink()
    with Store(home / "history.sqlite3", readonly=True) as store:
        assert [c.title for c in store.list_conversations()] == ["rescue me"]
