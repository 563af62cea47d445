"""Every tool call in a request gets its answer, even in histories saved without one.

OpenAI-compatible servers refuse (HTTP 400) a request where an assistant message's
``tool_calls`` are not each followed by a ``tool`` message with that id. Older
versions could save such a history (a call to a tool that did not exist ended the
turn), and a caller may have left its own tools unanswered: the request builder
adds an error result for each missing id, so the conversation can go on.
"""

from __future__ import annotations

from chatdesk.api.types import ChatMessage

MISSING_RESULT = "Error: this tool call was never run; no result is available."


def answer_dangling_calls(messages: list[ChatMessage]) -> list[ChatMessage]:
    """``messages`` with an error ``tool`` result added for each unanswered call."""
    out: list[ChatMessage] = []
    i = 0
    while i < len(messages):
        msg = messages[i]
        out.append(msg)
        i += 1
        if msg.role != "assistant" or not msg.tool_calls:
            continue
        wanted = [
            str(c["id"]) for c in msg.tool_calls if isinstance(c, dict) and c.get("id") is not None
        ]
        answered: set[str] = set()
        while i < len(messages) and messages[i].role == "tool":
            answered.add(messages[i].tool_call_id or "")
            out.append(messages[i])
            i += 1
        for call_id in wanted:
            if call_id not in answered:
                answered.add(call_id)
                out.append(ChatMessage(role="tool", content=MISSING_RESULT, tool_call_id=call_id))
    return out
