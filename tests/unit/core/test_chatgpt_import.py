"""Importing a ChatGPT data export (tests/data/chatgpt: JSON and zip variants)."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.core.history.transfer import TransferError, export_json, import_file
from chatdesk.store import ConversationRow, Store

DATA = Path(__file__).resolve().parents[2] / "data" / "chatgpt"
JSON_FILE = DATA / "conversations.json"
ZIP_FILE = DATA / "chatgpt-export.zip"
PNG = (DATA / "file-Abc123XyZ-photo.png").read_bytes()
T = 1714550400.123456


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as s:
        yield s


def by_title(store: Store, title: str) -> ConversationRow:
    return next(c for c in store.list_conversations() if c.title == title)


def snapshot(store: Store) -> list[tuple[object, ...]]:
    conn = store.conn
    return [
        *conn.execute("SELECT * FROM conversations ORDER BY id"),
        *conn.execute("SELECT * FROM messages ORDER BY id"),
        *conn.execute("SELECT hash FROM images ORDER BY hash"),
    ]


def test_counts_and_fingerprints(store: Store) -> None:
    result = import_file(store, JSON_FILE)
    assert result.to_json() == {
        "conversations_added": 3,
        "conversations_skipped": 0,
        "messages_added": 13,
    }
    assert set(store.source_ids()) == {
        "chatgpt:6650a1b2-1111-4000-8000-00000000000a",
        "chatgpt:6650a1b2-2222-4000-8000-00000000000b",
        "chatgpt:6650a1b2-3333-4000-8000-00000000000c",
    }


def test_branches_and_current_node(store: Store) -> None:
    import_file(store, JSON_FILE)
    conv = by_title(store, "Sorting lists in Python 排序")
    msgs = store.list_messages(conv.id)
    # The null root and the hidden system message are gone; the user message is a root.
    assert [m.role for m in msgs] == ["user", "assistant", "assistant", "user", "assistant"]
    user = msgs[0]
    assert user.parent_id is None
    assert user.content == "How do I sort a list in Python? 请用中文解释 🐍"
    siblings = store.children(user.id, conv.id)
    assert [s.content[:9] for s in siblings] == ["Use `sort", "可以用 `sort"]  # older first
    path = store.active_path(conv.id)
    assert [m.meta["chatgpt"]["id"] for m in path] == ["a-u1", "a-a1b", "a-u2", "a-a2"]
    assert conv.current_leaf_id == path[-1].id
    # Switching to the other branch shows the first answer.
    assert store.latest_leaf(siblings[0].id) == siblings[0].id


def test_timestamps_models_and_finish(store: Store) -> None:
    import_file(store, JSON_FILE)
    conv = by_title(store, "Sorting lists in Python 排序")
    assert conv.created == T and conv.updated == T + 400.5
    assert conv.model == "gpt-4o"
    path = store.active_path(conv.id)
    assert [m.created for m in path] == [T + 10, T + 100, T + 300, T + 305.25]
    assert path[1].updated == T + 101
    assert [m.model for m in path] == [None, "gpt-4o", None, "gpt-4o-mini"]
    assert path[1].finish_reason == "stop" and path[3].finish_reason == "length"
    sqlite = by_title(store, "What's new in SQLite?")
    assert sqlite.model == "o1"  # no default slug: the last answer's model
    last = store.active_path(sqlite.id)[-1]
    assert last.status == "stopped"  # finished_partial_completion / interrupted
    # update_time null: the newest message time.
    assert sqlite.updated == max(m.created for m in store.list_messages(sqlite.id))


def test_code_execution_output_tool_and_quote(store: Store) -> None:
    import_file(store, JSON_FILE)
    chart = store.active_path(by_title(store, "Chart from a photo").id)
    code, output, answer = chart[1], chart[2], chart[3]
    assert code.content == "```\nimport matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\n```"
    assert code.meta["chatgpt"]["recipient"] == "python"
    assert output.role == "assistant" and output.name == "python"  # tool -> named assistant
    assert output.meta["chatgpt"]["role"] == "tool"
    assert "<Figure size 640x480 with 1 Axes>" in output.content
    assert answer.content == "Here is the chart. The values rise steadily."
    web = store.active_path(by_title(store, "What's new in SQLite?").id)
    thoughts, quote = web[1], web[2]
    assert thoughts.content == "" and "SQLite news page" in thoughts.reasoning
    assert quote.content.startswith("> SQLite version 3.46 released.\n> Many improvements.")
    assert "[SQLite News](https://sqlite.org/news.html)" in quote.content
    assert quote.created == thoughts.created  # null create_time: the parent's time


def test_hidden_context_skipped_and_missing_image_noted(store: Store) -> None:
    import_file(store, JSON_FILE)
    chart = by_title(store, "Chart from a photo")
    msgs = store.list_messages(chart.id)
    assert "data analyst" not in " ".join(m.content for m in msgs)  # hidden context
    user = msgs[0]
    assert user.parent_id is None
    assert "[image file-Abc123XyZ was not included in the export]" in user.content
    assert "Plot the values in this photo, please." in user.content
    assert user.parts is None  # no image bytes: plain text
    assert user.meta["chatgpt"]["missing_images"] == ["file-Abc123XyZ", "file_00000000deadbeef"]


def test_zip_brings_the_image(store: Store) -> None:
    result = import_file(store, ZIP_FILE)
    assert result.conversations_added == 3
    user = store.list_messages(by_title(store, "Chart from a photo").id)[0]
    assert user.parts is not None
    image = next(p for p in user.parts if p["type"] == "image")
    assert store.get_image(image["hash"]) == (PNG, "image/png")
    assert image["mime"] == "image/png"
    # The second pointer is not in the zip: still a placeholder.
    assert user.meta["chatgpt"]["missing_images"] == ["file_00000000deadbeef"]
    texts = [p["text"] for p in user.parts if p["type"] == "text"]
    assert texts == [
        "[image file_00000000deadbeef was not included in the export]",
        "Plot the values in this photo, please.",
    ]


def test_second_import_skips_everything(store: Store) -> None:
    import_file(store, ZIP_FILE)
    before = snapshot(store)
    again = import_file(store, JSON_FILE)
    assert again.to_json() == {
        "conversations_added": 0,
        "conversations_skipped": 3,
        "messages_added": 0,
    }
    assert snapshot(store) == before


def test_imported_history_round_trips_through_our_format(store: Store, tmp_path: Path) -> None:
    import_file(store, ZIP_FILE)
    first = export_json(store)
    assert '"id": "chatgpt:6650a1b2-1111-4000-8000-00000000000a"' in first
    path = tmp_path / "ours.json"
    path.write_text(first, encoding="utf-8")
    with Store(tmp_path / "b.sqlite3") as other:
        import_file(other, path)
        assert export_json(other) == first
        # The ChatGPT file is now recognised there too.
        assert import_file(other, JSON_FILE).conversations_skipped == 3


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, blob in files.items():
            zf.writestr(name, blob)
    return path


def test_bad_files_are_refused_and_change_nothing(store: Store, tmp_path: Path) -> None:
    import_file(store, JSON_FILE)
    before = snapshot(store)
    good = json.loads(JSON_FILE.read_text(encoding="utf-8"))
    broken = json.loads(json.dumps(good))
    broken.append({"title": "no id", "mapping": {}})  # the last one is damaged
    fresh = json.loads(json.dumps(good))
    for conv in fresh:
        conv["id"] = conv["conversation_id"] = conv["id"] + "-new"
    fresh.append({"title": "no id", "mapping": {}})
    cases = [
        (_zip(tmp_path / "empty.zip", {}), "is empty"),
        (_zip(tmp_path / "other.zip", {"readme.txt": b"hi"}), "has no conversations.json"),
        (
            _zip(tmp_path / "badjson.zip", {"conversations.json": b"[{"}),
            "conversations.json is not valid JSON",
        ),
        (_zip(tmp_path / "foreign.zip", {"conversations.json": b'{"a": 1}'}), "not a ChatGPT"),
        (tmp_path / "truncated.zip", "not a readable zip"),
        (tmp_path / "broken.json", "has no id"),
        (tmp_path / "fresh-broken.json", "has no id"),
    ]
    (tmp_path / "truncated.zip").write_bytes(ZIP_FILE.read_bytes()[:200])
    (tmp_path / "broken.json").write_text(json.dumps(broken), encoding="utf-8")
    (tmp_path / "fresh-broken.json").write_text(json.dumps(fresh), encoding="utf-8")
    for path, needle in cases:
        with pytest.raises(TransferError, match=needle):
            import_file(store, path)
        assert snapshot(store) == before, path.name
    with pytest.raises(TransferError, match="Cannot read"):
        import_file(store, tmp_path / "missing.json")
