"""Row dataclasses handed out by the store (no SQL, no Qt).

The UI and the command line read these; only ``chatdesk.store`` writes them.
Times are Unix epoch seconds (float, UTC).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

JSON = dict[str, Any]


class MessageStatus(StrEnum):
    """Where a stored message is (a StrEnum: it compares equal to the stored text)."""

    STREAMING = "streaming"
    DONE = "done"
    STOPPED = "stopped"
    ERROR = "error"
    INTERRUPTED = "interrupted"


MESSAGE_STATUSES = tuple(str(s) for s in MessageStatus)
#: Column labels in display order; a comparison has two to four columns.
COLUMN_LABELS = ("A", "B", "C", "D")
#: What a vote can say: one column is best, a tie, or all answers are bad.
VOTE_WINNERS = (*COLUMN_LABELS, "tie", "bad")


@dataclass(slots=True)
class ConversationRow:
    """A conversation; ``params`` holds the request fields chosen for it."""

    id: int
    title: str
    created: float
    updated: float
    pinned: bool = False
    system_prompt: str = ""
    model: str | None = None
    provider: str | None = None
    params: JSON = field(default_factory=dict)
    current_leaf_id: int | None = None
    message_count: int = 0


@dataclass(slots=True)
class MessageRow:
    """One node of a conversation's message tree.

    ``content`` is the plain text; ``parts`` holds content parts when the message
    has images (``{"type": "text", "text": ...}`` and
    ``{"type": "image", "hash": ..., "mime": ...}`` referring to the images table).
    """

    id: int
    conversation_id: int
    parent_id: int | None
    role: str
    content: str = ""
    parts: list[JSON] | None = None
    reasoning: str = ""
    name: str | None = None
    tool_calls: list[JSON] | None = None
    tool_call_id: str | None = None
    model_requested: str | None = None
    model: str | None = None
    finish_reason: str | None = None
    usage: JSON | None = None
    ttft_ms: float | None = None
    duration_ms: float | None = None
    status: MessageStatus = MessageStatus.DONE
    error: str | None = None
    error_category: str | None = None
    choice_index: int = 0
    created: float = 0.0
    updated: float = 0.0
    meta: JSON = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Rows built from text (an import, ``dataclasses.replace(row, status="done")``)
        # carry the enum too; a word that is no status is a ValueError here.
        if type(self.status) is not MessageStatus:
            self.status = MessageStatus(self.status)


@dataclass(slots=True)
class ProviderRow:
    """A configured server. The API key is never here: it lives in the keyring."""

    name: str
    base_url: str
    default_model: str | None = None
    options: JSON = field(default_factory=dict)


@dataclass(slots=True)
class SearchHit:
    """One search result: a message and a snippet with the match marked by ``[`` ``]``."""

    conversation_id: int
    conversation_title: str
    message_id: int
    role: str
    model: str | None
    created: float
    snippet: str


@dataclass(slots=True)
class ComparisonRow:
    """A conversation shown as 2-4 model columns.

    ``columns`` is in display order, each ``{"label": "A", "model": ..., "provider":
    ... or None, "params": {...}}``; ``state`` is free-form UI state (carry-forward
    choice, synchronised scrolling, the blind shuffle's ``column_order``...).
    """

    id: int
    conversation_id: int
    created: float
    blind: bool = False
    columns: list[JSON] = field(default_factory=list)
    state: JSON = field(default_factory=dict)


@dataclass(slots=True)
class VoteRow:
    """One vote on one turn of a comparison, with its own copy of what was compared.

    ``models`` are in label order (A, B, ...); ``column_order[position]`` is the
    original column index shown at that display position (a blind shuffle).
    ``user_message_id`` becomes ``None`` if that message is deleted; the vote stays.
    """

    id: int
    comparison_id: int
    winner: str
    models: list[str]
    prompt: str
    column_order: list[int]
    created: float = 0.0
    user_message_id: int | None = None
