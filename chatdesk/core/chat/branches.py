"""The branch rules of a conversation tree, in one place.

A conversation is a tree of messages; the screen shows one path (root to the current
leaf). Regenerate adds a sibling answer, edit adds a sibling question, a compare
turn adds one sibling answer per column. These functions decide what is shown and
where the next message hangs, for the window, the compare view and the CLI alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from chatdesk.store.rows import MessageRow, MessageStatus

if TYPE_CHECKING:
    from chatdesk.store import Store


@dataclass(slots=True)
class BranchView:
    """The path on screen and, per shown message, its (position, count) among siblings."""

    path: list[MessageRow]
    siblings: dict[int, tuple[int, int]]


def branch_view(store: Store, conversation_id: int | None) -> BranchView:
    """The active branch with the `< 2/3 >` positions of each of its messages."""
    if conversation_id is None:
        return BranchView([], {})
    conv = store.get_conversation(conversation_id)
    tree = store.list_messages(conversation_id)
    by_id = {m.id: m for m in tree}
    children: dict[int | None, list[int]] = {}
    for m in tree:
        children.setdefault(m.parent_id, []).append(m.id)
    leaf = conv.current_leaf_id if conv else None
    if leaf not in by_id:
        leaf = tree[-1].id if tree else None
    path: list[MessageRow] = []
    seen: set[int] = set()
    while leaf is not None and leaf not in seen:  # a damaged file may hold a cycle
        seen.add(leaf)
        row = by_id.get(leaf)
        if row is None:
            break
        path.append(row)
        leaf = row.parent_id
    path.reverse()
    info: dict[int, tuple[int, int]] = {}
    for m in path:
        sibs = children.get(m.parent_id, [m.id])
        info[m.id] = (sibs.index(m.id) + 1, len(sibs))
    return BranchView(path, info)


def switch_sibling(store: Store, message_id: int, step: int) -> int | None:
    """Show the sibling ``step`` places away (its latest branch); the new leaf, or None."""
    row = store.get_message(message_id)
    if row is None:
        return None
    sibs = [m.id for m in store.children(row.parent_id, row.conversation_id)]
    if message_id not in sibs:
        return None
    pos = sibs.index(message_id) + step
    if not 0 <= pos < len(sibs):
        return None
    leaf = store.latest_leaf(sibs[pos])
    store.update_conversation(row.conversation_id, current_leaf_id=leaf)
    return leaf


def parent_for_new_message(shown: Sequence[MessageRow]) -> int | None:
    """Where the user's next message hangs: under the last shown message.

    After a failed exchange (a question whose answer holds nothing but an error), the
    new message becomes a sibling of that question instead, so the request does not
    carry the question twice. The same for a question left without any answer (the
    process ended before one was started): two user messages in a row would be sent.
    """
    if not shown:
        return None
    last = shown[-1]
    if (
        len(shown) >= 2
        and last.role == "assistant"
        and last.status == MessageStatus.ERROR
        and not last.content
    ):
        return shown[-2].parent_id
    if last.role == "user":
        return last.parent_id
    return last.id


def resend_parent(row: MessageRow) -> int | None:
    """Regenerate / retry: the new answer is a sibling, under the same question."""
    return row.parent_id


def tool_result_parent(path: Sequence[MessageRow], message_id: int) -> tuple[int, set[str]]:
    """Where the next tool result of ``message_id`` hangs, and the calls already answered.

    Results chain one under the other below the assistant message, so the server
    gets them in order right after the calls.
    """
    ids = [m.id for m in path]
    parent = message_id
    answered: set[str] = set()
    if message_id in ids:
        for m in path[ids.index(message_id) + 1 :]:
            if m.role != "tool":
                break
            parent = m.id
            if m.tool_call_id:
                answered.add(m.tool_call_id)
    return parent, answered
