"""A prompt set read from a file or pasted text, checked whole before anything is sent.

Three formats: ``.jsonl`` (one object a line: ``"prompt"`` required, ``"id"`` and
``"system"`` optional), ``.txt`` (one prompt per non-empty line) and ``.csv`` (a header
with a ``prompt`` column, optional ``id`` and ``system``). A run sends many requests
and may cost money, so a bad line refuses the whole set with the line and the reason
(:class:`PromptSetError`), instead of running the good part and surprising the user.
Files are untrusted: sizes, prompt lengths and the number of prompts are bounded.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatdesk.errors import ChatdeskError

__all__ = [
    "FORMATS",
    "MAX_FILE_BYTES",
    "MAX_ID_CHARS",
    "MAX_PROMPTS",
    "MAX_PROMPT_CHARS",
    "PromptItem",
    "PromptSetError",
    "format_for_path",
    "guess_format",
    "load_prompt_set",
    "parse_prompt_set",
]

FORMATS = ("jsonl", "txt", "csv")
#: A file (or pasted text) larger than this is refused unread.
MAX_FILE_BYTES = 32 * 1024 * 1024
#: Longest prompt or system prompt, in characters (below the csv module's field limit).
MAX_PROMPT_CHARS = 100_000
#: Longest id, in characters (an id is a label, not content).
MAX_ID_CHARS = 200
#: Most prompts in one set (x 4 models and a judge, already ~100,000 requests).
MAX_PROMPTS = 10_000
_BOM = "\ufeff"

# reason -> (English, Chinese); "{...}" fields come from the error's params.
_TEXT: dict[str, tuple[str, str]] = {
    "empty": ("The prompt set has no prompts.", "提示词集中没有任何提示词。"),
    "too_big": (
        "The prompt set is too large ({size} MB; at most {limit} MB).",
        "提示词集过大（{size} MB，最多 {limit} MB）。",
    ),
    "too_many": (
        "The prompt set has more than {limit} prompts.",
        "提示词集超过 {limit} 条提示词。",
    ),
    "unreadable": ("The file cannot be read: {detail}", "无法读取文件：{detail}"),
    "format": (
        "Unknown prompt set format \u201c{detail}\u201d: use .jsonl, .txt or .csv.",
        "未知的提示词集格式\u201c{detail}\u201d：请使用 .jsonl、.txt 或 .csv。",
    ),
    "encoding": (
        "the text is not valid UTF-8 (byte {detail} of the line).",
        "文本不是有效的 UTF-8 编码（该行第 {detail} 个字节）。",
    ),
    "not_json": ("not valid JSON ({detail}).", "不是有效的 JSON（{detail}）。"),
    "not_object": (
        'not a JSON object (expected {{"prompt": ...}}).',
        '不是 JSON 对象（应为 {{"prompt": ...}}）。',
    ),
    "no_prompt": ('"prompt" is missing.', "缺少 \u201cprompt\u201d。"),
    "empty_prompt": ('"prompt" is empty.', "\u201cprompt\u201d 为空。"),
    "wrong_type": ('"{field}" must be text.', "\u201c{field}\u201d 必须是文本。"),
    "too_long": (
        '"{field}" is too long ({size} characters; at most {limit}).',
        "\u201c{field}\u201d 过长（{size} 个字符，最多 {limit} 个）。",
    ),
    "duplicate_id": (
        'the id "{detail}" was already used on line {other}.',
        "id \u201c{detail}\u201d 已在第 {other} 行使用过。",
    ),
    "no_prompt_column": (
        'the header has no "prompt" column.',
        "表头中没有 \u201cprompt\u201d 列。",
    ),
    "duplicate_column": (
        'the header names the column "{detail}" twice.',
        "表头中 \u201c{detail}\u201d 列出现了两次。",
    ),
    "extra_fields": (
        "the row has more fields than the header.",
        "该行的字段比表头多。",
    ),
    "csv": ("not valid CSV ({detail}).", "不是有效的 CSV（{detail}）。"),
}
_LINE = ("Line {line}: ", "第 {line} 行：")


class PromptSetError(ChatdeskError):
    """A prompt set that cannot be run; nothing was sent.

    ``reason`` is a short machine-readable key (``not_json``, ``no_prompt``,
    ``duplicate_id``...), ``line`` the 1-based line of the file when one is to
    blame. :meth:`explain` says it in the user's language; ``str()`` is English.
    """

    kind = "prompt_set"

    def __init__(self, reason: str, *, line: int | None = None, **params: Any) -> None:
        self.reason = reason
        self.line = line
        self.params = params
        super().__init__(self.explain("en"))

    def explain(self, lang: str = "en") -> str:
        """The message in English or Chinese (``lang`` starting with ``zh``)."""
        zh = lang.startswith("zh")
        en_text, zh_text = _TEXT[self.reason]
        text = (zh_text if zh else en_text).format(**self.params)
        if self.line is None:
            return text[:1].upper() + text[1:]
        return (_LINE[1] if zh else _LINE[0]).format(line=self.line) + text


@dataclass(frozen=True, slots=True)
class PromptItem:
    """One prompt of a set; ``index`` is its 0-based position (a run's row)."""

    index: int
    id: str | None
    prompt: str
    system: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "prompt": self.prompt, "system": self.system}


