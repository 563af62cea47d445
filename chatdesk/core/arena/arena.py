"""What the leaderboard reads and what a vote may say, shared by the window and the CLI.

Reading (:func:`read_board`) is quick SQL and happens where the store lives; fitting
(:func:`fit_board`) is pure computation, so the window can run it on a worker
thread. A column that failed has no answer: it cannot win or lose a vote, and a
vote counts only between the columns that answered (:func:`answered_columns`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chatdesk.core.arena.leaderboard import Rating, fit
from chatdesk.core.chat.speed import generation_speed
from chatdesk.store.rows import COLUMN_LABELS, VOTE_WINNERS, MessageRow, MessageStatus, VoteRow

if TYPE_CHECKING:
    from chatdesk.store import Store

#: Statuses of a reply that count as an answer when it has text: a stopped or
#: interrupted answer is still the model's answer; an error is not.
_ANSWER_STATUSES = frozenset(
    {MessageStatus.DONE, MessageStatus.STOPPED, MessageStatus.INTERRUPTED, MessageStatus.STREAMING}
)


def is_answer(status: str) -> bool:
    """Whether a reply with this status (``"empty"``: no text) is an answer."""
    return status in _ANSWER_STATUSES


def answered_columns(replies: Iterable[MessageRow]) -> set[int]:
    """Column indexes (0 = A) with an answer among a turn's column replies."""
    out = set()
    for m in replies:
        column = m.meta.get("column") if isinstance(m.meta, dict) else None
        if isinstance(column, int) and m.content.strip() and is_answer(m.status):
            out.add(column)
    return out


def usable(vote: VoteRow) -> bool:
    """A vote the fit can read: 2-4 named models and a winner among them (or tie/bad).

    The store checks votes as they are cast, but a damaged or hand-edited history
    must not take the whole board down with one bad row.
    """
    models = vote.models
    if not isinstance(models, list) or not 2 <= len(models) <= len(COLUMN_LABELS):
        return False
    if not all(isinstance(m, str) and m for m in models):
        return False
    if vote.winner not in VOTE_WINNERS:
        return False
    return vote.winner not in COLUMN_LABELS or COLUMN_LABELS.index(vote.winner) < len(models)


@dataclass(frozen=True, slots=True)
class BoardVote:
    """A vote as the fit reads it: between the columns that answered, relabelled A, B..."""

    winner: str
    models: list[str]


def between_answers(vote: VoteRow, columns: dict[int, list[str]] | None) -> BoardVote | None:
    """``vote`` restricted to the columns that answered, or ``None`` if it says nothing.

    ``columns`` is the turn's ``column -> [status]`` (:meth:`Store.column_replies`);
    ``None`` (a vote without its turn, e.g. imported) keeps every column. A vote whose
    winner had no answer (cast before votes were checked) is left out.
    """
    models = list(vote.models)
    if columns is None:
        return BoardVote(vote.winner, models)
    # A column with no reply under this prompt is kept: after the threads diverged each
    # column asks with its own copy of the prompt, and its reply hangs under that copy.
    keep = [
        i for i in range(len(models)) if i not in columns or any(is_answer(s) for s in columns[i])
    ]
    if len(keep) < 2:
        return None
    if vote.winner in COLUMN_LABELS:
        won = COLUMN_LABELS.index(vote.winner)
        if won not in keep:
            return None
        return BoardVote(COLUMN_LABELS[keep.index(won)], [models[i] for i in keep])
    return BoardVote(vote.winner, [models[i] for i in keep])


@dataclass(slots=True)
class BoardInput:
    """Everything the fit needs, read from the store in one go."""

    votes: list[BoardVote] = field(default_factory=list)
    speeds: dict[str, dict[str, float | int | None]] = field(default_factory=dict)
    #: Votes in the whole history (to tell "none in this range" from "none yet").
    total_votes: int = 0


@dataclass(frozen=True, slots=True)
class BoardRow:
    """One model on the board: its fitted rating and its median speeds (or ``None``)."""

    standing: Rating
    median_ttft_ms: float | None
    median_tokens_per_s: float | None


def read_board(store: Store, since: float | None, until: float | None) -> BoardInput:
    """The votes cast in ``[since, until]`` (only between answered columns) and the
    speeds of every model they name, from all history. Raises ``StoreError``."""
    raw = [v for v in store.list_votes(since, until) if usable(v)]
    users_of = turn_users(store, raw)
    asked = [v.user_message_id for v in raw if v.user_message_id]
    asked += [u for users in users_of.values() for u in users.values()]
    replies = store.column_replies(asked)
    votes = []
    for v in raw:
        users = users_of.get(v.id)
        if users is not None:
            # Each column's replies under the prompt it answered: none at all means
            # it failed before its reply was saved, so it did not answer.
            columns: dict[int, list[str]] | None = {
                col: replies.get(uid, {}).get(col, []) for col, uid in users.items()
            }
        else:  # a vote without its turn (imported, or an old state): its prompt only
            columns = replies.get(v.user_message_id) if v.user_message_id is not None else None
        kept = between_answers(v, columns)
        if kept is not None:
            votes.append(kept)
    models = sorted({m for v in votes for m in v.models})
    speeds = store.model_speed_stats(models, speed=generation_speed) if models else {}
    total = len(raw) if since is None and until is None else len(store.list_votes())
    return BoardInput(votes, speeds, total)


def turn_users(store: Store, votes: list[VoteRow]) -> dict[int, dict[int, int]]:
    """Per vote id: column -> the user message that column answered in the vote's turn.

    After the columns' threads split, each column asks with its own copy of the
    prompt; the vote names only one of them. Read from the comparisons' saved turns;
    a vote whose turn is not found there is left out of the result.
    """
    states = store.comparison_states([v.comparison_id for v in votes if v.user_message_id])
    by_prompt: dict[int, dict[int, dict[int, int]]] = {}  # comparison -> prompt -> users
    for comparison, state in states.items():
        found: dict[int, dict[int, int]] = {}
        turns = state.get("turns")
        for turn in turns if isinstance(turns, list) else []:
            raw = turn.get("users") if isinstance(turn, dict) else None
            if not isinstance(raw, dict):
                continue
            users = {
                int(key): uid
                for key, uid in raw.items()
                if isinstance(key, str) and key in _COLUMN_KEYS and _is_id(uid)
            }
            for uid in users.values():
                found.setdefault(uid, users)
        by_prompt[comparison] = found
    out = {}
    for v in votes:
        turn = by_prompt.get(v.comparison_id, {}).get(v.user_message_id or 0)
        if turn:
            out[v.id] = turn
    return out


_COLUMN_KEYS = frozenset(str(i) for i in range(len(COLUMN_LABELS)))


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _figure(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def fit_board(data: BoardInput) -> list[BoardRow]:
    """Ratings best first with their speeds: pure computation, safe on any thread."""
    rows = []
    for r in fit(data.votes):
        speed = data.speeds.get(r.model, {})
        rows.append(
            BoardRow(
                r,
                _figure(speed.get("median_ttft_ms")),
                _figure(speed.get("median_tokens_per_s")),
            )
        )
    return rows
