"""History out and in: export to Markdown / JSON / HTML, import our JSON and ChatGPT's.

No Qt here: the window and ``chatdesk export|import`` both call these functions.

Our JSON format (``"format": "chatdesk-export", "version": 1``) is lossless and
deterministic, so export -> import into an empty database -> export is byte-identical:

* keys sorted, two-space indent, UTF-8 (not ASCII-escaped), a final newline, no
  export date (it would differ between two exports);
* conversations sorted by (created, id); a conversation's ``id`` is its stable
  fingerprint (``chatdesk:<uuid4>``, given at first export, or ``chatgpt:<id>`` when it
  came from ChatGPT) and is what makes a second import of the same file a no-op;
* message ``id``/``parent``/``current_leaf`` are 1-based positions in the
  conversation's creation order (parents always come first), never database ids;
* images referenced by parts (``{"type": "image", "hash", "mime"}``) are embedded
  once in the top-level ``images`` map: ``hash -> {"mime", "data": base64}``;
* a compare-mode conversation has a ``comparison`` object (``created``, ``blind``,
  ``columns``, ``state``, ``votes``); each vote's ``message`` is the position of the
  user message it was cast on (or ``null``), and ``"refs": "positions"`` says that the
  turns in ``state`` name their messages by position too (files written before that held
  database ids: their turns are rebuilt from the messages). Plain conversations have no
  such key, so older files and older readers are unaffected.

Imports run in one transaction: a malformed or foreign file changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatdesk.api.validate import data_url
from chatdesk.core import timestamps
from chatdesk.core.compare_export import (
    CSS as COMPARE_CSS,
    comparison_view,
    html_turns,
    markdown_turns,
)
from chatdesk.core.mdguard import EXPORT_LIMITS, screen, unclosed_fence
from chatdesk.core.turnrefs import MAX_TURNS, TURN_REFS, clean_turns, rebuild_turns
from chatdesk.errors import ChatdeskError
from chatdesk.store.rows import (
    COLUMN_LABELS,
    MESSAGE_STATUSES,
    VOTE_WINNERS,
    ConversationRow,
    MessageRow,
)

if TYPE_CHECKING:
    from chatdesk.store import Store

FORMAT = "chatdesk-export"
VERSION = 1
# A comparison whose turns name messages by their position in the file (not ids).
REFS_POSITIONS = "positions"
FORMATS = ("md", "json", "html")
PROGRESS_EVERY = 1000
MAX_JSON_BYTES = 1 << 30  # an export's JSON (or a zip's conversations.json), read whole
_BATCH = 5000

Progress = Callable[[int, int], None]
"""``progress(done, total)``: conversations processed so far, out of ``total``."""


class TransferError(ChatdeskError):
    """An export or import the user asked for cannot be done (bad file, unknown id)."""

    kind = "transfer"


@dataclass(slots=True)
class ImportResult:
    """What an import did; ``to_json`` is the ``chatdesk import --json`` output."""

    conversations_added: int = 0
    conversations_skipped: int = 0
    messages_added: int = 0
    source: str = ""
    notes: list[str] = field(default_factory=list)  # repairs and refusals, one line each

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "conversations_added": self.conversations_added,
            "conversations_skipped": self.conversations_skipped,
            "messages_added": self.messages_added,
        }
        if self.notes:
            out["notes"] = list(self.notes)
        return out


@dataclass(slots=True)
class PendingConversation:
    """A parsed conversation not yet written.

    ``messages`` use local ids (any ints, parents listed before children);
    ``row.current_leaf_id`` is a local id too. ``images`` are the bytes the parts of
    these messages refer to (``hash -> (data, mime)``).
    """

    source_id: str
    row: ConversationRow
    messages: list[MessageRow]
    images: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    #: Compare mode: ``{"created", "blind", "columns", "state", "votes"}``; each vote's
    #: ``message`` is a local message id (or ``None``).
    comparison: dict[str, Any] | None = None


# --------------------------------------------------------------------------- writing


def write_pending(
    store: Store,
    pending: Sequence[PendingConversation],
    *,
    progress: Progress | None = None,
    source: str = "",
) -> ImportResult:
    """Insert parsed conversations in one transaction, skipping known fingerprints.

    Message ids are assigned here (consecutive, in the given order) so the rows go in
    with a few ``executemany`` calls instead of one round trip each.
    """
    result = ImportResult(source=source)
    _repair_times(pending, result)
    total = len(pending)
    batch: list[MessageRow] = []
    comparisons: list[tuple[int, dict[str, Any], dict[int, int]]] = []
    with store.transaction():
        known = set(store.source_ids())
        next_id = store.next_message_id()
        for done, conv in enumerate(pending, 1):
            if conv.source_id in known:
                result.conversations_skipped += 1
            else:
                known.add(conv.source_id)
                ids: dict[int, int] = {}
                for m in conv.messages:
                    ids[m.id] = next_id
                    next_id += 1
                row = conv.row
                row.current_leaf_id = (
                    None if row.current_leaf_id is None else ids.get(row.current_leaf_id)
                )
                cid = store.insert_conversation_row(row, source_id=conv.source_id)
                for m in conv.messages:
                    m.id = ids[m.id]
                    m.parent_id = None if m.parent_id is None else ids[m.parent_id]
                    m.conversation_id = cid
                batch.extend(conv.messages)
                if conv.comparison is not None:
                    comparisons.append((cid, conv.comparison, ids))
                for data, mime in conv.images.values():
                    store.put_image(data, mime)
                result.conversations_added += 1
                result.messages_added += len(conv.messages)
                if len(batch) >= _BATCH:
                    store.bulk_add_messages(batch)
                    batch = []
                    # Votes refer to user messages: written once those are in, and
                    # before a commit point, so a comparison commits with its messages.
                    _write_comparisons(store, comparisons)
                    if store.commit_point():  # leave room for others (see Store)
                        next_id = max(next_id, store.next_message_id())
            if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
                progress(done, total)
        store.bulk_add_messages(batch)
        _write_comparisons(store, comparisons)
    return result


def _repair_times(pending: Sequence[PendingConversation], result: ImportResult) -> None:
    """Make every imported time a date that can be shown, before anything is written.

    Milliseconds (and micro-/nanoseconds) are scaled to seconds; a value that is no
    date at all (``NaN``, ``Infinity``, ``1e300``, far in the past) takes the nearest
    good time of its conversation. One note in the report says how many were changed.
    """
    scaled = replaced = 0

    def fix(value: Any, fallback: float) -> float:
        nonlocal scaled, replaced
        good, what = timestamps.repair(value)
        if what == "unit":
            scaled += 1
        elif what == "invalid":
            replaced += 1
        return fallback if good is None else good

    for conv in pending:
        row = conv.row
        msg_times = [
            t for m in conv.messages for t in (timestamps.repair(m.created)[0],) if t is not None
        ]
        first = min(msg_times, default=None)
        row.created = fix(row.created, first if first is not None else time.time())
        row.updated = fix(row.updated, max(msg_times, default=row.created))
        for m in conv.messages:
            m.created = fix(m.created, row.created)
            m.updated = fix(m.updated, m.created)
        if conv.comparison is not None:
            conv.comparison["created"] = fix(conv.comparison["created"], row.created)
            for vote in conv.comparison["votes"]:
                vote["created"] = fix(vote["created"], row.updated)
    if scaled:
        result.notes.append(
            f"{scaled:,} times were in milliseconds (or a smaller unit) and were read as seconds."
        )
    if replaced:
        result.notes.append(
            f"{replaced:,} times were not valid dates (not finite or out of range) and were "
            "replaced by the nearest time of their conversation."
        )


def _write_comparisons(
    store: Store, comparisons: list[tuple[int, dict[str, Any], dict[int, int]]]
) -> None:
    """Insert parsed comparisons and their votes (local message ids mapped by each
    conversation's ``ids``) whose messages are all written; empties the list."""
    for cid, comparison, ids in comparisons:
        _write_comparison(store, cid, comparison, ids)
    comparisons.clear()


def _write_comparison(
    store: Store, cid: int, comparison: dict[str, Any], ids: dict[int, int]
) -> None:
    """Insert one parsed comparison and its votes."""
    state = dict(comparison["state"])
    if "turns" in state:
        state["turns"] = [_turn_refs(turn, ids) for turn in state["turns"]]
    comp = store.create_comparison(
        cid,
        comparison["columns"],
        blind=comparison["blind"],
        state=state,
        created=comparison["created"],
    )
    for vote in comparison["votes"]:
        message = vote["message"]
        store.add_vote(
            comp,
            vote["winner"],
            models=vote["models"],
            prompt=vote["prompt"],
            column_order=vote["column_order"],
            user_message_id=None if message is None else ids[message],
            created=vote["created"],
            strict=False,  # checked against its own models: columns may have changed since
        )


# --------------------------------------------------------------------------- reading files


def import_file(
    store: Store, path: str | os.PathLike[str], *, progress: Progress | None = None
) -> ImportResult:
    """Import a ChatDesk JSON export, a ChatGPT ``conversations.json`` or its ``.zip``.

    Everything is parsed and checked before the first write; then one transaction.
    Raises :class:`TransferError` (nothing changed) for unreadable or foreign files.
    """
    from chatdesk.core import chatgpt_import

    p = Path(path)
    try:
        with p.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise TransferError(f"Cannot read {p}: {exc.strerror or exc}") from None
    if head.startswith(b"PK"):
        parsed = chatgpt_import.parse_zip(p)
        result = write_pending(store, parsed, progress=progress, source="chatgpt")
        result.notes.extend(parsed.notes)
        return result
    data = load_json_file(p)
    if isinstance(data, dict) and data.get("format") == FORMAT:
        pending = parse_chatdesk(data)
        return write_pending(store, pending, progress=progress, source="chatdesk")
    if isinstance(data, list):
        parsed = chatgpt_import.parse_conversations(data)
        result = write_pending(store, parsed, progress=progress, source="chatgpt")
        result.notes.extend(parsed.notes)
        return result
    raise TransferError(
        f"{p.name} is neither a ChatDesk export nor a ChatGPT data export "
        "(expected a chatdesk-export JSON, conversations.json or the ChatGPT .zip)."
    )


def load_json_file(path: Path) -> Any:
    """Parse a JSON file, turning every failure into a one-line :class:`TransferError`."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_JSON_BYTES + 1)  # bounded: a device or a huge file
    except OSError as exc:
        raise TransferError(f"Cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_JSON_BYTES:
        raise TransferError(
            f"{path.name} is larger than {MAX_JSON_BYTES >> 20} MB: too big to import at once."
        )
    return loads_json(raw, path.name)


def loads_json(raw: bytes, name: str) -> Any:
    """Parse JSON bytes (UTF-8, BOM allowed) with a readable error naming the file."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TransferError(f"{name} is not a UTF-8 text file (not an export).") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TransferError(
            f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from None
    except RecursionError:  # thousands of nested brackets: not an export
        raise TransferError(f"{name} is nested too deeply to be an export.") from None


# --------------------------------------------------------------------------- our JSON in

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
    "created": (int, float),
    "updated": (int, float),
    "meta": (dict,),
}
_CONV_FIELDS: dict[str, tuple[type, ...]] = {
    "title": (str,),
    "created": (int, float),
    "updated": (int, float),
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
    "created": (int, float),
    "blind": (bool,),
    "columns": (list,),
    "state": (dict,),
    "votes": (list,),
}
_VOTE_FIELDS: dict[str, tuple[type, ...]] = {
    "created": (int, float),
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
            provider=_provider_name(c["provider"]),
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


# --------------------------------------------------------------------------- export


def _select(store: Store, ids: Iterable[int] | None) -> list[ConversationRow]:
    """The conversations to export, oldest first (ties: by fingerprint / id)."""
    if ids is None:
        rows: list[ConversationRow] = []
        page = 500
        while True:
            chunk = store.list_conversations(limit=page, offset=len(rows), pinned_first=False)
            rows.extend(chunk)
            if len(chunk) < page:
                break
    else:
        rows = []
        for cid in dict.fromkeys(ids):
            conv = store.get_conversation(cid)
            if conv is None:
                raise TransferError(f"There is no conversation with id {cid}.")
            rows.append(conv)
    return sorted(rows, key=lambda c: (c.created, c.id))


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
        state["turns"] = [_turn_refs(turn, pos) for turn in turns]
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


def _turn_refs(turn: dict[str, Any], ids: dict[int, int]) -> dict[str, Any]:
    """A turn with its message references translated through ``ids``."""
    out = dict(turn)
    for key in TURN_REFS:
        refs = turn.get(key)
        if isinstance(refs, dict):
            out[key] = {col: ids[mid] for col, mid in refs.items() if mid in ids}
    return out


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
    rows = _select(store, ids)
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
                "provider": _provider_name(conv.provider),
                "params": conv.params,
                "current_leaf": pos.get(conv.current_leaf_id)
                if conv.current_leaf_id is not None
                else None,
                "messages": [_message_json(m, pos) for m in messages],
                **extra,
            }
        )
    doc = {"format": FORMAT, "version": VERSION, "conversations": convs, "images": images}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=2) + "\n"


