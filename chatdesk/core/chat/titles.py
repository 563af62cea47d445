"""A short generated title for a new conversation (one cheap, non-streamed request)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatdesk.api.errors import ApiError
from chatdesk.api.types import ChatMessage
from chatdesk.core.chat.session import ClientLike, request_for

if TYPE_CHECKING:
    from chatdesk.store import Store

TITLE_PROMPT = (
    "Write a short title (at most 6 words, no quotes, same language as the conversation) "
    "for this conversation. Reply with the title only."
)


async def make_title(client: ClientLike, store: Store, conversation_id: int, model: str) -> str:
    """The model's title for the first exchange, or "" (the first-words title stays)."""
    path = store.active_path(conversation_id)
    transcript = "\n".join(f"{m.role}: {m.content[:500]}" for m in path[:2])
    request = request_for(
        model,
        [ChatMessage(role="user", content=f"{TITLE_PROMPT}\n\n{transcript}")],
        {"max_tokens": 24, "temperature": 0.3},
        stream=False,
    )
    try:
        result = await client.complete(request)
    except ApiError:
        return ""
    return " ".join(result.content.strip().strip('"“”').split())[:80]
