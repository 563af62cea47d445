"""Export (JSON / Markdown / HTML) and import of our own format."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.core.history import transfer
from chatdesk.core.history.transfer import (
    TransferError,
    export_html,
    export_json,
    export_markdown,
    importing,
)
from chatdesk.store import ProviderRow, Store

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=="
)
KEY = "sk-export-secret-0123456789abcdef"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "source.sqlite3") as s:
        yield s


def fill(store: Store) -> tuple[int, int]:
    """Two conversations: one rich (branches, figures, image, errors), one plain."""
    cid = store.create_conversation(
        "Rich 对话 🚀",
        model="gpt-4o",
        provider="relay",
        system_prompt="You are terse.\nAlways answer in English.",
        params={"temperature": 0.7, "max_tokens": 512, "stop": ["\n\n"]},
        pinned=True,
        created=1_700_000_000.25,
    )
    digest = store.put_image(PNG, "image/png")
    u1 = store.add_message(
        cid,
        "user",
        "看看这张图 🖼️ <script>alert('x')</script>",
        parts=[
            {"type": "text", "text": "看看这张图 🖼️ <script>alert('x')</script>"},
            {"type": "image", "hash": digest, "mime": "image/png"},
        ],
        created=1_700_000_001.5,
    )
    store.add_message(
        cid,
        "assistant",
        "First try <b>bold?</b>",
        parent_id=u1,
        model_requested="gpt-4o",
        model="gpt-4o-2024-08-06",
        status="error",
        error="server exploded",
        error_category="server",
        created=1_700_000_002.0,
    )
    a2 = store.add_message(
        cid,
        "assistant",
        "Here is code:\n\n```python\nprint('你好, 世界 🌍')\n```\n\n<script>alert(2)</script>\n\n"
        "[click](javascript:alert(3))",
        parent_id=u1,
        reasoning="The user wants a greeting.",
        model_requested="gpt-4o",
        model="gpt-4o-2024-08-06",
        finish_reason="stop",
        usage={"prompt_tokens": 11, "completion_tokens": 22, "total_tokens": 33},
        ttft_ms=350.25,
        duration_ms=1234.5,
        choice_index=1,
        meta={"request_id": "req_1", "nested": {"a": [1, 2.5, None]}},
        created=1_700_000_003.125,
    )
    store.add_message(
        cid,
        "assistant",
        "",
        parent_id=a2,
        tool_calls=[
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "lookup", "arguments": '{"q": "x"}'},
            }
        ],
        finish_reason="tool_calls",
        created=1_700_000_004.0,
    )
    store.update_message(a2, updated=1_700_000_009.75)
    store.update_conversation(cid, current_leaf_id=a2, updated=1_700_000_010.0)
    other = store.create_conversation("Plain", created=1_600_000_000.0)
    store.add_message(other, "user", "hello", created=1_600_000_001.0)
    return cid, other


def snapshot(store: Store) -> list[tuple[object, ...]]:
    """Everything import could change, to prove a refused file changed nothing."""
    conn = store.conn
    return [
        *conn.execute("SELECT * FROM conversations ORDER BY id"),
        *conn.execute("SELECT * FROM messages ORDER BY id"),
        *conn.execute("SELECT hash FROM images ORDER BY hash"),
    ]


def test_json_round_trip_is_byte_identical(store: Store, tmp_path: Path) -> None:
    fill(store)
    first = export_json(store)
    path = tmp_path / "export.json"
    path.write_text(first, encoding="utf-8")
    with Store(tmp_path / "empty.sqlite3") as fresh:
        result = transfer.import_file(fresh, path)
        assert result.to_json() == {
            "conversations_added": 2,
            "conversations_skipped": 0,
            "messages_added": 5,
        }
        second = export_json(fresh)
        # The rebuilt database behaves like the original one.
        conv = next(c for c in fresh.list_conversations() if c.title == "Rich 对话 🚀")
        path_rows = fresh.active_path(conv.id)
        assert [m.role for m in path_rows] == ["user", "assistant"]
        assert path_rows[-1].ttft_ms == 350.25 and path_rows[-1].usage["total_tokens"] == 33  # type: ignore[index]
        assert fresh.get_image(path_rows[0].parts[1]["hash"]) == (PNG, "image/png")  # type: ignore[index]
        assert [h.conversation_id for h in fresh.search("你好")] == [conv.id]
    assert second == first
    assert export_json(store) == first  # stable ids: exporting again changes nothing


def test_json_format_is_documented_shape(store: Store) -> None:
    rich, _ = fill(store)
    doc = json.loads(export_json(store, [rich]))
    assert doc["format"] == "chatdesk-export" and doc["version"] == 1
    (conv,) = doc["conversations"]
    assert conv["id"].startswith("chatdesk:")
    assert conv["params"] == {"temperature": 0.7, "max_tokens": 512, "stop": ["\n\n"]}
    assert conv["pinned"] is True and conv["created"] == 1_700_000_000.25
    assert [m["id"] for m in conv["messages"]] == [1, 2, 3, 4]
    assert [m["parent"] for m in conv["messages"]] == [None, 1, 1, 3]
    assert conv["current_leaf"] == 3
    error = conv["messages"][1]
    assert (error["status"], error["error"], error["error_category"]) == (
        "error",
        "server exploded",
        "server",
    )
    answer = conv["messages"][2]
    assert answer["meta"] == {"request_id": "req_1", "nested": {"a": [1, 2.5, None]}}
    assert answer["duration_ms"] == 1234.5 and answer["choice_index"] == 1
    assert answer["updated"] == 1_700_000_009.75
    (digest,) = doc["images"]
    assert base64.b64decode(doc["images"][digest]["data"]) == PNG
    text = export_json(store, [rich])
    assert "对话" in text  # UTF-8, not \u escapes
    assert text == json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def test_import_twice_adds_nothing(store: Store, tmp_path: Path) -> None:
    fill(store)
    path = tmp_path / "e.json"
    path.write_text(export_json(store), encoding="utf-8")
    before = snapshot(store)
    result = transfer.import_file(store, path)  # back into the database it came from
    assert (result.conversations_added, result.conversations_skipped) == (0, 2)
    assert snapshot(store) == before


def test_progress_is_reported(store: Store, tmp_path: Path, monkeypatch) -> None:
    for i in range(5):
        store.create_conversation(f"c{i}", created=float(i))
    path = tmp_path / "e.json"
    path.write_text(export_json(store), encoding="utf-8")
    monkeypatch.setattr(importing, "PROGRESS_EVERY", 2)
    calls: list[tuple[int, int]] = []
    with Store(tmp_path / "b.sqlite3") as fresh:
        transfer.import_file(fresh, path, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(2, 5), (4, 5), (5, 5)]


def _bad_exports(good: dict) -> dict[str, object]:
    damaged_image = json.loads(json.dumps(good))
    digest = next(iter(damaged_image["images"]))
    damaged_image["images"][digest]["data"] = base64.b64encode(b"other bytes").decode()
    orphan = json.loads(json.dumps(good))
    orphan["conversations"][-1]["messages"][-1]["parent"] = 999
    bad_status = json.loads(json.dumps(good))
    bad_status["conversations"][-1]["messages"][0]["status"] = "exploded"
    wrong_type = json.loads(json.dumps(good))
    wrong_type["conversations"][0]["created"] = "yesterday"
    newer = dict(good, version=2)
    return {
        "neither a ChatDesk export nor a ChatGPT": {"hello": "world"},
        "newer ChatDesk": newer,
        "does not match its hash": damaged_image,
        "does not come before it": orphan,
        "unknown status": bad_status,
        "wrong type": wrong_type,
    }


def test_damaged_or_foreign_json_is_refused_and_changes_nothing(
    store: Store, tmp_path: Path
) -> None:
    fill(store)
    good = json.loads(export_json(store))
    with Store(tmp_path / "target.sqlite3") as target:
        target.create_conversation("already here")
        before = snapshot(target)
        for needle, doc in _bad_exports(good).items():
            path = tmp_path / "bad.json"
            path.write_text(json.dumps(doc), encoding="utf-8")
            with pytest.raises(TransferError) as info:
                transfer.import_file(target, path)
            assert needle in str(info.value)
            assert snapshot(target) == before
        for raw, needle in [
            (b'{"format": "chatdesk-export", "version": 1, "conversations": [', "not valid JSON"),
            (b"\xff\xfe\x00garbage", "not a UTF-8"),
            (b"[1, 2, 3]", "not a ChatGPT"),
            (b"[]", "no conversations"),
        ]:
            path = tmp_path / "raw.json"
            path.write_bytes(raw)
            with pytest.raises(TransferError, match=needle):
                transfer.import_file(target, path)
            assert snapshot(target) == before


def test_markdown_keeps_text_and_marks_roles(store: Store) -> None:
    rich, _ = fill(store)
    md = export_markdown(store, [rich])
    assert md.startswith("# Rich 对话 🚀\n")
    assert "## User" in md and "## Assistant · gpt-4o-2024-08-06" in md
    assert "看看这张图 🖼️" in md and "print('你好, 世界 🌍')" in md
    assert "> **System prompt**" in md and "> Always answer in English." in md
    assert "> The user wants a greeting." in md  # reasoning as a quote
    assert "first token 0.35 s" in md and "11 + 22 tokens" in md
    assert "](data:image/png;base64," in md
    assert "2 message(s) on other branches not shown." in md
    assert "server exploded" not in md  # the failed sibling is not on the current branch


def test_html_is_standalone_escaped_and_highlighted(store: Store) -> None:
    rich, _ = fill(store)
    page = export_html(store, [rich])
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "<script" not in page.lower()  # neither the user's nor the model's
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "javascript:" not in page
    assert "你好, 世界 🌍" in page and "Rich 对话 🚀" in page
    assert '<span style="color' in page  # Pygments inline styles
    assert 'src="data:image/png;base64,' in page
    assert 'class="msg user"' in page and 'class="msg assistant"' in page
    assert "Content-Security-Policy" in page and "http://" not in page


def test_export_to_file_and_unknown_id(store: Store, tmp_path: Path) -> None:
    rich, other = fill(store)
    dest = tmp_path / "out.md"
    assert transfer.export_to_file(store, [other, rich], "md", dest) == 2
    text = dest.read_text(encoding="utf-8")
    assert text.index("# Plain") < text.index("# Rich")  # oldest first
    with pytest.raises(TransferError, match="no conversation with id 999"):
        transfer.export_to_file(store, [999], "json", tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


def test_keys_never_appear_in_exports(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATDESK_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    store.upsert_provider(
        ProviderRow(name="relay", base_url="https://relay.example/v1", default_model="gpt-4o")
    )
    fill(store)
    for fmt in transfer.FORMATS:
        text = transfer.export_text(store, None, fmt)
        assert KEY not in text and KEY[:12] not in text
        assert "relay.example" not in text  # provider settings are not part of history
