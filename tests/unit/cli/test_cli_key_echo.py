"""A server that echoes the key inside its answer (text, reasoning, the ``model`` field):
the terminal, the history and every export see ``sk-***`` only (issue 16)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from chatdesk.cli import main
from tests.fakeserver import FakeServer, Reply
from tests.unit.cli.conftest import CLI_KEY

pytestmark = pytest.mark.usefixtures("env_key")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_no_key(text: str) -> None:
    low = text.lower()
    for i in range(len(CLI_KEY) - 12 + 1):  # nor 12 characters of it in a row
        assert CLI_KEY[i : i + 12].lower() not in low, CLI_KEY[i : i + 12]


@pytest.mark.parametrize("as_json", [False, True])
def test_a_key_echoed_in_the_answer_is_never_printed_stored_or_exported(
    server: FakeServer, capsys: pytest.CaptureFixture[str], chatdesk_home: Path, as_json: bool
) -> None:
    server.script(
        Reply(
            text=f"Your key is {CLI_KEY} and in capitals {CLI_KEY.upper()}. Done.",
            reasoning=f"they sent {CLI_KEY}",
            model=f"echo-{CLI_KEY}",
            chunk_chars=3,  # the key arrives cut in pieces
        )
    )
    argv = ["ask", "--base-url", server.base_url, "-m", "m", "what is my key?"]
    code, out, err = run(capsys, *argv, *(["--json"] if as_json else []))
    assert code == 0, err
    assert_no_key(out + err)
    if as_json:
        data = json.loads(out)
        assert data["model"] == "echo-sk-***"
        assert data["choices"][0]["reasoning"] == "they sent sk-***"
        out = data["choices"][0]["content"]
    assert "Your key is sk-*** and in capitals sk-***. Done." in out

    db = sqlite3.connect(chatdesk_home / "history.sqlite3")
    rows = db.execute("SELECT content, reasoning, model FROM messages").fetchall()
    db.close()
    assert "sk-***" in repr(rows)
    # Every byte of the files (pages, WAL, search index), not only the rows read back.
    raw = b"".join(p.read_bytes() for p in chatdesk_home.glob("history.sqlite3*"))
    assert_no_key(raw.decode("latin-1"))
    for fmt in ("md", "json", "html"):
        code, out, err = run(capsys, "export", "--all", "--format", fmt)
        assert code == 0, err
        assert_no_key(out)
