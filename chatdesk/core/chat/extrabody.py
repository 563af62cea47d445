"""Extra request-body JSON per provider and per model, merged last into every request.

Relays expose switches the OpenAI API does not have (``enable_thinking`` for Qwen,
``reasoning_effort``, ``thinking`` for Claude, ``top_k``). Users store them once: per
provider as ``ProviderRow.options["extra_body"]``, per (provider, model) in the setting
``model_extra_body`` (``{provider: {model: {...}}}``). A request gets the provider's, then
the model's on top, then its own (``ask --extra-body``) last of all. Everything a user
types is checked here (size, depth, an object, no key that would replace what ChatDesk
itself sends), so the window, compare and the CLI refuse the same things.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from chatdesk.api.validate import EXTRA_BODY_RESERVED as RESERVED_KEYS

if TYPE_CHECKING:
    from chatdesk.store import Store

__all__ = [
    "MAX_CHARS",
    "MAX_DEPTH",
    "RESERVED_KEYS",
    "SETTING",
    "ExtraBodyError",
    "check_extra_body",
    "extra_body_for",
    "format_extra_body",
    "merge_extra_bodies",
    "model_extra_bodies",
    "parse_extra_body",
    "parse_model_map",
    "provider_extra_body",
    "set_model_extra_bodies",
]

MAX_CHARS = 16_000  # far more than any relay switch needs; typed JSON stays small
MAX_DEPTH = 8
SETTING = "model_extra_body"
OPTION = "extra_body"


class ExtraBodyError(ValueError):
    """Extra body JSON that cannot be used.

    Attributes:
        kind: too_long, json, not_object, too_deep, reserved, model_value or model_empty
            (the window translates by kind).
        detail: what the message names (the key, the model, the parser's complaint...).
    """

    _TEXT = {
        "too_long": "is too long ({detail} characters; at most {limit})",
        "json": "is not valid JSON: {detail}",
        "not_object": 'must be a JSON object, e.g. {{"enable_thinking": true}}',
        "too_deep": "is nested too deeply (at most {depth} levels)",
        "reserved": '"{detail}" cannot be set here: ChatDesk sends model, messages and stream '
        "itself",
        "model_value": 'the value for model "{detail}" must be a JSON object',
        "model_empty": "a model name is empty",
    }

    def __init__(self, kind: str, detail: str = "") -> None:
        self.kind = kind
        self.detail = detail
        super().__init__(
            "extra body " + self._TEXT[kind].format(detail=detail, limit=MAX_CHARS, depth=MAX_DEPTH)
        )


def _depth(value: Any) -> int:
    """Nesting depth of a JSON value (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children: list[Any] = list(node.values())
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def check_extra_body(value: Any) -> dict[str, Any]:
    """``value`` if it is a usable extra body (an object, bounded, no reserved key)."""
    if not isinstance(value, dict):
        raise ExtraBodyError("not_object")
    if _depth(value) > MAX_DEPTH:
        raise ExtraBodyError("too_deep")
    for key in RESERVED_KEYS:
        if key in value:
            raise ExtraBodyError("reserved", key)
    bad = _non_finite(value)
    if bad is not None:
        raise ExtraBodyError("json", _NOT_FINITE.format(bad))
    return value


_NOT_FINITE = "{} is not a number JSON allows (it would be sent as Infinity or NaN)"


def _non_finite(value: Any) -> str | None:
    """The first NaN or infinite number in ``value`` (a stored body from an older
    version), as text; ``None`` when every number is one JSON can carry."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, float) and not math.isfinite(node):
            return repr(node)
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return None


def _refuse_constant(name: str) -> Any:
    raise ExtraBodyError("json", _NOT_FINITE.format(name))


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e400: valid JSON syntax, but no float holds it
        raise ExtraBodyError("json", _NOT_FINITE.format(text))
    return number


def _loads(text: str) -> Any:
    text = text.strip()
    if len(text) > MAX_CHARS:
        raise ExtraBodyError("too_long", str(len(text)))
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise ExtraBodyError("json", f"{exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise ExtraBodyError("too_deep") from None


def parse_extra_body(text: str) -> dict[str, Any]:
    """The extra body typed by the user; blank text is ``{}`` (nothing extra)."""
    if not text.strip():
        return {}
    return check_extra_body(_loads(text))


def parse_model_map(text: str) -> dict[str, dict[str, Any]]:
    """``{"model id": {extra body}, ...}`` typed by the user; blank text is ``{}``."""
    if not text.strip():
        return {}
    value = _loads(text)
    if not isinstance(value, dict):
        raise ExtraBodyError("not_object")
    if _depth(value) > MAX_DEPTH + 1:
        raise ExtraBodyError("too_deep")
    out: dict[str, dict[str, Any]] = {}
    for model, body in value.items():
        if not model.strip():
            raise ExtraBodyError("model_empty")
        if not isinstance(body, dict):
            raise ExtraBodyError("model_value", model)
        out[model.strip()] = check_extra_body(body)
    return out


def format_extra_body(value: dict[str, Any] | None) -> str:
    """Stored extra JSON as the editor shows it ("" for nothing)."""
    return json.dumps(value, ensure_ascii=False, indent=2) if value else ""


def merge_extra_bodies(*bodies: dict[str, Any] | None) -> dict[str, Any] | None:
    """Later bodies win key by key (top level only); None when there is nothing."""
    merged: dict[str, Any] = {}
    for body in bodies:
        if body:
            merged.update(body)
    return merged or None


def _checked(value: Any) -> dict[str, Any]:
    """A stored value, or {} if it was damaged or hand-edited into something unusable."""
    try:
        return dict(check_extra_body(value))
    except ExtraBodyError:
        return {}


def provider_extra_body(options: Any) -> dict[str, Any]:
    """The extra body kept in a provider's ``options``."""
    return _checked(options.get(OPTION)) if isinstance(options, dict) else {}


def model_extra_bodies(store: Store, provider: str | None) -> dict[str, dict[str, Any]]:
    """Every model's extra body stored for ``provider`` (a --base-url server: none)."""
    if not provider:
        return {}
    table = store.get_setting(SETTING, {})
    raw = table.get(provider) if isinstance(table, dict) else None
    if not isinstance(raw, dict):
        return {}
    out = {str(m): _checked(b) for m, b in raw.items()}
    return {m: b for m, b in out.items() if b}


def set_model_extra_bodies(store: Store, provider: str, bodies: dict[str, dict[str, Any]]) -> None:
    """Replace ``provider``'s per-model extra bodies (each checked; empty ones dropped)."""
    table = store.get_setting(SETTING, {})
    table = dict(table) if isinstance(table, dict) else {}
    kept = {m: check_extra_body(b) for m, b in bodies.items() if b}
    if kept:
        table[provider] = kept
    else:
        table.pop(provider, None)
    store.set_setting(SETTING, table)


def extra_body_for(
    store: Store, provider: str | None, model: str, *extra: dict[str, Any] | None
) -> dict[str, Any] | None:
    """What a request to ``model`` on ``provider`` carries: provider, model, then ``extra``."""
    row = store.get_provider(provider) if provider else None
    return merge_extra_bodies(
        provider_extra_body(row.options if row is not None else None),
        model_extra_bodies(store, provider).get(model),
        *extra,
    )
