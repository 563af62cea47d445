"""Import: pick the reader for a file, then write what it parsed in one transaction.

Everything is parsed and checked before the first write, so a malformed or foreign file
changes nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatdesk.core.history import timestamps
from chatdesk.core.history.transfer.chatgpt_in import parse_conversations, parse_zip
from chatdesk.core.history.transfer.json_in import parse_chatdesk
from chatdesk.core.history.transfer.model import (
    FORMAT,
    ImportResult,
    PendingConversation,
    Progress,
    TransferError,
    load_json_file,
    turn_refs,
)
from chatdesk.store.rows import MessageRow

if TYPE_CHECKING:
    from chatdesk.store import Store

PROGRESS_EVERY = 1000
_BATCH = 5000


def import_file(
    store: Store, path: str | os.PathLike[str], *, progress: Progress | None = None
) -> ImportResult:
    """Import a ChatDesk JSON export, a ChatGPT ``conversations.json`` or its ``.zip``.

    Everything is parsed and checked before the first write; then one transaction.
    Raises :class:`TransferError` (nothing changed) for unreadable or foreign files.
    """
    p = Path(path)
    try:
        with p.open("rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        raise TransferError(f"Cannot read {p}: {exc.strerror or exc}") from None
    if head.startswith(b"PK"):
        parsed = parse_zip(p)
        result = write_pending(store, parsed, progress=progress, source="chatgpt")
        result.notes.extend(parsed.notes)
        return result
    data = load_json_file(p)
    if isinstance(data, dict) and data.get("format") == FORMAT:
        pending = parse_chatdesk(data)
        return write_pending(store, pending, progress=progress, source="chatdesk")
    if isinstance(data, list):
        parsed = parse_conversations(data)
        result = write_pending(store, parsed, progress=progress, source="chatgpt")
        result.notes.extend(parsed.notes)
        return result
    raise TransferError(
        f"{p.name} is neither a ChatDesk export nor a ChatGPT data export "
        "(expected a chatdesk-export JSON, conversations.json or the ChatGPT .zip)."
    )


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
        state["turns"] = [turn_refs(turn, ids) for turn in state["turns"]]
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
