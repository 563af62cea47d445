"""A first question that failed before any answer arrived: kept for ``ask --retry``,
not left in the history.

Tries against a dead port, a refused key or a wrong URL used to become one conversation
each (12 of 21 in one session). The choice made here: when the turn that would have
started a conversation fails before any answer text arrived, the conversation is
deleted and the question is kept in one slot (the latest failure; a setting in the
history database), with its server and model, for ``chatdesk ask --retry``. A failed
turn of an existing conversation stays in it as that conversation's one failed
question: the next question takes its place (see core.branches.parent_for_new_message).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from chatdesk.cli._common import UsageError

if TYPE_CHECKING:
    import argparse

    from chatdesk.store import Store

SETTING = "cli_failed_question"
MAX_KEPT_CHARS = 1_000_000  # a question piped from a file; larger ones are not kept


def kept(store: Store) -> dict[str, Any] | None:
    """The question kept by the last failed first turn: {"text", "server", "model"}."""
    value = store.get_setting(SETTING)
    if not isinstance(value, dict) or not isinstance(value.get("text"), str):
        return None
    return {
        "text": value["text"],
        "server": value.get("server") if isinstance(value.get("server"), str) else None,
        "model": value.get("model") if isinstance(value.get("model"), str) else None,
    }


def forget(store: Store) -> None:
    store.set_setting(SETTING, None)


def drop_failed_first_turn(
    store: Store, conversation_id: int, text: str, server: str, model: str
) -> bool:
    """Delete the conversation this failed first turn created and keep its question;
    False (nothing done) when any answer arrived or it holds more than that turn."""
    from chatdesk.core.chat.turns import is_unanswered_first_turn

    if not is_unanswered_first_turn(store, conversation_id):
        return False
    if len(text) <= MAX_KEPT_CHARS:
        store.set_setting(SETTING, {"text": text, "server": server, "model": model})
    store.delete_conversation(conversation_id)
    return True


def say_dropped(text: str) -> None:
    """How to send it again (on stderr, after the error line)."""
    if len(text) <= MAX_KEPT_CHARS:
        how = "run `chatdesk ask --retry` to send it again (same server and model)"
    else:
        how = "the question was too long to keep: send it again as before"
    sys.stderr.write(f"chatdesk: not saved in the history (no answer arrived); {how}\n")


def question_to_retry(args: argparse.Namespace) -> dict[str, Any] | None:
    """``ask --retry``: the kept question (see this module); None without --retry."""
    if not args.retry:
        return None
    from chatdesk.paths import database_path
    from chatdesk.store import Store

    with Store(database_path()) as store:
        found = kept(store)
    if found is None:
        raise UsageError(
            "no failed question is kept to retry (a question is kept when it "
            "started a conversation and failed before any answer arrived)"
        )
    return found
