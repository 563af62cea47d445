"""A comparison as readable Markdown or HTML: every column of every turn, in order.

An ordinary export follows one branch, which for a comparison is one column (the
others were "messages on other branches not shown"). Here each turn shows its prompt
and then each column's answer, A to D, side by side in HTML. In a blind comparison
nobody has voted on, the columns are named "Model A"... as in the window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chatdesk.core.chat.turnrefs import clean_turns, rebuild_turns
from chatdesk.store.rows import COLUMN_LABELS, MessageRow, MessageStatus

if TYPE_CHECKING:
    from chatdesk.store import Store


@dataclass(slots=True)
class Turn:
    """One prompt and each column's answer (``None``: the column has none)."""

    prompt: MessageRow | None
    answers: list[MessageRow | None]
    carried_from: str | None  # the label whose answer every column continued from


@dataclass(slots=True)
class ComparisonView:
    """What a readable export shows of a comparison."""

    names: list[str]  # "A · gpt-4o", or "Model A" while blind and unvoted
    hidden: bool
    turns: list[Turn]


def comparison_view(store: Store, conversation_id: int) -> ComparisonView | None:
    """The comparison shown as this conversation, or ``None`` for an ordinary chat."""
    comp = store.comparison_for_conversation(conversation_id)
    if comp is None:
        return None
    columns = comp.columns if isinstance(comp.columns, list) else []
    columns = columns[: len(COLUMN_LABELS)]
    hidden = bool(comp.blind) and not store.votes_for(comp.id)
    names = []
    for i, col in enumerate(columns):
        model = str(col.get("model") or "?") if isinstance(col, dict) else "?"
        label = COLUMN_LABELS[i]
        names.append(f"Model {label}" if hidden else f"{label} · {model}")
    messages = store.list_messages(conversation_id)
    by_id = {m.id: m for m in messages}
    state = comp.state if isinstance(comp.state, dict) else {}
    raw = clean_turns(state.get("turns"), set(by_id), len(columns))
    if not raw:
        raw = rebuild_turns(messages, len(columns))
    turns = []
    for turn in raw:
        users = turn.get("users") or {}
        answers = turn.get("answers") or {}
        prompt_id = next((users[k] for k in sorted(users)), None)
        carry = turn.get("carry")
        carried = (
            COLUMN_LABELS[carry]
            if isinstance(carry, int) and not isinstance(carry, bool) and 0 <= carry < len(columns)
            else None
        )
        turns.append(
            Turn(
                by_id.get(prompt_id) if isinstance(prompt_id, int) else None,
                [by_id.get(answers.get(str(i), -1)) for i in range(len(columns))],
                carried,
            )
        )
    return ComparisonView(names, hidden, turns)


def markdown_turns(
    view: ComparisonView,
    content: Callable[[str], str],
    facts: Callable[[MessageRow], list[str]],
) -> list[str]:
    """The Markdown lines of every turn (``content`` makes a message safe Markdown)."""
    lines: list[str] = []
    if view.hidden:
        lines += ["*Blind comparison: the models are named after the vote.*", ""]
    for n, turn in enumerate(view.turns, 1):
        lines += [f"## Turn {n}", ""]
        if turn.carried_from:
            lines += [f"*Every column continued from {turn.carried_from}'s answer.*", ""]
        if turn.prompt is not None:
            lines += ["**User**", "", content(turn.prompt.content), ""]
        for name, answer in zip(view.names, turn.answers, strict=True):
            lines += [f"### {name}" + _status(answer), ""]
            if answer is None:
                lines += ["*No answer.*", ""]
                continue
            if answer.content:
                lines += [content(answer.content), ""]
            if answer.error:
                lines += [f"> **Error:** {answer.error}", ""]
            figures = facts(answer)
            if figures:
                lines += ["*" + " · ".join(figures) + "*", ""]
    return lines


def html_turns(
    view: ComparisonView,
    esc: Callable[[str], str],
    render: Callable[[str], str],
    facts: Callable[[MessageRow], list[str]],
) -> list[str]:
    """The HTML of every turn: the prompt, then the columns side by side."""
    out: list[str] = []
    if view.hidden:
        out.append('<p class="facts">Blind comparison: the models are named after the vote.</p>')
    count = max(len(view.names), 1)
    for n, turn in enumerate(view.turns, 1):
        out.append(f'<h2 class="turn">Turn {n}</h2>')
        if turn.carried_from:
            out.append(
                f'<p class="facts">Every column continued from {esc(turn.carried_from)}'
                "'s answer.</p>"
            )
        if turn.prompt is not None:
            out.append(
                '<div class="msg user"><div class="role">User</div>'
                f'<div class="bubble">{esc(turn.prompt.content)}</div></div>'
            )
        out.append(f'<div class="columns" style="--columns: {count}">')
        for name, answer in zip(view.names, turn.answers, strict=True):
            classes = "msg assistant column" + (
                " error" if answer is not None and answer.status == MessageStatus.ERROR else ""
            )
            out.append(f'<div class="{classes}">')
            out.append(f'<div class="role">{esc(name + _status(answer))}</div>')
            out.append('<div class="bubble">')
            if answer is None:
                out.append("<p><i>No answer.</i></p>")
            else:
                if answer.content:
                    out.append(render(answer.content))
                if answer.error:
                    out.append(f'<p class="error-text">{esc(answer.error)}</p>')
            out.append("</div>")
            if answer is not None:
                out.append(f'<div class="meta">{esc(" · ".join(facts(answer)))}</div>')
            out.append("</div>")
        out.append("</div>")
    return out


#: Added to the export's stylesheet: a comparison's columns side by side.
CSS = """
main:has(section.comparison) { max-width: 1400px; }
.columns { display: grid; gap: 12px;
  grid-template-columns: repeat(var(--columns), minmax(0, 1fr)); }
.columns .bubble { max-width: none; }
h2.turn { font-size: 1.1em; margin: 28px 0 4px; color: #374151; }
"""


def _status(answer: MessageRow | None) -> str:
    return "" if answer is None or answer.status == MessageStatus.DONE else f" [{answer.status}]"