def _when(ts: float) -> str:
    return timestamps.format_utc(ts)


def _figures(m: MessageRow) -> list[str]:
    """Short measured facts shown under an answer (first token, total time, tokens)."""
    out: list[str] = []
    if m.ttft_ms is not None:
        out.append(f"first token {m.ttft_ms / 1000:.2f} s")
    if m.duration_ms is not None:
        out.append(f"total {m.duration_ms / 1000:.2f} s")
    if m.usage:
        prompt, completion = m.usage.get("prompt_tokens"), m.usage.get("completion_tokens")
        if prompt is not None or completion is not None:
            out.append(f"{prompt or 0} + {completion or 0} tokens")
    return out


def _role_label(m: MessageRow) -> str:
    label = m.role.capitalize()
    if m.name:
        label += f" ({m.name})"
    model = m.model or m.model_requested
    if m.role == "assistant" and model:
        label += f" · {model}"
    return label


def _fence(text: str, lang: str = "") -> str:
    """A code fence longer than any backtick run inside ``text``."""
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{text}\n{ticks}"


def _image_urls(store: Store, m: MessageRow) -> list[str]:
    """The message's images as URLs: stored ones as data URLs, others as given."""
    urls: list[str] = []
    for part in m.parts or []:
        if not isinstance(part, dict):
            continue
        if part.get("type") == "image" and part.get("hash"):
            found = store.get_image(str(part["hash"]))
            if found is not None:
                urls.append(data_url(*found))
        elif part.get("type") == "image_url":
            url = (part.get("image_url") or {}).get("url")
            if isinstance(url, str):
                urls.append(url)
    return urls


