"""Prompt sets: each format, each bad line refused with its line and reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatdesk.core.runs import promptset as ps
from chatdesk.core.runs.promptset import (
    PromptItem,
    PromptSetError,
    load_prompt_set,
    parse_prompt_set,
)
from chatdesk.errors import ChatdeskError


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    return path


def refused(path_or_text: Path | str, fmt: str | None = None) -> PromptSetError:
    with pytest.raises(PromptSetError) as info:
        if isinstance(path_or_text, Path):
            load_prompt_set(path_or_text, fmt)
        else:
            parse_prompt_set(path_or_text, fmt)
    return info.value


# --------------------------------------------------------------------------- JSONL


def test_jsonl_reads_prompt_id_and_system(tmp_path: Path) -> None:
    lines = [
        {"prompt": "Hello", "id": "greet", "system": "Be brief."},
        {"prompt": "你好", "extra": [1, 2]},
        {"prompt": "Numbered", "id": 81},
    ]
    text = "\n".join(json.dumps(o, ensure_ascii=False) for o in lines) + "\n\n"
    items = load_prompt_set(write(tmp_path, "set.jsonl", text))
    assert items == [
        PromptItem(0, "greet", "Hello", "Be brief."),
        PromptItem(1, None, "你好", None),
        PromptItem(2, "81", "Numbered", None),
    ]


@pytest.mark.parametrize(
    ("line", "reason", "fragment"),
    [
        ("{not json", "not_json", "not valid JSON"),
        ('["a list"]', "not_object", "not a JSON object"),
        ('{"id": "x"}', "no_prompt", '"prompt" is missing'),
        ('{"prompt": "   "}', "empty_prompt", '"prompt" is empty'),
        ('{"prompt": 3}', "wrong_type", '"prompt" must be text'),
        ('{"prompt": "ok", "id": [1]}', "wrong_type", '"id" must be text'),
        ('{"prompt": "ok", "system": {"a": 1}}', "wrong_type", '"system" must be text'),
        ('{"prompt": "ok", "id": true}', "wrong_type", '"id" must be text'),
        ("[" * 100_000, "not_json", "not valid JSON"),
    ],
)
def test_jsonl_bad_line_is_named_with_its_reason(line: str, reason: str, fragment: str) -> None:
    text = '{"prompt": "first"}\n\n' + line + '\n{"prompt": "after"}\n'
    err = refused(text, "jsonl")
    assert err.reason == reason
    assert err.line == 3
    assert str(err).startswith("Line 3: ")
    assert fragment in str(err)
    assert isinstance(err, ChatdeskError)


def test_jsonl_duplicate_id_names_both_lines() -> None:
    err = refused(
        '{"prompt": "a", "id": "q1"}\n{"prompt": "b", "id": "q2"}\n{"prompt": "c", "id": "q1"}\n',
        "jsonl",
    )
    assert (err.reason, err.line) == ("duplicate_id", 3)
    assert 'the id "q1" was already used on line 1' in str(err)


def test_error_is_explained_in_chinese() -> None:
    err = refused('{"prompt": "a"}\n{"id": "x"}\n', "jsonl")
    assert err.explain("zh_CN") == "第 2 行：缺少 \u201cprompt\u201d。"
    assert err.explain("en") == str(err) == 'Line 2: "prompt" is missing.'


def test_jsonl_crlf_and_bom(tmp_path: Path) -> None:
    data = b'\xef\xbb\xbf{"prompt": "one"}\r\n{"prompt": "two"}\r\n'
    items = load_prompt_set(write(tmp_path, "set.JSONL", data))
    assert [i.prompt for i in items] == ["one", "two"]


# --------------------------------------------------------------------------- TXT


def test_txt_one_prompt_per_non_empty_line(tmp_path: Path) -> None:
    data = "\ufefffirst prompt\r\n\r\n   \r\nsecond, with a comma\rthird\u2028same line\n"
    items = load_prompt_set(write(tmp_path, "set.txt", data))
    assert [(i.index, i.prompt) for i in items] == [
        (0, "first prompt"),
        (1, "second, with a comma"),
        (2, "third\u2028same line"),
    ]
    assert all(i.id is None and i.system is None for i in items)


def test_pasted_text_guesses_jsonl_or_txt() -> None:
    assert [i.prompt for i in parse_prompt_set('\n  {"prompt": "x"}\n')] == ["x"]
    assert [i.prompt for i in parse_prompt_set("a\nb\n")] == ["a", "b"]


# --------------------------------------------------------------------------- CSV


def test_csv_reads_columns_by_header(tmp_path: Path) -> None:
    data = (
        "\ufeffID,Prompt,system,notes\r\n"
        'q1,"Line one\nline two, with comma",Be kind,x\r\n'
        ',"He said ""hi""",,\r\n'
        "\r\n"
    )
    items = load_prompt_set(write(tmp_path, "set.csv", data))
    assert items == [
        PromptItem(0, "q1", "Line one\nline two, with comma", "Be kind"),
        PromptItem(1, None, 'He said "hi"', None),
    ]


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ("question,id\nhello,1\n", "no_prompt_column", 1),
        ("prompt,id\nhello,1\n,2\n", "empty_prompt", 3),
        ("prompt,id\nhello,1\nbye,1\n", "duplicate_id", 3),
        ("prompt,id\nhello,1\nbye,2,surplus\n", "extra_fields", 3),
        ('prompt\nhello\n"unterminated\n', "csv", 3),
        ("prompt,Prompt\nhello,x\n", "duplicate_column", 1),
    ],
)
def test_csv_bad_row_is_named(text: str, reason: str, line: int) -> None:
    err = refused(text, "csv")
    assert (err.reason, err.line) == (reason, line)
    assert str(err).startswith(f"Line {line}: ")


# --------------------------------------------------------------------------- files and bounds


@pytest.mark.parametrize(
    ("name", "data"),
    [("e.jsonl", ""), ("e.txt", "\n \r\n"), ("e.csv", "prompt,id\n"), ("e.csv", "")],
)
def test_empty_set_is_refused(tmp_path: Path, name: str, data: str) -> None:
    err = refused(write(tmp_path, name, data))
    assert err.reason == "empty"
    assert str(err) == "The prompt set has no prompts."


def test_invalid_utf8_names_line(tmp_path: Path) -> None:
    err = refused(write(tmp_path, "bad.txt", b"fine\nalso fine\nbad \xff byte\n"))
    assert (err.reason, err.line) == ("encoding", 3)
    assert "not valid UTF-8" in str(err)


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    assert refused(write(tmp_path, "set.xlsx", "x")).reason == "format"
    err = refused(tmp_path / "missing.txt")
    assert err.reason == "unreadable"


def test_sizes_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    long = "x" * (ps.MAX_PROMPT_CHARS + 1)
    err = refused(json.dumps({"prompt": long}), "jsonl")
    assert (err.reason, err.line) == ("too_long", 1)
    err = refused(json.dumps({"prompt": "ok", "id": "i" * (ps.MAX_ID_CHARS + 1)}), "jsonl")
    assert err.reason == "too_long"
    err = refused("\n".join(f"p{i}" for i in range(ps.MAX_PROMPTS + 1)), "txt")
    assert err.reason == "too_many"
    assert len(parse_prompt_set("\n".join(f"p{i}" for i in range(ps.MAX_PROMPTS)), "txt")) == (
        ps.MAX_PROMPTS
    )
    monkeypatch.setattr(ps, "MAX_FILE_BYTES", 1000)
    err = refused(write(tmp_path, "big.txt", "y" * 1001))
    assert err.reason == "too_big"
    assert refused("z" * 1001, "txt").reason == "too_big"
