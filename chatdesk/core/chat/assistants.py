"""The assistants library: named system prompts with a model and parameters.

An assistant is what a new chat starts from. The library lives in the setting
``assistants`` (a list, in the user's order); the presets of earlier versions (the
setting ``presets``, a dict by name) become assistants the first time the library is
read. Import and export use one small JSON format; everything read from a file or the
database is checked here, with bounded size and depth, so a hand-edited or hostile file
gives one clear message instead of a broken window.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatdesk.api.errors import ValidationError
from chatdesk.api.types import PARAM_FIELDS, ChatMessage
from chatdesk.api.validate import validate_request
from chatdesk.core.chat.session import request_for

if TYPE_CHECKING:
    from chatdesk.store import Store

__all__ = [
    "FORMAT",
    "MAX_ASSISTANTS",
    "MAX_FILE_BYTES",
    "Assistant",
    "AssistantError",
    "check_params",
    "delete_assistant",
    "dumps_library",
    "get_assistant",
    "load_assistants",
    "merge_imported",
    "parse_library",
    "parse_params",
    "read_library_file",
    "save_assistants",
    "upsert_assistant",
]

SETTING = "assistants"
LEGACY_SETTING = "presets"
FORMAT = "chatdesk-assistants"
MAX_NAME = 100
MAX_PROMPT = 100_000  # characters; long role prompts exist, books do not
MAX_MODEL = 200
MAX_ASSISTANTS = 500
MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 12


class AssistantError(ValueError):
    """An assistant or a library file that cannot be used.

    Attributes:
        kind: the reason (the window translates by kind): name_empty, name_long,
            prompt_long, model_long, params, param, file_big, file_read, json, depth,
            shape, item, too_many, duplicate.
        detail: what the message names (a field, a name, an item number...).
    """

    _TEXT = {
        "name_empty": "the name is empty",
        "name_long": f"the name is longer than {MAX_NAME} characters",
        "prompt_long": f"the system prompt is longer than {MAX_PROMPT} characters",
        "model_long": f"the model name is longer than {MAX_MODEL} characters",
        "params": 'the parameters must be a JSON object, e.g. {{"temperature": 0.7}}',
        "param": "parameter {detail}",
        "file_big": f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB",
        "file_read": "the file cannot be read: {detail}",
        "json": "the file is not valid JSON: {detail}",
        "depth": "the file is nested too deeply",
        "shape": "the file holds no assistants (expected a list of objects with a name)",
        "item": "assistant {detail}",
        "too_many": f"more than {MAX_ASSISTANTS} assistants",
        "duplicate": 'an assistant named "{detail}" already exists',
    }

    def __init__(self, kind: str, detail: str = "") -> None:
        self.kind = kind
        self.detail = detail
        super().__init__(self._TEXT[kind].format(detail=detail))


@dataclass(slots=True)
class Assistant:
    """A named system prompt; ``model`` None keeps the window's model."""

    name: str
    system_prompt: str = ""
    model: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "system_prompt": self.system_prompt,
            "model": self.model,
            "params": dict(self.params),
        }

    @classmethod
    def from_dict(cls, raw: Any) -> Assistant:
        """A checked assistant from JSON (unknown keys ignored)."""
        if not isinstance(raw, dict):
            raise AssistantError("shape")
        name = raw.get("name")
        prompt = raw.get("system_prompt", raw.get("prompt", ""))
        model = raw.get("model")
        return check_assistant(
            cls(
                name=name if isinstance(name, str) else "",
                system_prompt=prompt if isinstance(prompt, str) else "",
                model=model if isinstance(model, str) and model.strip() else None,
                params=check_params(raw.get("params") or {}),
            )
        )


def check_params(params: Any) -> dict[str, Any]:
    """Known request parameters only, each in its range (what a send would refuse)."""
    if not isinstance(params, dict):
        raise AssistantError("params")
    kept = {k: v for k, v in params.items() if k in PARAM_FIELDS and v is not None}
    for key, value in kept.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise AssistantError("param", f"{key}: must be a finite number")
    try:
        validate_request(request_for("m", [ChatMessage("user", "x")], kept))
    except ValidationError as exc:
        raise AssistantError("param", f"{exc.field}: {exc.message}") from None
    except TypeError:
        raise AssistantError("params") from None
    return kept


def parse_params(text: str) -> dict[str, Any]:
    """Parameters typed as JSON in the manager; blank is ``{}``."""
    if not text.strip():
        return {}
    if len(text) > 64_000:
        raise AssistantError("params")
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise AssistantError("params") from None
    return check_params(value)


def check_assistant(assistant: Assistant) -> Assistant:
    """``assistant`` with its name and model trimmed, if every field is usable."""
    assistant.name = assistant.name.strip()
    if not assistant.name:
        raise AssistantError("name_empty")
    if len(assistant.name) > MAX_NAME:
        raise AssistantError("name_long")
    if len(assistant.system_prompt) > MAX_PROMPT:
        raise AssistantError("prompt_long")
    model = (assistant.model or "").strip()
    if len(model) > MAX_MODEL:
        raise AssistantError("model_long")
    assistant.model = model or None
    assistant.params = check_params(assistant.params)
    return assistant