def _branch_note(store: Store, conv: ConversationRow, shown: int) -> str:
    other = conv.message_count - shown
    return f"{other} message(s) on other branches not shown." if other > 0 else ""


def _md_content(text: str) -> str:
    """A message as Markdown; a fence it leaves open is closed, or it would swallow every
    message after it in the file (issue 8)."""
    fence = unclosed_fence(text)
    return text if fence is None else f"{text}\n{fence}"


def _tool_run(m: MessageRow) -> dict[str, Any] | None:
    """The MCP tool run saved with a tool row (server, tool, arguments, result, error)."""
    run = m.meta.get("mcp") if m.role == "tool" and isinstance(m.meta, dict) else None
    return run if isinstance(run, dict) else None


def _run_facts(run: dict[str, Any]) -> tuple[str, str, str]:
    """Server › tool, the duration, and the arguments as indented JSON."""
    title = f"{str(run.get('server', '?'))[:200]} › {str(run.get('tool', '?'))[:200]}"
    ms = run.get("duration_ms")
    took = f"{ms:.0f} ms" if isinstance(ms, int | float) and not isinstance(ms, bool) else ""
    try:
        args = json.dumps(run.get("arguments"), ensure_ascii=False, indent=2, default=str)
    except (TypeError, ValueError, RecursionError):
        args = str(run.get("arguments"))
    return title, took, args


