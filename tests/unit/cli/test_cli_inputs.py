"""Hostile or odd input and the errors a newcomer meets first (issue 8): real
``chatdesk`` processes, a real SQLite file, the fake server."""

from __future__ import annotations

import argparse
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from chatdesk.cli.parser import build_parser
from tests.fakeserver import FakeServer, Reply
from tests.unit.cli.test_cli_reliability import KEY, chatdesk, env_for


@pytest.fixture
def server() -> FakeServer:
    with FakeServer(api_key=KEY) as srv:
        yield srv


def one_line(text: str) -> bool:
    return text.count("\n") == 1 and "Traceback" not in text


# -- bounded inputs -----------------------------------------------------------------------


def test_tools_files_are_bounded_and_named(
    server: FakeServer, chatdesk_home: Path, tmp_path: Path
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    odd = tmp_path / "odd.json"
    odd.write_text('[{"type": "function"}, 3]')
    cases = [
        ("/dev/zero", "tools file /dev/zero is larger than 1 MB"),
        (str(deep), f"tools file {deep} is nested too deeply"),
        (str(odd), f"tools file {odd}: item 1 is not a tool object"),
    ]
    for path, needle in cases:
        done = chatdesk(
            chatdesk_home, "ask", "--base-url", server.base_url, "-m", "m", "--tools", path, "Q"
        )
        assert done.returncode == 2, done.stderr
        assert needle in done.stderr and one_line(done.stderr)
    assert server.requests == []


@pytest.mark.parametrize("shape", ["file", "under_a_file", "unwritable"])
def test_unusable_chatdesk_home_is_one_line(tmp_path: Path, shape: str) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    home = {
        "file": afile,
        "under_a_file": afile / "home",
        "unwritable": Path("/proc/chatdesk-home"),
    }[shape]
    for argv in (("history", "list"), ("keys", "status"), ("backup",)):
        done = chatdesk(home, *argv)
        assert done.returncode == 1
        assert one_line(done.stderr) and str(home) in done.stderr
        assert "CHATDESK_HOME" in done.stderr


def test_export_follows_a_symlink_and_writes_through_devices(
    chatdesk_home: Path, tmp_path: Path
) -> None:
    assert chatdesk(chatdesk_home, "history", "list").returncode == 0
    from chatdesk.store import Store

    with Store(chatdesk_home / "history.sqlite3") as s:
        s.add_message(s.create_conversation("exported"), "user", "hello")
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    done = chatdesk(chatdesk_home, "export", "--all", "-o", str(link))
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and '"exported"' in real.read_text()

    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    done = chatdesk(chatdesk_home, "export", "--all", "--format", "md", "-o", str(fifo))
    reader.join(timeout=30)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and b"hello" in received[0]

    try:  # a character device of our own (the same numbers as /dev/null)
        null = tmp_path / "null"
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        return
    done = chatdesk(chatdesk_home, "export", "--all", "-o", str(null))
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(null.lstat().st_mode)
    done = chatdesk(chatdesk_home, "export", "--all", "-o", str(tmp_path))
    assert done.returncode == 2 and "it is a folder" in done.stderr


# -- the first errors a newcomer meets ---------------------------------------------------


def test_no_key_says_how_to_set_one_without_a_request(chatdesk_home: Path) -> None:
    add = chatdesk(chatdesk_home, "providers", "add", "far", "--base-url", "http://192.0.2.1/v1")
    assert add.returncode == 0, add.stderr
    for argv in (("--provider", "far"), ("--base-url", "http://192.0.2.1/v1")):
        done = chatdesk(chatdesk_home, "ask", *argv, "-m", "m", "hello", CHATDESK_API_KEY="")
        assert done.returncode == 2, done.stderr
        assert "no API key is set" in done.stderr and "chatdesk keys set" in done.stderr
        assert "CHATDESK_API_KEY" in done.stderr and one_line(done.stderr)


def test_local_server_is_tried_without_a_key(server: FakeServer, chatdesk_home: Path) -> None:
    server.script(Reply(text="local ok"))
    done = chatdesk(
        chatdesk_home, "ask", "--base-url", server.base_url, "-m", "m", "hi", CHATDESK_API_KEY=""
    )
    assert len(server.requests) == 1  # sent (this fake server wants a key: 401)
    assert "no API key is set" not in done.stderr


def test_models_fallback_exits_non_zero_and_is_marked(chatdesk_home: Path) -> None:
    done = chatdesk(chatdesk_home, "models", "--base-url", "http://127.0.0.1:9/v1")
    assert done.returncode == 1
    assert (
        done.stdout.strip()
        and "showing ChatDesk's built-in list, NOT this server's models" in done.stderr
    )
    as_json = chatdesk(chatdesk_home, "models", "--json", "--base-url", "http://127.0.0.1:9/v1")
    assert as_json.returncode == 1 and '"source": "builtin"' in as_json.stdout


def test_keyring_messages_speak_to_the_terminal(chatdesk_home: Path) -> None:
    failing = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    status = chatdesk(chatdesk_home, "keys", "status", **failing)
    stored = chatdesk(chatdesk_home, "keys", "set", "zero", stdin="sk-abc\n", **failing)
    for done in (status, stored):
        assert done.returncode == 1
        assert "session" not in done.stderr and "CHATDESK_API_KEY" in done.stderr
    assert "cannot be saved" not in status.stderr and "cannot be read" in status.stderr
    assert "zero: unknown" in status.stdout
    assert "the key cannot be saved" in stored.stderr


def test_invalid_utf8_is_bad_usage_naming_the_argument(chatdesk_home: Path) -> None:
    env = env_for(chatdesk_home)
    base = [sys.executable, "-m", "chatdesk", "ask", "--base-url", "http://127.0.0.1:9/v1"]
    cases = [
        ([*base, b"caf\xe9"], None, "the prompt is not valid UTF-8 text"),
        ([*base, "--stop", b"\xff", "hi"], None, "--stop is not valid UTF-8 text"),
        (base, b"caf\xe9\n", "the prompt on standard input is not valid UTF-8 text"),
    ]
    for argv, stdin, needle in cases:
        done = subprocess.run(argv, env=env, input=stdin, capture_output=True, timeout=60)
        err = done.stderr.decode()
        assert done.returncode == 2, err
        assert needle in err and "Traceback" not in err


def test_ask_and_models_help_document_every_option() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name in ("ask", "models"):
        sub = subparsers.choices[name]
        undocumented = [
            a.option_strings or a.dest
            for a in sub._actions
            if not a.help or a.help == argparse.SUPPRESS
        ]
        assert undocumented == [], (name, undocumented)
        assert sub.description
