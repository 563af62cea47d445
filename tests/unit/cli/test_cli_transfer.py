"""`chatdesk export|import|backup` end to end on real SQLite files (in-process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatdesk.cli import main
from chatdesk.store import Store

DATA = Path(__file__).resolve().parents[2] / "data" / "chatgpt"
KEY = "sk-cli-transfer-secret-0123456789"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def db(home: Path) -> Store:
    return Store(home / "history.sqlite3")


def seed(home: Path) -> tuple[int, int]:
    with db(home) as store:
        a = store.create_conversation("第一 chat 🚀", model="gpt-4o", created=1_700_000_000.0)
        u = store.add_message(a, "user", "你好 <script>alert(1)</script>", created=1_700_000_001.0)
        store.add_message(
            a, "assistant", "```python\nprint('hi')\n```", parent_id=u, created=1_700_000_002.0
        )
        b = store.create_conversation("second", created=1_700_000_100.0)
        store.add_message(b, "user", "plain", created=1_700_000_101.0)
    return a, b


def test_export_import_round_trip_json(
    capsys, chatdesk_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(chatdesk_home)
    first = tmp_path / "all.json"
    code, out, err = run(capsys, "export", "--all", "--format", "json", "-o", str(first))
    assert code == 0, err
    assert out == f"exported 2 conversations to {first}\n"
    other = tmp_path / "other-home"
    other.mkdir()
    monkeypatch.setenv("CHATDESK_HOME", str(other))
    code, out, err = run(capsys, "import", str(first), "--json")
    assert code == 0, err
    assert json.loads(out) == {
        "conversations_added": 2,
        "conversations_skipped": 0,
        "messages_added": 3,
    }
    second = tmp_path / "again.json"
    assert run(capsys, "export", "--all", "-o", str(second))[0] == 0  # json by default
    assert second.read_bytes() == first.read_bytes()
    code, out, _ = run(capsys, "import", str(first))
    assert code == 0
    assert out == "added 0 conversations (0 messages); skipped 2 already imported\n"


def test_export_md_html_by_id_and_stdout(capsys, chatdesk_home: Path, tmp_path: Path) -> None:
    a, _ = seed(chatdesk_home)
    page = tmp_path / "chat.html"
    code, _, err = run(capsys, "export", str(a), "-o", str(page))  # html from the suffix
    assert code == 0, err
    html = page.read_text(encoding="utf-8")
    assert "第一 chat 🚀" in html and "&lt;script&gt;" in html and "<script>" not in html
    code, out, _ = run(capsys, "export", str(a), "--format", "md")
    assert code == 0
    assert out.startswith("# 第一 chat 🚀\n") and "你好" in out


def test_export_usage_errors(capsys, chatdesk_home: Path, tmp_path: Path) -> None:
    seed(chatdesk_home)
    code, _, err = run(capsys, "export", "-o", str(tmp_path / "x.json"))
    assert code == 2 and "conversation ids" in err and "or --all" in err
    code, _, err = run(capsys, "export", "424242", "-o", str(tmp_path / "x.json"))
    assert code == 2 and "no conversation with id 424242" in err
    with pytest.raises(SystemExit) as info:
        main(["export", "--all", "--format", "pdf"])
    assert info.value.code == 2 and "invalid choice" in capsys.readouterr().err


def test_import_chatgpt_zip_and_refusals(capsys, chatdesk_home: Path, tmp_path: Path) -> None:
    code, out, err = run(capsys, "import", str(DATA / "chatgpt-export.zip"))
    assert code == 0, err
    assert out == "added 3 conversations (13 messages); skipped 0 already imported\n"
    code, out, _ = run(capsys, "import", str(DATA / "conversations.json"), "--json")
    assert json.loads(out)["conversations_skipped"] == 3
    with db(chatdesk_home) as store:
        before = store.conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "an export"}', encoding="utf-8")
    code, out, err = run(capsys, "import", str(bad))
    assert code == 2 and out == ""
    assert "neither a ChatDesk export nor a ChatGPT data export" in err
    code, out, _ = run(capsys, "import", str(bad), "--json")
    assert code == 2 and json.loads(out)["error"]["category"] == "usage"
    code, _, err = run(capsys, "import", str(tmp_path / "missing.zip"))
    assert code == 2 and "no such file" in err
    with db(chatdesk_home) as store:
        assert store.conn.execute("SELECT count(*) FROM messages").fetchone()[0] == before


def test_import_progress_on_stderr(capsys, chatdesk_home: Path, tmp_path: Path) -> None:
    convs = [
        {
            "id": f"c{i}",
            "title": f"t{i}",
            "create_time": 1.0,
            "mapping": {
                "r": {
                    "id": "r",
                    "message": {
                        "author": {"role": "user"},
                        "content": {"content_type": "text", "parts": ["hi"]},
                    },
                    "parent": None,
                    "children": [],
                }
            },
        }
        for i in range(2500)
    ]
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps(convs), encoding="utf-8")
    code, out, err = run(capsys, "import", str(path))
    assert code == 0
    assert err.splitlines() == [
        "chatdesk: 1000/2500 conversations",
        "chatdesk: 2000/2500 conversations",
        "chatdesk: 2500/2500 conversations",
    ]
    assert out.startswith("added 2500 conversations (2500 messages)")


def test_keys_never_exported(
    capsys, chatdesk_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATDESK_API_KEY", KEY)
    seed(chatdesk_home)
    assert (
        run(capsys, "providers", "add", "relay", "--base-url", "https://relay.example/v1")[0] == 0
    )
    for fmt in ("md", "json", "html"):
        dest = tmp_path / f"out.{fmt}"
        assert run(capsys, "export", "--all", "--format", fmt, "-o", str(dest))[0] == 0
        assert KEY not in dest.read_text(encoding="utf-8")


def test_backup_list_and_restore(capsys, chatdesk_home: Path) -> None:
    seed(chatdesk_home)
    code, out, err = run(capsys, "backup", "--json")
    assert code == 0, err
    path = Path(json.loads(out)["backup"])
    assert path.parent == chatdesk_home / "backups" and path.exists()
    code, out, _ = run(capsys, "backup", "--list")
    assert code == 0 and str(path) in out
    with db(chatdesk_home) as store:
        store.create_conversation("after backup")
    code, out, err = run(capsys, "backup", "--restore", str(path))
    assert code == 0, err
    assert "history.sqlite3.before-restore" in out
    with db(chatdesk_home) as store:
        assert sorted(c.title for c in store.list_conversations()) == ["second", "第一 chat 🚀"]
    junk = chatdesk_home / "junk.sqlite3"
    junk.write_bytes(b"junk" * 1000)
    code, _, err = run(capsys, "backup", "--restore", str(junk))
    assert code == 1 and "not a usable SQLite database" in err
    with db(chatdesk_home) as store:
        assert store.count_conversations() == 2


def test_an_export_file_is_private_and_no_planted_temp_file_is_written(
    capsys: pytest.CaptureFixture[str], chatdesk_home: Path, tmp_path: Path
) -> None:
    seed(chatdesk_home)
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched", encoding="utf-8")
    out_path = tmp_path / "all.md"
    (tmp_path / ".all.md.tmp").symlink_to(victim)  # the old fixed temporary name
    code, out, err = run(capsys, "export", "--all", "-o", str(out_path))
    assert code == 0, err
    assert victim.read_text(encoding="utf-8") == "untouched"
    assert (out_path.stat().st_mode & 0o777) == 0o600  # conversations: the user's only
    assert "# " in out_path.read_text(encoding="utf-8")
