"""Markdown out: each conversation's current branch (or every compare column) as
readable Markdown."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from chatdesk.core.arena.compare_export import comparison_view, markdown_turns
from chatdesk.core.history.transfer.model import select_conversations
from chatdesk.core.history.transfer.readable import (
    branch_note,
    code_fence,
    image_urls,
    message_figures,
    role_label,
    run_facts,
    run_result,
    tool_run,
    utc_time,
)
from chatdesk.core.mdguard import unclosed_fence

if TYPE_CHECKING:
    from chatdesk.store import Store


def _md_content(text: str) -> str:
    """A message as Markdown; a fence it leaves open is closed, or it would swallow every
    message after it in the file (issue 8)."""
    fence = unclosed_fence(text)
    return text if fence is None else f"{text}\n{fence}"


def export_markdown(store: Store, ids: Iterable[int] | None = None) -> str:
    """Readable Markdown of each conversation's current branch (what the window shows)."""
    chunks: list[str] = []
    for conv in select_conversations(store, ids):
        path = store.active_path(conv.id)
        lines = [f"# {conv.title or 'Untitled'}", ""]
        facts = [f"Created {utc_time(conv.created)}"]
        if conv.model:
            facts.append(f"model {conv.model}")
        lines += ["*" + " · ".join(facts) + "*", ""]
        if conv.system_prompt.strip():
            lines += ["> **System prompt**", ">"]
            lines += [f"> {line}" if line else ">" for line in conv.system_prompt.splitlines()]
            lines.append("")
        view = comparison_view(store, conv.id)
        if view is not None:  # every column, not the one branch
            lines += markdown_turns(view, _md_content, message_figures)
            chunks.append("\n".join(lines).rstrip() + "\n")
            continue
        for m in path:
            status = "" if m.status == "done" else f" [{m.status}]"
            lines += [f"## {role_label(m)}{status}", "", f"*{utc_time(m.created)}*", ""]
            if m.reasoning.strip():
                lines += ["> **Reasoning**", ">"]
                lines += [f"> {line}" if line else ">" for line in m.reasoning.splitlines()]
                lines.append("")
            run = tool_run(m)
            if run is not None:
                # A tool run: its result is data, not Markdown (fenced, never rendered).
                title, took, args = run_facts(run)
                lines += [f"**Tool run** `{title}`" + (f" · {took}" if took else ""), ""]
                lines += ["Arguments:", "", code_fence(args, "json"), ""]
                if run.get("error") is not None:
                    lines += [f"> **Tool error:** {str(run['error'])[:4000]}", ""]
                result = run_result(m, run)
                if result:
                    lines += ["Result:", "", code_fence(result), ""]
            elif m.content:
                lines += [_md_content(m.content), ""]
            for url in image_urls(store, m):
                lines += [f"![image]({url})", ""]
            for call in m.tool_calls or []:
                fn = call.get("function") or {}
                lines += [
                    f"**Tool call** `{fn.get('name', '?')}`",
                    "",
                    code_fence(str(fn.get("arguments", "")), "json"),
                    "",
                ]
            if m.error:
                lines += [f"> **Error:** {m.error}", ""]
            figures = message_figures(m)
            if figures:
                lines += ["*" + " · ".join(figures) + "*", ""]
        note = branch_note(store, conv, len(path))
        if note:
            lines += [f"*{note}*", ""]
        chunks.append("\n".join(lines).rstrip() + "\n")
    return "\n---\n\n".join(chunks)
