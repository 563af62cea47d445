"""Our own JSON in: a ``chatdesk-export`` document checked completely, then turned into
rows (nothing is written here; a damaged file raises :class:`TransferError`)."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from chatdesk.core.chat.turnrefs import MAX_TURNS, clean_turns, rebuild_turns
from chatdesk.core.history.transfer.model import (
    REFS_POSITIONS,
    VERSION,
    PendingConversation,
    TransferError,
    provider_name,
)
from chatdesk.store.rows import (
    COLUMN_LABELS,
    MESSAGE_STATUSES,
    VOTE_WINNERS,
    ConversationRow,
    MessageRow,
)

_MSG_FIELDS: dict[str, tuple[type, ...]] = {
    "role": (str,),
    "content": (str,),
    "parts": (list, type(None)),
    "reasoning": (str,),
    "name": (str, type(None)),
    "tool_calls": (list, type(None)),
    "tool_call_id": (str, type(None)),
    "model_requested": (str, type(None)),
    "model": (str, type(None)),
    "finish_reason": (str, type(None)),
    "usage": (dict, type(None)),
    "ttft_ms": (int, float, type(None)),
    "duration_ms": (int, float, type(None)),
    "status": (str,),
    "error": (str, type(None)),
    "error_category": (str, type(None)),
    "choice_index": (int,),
    "created": (int, float, type(None)),  # null: a time the exporter could not write
    "updated": (int, float, type(None)),
    "meta": (dict,),
}
_CONV_FIELDS: dict[str, tuple[type, ...]] = {
    "title": (str,),
    "created": (int, float, type(None)),  # null: a time the exporter could not write
    "updated": (int, float, type(None)),
    "pinned": (bool,),
    "system_prompt": (str,),
    "model": (str, type(None)),
    "provider": (str, type(None)),
    "params": (dict,),
    "current_leaf": (int, type(None)),
    "messages": (list,),
}


def _field(obj: dict[str, Any], key: str, types: tuple[type, ...], where: str) -> Any:
    if key not in obj:
        raise TransferError(f"Damaged export: {where} has no {key!r}.")
    value = obj[key]
    # bool is an int in Python; only accept it where bool is asked for.
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        raise TransferError(f"Damaged export: {where}.{key} has the wrong type.")
    return value


_COMPARISON_FIELDS: dict[str, tuple[type, ...]] = {
    "created": (int, float, type(None)),  # null: a time the exporter could not write
    "blind": (bool,),
    "columns": (list,),
    "state": (dict,),
    "votes": (list,),
}
_VOTE_FIELDS: dict[str, tuple[type, ...]] = {
    "created": (int, float, type(None)),  # null: a time the exporter could not write
    "winner": (str,),
    "models": (list,),
    "prompt": (str,),
    "column_order": (list,),
    "message": (int, type(None)),
}


def _parse_comparison(
    raw: Any, where: str, local_ids: set[int], messages: list[MessageRow]
) -> dict[str, Any]:
    """Check a conversation's ``comparison`` object completely (before any write)."""
    where = f"{where} comparison"
    if not isinstance(raw, dict):
        raise TransferError(f"Damaged export: {where} is not an object.")
    c = {key: _field(raw, key, types, where) for key, types in _COMPARISON_FIELDS.items()}
    columns = c["columns"]
    if not 2 <= len(columns) <= len(COLUMN_LABELS) or not all(
        isinstance(col, dict) and isinstance(col.get("model"), str) for col in columns
    ):
        raise TransferError(f"Damaged export: {where} needs 2 to 4 columns, each with a model.")
    state = dict(c["state"])
    turns = state.get("turns")
    if isinstance(turns, list) and len(turns) > MAX_TURNS:
        raise TransferError(f"Damaged export: {where} has more than {MAX_TURNS:,} turns.")
    if "turns" in state:
        if raw.get("refs") == REFS_POSITIONS:
            state["turns"] = clean_turns(turns, local_ids, len(columns))
        else:  # older files held the ids of the database they came from: meaningless here
            state["turns"] = rebuild_turns(messages, len(columns))
    c["state"] = state
    votes = []
    for v_index, vote in enumerate(c["votes"]):
        v_where = f"{where} vote {v_index + 1}"
        if not isinstance(vote, dict):
            raise TransferError(f"Damaged export: {v_where} is not an object.")
        v = {key: _field(vote, key, types, v_where) for key, types in _VOTE_FIELDS.items()}
        models, order = v["models"], v["column_order"]
        if not 2 <= len(models) <= len(COLUMN_LABELS) or not all(
            isinstance(m, str) for m in models
        ):
            raise TransferError(f"Damaged export: {v_where} needs 2 to 4 model names.")
        winner = v["winner"]
        if winner not in VOTE_WINNERS or (
            winner in COLUMN_LABELS and COLUMN_LABELS.index(winner) >= len(models)
        ):
            raise TransferError(f"Damaged export: {v_where} has an impossible winner {winner!r}.")
        if any(isinstance(i, bool) or not isinstance(i, int) for i in order) or sorted(
            order
        ) != list(range(len(models))):
            raise TransferError(f"Damaged export: {v_where} has a bad column_order.")
        if v["message"] is not None and v["message"] not in local_ids:
            raise TransferError(f"Damaged export: {v_where} names a message that is not there.")
        votes.append(v)
    c["votes"] = votes
    return c


