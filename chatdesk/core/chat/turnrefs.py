"""The message references a comparison keeps per turn, checked and rebuilt.

A comparison's state lists, per turn, each column's prompt (``users``), answer
(``answers``) and the end of its thread when that is not the answer (``leaves``: the
results of a tool turn), as message ids keyed by the column's index. These ids are
only meaningful in the database that wrote them, so an export carries positions, an
import maps them back, and anything read is checked against the conversation's own
messages: a column must never show another conversation's messages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from chatdesk.store.rows import MessageRow

TURN_REFS = ("users", "answers", "leaves")
MAX_TURNS = 10_000  # a file claiming more is damaged (a person types far fewer prompts)


def clean_turns(turns: Any, own: set[int], columns: int) -> list[dict[str, Any]]:
    """The turns, keeping only references to ``own`` messages and real columns."""
    out: list[dict[str, Any]] = []
    for turn in turns[:MAX_TURNS] if isinstance(turns, list) else []:
        if not isinstance(turn, dict):
            continue
        kept = dict(turn)
        for key in TURN_REFS:
            refs = turn.get(key)
            if refs is None:
                continue
            kept[key] = {
                str(col): mid
                for col, mid in (refs.items() if isinstance(refs, dict) else ())
                if str(col).isdigit()
                and int(col) < columns
                and isinstance(mid, int)
                and not isinstance(mid, bool)
                and mid in own
            }
        out.append(kept)
    return out


def rebuild_turns(messages: Iterable[MessageRow], columns: int) -> list[dict[str, Any]]:
    """The turns of a comparison worked out from its messages alone.

    For files written before exports carried positions: each answer's ``meta`` names
    its column; a column's next prompt is the newest user message under the end of its
    thread, and one prompt under one column's thread alone is a carried answer feeding
    every column. The newest of several answers (a Retry) is the one that counts.
    """
    kids: dict[int | None, list[MessageRow]] = defaultdict(list)
    for m in messages:  # creation order: the newest child is the last
        kids[m.parent_id].append(m)
    roots = [m for m in kids[None] if m.role == "user"]
    if not roots:
        return []
    turns: list[dict[str, Any]] = []
    users = {i: roots[0].id for i in range(columns)}
    carry: int | None = None
    while users and len(turns) < MAX_TURNS:
        answers: dict[str, int] = {}
        leaves: dict[str, int] = {}
        for i, uid in users.items():
            mine = [
                k
                for k in kids[uid]
                if k.role == "assistant" and isinstance(k.meta, dict) and k.meta.get("column") == i
            ]
            if not mine:
                continue
            answer = end = mine[-1]
            while True:  # a tool turn: results, the model's next answer, maybe more
                after = [k for k in kids[end.id] if k.role in ("tool", "assistant")]
                if not after:
                    break
                end = after[-1]
                if end.role == "assistant":
                    answer = end
            answers[str(i)] = answer.id
            if end.id != answer.id:
                leaves[str(i)] = end.id
        turn: dict[str, Any] = {
            "users": {str(i): uid for i, uid in users.items()},
            "answers": answers,
            "carry": carry,
        }
        if leaves:
            turn["leaves"] = leaves
        turns.append(turn)
        ends = {i: leaves.get(str(i), answers.get(str(i), uid)) for i, uid in users.items()}
        found: dict[int, int] = {}
        for i, end_id in ends.items():
            prompts = [k for k in kids[end_id] if k.role == "user"]
            if prompts and prompts[-1].id not in found.values():
                found[i] = prompts[-1].id
        if not found:
            break
        if len(found) == 1 and columns > 1 and len(users) > 1:
            ((carry, uid),) = found.items()
            users = {i: uid for i in range(columns)}
        else:
            carry = None
            users = found
    return turns
