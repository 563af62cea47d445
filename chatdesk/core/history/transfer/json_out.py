"""Our own JSON out: the lossless, deterministic ``chatdesk-export`` document (the
format is described in the package docstring)."""

from __future__ import annotations

import base64
import json
import math
import uuid
from collections.abc import Iterable
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from chatdesk.core.chat.turnrefs import clean_turns
from chatdesk.core.history.transfer.model import (
    FORMAT,
    REFS_POSITIONS,
    VERSION,
    provider_name,
    select_conversations,
    turn_refs,
)
from chatdesk.store.rows import ConversationRow, MessageRow

if TYPE_CHECKING:
    from chatdesk.store import Store


def _fingerprint(store: Store, conv: ConversationRow) -> str:
    """The conversation's stable export id, given (and saved) the first time.

    Derived from the row (not random), so an export from a store that cannot save it
    (read-only: a full disk being rescued) names the conversation as a later one will.
    """
    source = store.get_source_id(conv.id)
    if source is None:
        source = f"chatdesk:{uuid.uuid5(_FINGERPRINTS, f'{conv.id}:{conv.created!r}')}"
        if not store.readonly:
            store.set_source_id(conv.id, source)
    return source


_FINGERPRINTS = uuid.UUID("b0557abc-18e2-4340-8f9a-939c634fe80e")


def _message_json(m: MessageRow, pos: dict[int, int]) -> dict[str, Any]:
    return {
        "id": pos[m.id],
        "parent": None if m.parent_id is None else pos.get(m.parent_id),
        "role": m.role,
        "content": m.content,
        "parts": m.parts,
        "reasoning": m.reasoning,
        "name": m.name,
        "tool_calls": m.tool_calls,
        "tool_call_id": m.tool_call_id,
        "model_requested": m.model_requested,
        "model": m.model,
        "finish_reason": m.finish_reason,
        "usage": m.usage,
        "ttft_ms": m.ttft_ms,
        "duration_ms": m.duration_ms,
        "status": m.status,
        "error": m.error,
        "error_category": m.error_category,
        "choice_index": m.choice_index,
        "created": m.created,
        "updated": m.updated,
        "meta": m.meta,
    }


def _comparison_json(store: Store, cid: int, pos: dict[int, int]) -> dict[str, Any]:
    """``{"comparison": {...}}`` for a compare-mode conversation, else ``{}``."""
    comp = store.comparison_for_conversation(cid)
    if comp is None:
        return {}
    votes = [
        {
            "created": v.created,
            "winner": v.winner,
            "models": v.models,
            "prompt": v.prompt,
            "column_order": v.column_order,
            "message": None if v.user_message_id is None else pos.get(v.user_message_id),
        }
        for v in store.votes_for(comp.id)
    ]
    state = dict(comp.state) if isinstance(comp.state, dict) else {}
    if "turns" in state:
        columns = len(comp.columns) if isinstance(comp.columns, list) else 0
        turns = clean_turns(state["turns"], set(pos), columns)
        state["turns"] = [turn_refs(turn, pos) for turn in turns]
    return {
        "comparison": {
            "created": comp.created,
            "blind": comp.blind,
            "columns": comp.columns,
            "refs": REFS_POSITIONS,
            "state": state,
            "votes": votes,
        }
    }


def _image_hashes(messages: Iterable[MessageRow]) -> list[str]:
    found: dict[str, None] = {}
    for m in messages:
        for part in m.parts or []:
            if isinstance(part, dict) and part.get("type") == "image" and part.get("hash"):
                found[str(part["hash"])] = None
    return list(found)


def export_json(store: Store, ids: Iterable[int] | None = None) -> str:
    """The lossless ``chatdesk-export`` document (see the module docstring).

    Conversations without a fingerprint get one now (saved), so exporting twice gives
    the same ids and re-importing either file is recognised as a duplicate.
    """
    rows = select_conversations(store, ids)
    with nullcontext() if store.readonly else store.transaction():  # read-only: nothing saved
        sources = {conv.id: _fingerprint(store, conv) for conv in rows}
    rows.sort(key=lambda c: (c.created, sources[c.id]))
    convs: list[dict[str, Any]] = []
    images: dict[str, dict[str, str]] = {}
    for conv in rows:
        messages = store.list_messages(conv.id)
        pos = {m.id: i for i, m in enumerate(messages, 1)}
        extra = _comparison_json(store, conv.id, pos)
        for digest in _image_hashes(messages):
            if digest not in images:
                found = store.get_image(digest)
                if found is not None:
                    images[digest] = {
                        "mime": found[1],
                        "data": base64.b64encode(found[0]).decode("ascii"),
                    }
        convs.append(
            {
                "id": sources[conv.id],
                "title": conv.title,
                "created": conv.created,
                "updated": conv.updated,
                "pinned": conv.pinned,
                "system_prompt": conv.system_prompt,
                "model": conv.model,
                "provider": provider_name(conv.provider),
                "params": conv.params,
                "current_leaf": pos.get(conv.current_leaf_id)
                if conv.current_leaf_id is not None
                else None,
                "messages": [_message_json(m, pos) for m in messages],
                **extra,
            }
        )
    doc = {"format": FORMAT, "version": VERSION, "conversations": convs, "images": images}
    # A stored value that is not a finite number (an infinite time from an old import) would
    # be written as Infinity/NaN, which is not JSON: such values travel as null, and the
    # import repairs a missing time as it repairs any bad one.
    return (
        json.dumps(_finite(doc), ensure_ascii=False, sort_keys=True, indent=2, allow_nan=False)
        + "\n"
    )


def _finite(value: Any) -> Any:
    """``value`` with every non-finite float (inf, -inf, NaN) replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