def parse_chatdesk(data: dict[str, Any]) -> list[PendingConversation]:
    """Check a ``chatdesk-export`` document completely and turn it into rows."""
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise TransferError("Damaged export: the header has no version number.")
    if version > VERSION:
        raise TransferError(
            f"This export was made by a newer ChatDesk (format version {version}); "
            "please update ChatDesk to import it."
        )
    convs = data.get("conversations")
    images_in = data.get("images", {})
    if not isinstance(convs, list) or not isinstance(images_in, dict):
        raise TransferError("Damaged export: 'conversations' must be a list, 'images' a map.")
    images: dict[str, tuple[bytes, str]] = {}
    for digest, entry in images_in.items():
        where = f"image {str(digest)[:12]}"
        if not isinstance(entry, dict):
            raise TransferError(f"Damaged export: {where} is not an object.")
        mime = _field(entry, "mime", (str,), where)
        encoded = _field(entry, "data", (str,), where)
        try:
            blob = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise TransferError(f"Damaged export: {where} is not valid base64.") from None
        if hashlib.sha256(blob).hexdigest() != digest:
            raise TransferError(f"Damaged export: {where} does not match its hash.")
        images[digest] = (blob, mime)

    out: list[PendingConversation] = []
    seen: set[str] = set()
    for index, conv in enumerate(convs):
        where = f"conversation {index + 1}"
        if not isinstance(conv, dict):
            raise TransferError(f"Damaged export: {where} is not an object.")
        source_id = _field(conv, "id", (str,), where)
        if not source_id:
            raise TransferError(f"Damaged export: {where} has an empty id.")
        where = f"conversation {source_id}"
        if source_id in seen:
            raise TransferError(f"Damaged export: {where} appears twice.")
        seen.add(source_id)
        c = {key: _field(conv, key, types, where) for key, types in _CONV_FIELDS.items()}
        messages: list[MessageRow] = []
        used: dict[str, tuple[bytes, str]] = {}
        local_ids: set[int] = set()
        for m_index, msg in enumerate(c["messages"]):
            m_where = f"{where} message {m_index + 1}"
            if not isinstance(msg, dict):
                raise TransferError(f"Damaged export: {m_where} is not an object.")
            mid = _field(msg, "id", (int,), m_where)
            parent = _field(msg, "parent", (int, type(None)), m_where)
            if mid in local_ids:
                raise TransferError(f"Damaged export: {m_where} repeats id {mid}.")
            if parent is not None and parent not in local_ids:
                raise TransferError(
                    f"Damaged export: {m_where} has parent {parent}, which does not come before it."
                )
            local_ids.add(mid)
            f = {key: _field(msg, key, types, m_where) for key, types in _MSG_FIELDS.items()}
            if f["status"] not in MESSAGE_STATUSES:
                raise TransferError(
                    f"Damaged export: {m_where} has unknown status {f['status']!r}."
                )
            for part in f["parts"] or []:
                if not isinstance(part, dict):
                    raise TransferError(
                        f"Damaged export: {m_where} has a part that is not an object."
                    )
                digest = part.get("hash")
                if part.get("type") == "image" and isinstance(digest, str) and digest in images:
                    used[digest] = images[digest]
            messages.append(MessageRow(id=mid, conversation_id=0, parent_id=parent, **f))
        leaf = c["current_leaf"]
        if leaf is not None and leaf not in local_ids:
            raise TransferError(
                f"Damaged export: {where} current_leaf {leaf} is not one of its messages."
            )
        row = ConversationRow(
            id=0,
            title=c["title"],
            created=c["created"],
            updated=c["updated"],
            pinned=c["pinned"],
            system_prompt=c["system_prompt"],
            model=c["model"],
            provider=provider_name(c["provider"]),
            params=c["params"],
            current_leaf_id=leaf,
        )
        comparison = (
            _parse_comparison(conv["comparison"], where, local_ids, messages)
            if conv.get("comparison") is not None
            else None
        )
        out.append(PendingConversation(source_id, row, messages, used, comparison))
    return out