def _run_result(m: MessageRow, run: dict[str, Any]) -> str:
    result = run.get("result")
    return result if isinstance(result, str) else m.content


def export_markdown(store: Store, ids: Iterable[int] | None = None) -> str:
    """Readable Markdown of each conversation's current branch (what the window shows)."""
    chunks: list[str] = []
    for conv in _select(store, ids):
        path = store.active_path(conv.id)
        lines = [f"# {conv.title or 'Untitled'}", ""]
        facts = [f"Created {_when(conv.created)}"]
        if conv.model:
            facts.append(f"model {conv.model}")
        lines += ["*" + " · ".join(facts) + "*", ""]
        if conv.system_prompt.strip():
            lines += ["> **System prompt**", ">"]
            lines += [f"> {line}" if line else ">" for line in conv.system_prompt.splitlines()]
            lines.append("")
        view = comparison_view(store, conv.id)
        if view is not None:  # every column, not the one branch
            lines += markdown_turns(view, _md_content, _figures)
            chunks.append("\n".join(lines).rstrip() + "\n")
            continue
        for m in path:
            status = "" if m.status == "done" else f" [{m.status}]"
            lines += [f"## {_role_label(m)}{status}", "", f"*{_when(m.created)}*", ""]
            if m.reasoning.strip():
                lines += ["> **Reasoning**", ">"]
                lines += [f"> {line}" if line else ">" for line in m.reasoning.splitlines()]
                lines.append("")
            run = _tool_run(m)
            if run is not None:
                # A tool run: its result is data, not Markdown (fenced, never rendered).
                title, took, args = _run_facts(run)
                lines += [f"**Tool run** `{title}`" + (f" · {took}" if took else ""), ""]
                lines += ["Arguments:", "", _fence(args, "json"), ""]
                if run.get("error") is not None:
                    lines += [f"> **Tool error:** {str(run['error'])[:4000]}", ""]
                result = _run_result(m, run)
                if result:
                    lines += ["Result:", "", _fence(result), ""]
            elif m.content:
                lines += [_md_content(m.content), ""]
            for url in _image_urls(store, m):
                lines += [f"![image]({url})", ""]
            for call in m.tool_calls or []:
                fn = call.get("function") or {}
                lines += [
                    f"**Tool call** `{fn.get('name', '?')}`",
                    "",
                    _fence(str(fn.get("arguments", "")), "json"),
                    "",
                ]
            if m.error:
                lines += [f"> **Error:** {m.error}", ""]
            figures = _figures(m)
            if figures:
                lines += ["*" + " · ".join(figures) + "*", ""]
        note = _branch_note(store, conv, len(path))
        if note:
            lines += [f"*{note}*", ""]
        chunks.append("\n".join(lines).rstrip() + "\n")
    return "\n---\n\n".join(chunks)