def format_for_path(path: str | os.PathLike[str]) -> str:
    """The format named by a file's extension (``PromptSetError`` for another)."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in ("jsonl", "ndjson"):
        return "jsonl"
    if suffix in FORMATS:
        return suffix
    raise PromptSetError("format", detail=Path(path).suffix or Path(path).name)


def guess_format(text: str) -> str:
    """For pasted text: ``jsonl`` when the first non-blank line is a JSON object, else
    ``txt`` (CSV is not guessed: a line with commas is more often a plain prompt)."""
    for line in text.lstrip(_BOM).splitlines():
        if line.strip():
            return "jsonl" if line.lstrip().startswith("{") else "txt"
    return "txt"


def load_prompt_set(path: str | os.PathLike[str], fmt: str | None = None) -> list[PromptItem]:
    """Read and check a prompt set file (format from the extension unless ``fmt``)."""
    fmt = fmt or format_for_path(path)
    if fmt not in FORMATS:
        raise PromptSetError("format", detail=fmt)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise PromptSetError("unreadable", detail=exc.strerror or str(exc)) from exc
    _check_size(len(data))
    return parse_prompt_set(_decode(data), fmt)


def parse_prompt_set(text: str, fmt: str | None = None) -> list[PromptItem]:
    """Check a prompt set given as text (pasted, or a decoded file).

    ``fmt`` is one of :data:`FORMATS`; ``None`` guesses JSONL or plain text.
    """
    _check_size(len(text.encode("utf-8", "surrogatepass")))
    text = text.removeprefix(_BOM)
    fmt = fmt or guess_format(text)
    if fmt == "jsonl":
        items = _parse_jsonl(text)
    elif fmt == "txt":
        items = _parse_txt(text)
    elif fmt == "csv":
        items = _parse_csv(text)
    else:
        raise PromptSetError("format", detail=fmt)
    if not items:
        raise PromptSetError("empty")
    return items


# --------------------------------------------------------------------------- helpers


def _check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        mb = 1024 * 1024
        raise PromptSetError("too_big", size=f"{size / mb:.1f}", limit=f"{MAX_FILE_BYTES // mb}")


def _decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped); an invalid byte is named by its line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise PromptSetError("encoding", line=line, detail=column) from exc


def _lines(text: str) -> Iterable[tuple[int, str]]:
    """``(line number, line)``, splitting on LF, CRLF and CR only (not on the other
    characters ``str.splitlines`` breaks at, which may be part of a prompt)."""
    normal = text.replace("\r\n", "\n").replace("\r", "\n")
    return enumerate(normal.split("\n"), start=1)


class _Builder:
    """Collects prompts, checking lengths, duplicate ids and the count as it goes."""

    def __init__(self) -> None:
        self.items: list[PromptItem] = []
        self.ids: dict[str, int] = {}

    def text_field(self, value: Any, field: str, line: int, limit: int) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise PromptSetError("wrong_type", line=line, field=field)
        if len(value) > limit:
            raise PromptSetError("too_long", line=line, field=field, size=len(value), limit=limit)
        return value

    def add(self, line: int, prompt: Any, id_: Any = None, system: Any = None) -> None:
        if prompt is None:
            raise PromptSetError("no_prompt", line=line)
        text = self.text_field(prompt, "prompt", line, MAX_PROMPT_CHARS)
        if text is None or not text.strip():
            raise PromptSetError("empty_prompt", line=line)
        if isinstance(id_, int) and not isinstance(id_, bool):
            id_ = str(id_)  # numbered datasets ({"id": 81, ...}) are common
        ident = self.text_field(id_, "id", line, MAX_ID_CHARS)
        ident = ident.strip() if ident is not None else None
        sys_text = self.text_field(system, "system", line, MAX_PROMPT_CHARS)
        if ident:
            if ident in self.ids:
                raise PromptSetError("duplicate_id", line=line, detail=ident, other=self.ids[ident])
            self.ids[ident] = line
        if len(self.items) >= MAX_PROMPTS:
            raise PromptSetError("too_many", limit=MAX_PROMPTS)
        self.items.append(PromptItem(len(self.items), ident or None, text, sys_text or None))


def _parse_txt(text: str) -> list[PromptItem]:
    out = _Builder()
    for number, line in _lines(text):
        if line.strip():
            out.add(number, line.strip())
    return out.items


def _parse_jsonl(text: str) -> list[PromptItem]:
    out = _Builder()
    for number, line in _lines(text):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except RecursionError as exc:
            raise PromptSetError("not_json", line=number, detail="nested too deeply") from exc
        except ValueError as exc:
            detail = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise PromptSetError("not_json", line=number, detail=detail[:200]) from exc
        if not isinstance(obj, dict):
            raise PromptSetError("not_object", line=number)
        out.add(number, obj.get("prompt"), obj.get("id"), obj.get("system"))
    return out.items


def _cell(row: list[str], columns: dict[str, int], name: str) -> str | None:
    index = columns.get(name)
    return row[index] if index is not None and index < len(row) else None


def _parse_csv(text: str) -> list[PromptItem]:
    out = _Builder()
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    columns: dict[str, int] | None = None
    header_width = 0
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # blank lines (and rows of empty cells) are not prompts
            if columns is None:
                columns = {}
                for i, name in enumerate(row):
                    key = name.strip().lower()
                    if key in columns and key:
                        raise PromptSetError("duplicate_column", line=line, detail=name.strip())
                    columns.setdefault(key, i)
                if "prompt" not in columns:
                    raise PromptSetError("no_prompt_column", line=line)
                header_width = len(row)
                continue
            if len(row) > header_width and any(c.strip() for c in row[header_width:]):
                raise PromptSetError("extra_fields", line=line)

            out.add(
                line,
                _cell(row, columns, "prompt") or "",
                _cell(row, columns, "id"),
                _cell(row, columns, "system"),
            )
    except csv.Error as exc:
        raise PromptSetError("csv", line=reader.line_num, detail=str(exc)[:200]) from exc
    return out.items
