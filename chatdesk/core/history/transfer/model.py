"""The transfer model: the format's constants, the parsed-but-unwritten conversation,
the error, and the few helpers every reader and writer of a file shares.

Nothing here reads or writes another format: the readers (json_in, chatgpt_in), the
writer (importing) and the exports (json_out, md_out, html_out) all build on it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chatdesk.core.chat.turnrefs import TURN_REFS
from chatdesk.core.urls import URL_REF
from chatdesk.errors import ChatdeskError
from chatdesk.store.rows import ConversationRow, MessageRow

if TYPE_CHECKING:
    from chatdesk.store import Store

FORMAT = "chatdesk-export"
VERSION = 1
# A comparison whose turns name messages by their position in the file (not ids).
REFS_POSITIONS = "positions"
FORMATS = ("md", "json", "html")
MAX_JSON_BYTES = 1 << 30  # an export's JSON (or a zip's conversations.json), read whole

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


def select_conversations(store: Store, ids: Iterable[int] | None) -> list[ConversationRow]:
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


def turn_refs(turn: dict[str, Any], ids: dict[int, int]) -> dict[str, Any]:
    """A turn with its message references translated through ``ids``."""
    out = dict(turn)
    for key in TURN_REFS:
        refs = turn.get(key)
        if isinstance(refs, dict):
            out[key] = {col: ids[mid] for col, mid in refs.items() if mid in ids}
    return out


def provider_name(ref: str | None) -> str | None:
    """A conversation's provider as exported or imported: a provider's name only. A server
    remembered by URL stays on this machine: an imported file must not choose where the
    next turn (and its key) is sent."""
    return None if ref is None or ref.startswith(URL_REF) else ref