# --------------------------------------------------------------------------- HTML

_SAFE_HREF = re.compile(r"^(https?:|mailto:|#)", re.IGNORECASE)
_SAFE_IMG = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,", re.IGNORECASE)

_CSS = """
:root { color-scheme: light; }
body { margin: 0; background: #f4f5f7; color: #1d1f23;
  font: 15px/1.55 -apple-system, "Segoe UI", "Noto Sans", "PingFang SC",
  "Microsoft YaHei", sans-serif; }
main { max-width: 860px; margin: 0 auto; padding: 24px 16px 48px; }
section.conversation { margin-bottom: 48px; }
h1 { font-size: 1.5em; margin: 0 0 4px; }
.facts, .meta { color: #6b7280; font-size: 0.85em; }
.msg { margin: 14px 0; display: flex; flex-direction: column; }
.msg.user { align-items: flex-end; }
.role { font-weight: 600; font-size: 0.85em; color: #4b5563; margin: 0 6px 3px; }
.bubble { max-width: 92%; padding: 10px 14px; border-radius: 14px; background: #fff;
  border: 1px solid #e3e5e8; overflow-wrap: anywhere; }
.msg.user .bubble { background: #dbeafe; border-color: #bfdbfe; white-space: pre-wrap; }
.msg.system .bubble, .system-prompt { background: #fef9c3; border-color: #fde68a; }
.msg.error .bubble { border-color: #fca5a5; }
.error-text { color: #b91c1c; }
.bubble img { max-width: 100%; border-radius: 8px; display: block; margin: 6px 0; }
.bubble pre { overflow-x: auto; padding: 10px; border-radius: 8px; font-size: 0.9em; }
.bubble code { font-family: "JetBrains Mono", Consolas, Menlo, monospace; }
.bubble :not(pre) > code { background: #eef0f3; padding: 1px 4px; border-radius: 4px; }
.bubble table { border-collapse: collapse; } .bubble td, .bubble th
  { border: 1px solid #d1d5db; padding: 4px 8px; }
details.reasoning { color: #4b5563; font-size: 0.92em; margin-bottom: 6px; }
.tool-run pre { white-space: pre-wrap; }
details.reasoning > div { white-space: pre-wrap; border-left: 3px solid #d1d5db;
  padding-left: 10px; }
.system-prompt { padding: 8px 12px; border-radius: 10px; border: 1px solid; white-space: pre-wrap;
  margin: 10px 0; }
"""


