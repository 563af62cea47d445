"""The assistants library: storage, migration of presets, checks, import and export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.core.chat.assistants import (
    MAX_ASSISTANTS,
    MAX_FILE_BYTES,
    Assistant,
    AssistantError,
    delete_assistant,
    dumps_library,
    get_assistant,
    load_assistants,
    merge_imported,
    parse_library,
    parse_params,
    read_library_file,
    upsert_assistant,
)
from chatdesk.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as s:
        yield s


def test_presets_become_assistants_once(store: Store) -> None:
    store.set_setting(
        "presets",
        {
            "Translator": {
                "system_prompt": "Translate to French.",
                "model": "gpt-4o",
                "params": {"temperature": 0.2, "unknown": 1},
            },
            "Broken": {"system_prompt": "x", "params": {"temperature": 9}},
            "Odd": "not an object",
        },
    )
    library = load_assistants(store)
    assert [a.name for a in library] == ["Translator"]
    assert library[0] == Assistant(
        "Translator", "Translate to French.", "gpt-4o", {"temperature": 0.2}
    )
    assert store.get_setting("presets") == {}  # moved: managed in one place from now on
    assert store.get_setting("assistants")[0]["name"] == "Translator"
    delete_assistant(store, "Translator")
    assert load_assistants(store) == []  # a deleted one does not come back from the presets


def test_upsert_rename_and_delete(store: Store) -> None:
    upsert_assistant(store, Assistant(" Coder ", "You write Python.", " ", {"top_p": 0.5}))
    upsert_assistant(store, Assistant("翻译", "翻译成英文。"))
    coder = get_assistant(store, "Coder")
    assert coder == Assistant("Coder", "You write Python.", None, {"top_p": 0.5})
    upsert_assistant(store, Assistant("Pythonista", "You write Python 3.11."), replacing="Coder")
    assert [a.name for a in load_assistants(store)] == ["Pythonista", "翻译"]  # order kept
    with pytest.raises(AssistantError) as info:
        upsert_assistant(store, Assistant("翻译", "x"), replacing="Pythonista")
    assert info.value.kind == "duplicate" and "翻译" in str(info.value)
    upsert_assistant(store, Assistant("翻译", "新的"))  # same name: replaced in place
    assert get_assistant(store, "翻译").system_prompt == "新的"  # type: ignore[union-attr]
    assert [a.name for a in delete_assistant(store, "Pythonista")] == ["翻译"]


@pytest.mark.parametrize(
    ("assistant", "kind"),
    [
        (Assistant("  "), "name_empty"),
        (Assistant("n" * 101), "name_long"),
        (Assistant("a", "p" * 100_001), "prompt_long"),
        (Assistant("a", model="m" * 201), "model_long"),
        (Assistant("a", params={"temperature": 3}), "param"),
        (Assistant("a", params={"max_tokens": 0}), "param"),
        (Assistant("a", params={"temperature": float("nan")}), "param"),
    ],
)
def test_unusable_assistants_are_refused(store: Store, assistant: Assistant, kind: str) -> None:
    with pytest.raises(AssistantError) as info:
        upsert_assistant(store, assistant)
    assert info.value.kind == kind
    assert load_assistants(store) == []


def test_parse_params() -> None:
    assert parse_params("") == {}
    assert parse_params('{"temperature": 0.7, "max_tokens": 100, "other": 1}') == {
        "temperature": 0.7,
        "max_tokens": 100,
    }
    for bad in ("[1]", "{", '{"top_p": 2}'):
        with pytest.raises(AssistantError):
            parse_params(bad)


def test_export_import_round_trip(store: Store, tmp_path: Path) -> None:
    library = [
        Assistant("Coder", "You write Python.", "gpt-4o", {"temperature": 0.1}),
        Assistant("翻译", "翻译成英文。"),
    ]
    path = tmp_path / "assistants.json"
    path.write_text(dumps_library(library), encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "chatdesk-assistants"
    assert read_library_file(path) == library
    merged, added, replaced = merge_imported([Assistant("Coder", "old")], read_library_file(path))
    assert (added, replaced) == (1, 1) and merged == library
    # A bare list of objects is fine too.
    assert parse_library('[{"name": "x", "prompt": "p"}]') == [Assistant("x", "p")]


@pytest.mark.parametrize(
    ("data", "kind", "detail"),
    [
        (b"\xff\xfe", "json", "UTF-8"),
        ("{not json", "json", "line 1"),
        ('{"assistants": []}', "shape", ""),
        ('{"hello": 1}', "shape", ""),
        ('"text"', "shape", ""),
        ("[" * 20 + "]" * 20, "depth", ""),
        ("[" * 100_000 + "]" * 100_000, "depth", ""),
        ('[{"name": "ok"}, {"name": ""}]', "item", "2: the name is empty"),
        ('[{"name": "ok", "params": {"temperature": 5}}]', "item", "1: parameter temperature"),
        ("[" + ",".join(['{"name": "a"}'] * (MAX_ASSISTANTS + 1)) + "]", "too_many", ""),
    ],
)
def test_bad_files_are_refused_with_a_reason(data: bytes | str, kind: str, detail: str) -> None:
    with pytest.raises(AssistantError) as info:
        parse_library(data)
    assert info.value.kind == kind
    assert detail in str(info.value)


def test_big_or_missing_files(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(AssistantError) as info:
        read_library_file(big)
    assert info.value.kind == "file_big"
    with pytest.raises(AssistantError) as info:
        read_library_file(tmp_path / "missing.json")
    assert info.value.kind == "file_read" and "No such file" in str(info.value)


def test_damaged_setting_keeps_the_good_ones(store: Store) -> None:
    store.set_setting(
        "assistants", [{"name": "good"}, {"name": ""}, "junk", {"name": "good", "model": "x"}]
    )
    assert load_assistants(store) == [Assistant("good")]
