"""What the two readable exports (Markdown and HTML) both show of a message: its label,
time, measured figures, images, tool run, and the fences that keep code intact."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from chatdesk.api.validate import data_url
from chatdesk.core.history import timestamps
from chatdesk.store.rows import ConversationRow, MessageRow

if TYPE_CHECKING:
    from chatdesk.store import Store


def utc_time(ts: float) -> str:
    """A stored time as the exports show it (UTC, so a file reads the same anywhere)."""
    return timestamps.format_utc(ts)


def message_figures(m: MessageRow) -> list[str]:
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


def role_label(m: MessageRow) -> str:
    """Who wrote a message, as a heading ("Assistant · model", "Tool (name)")."""
    label = m.role.capitalize()
    if m.name:
        label += f" ({m.name})"
    model = m.model or m.model_requested
    if m.role == "assistant" and model:
        label += f" · {model}"
    return label


def code_fence(text: str, lang: str = "") -> str:
    """A code fence longer than any backtick run inside ``text``."""
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{text}\n{ticks}"


def image_urls(store: Store, m: MessageRow) -> list[str]:
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


def branch_note(store: Store, conv: ConversationRow, shown: int) -> str:
    """A line saying how many messages live on branches the export leaves out."""
    other = conv.message_count - shown
    return f"{other} message(s) on other branches not shown." if other > 0 else ""


def tool_run(m: MessageRow) -> dict[str, Any] | None:
    """The MCP tool run saved with a tool row (server, tool, arguments, result, error)."""
    run = m.meta.get("mcp") if m.role == "tool" and isinstance(m.meta, dict) else None
    return run if isinstance(run, dict) else None


def run_facts(run: dict[str, Any]) -> tuple[str, str, str]:
    """Server › tool, the duration, and the arguments as indented JSON."""
    title = f"{str(run.get('server', '?'))[:200]} › {str(run.get('tool', '?'))[:200]}"
    ms = run.get("duration_ms")
    took = f"{ms:.0f} ms" if isinstance(ms, int | float) and not isinstance(ms, bool) else ""
    try:
        args = json.dumps(run.get("arguments"), ensure_ascii=False, indent=2, default=str)
    except (TypeError, ValueError, RecursionError):
        args = str(run.get("arguments"))
    return title, took, args


def run_result(m: MessageRow, run: dict[str, Any]) -> str:
    """A tool run's result text (the row's content when the run kept none)."""
    result = run.get("result")
    return result if isinstance(result, str) else m.content