class _HtmlRenderer:
    """Markdown -> HTML for untrusted model output: raw HTML escaped, unsafe links
    dropped, remote images turned into links (an exported file must not phone home),
    code highlighted with inline Pygments styles so the file needs no stylesheet."""

    def __init__(self) -> None:
        import markdown
        from markdown.treeprocessors import Treeprocessor

        class Sanitise(Treeprocessor):
            def run(self, root: Any) -> None:
                for el in root.iter():
                    if el.tag == "a" and not _SAFE_HREF.match(el.get("href", "")):
                        el.attrib.pop("href", None)
                    elif el.tag == "img" and not _SAFE_IMG.match(el.get("src", "")):
                        src = el.get("src", "")
                        el.tag = "a"
                        el.attrib.clear()
                        if _SAFE_HREF.match(src):
                            el.set("href", src)
                        el.text = f"[image: {src}]"

        md = markdown.Markdown(
            extensions=["fenced_code", "tables", "sane_lists", "codehilite"],
            extension_configs={
                "codehilite": {"noclasses": True, "guess_lang": False, "pygments_style": "default"}
            },
            output_format="html",
        )
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(Sanitise(md), "chatdesk_sanitise", 0)
        self.md = md

    def render(self, text: str) -> str:
        self.md.reset()
        return self.md.convert(text)


def _message_html(renderer: _HtmlRenderer, text: str) -> str:
    """One message's Markdown as HTML; escaped plain text when it is too costly to convert
    or conversion fails (600 nested lists raise RecursionError), so one message never
    fails or stalls a whole export (issue 8)."""
    if screen(text, EXPORT_LIMITS) is None:
        try:
            return renderer.render(text)
        except Exception:  # noqa: BLE001 - untrusted model output
            pass
    return f'<pre style="white-space: pre-wrap;">{html.escape(text, quote=False)}</pre>'