# --- the library in the database --------------------------------------------------------


def _from_legacy(presets: Any) -> list[Assistant]:
    """The presets of earlier versions ({name: {system_prompt, model, params}})."""
    out: list[Assistant] = []
    if not isinstance(presets, dict):
        return out
    for name in sorted(presets):
        raw = presets[name]
        if not isinstance(raw, dict):
            continue
        try:
            out.append(Assistant.from_dict({**raw, "name": name}))
        except AssistantError:
            continue  # a damaged preset is left behind, the rest still arrive
    return out


def load_assistants(store: Store) -> list[Assistant]:
    """The library in the user's order; presets of earlier versions are moved in once."""
    raw = store.get_setting(SETTING)
    if raw is None:
        migrated = _from_legacy(store.get_setting(LEGACY_SETTING))
        if migrated:
            save_assistants(store, migrated)
            store.set_setting(LEGACY_SETTING, {})  # moved, not copied: one place to manage
        return migrated
    out: list[Assistant] = []
    seen: set[str] = set()
    for item in raw if isinstance(raw, list) else []:
        try:
            assistant = Assistant.from_dict(item)
        except AssistantError:
            continue
        if assistant.name not in seen:
            seen.add(assistant.name)
            out.append(assistant)
    return out


def save_assistants(store: Store, assistants: list[Assistant]) -> None:
    store.set_setting(SETTING, [a.to_dict() for a in assistants])


def get_assistant(store: Store, name: str) -> Assistant | None:
    return next((a for a in load_assistants(store) if a.name == name), None)


def upsert_assistant(
    store: Store, assistant: Assistant, *, replacing: str | None = None
) -> list[Assistant]:
    """Save ``assistant`` in place of ``replacing`` (a rename), or as new; the new library.

    Raises:
        AssistantError: a field is not usable, or a rename would take another's name.
    """
    check_assistant(assistant)
    library = load_assistants(store)
    names = [a.name for a in library]
    target = replacing if replacing in names else assistant.name
    if assistant.name != target and assistant.name in names:
        raise AssistantError("duplicate", assistant.name)
    if target in names:
        library[names.index(target)] = assistant
    else:
        if len(library) >= MAX_ASSISTANTS:
            raise AssistantError("too_many")
        library.append(assistant)
    save_assistants(store, library)
    return library


def delete_assistant(store: Store, name: str) -> list[Assistant]:
    library = [a for a in load_assistants(store) if a.name != name]
    save_assistants(store, library)
    return library


# --- import / export ---------------------------------------------------------------------


def dumps_library(assistants: list[Assistant]) -> str:
    """The export file's text (UTF-8 JSON, readable and diffable)."""
    data = {"format": FORMAT, "version": 1, "assistants": [a.to_dict() for a in assistants]}
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _depth(value: Any) -> int:
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, level = stack.pop()
        children = list(node.values()) if isinstance(node, dict) else node
        if not isinstance(node, dict | list):
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_DEPTH:
            break
        stack.extend((c, level + 1) for c in children)
    return deepest


def parse_library(data: bytes | str) -> list[Assistant]:
    """Assistants from an export file: ours, or a bare list of assistant objects.

    Raises:
        AssistantError: too big, not JSON, too deep, or an assistant that is not usable
            (named by its position, 1-based).
    """
    if len(data) > MAX_FILE_BYTES:
        raise AssistantError("file_big")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise AssistantError("json", "not UTF-8 text") from None
    try:
        value = json.loads(data)
    except json.JSONDecodeError as exc:
        raise AssistantError("json", f"{exc.msg} (line {exc.lineno})") from None
    except RecursionError:
        raise AssistantError("depth") from None
    if _depth(value) > MAX_DEPTH:
        raise AssistantError("depth")
    items = value.get("assistants") if isinstance(value, dict) else value
    if not isinstance(items, list) or not items:
        raise AssistantError("shape")
    if len(items) > MAX_ASSISTANTS:
        raise AssistantError("too_many")
    out: list[Assistant] = []
    for i, item in enumerate(items, 1):
        try:
            out.append(Assistant.from_dict(item))
        except AssistantError as exc:
            raise AssistantError("item", f"{i}: {exc}") from None
    return out


def read_library_file(path: str | Path) -> list[Assistant]:
    """:func:`parse_library` on a file, its size checked before it is read."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise AssistantError("file_big")
        with p.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)  # a file growing meanwhile is still bounded
    except OSError as exc:
        raise AssistantError("file_read", exc.strerror or str(exc)) from None
    return parse_library(data)


def merge_imported(
    library: list[Assistant], imported: list[Assistant]
) -> tuple[list[Assistant], int, int]:
    """(new library, added, replaced): an imported assistant replaces one of its name."""
    out = list(library)
    names = [a.name for a in out]
    added = replaced = 0
    for assistant in imported:
        if assistant.name in names:
            out[names.index(assistant.name)] = assistant
            replaced += 1
        else:
            out.append(assistant)
            names.append(assistant.name)
            added += 1
    if len(out) > MAX_ASSISTANTS:
        raise AssistantError("too_many")
    return out, added, replaced
