"""Turn preparation shared by the window, the compare view and the CLI.

A turn is: save what the user sent (unless told not to), then build and check the
request for one model from the branch it continues. Controllers call these instead
of building requests themselves, so every front end sends the same body.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chatdesk.api.types import ChatMessage, ChatRequest
from chatdesk.api.validate import build_body, data_url, validate_request
from chatdesk.core.chat.session import CONTINUE_PROMPT, message_to_wire, messages_for, request_for
from chatdesk.core.services import add_user_message, title_from_text
from chatdesk.store.rows import ConversationRow, MessageRow

if TYPE_CHECKING:
    from chatdesk.store import Store

__all__ = [
    "CONTINUE_PROMPT",
    "Draft",
    "build_request",
    "is_unanswered_first_turn",
    "preview_body",
    "request_body",
    "save_user_turn",
    "title_from_text",
]


@dataclass(slots=True)
class Draft:
    """What the user is sending: text and images (bytes + MIME, or URLs)."""

    text: str
    images: list[tuple[bytes, str]] = field(default_factory=list)
    image_urls: list[str] = field(default_factory=list)

    def wire(self, store: Store | None) -> ChatMessage:
        """The draft as the server will get it (before it is saved)."""
        parts: list[dict[str, Any]] | None = None
        if self.images or self.image_urls:
            parts = [{"type": "text", "text": self.text}]
            for data, mime in self.images:
                url = data_url(data, mime)
                parts.append({"type": "image_url", "image_url": {"url": url, "detail": "auto"}})
            for url in self.image_urls:
                parts.append({"type": "image_url", "image_url": {"url": url, "detail": "auto"}})
        row = MessageRow(0, 0, None, "user", self.text, parts=parts)
        return message_to_wire(row, store.get_image if store else (lambda _h: None))


def save_user_turn(
    store: Store,
    conversation_id: int | None,
    draft: Draft,
    *,
    parent_id: int | None,
    model: str | None,
    provider: str | None,
    system_prompt: str,
    params: dict[str, Any] | None,
) -> tuple[int, int]:
    """Create the conversation when needed, then the user message; (conversation, message).

    The conversation remembers the model, server (``provider``: see
    :func:`chatdesk.core.services.server_ref`) and parameters of its latest turn (None:
    leave them, as a comparison does).
    """
    if conversation_id is None:
        conversation_id = store.create_conversation(
            title_from_text(draft.text),
            model=model,
            provider=provider,
            system_prompt=system_prompt,
            params=params or {},
        )
    else:
        changes: dict[str, Any] = {}
        if model is not None:
            changes["model"] = model
        if provider is not None:
            changes["provider"] = provider
        if params is not None:
            changes["params"] = params
        if changes:
            store.update_conversation(conversation_id, **changes)
    user_id = add_user_message(
        store,
        conversation_id,
        draft.text,
        parent_id=parent_id,
        images=draft.images,
        image_urls=draft.image_urls,
    )
    return conversation_id, user_id


def is_unanswered_first_turn(store: Store, conversation_id: int) -> bool:
    """The conversation holds one question and no answer text, reasoning or tool call
    (its first request failed before anything arrived): nothing in it worth keeping."""
    messages = store.list_messages(conversation_id)
    questions = [m for m in messages if m.role == "user"]
    if len(questions) != 1 or any(m.role not in ("user", "assistant") for m in messages):
        return False
    return not any(m.content or m.reasoning or m.tool_calls for m in messages if m.role != "user")


def build_request(
    store: Store,
    conversation: ConversationRow | None,
    path: Sequence[MessageRow],
    model: str,
    params: dict[str, Any] | None,
    *,
    append_to: MessageRow | None = None,
    draft: Draft | None = None,
    system_prompt: str | None = None,
    stream: bool = True,
    extra_body: dict[str, Any] | None = None,
) -> ChatRequest:
    """The checked request that continues ``path`` (which ends with the user's message).

    Args:
        append_to: continue this cut answer (``path`` must end with it).
        draft: a user message not saved (``--no-save``, View code).
        system_prompt: overrides the conversation's.
        extra_body: JSON merged last into the body (see :mod:`chatdesk.core.chat.extrabody`).

    Raises:
        ValidationError: a parameter is out of range (nothing was sent).
    """
    wire = messages_for(None, list(path), store.get_image)
    system = conversation.system_prompt if system_prompt is None and conversation else system_prompt
    if system and system.strip():
        wire.insert(0, ChatMessage(role="system", content=system))
    if draft is not None:
        wire.append(draft.wire(store))
    if append_to is not None:
        wire.append(ChatMessage(role="user", content=CONTINUE_PROMPT))
    request = request_for(model, wire, params, stream=stream)
    if append_to is not None:
        request.n = None  # a continuation extends one answer, never adds candidates
    request.extra_body = dict(extra_body) if extra_body else None
    validate_request(request)
    return request


def request_body(request: ChatRequest, include_usage: bool = True) -> dict[str, Any]:
    """The JSON body exactly as it goes on the wire (View code)."""
    return build_body(request, include_usage=include_usage)


def preview_body(
    store: Store,
    conversation: ConversationRow | None,
    path: Sequence[MessageRow],
    model: str,
    params: dict[str, Any],
    *,
    draft_text: str,
    system_prompt: str | None,
    include_usage: bool = True,
    extra_body: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the next send would carry; an invalid parameter is shown, not refused."""
    wire = messages_for(None, list(path), store.get_image)
    system = conversation.system_prompt if system_prompt is None and conversation else system_prompt
    if system and system.strip():
        wire.insert(0, ChatMessage(role="system", content=system))
    wire.append(ChatMessage(role="user", content=draft_text or "Hello!"))
    request = request_for(model, wire, params, stream=True)
    request.extra_body = dict(extra_body) if extra_body else None
    return build_body(request, include_usage=include_usage)
