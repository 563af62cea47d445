"""The actions a message view reports (``MessageView.action_requested``), as a named type.

A typo in an action name is then a ValueError at the source instead of a click that
silently does nothing. The links of a message are written with :func:`action_href` and
read back with :func:`parse_href`, so what is drawn and what is handled cannot drift apart.
"""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import quote, unquote

from chatdesk.strict import strict

__all__ = [
    "MessageAction",
    "ViewToggle",
    "action_href",
    "parse_href",
    "strict_links",
]


class MessageAction(StrEnum):
    """Every action a message's links can ask for (what ``action_requested`` emits)."""

    COPY = "copy"
    COPY_CODE = "copy_code"  # done by the view; reported for feedback (arg: block index)
    OPEN_LINK = "open_link"  # done by the view; reported for feedback (arg: url)
    REGENERATE = "regenerate"
    RETRY = "retry"
    CONTINUE = "continue"
    EDIT = "edit"
    DELETE = "delete"
    BRANCH_PREV = "branch_prev"
    BRANCH_NEXT = "branch_next"
    TOOL_RESULT = "tool_result"  # arg: the tool call id


class ViewToggle(StrEnum):
    """Links the view handles itself (open/close a section); never emitted."""

    THINKING = "toggle_thinking"
    DETAILS = "toggle_details"
    TOOL_RESULT = "toggle_tool_result"  # a tool card's result, folded or whole
    USER_TEXT = "toggle_user_text"  # a very long message of the user's, folded or whole


_TOGGLES = frozenset(t.value for t in ViewToggle)
_ACTION = "action:"
_COPYCODE = "copycode:"  # written by chatdesk.ui.render for each code block


def action_href(action: MessageAction | ViewToggle, arg: str = "") -> str:
    """The ``href`` of a link asking for ``action`` (``arg`` is URL-quoted)."""
    return f"{_ACTION}{action.value}:{quote(arg, safe='')}" if arg else f"{_ACTION}{action.value}"


def parse_href(href: str) -> tuple[MessageAction | ViewToggle, object] | None:
    """The action and argument of one of our links; None for any other link (a web URL).

    Raises ValueError for an ``action:`` or ``copycode:`` link naming nothing we know.
    """
    if href.startswith(_COPYCODE):
        n = href[len(_COPYCODE) :]
        if not n.isdecimal():
            raise ValueError(f"bad code block link {href!r}")
        return MessageAction.COPY_CODE, int(n)
    if not href.startswith(_ACTION):
        return None
    name, _, arg = href[len(_ACTION) :].partition(":")
    if name in _TOGGLES:
        return ViewToggle(name), None
    try:
        action = MessageAction(name)
    except ValueError:
        raise ValueError(f"unknown message action in link {href!r}") from None
    if action is MessageAction.TOOL_RESULT:
        return action, unquote(arg)
    if action in (MessageAction.COPY_CODE, MessageAction.OPEN_LINK):
        raise ValueError(f"{action.value} is not written as an action link: {href!r}")
    return action, None


def strict_links() -> bool:
    """In strict mode (:mod:`chatdesk.strict`) a bad link raises instead of being logged."""
    return strict()
