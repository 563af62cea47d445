"""One window per data folder, with real second processes.

A later ``chatdesk`` start hands its options to the window already open on the same
data folder and exits; CLI subcommands keep working beside the window; a killed
window's lock does not block the next start.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from chatdesk.app import apply_window_request
from chatdesk.single import LOCK_NAME, InstanceGuard, server_name
from tests.unit.ui.harness import Harness


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ, CHATDESK_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    env["CHATDESK_API_KEY"] = "sk-single-instance-test-0000"
    return env


def _chatdesk(*args: str) -> list[str]:
    return [sys.executable, "-m", "chatdesk", *args]


def _start_later(harness: Harness, args: list[str], home: Path) -> subprocess.CompletedProcess:
    """Run a second ``chatdesk`` while this test's loop serves the first window."""
    proc = subprocess.Popen(
        _chatdesk(*args), env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    harness.wait(lambda: proc.poll() is not None, timeout=60)
    out, err = proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_a_second_start_raises_the_window_and_passes_its_options(
    harness: Harness, chatdesk_home: Path
) -> None:
    guard = InstanceGuard(chatdesk_home)
    assert guard.acquire()
    assert guard.listen()
    guard.set_handler(lambda request: apply_window_request(harness.desk, request))
    try:
        harness.window.showMinimized()
        second = _start_later(harness, ["-m", "model-from-second-start"], chatdesk_home)
        assert second.returncode == 0, second.stderr
        assert "already open" in second.stdout
        assert harness.window.model_picker.current() == "model-from-second-start"
        assert not harness.window.isMinimized()

        third = _start_later(harness, ["--compare", "-m", "left-a", "-m", "right-b"], chatdesk_home)
        assert third.returncode == 0, third.stderr
        assert harness.window.comparing()

        # A CLI subcommand beside the open window is not handed over: it just works,
        # and reads what the window wrote.
        harness.window.show_compare(False)
        harness.send("hello from the window")
        listing = _start_later(harness, ["history", "list", "--json"], chatdesk_home)
        assert listing.returncode == 0, listing.stderr
        assert len(json.loads(listing.stdout)["conversations"]) == 1
    finally:
        guard.release()


def test_requests_that_arrive_before_the_window_is_wired_are_kept(
    harness: Harness, chatdesk_home: Path
) -> None:
    guard = InstanceGuard(chatdesk_home)
    assert guard.acquire() and guard.listen()
    try:
        second = _start_later(harness, ["-m", "early-model"], chatdesk_home)
        assert second.returncode == 0, second.stderr
        seen: list[dict[str, object]] = []
        guard.set_handler(seen.append)
        assert seen == [{"models": ["early-model"]}]
    finally:
        guard.release()


def test_two_windows_never_open_on_one_folder(tmp_path: Path) -> None:
    """Two real app processes: the second exits at once, the first keeps the folder; after
    the first is killed (no clean exit, the lock file stays) a new start opens again."""
    home = tmp_path / "home"
    env = _env(home)
    env["CHATDESK_SHOT_DELAY_MS"] = "60000"  # keep the first window open until killed
    first = subprocess.Popen(
        _chatdesk("--smoke-test", "--base-url", "http://127.0.0.1:9/v1"),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        log = home / "logs" / "chatdesk.log"
        end = time.monotonic() + 60
        while not log.exists():  # written once the lock is taken and the socket listens
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < end, "the first window did not start"
            time.sleep(0.05)
        second = subprocess.run(
            _chatdesk("--base-url", "http://127.0.0.1:9/v1"),
            env=_env(home),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 0, second.stderr
        assert "already open" in second.stdout
        end = time.monotonic() + 30
        while "options ['base_url']" not in log.read_text():
            assert time.monotonic() < end, log.read_text()
            time.sleep(0.05)
        assert first.poll() is None  # the first window is still the one open
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate()
    assert (home / LOCK_NAME).exists()  # left behind by the kill
    again = subprocess.run(
        _chatdesk("--smoke-test"), env=_env(home), capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0, again.stderr
    assert "SELFCHECK" in again.stdout


def test_socket_names_differ_per_folder_and_stay_short(tmp_path: Path) -> None:
    a, b = server_name(tmp_path / "a"), server_name(tmp_path / "b")
    assert a != b
    assert server_name(tmp_path / "a") == a
    assert len(a) < 40  # a Unix socket path is limited to about 100 bytes


def test_the_window_socket_is_private_and_needs_no_qtnetwork(tmp_path: Path) -> None:
    """Only this user may talk to the window; the listener costs no QtNetwork (3 MiB)."""
    import stat

    from chatdesk.single import socket_path

    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from chatdesk.single import InstanceGuard\n"
        f"guard = InstanceGuard(Path({str(tmp_path / 'other')!r}))\n"
        "Path(guard.folder).mkdir()\n"
        "assert guard.acquire() and guard.listen()\n"
        "assert not any('QtNetwork' in m for m in sys.modules), 'QtNetwork loaded'\n"
        "guard.release()\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    guard = InstanceGuard(tmp_path)
    assert guard.acquire() and guard.listen()
    try:
        mode = stat.S_IMODE(socket_path(guard.name).stat().st_mode)
        assert mode & 0o077 == 0, oct(mode)
    finally:
        guard.release()
    assert not socket_path(guard.name).exists()  # removed when the window closes