def export_html(store: Store, ids: Iterable[int] | None = None) -> str:
    """One standalone HTML page (inline CSS, images as data URLs, no scripts)."""
    renderer = _HtmlRenderer()
    esc = html.escape
    sections: list[str] = []
    convs = _select(store, ids)
    for conv in convs:
        path = store.active_path(conv.id)
        out = [
            '<section class="conversation">',
            f"<h1>{esc(conv.title or 'Untitled')}</h1>",
            f'<div class="facts">Created {esc(_when(conv.created))}'
            + (f" · model {esc(conv.model)}" if conv.model else "")
            + "</div>",
        ]
        if conv.system_prompt.strip():
            out.append(
                f'<div class="system-prompt"><b>System prompt</b>\n{esc(conv.system_prompt)}</div>'
            )
        view = comparison_view(store, conv.id)
        if view is not None:  # every column side by side, not the one branch
            out[0] = '<section class="conversation comparison">'
            out += html_turns(view, esc, lambda text: _message_html(renderer, text), _figures)
            out.append("</section>")
            sections.append("\n".join(out))
            continue
        for m in path:
            classes = ["msg", re.sub(r"[^a-z]", "", m.role.lower()) or "other"]
            if m.status == "error":
                classes.append("error")
            status = "" if m.status == "done" else f" [{m.status}]"
            out.append(f'<div class="{" ".join(classes)}">')
            out.append(f'<div class="role">{esc(_role_label(m) + status)}</div>')
            out.append('<div class="bubble">')
            if m.reasoning.strip():
                out.append(
                    '<details class="reasoning"><summary>Reasoning</summary>'
                    f"<div>{esc(m.reasoning)}</div></details>"
                )
            run = _tool_run(m)
            if run is not None:
                title, took, args = _run_facts(run)
                out.append(
                    f'<div class="tool-run"><b>Tool run</b> <code>{esc(title)}</code>'
                    + (f" · {esc(took)}" if took else "")
                    + f"<pre>{esc(args)}</pre>"
                )
                if run.get("error") is not None:
                    out.append(f'<p class="error-text">{esc(str(run["error"])[:4000])}</p>')
                result = _run_result(m, run)
                if result:
                    # Collapsible like the window's card; short results open.
                    state = " open" if len(result) <= 600 else ""
                    out.append(
                        f"<details{state}><summary>Result ({len(result)} characters)</summary>"
                        f"<pre>{esc(result)}</pre></details>"
                    )
                out.append("</div>")
            elif m.content:
                # Users type plain text; models write Markdown.
                out.append(
                    esc(m.content) if m.role == "user" else _message_html(renderer, m.content)
                )
            for url in _image_urls(store, m):
                if _SAFE_IMG.match(url):
                    out.append(f'<img src="{esc(url)}" alt="image">')
                else:
                    out.append(f'<a href="{esc(url)}">[image: {esc(url)}]</a>')
            for call in m.tool_calls or []:
                fn = call.get("function") or {}
                out.append(
                    f"<p><b>Tool call</b> <code>{esc(str(fn.get('name', '?')))}</code></p>"
                    + _message_html(renderer, _fence(str(fn.get("arguments", "")), "json"))
                )
            if m.error:
                out.append(f'<p class="error-text">{esc(m.error)}</p>')
            out.append("</div>")
            meta = [_when(m.created), *_figures(m)]
            out.append(f'<div class="meta">{esc(" · ".join(meta))}</div>')
            out.append("</div>")
        note = _branch_note(store, conv, len(path))
        if note:
            out.append(f'<p class="facts">{esc(note)}</p>')
        out.append("</section>")
        sections.append("\n".join(out))
    title = convs[0].title if len(convs) == 1 else f"ChatDesk export ({len(convs)} conversations)"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # No script may run and nothing may load from elsewhere, whatever the content.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">\n"
        f"<title>{esc(title or 'ChatDesk export')}</title>\n<style>{_CSS}{COMPARE_CSS}</style>\n"
        "</head>\n"
        "<body><main>\n" + "\n".join(sections) + "\n</main></body>\n</html>\n"
    )


def export_text(store: Store, ids: Iterable[int] | None, fmt: str) -> str:
    """The export as text in ``fmt`` (``md``, ``json`` or ``html``)."""
    if fmt == "json":
        return export_json(store, ids)
    if fmt == "md":
        return export_markdown(store, ids)
    if fmt == "html":
        return export_html(store, ids)
    raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")


def export_to_file(
    store: Store, ids: Iterable[int] | None, fmt: str, path: str | os.PathLike[str]
) -> int:
    """Write the export atomically (temp file + rename); how many conversations."""
    rows = _select(store, ids)
    text = export_text(store, [r.id for r in rows], fmt)
    count = len(rows)
    dest = Path(path)
    tmp = dest.with_name(f".{dest.name}.tmp")
    try:
        tmp.write_bytes(text.encode("utf-8"))
        os.replace(tmp, dest)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise TransferError(f"Cannot write {dest}: {exc.strerror or exc}") from None
    return count


def _provider_name(ref: str | None) -> str | None:
    """A conversation's provider as exported or imported: a provider's name only. A server
    remembered by URL stays on this machine: an imported file must not choose where the
    next turn (and its key) is sent."""
    from chatdesk.core.services import URL_REF

    return None if ref is None or ref.startswith(URL_REF) else ref
