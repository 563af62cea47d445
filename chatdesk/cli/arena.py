"""``chatdesk vote`` and ``chatdesk leaderboard``: compare-mode votes from the terminal.

Nothing here imports Qt or httpx: both commands only read and write the local
history. ``history`` uses :func:`comparison_ids` and :func:`hidden_names` too.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
from typing import TYPE_CHECKING, Any

from chatdesk.cli._common import UsageError

if TYPE_CHECKING:
    from chatdesk.store import ComparisonRow, MessageRow, Store


def _open(readonly: bool = False) -> Store:
    from chatdesk.paths import database_path
    from chatdesk.store import Store

    return Store(database_path(), readonly=readonly)


def latest_turn(store: Store, conversation_id: int) -> tuple[MessageRow, list[MessageRow]] | None:
    """The last user message that has column replies, and those replies (column order)."""
    messages = store.list_messages(conversation_id)
    replies: dict[int, list[MessageRow]] = {}
    for m in messages:
        if (
            m.role == "assistant"
            and m.parent_id is not None
            and isinstance(m.meta.get("column"), int)
        ):
            replies.setdefault(m.parent_id, []).append(m)
    users = [m for m in messages if m.role == "user" and m.id in replies]
    if not users:
        return None
    user = max(users, key=lambda m: m.id)
    return user, sorted(replies[user.id], key=lambda m: (m.meta["column"], m.id))


def state_turn(
    store: Store, comparison: ComparisonRow
) -> tuple[MessageRow, list[MessageRow]] | None:
    """The latest turn as the comparison recorded it: its prompt and every column's
    answer, also when the columns' threads diverged (each column then asked with its
    own copy of the prompt, so the replies do not share one parent)."""
    from chatdesk.core.chat.turnrefs import clean_turns

    state = comparison.state if isinstance(comparison.state, dict) else {}
    columns = len(comparison.columns) if isinstance(comparison.columns, list) else 0
    turns = clean_turns(state.get("turns"), store.message_ids(comparison.conversation_id), columns)
    if not turns:
        return None
    users = turns[-1].get("users") or {}
    answers = turns[-1].get("answers") or {}
    user = next((store.get_message(users[k]) for k in sorted(users)), None)
    replies = [store.get_message(answers[k]) for k in sorted(answers)]
    found = [r for r in replies if r is not None]
    return (user, found) if user is not None and found else None


def label_order(comparison: ComparisonRow) -> tuple[list[str], list[str]]:
    """Labels and their models in label order (A, B, ...), from the columns."""
    from chatdesk.store.rows import COLUMN_LABELS

    columns = list(comparison.columns)
    labelled = [
        (str(col.get("label") or COLUMN_LABELS[i]), str(col["model"]))
        for i, col in enumerate(columns)
    ]
    labelled.sort(key=lambda pair: pair[0])
    return [label for label, _ in labelled], [model for _, model in labelled]


def column_order(comparison: ComparisonRow) -> list[int]:
    """Display position -> original column index: the blind shuffle kept in the state."""
    n = len(comparison.columns)
    order = comparison.state.get("column_order")
    if (
        isinstance(order, list)
        and all(isinstance(i, int) and not isinstance(i, bool) for i in order)
        and sorted(order) == list(range(n))
    ):
        return list(order)
    return list(range(n))


def find_comparison(store: Store, conversation_id: int) -> ComparisonRow:
    """The comparison shown as conversation ``conversation_id`` (the one number
    ``compare`` prints and ``history`` lists), or a usage error saying what it is."""

    comparison = None
    if 0 < conversation_id < 2**63:
        comparison = store.comparison_for_conversation(conversation_id)
        if comparison is None and store.get_conversation(conversation_id) is not None:
            raise UsageError(
                f"conversation {conversation_id} is a chat, not a comparison "
                "(`chatdesk history list` marks comparisons)"
            )
    if comparison is None:
        raise UsageError(f"no comparison with id {conversation_id}")
    return comparison


def cmd_vote(args: argparse.Namespace) -> int:
    from chatdesk.core.arena.arena import answered_columns
    from chatdesk.store.rows import COLUMN_LABELS, VOTE_WINNERS

    text = str(args.winner).strip()
    winner = text.upper() if text.upper() in COLUMN_LABELS else text.lower()
    if winner not in VOTE_WINNERS:
        raise UsageError(f"a vote is A, B, C, D, tie or bad, not {text!r}")
    store = _open()
    try:
        comparison = find_comparison(store, args.comparison_id)
        number = comparison.conversation_id
        labels, models = label_order(comparison)
        if winner in COLUMN_LABELS and winner not in labels:
            raise UsageError(
                f"comparison {number} has columns {', '.join(labels)}; there is no {winner}"
            )
        turn = state_turn(store, comparison) or latest_turn(store, comparison.conversation_id)
        if turn is None:
            raise UsageError(f"comparison {number} has no answered turn to vote on yet")
        user, replies = turn
        answered = [COLUMN_LABELS[i] for i in sorted(answered_columns(replies))]
        if len(answered) < 2:
            raise UsageError(
                f"comparison {number}: fewer than two columns answered "
                f"({', '.join(answered) or 'none'}), so there is nothing to compare"
            )
        if winner in COLUMN_LABELS and winner not in answered:
            raise UsageError(
                f"column {winner} of comparison {number} has no answer (it failed), so it "
                f"can neither win nor lose; vote for one of {', '.join(answered)}, tie or bad"
            )
        previous = [v for v in store.votes_for(comparison.id) if v.user_message_id == user.id]
        same = [v for v in previous if v.winner == winner and list(v.models) == models]
        if same and len(previous) == 1:
            changed = False
        else:
            changed = True
            with store.transaction():
                for vote in previous:  # one vote per turn: voting again changes it
                    store.delete_vote(vote.id)
                try:
                    store.add_vote(
                        comparison.id,
                        winner,
                        models=models,
                        prompt=user.content,
                        column_order=column_order(comparison),
                        user_message_id=user.id,
                    )
                except ValueError as exc:
                    raise UsageError(str(exc)) from None
    finally:
        store.close()
    names = ", ".join(f"{label} = {model}" for label, model in zip(labels, models, strict=True))
    what = {"tie": "a tie", "bad": "all bad"}.get(winner, f"{winner} is best")
    if not changed:
        print(f"comparison {number}: the vote was already {what}; nothing changed ({names})")
        return 0
    verb = "changed to" if previous else "recorded:"
    print(f"comparison {number}: vote {verb} {what} ({names})")
    return 0


def _round(value: float | int | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def leaderboard_rows(
    store: Store, since: float | None, until: float | None
) -> tuple[list[dict[str, Any]], int]:
    """The ``--json`` rows (ratings from the votes in range between the columns that
    answered, speeds from all history) and the number of votes in the whole history."""
    from chatdesk.core.arena.arena import fit_board, read_board

    data = read_board(store, since, until)
    rows = []
    for row in fit_board(data):
        r = row.standing
        rows.append(
            {
                "model": r.model,
                "rank": r.rank_text() or None,
                "rating": _round(r.rating, 1),
                "ci_low": _round(r.ci_low, 1),
                "ci_high": _round(r.ci_high, 1),
                "votes": r.votes,
                "wins": r.wins,
                "losses": r.losses,
                "ties": r.ties,
                "median_ttft_ms": _round(row.median_ttft_ms, 1),
                "median_tokens_per_s": _round(row.median_tokens_per_s, 2),
            }
        )
    return rows, data.total_votes


def _day(stamp: float) -> str:
    try:
        return _dt.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")
    except (ValueError, OverflowError, OSError):
        return "the edge of the calendar"


def cmd_leaderboard(args: argparse.Namespace) -> int:
    from chatdesk.core.arena.leaderboard import MIN_VOTES

    if args.since is not None and args.until is not None and args.since > args.until:
        raise UsageError("--since is after --until")
    store = _open()
    try:
        rows, total = leaderboard_rows(store, args.since, args.until)
    finally:
        store.close()
    if args.json:
        report = {"models": rows, "min_votes": MIN_VOTES, "votes_in_history": total}
        sys.stdout.write(json.dumps(report, ensure_ascii=False) + "\n")
        return 0
    if not rows:
        if total and (args.since is not None or args.until is not None):
            start = "the beginning" if args.since is None else _day(args.since)
            end = "now" if args.until is None else _day(args.until)
            print(
                f"No votes between {start} and {end} ({total} vote"
                f"{'s' if total != 1 else ''} in all; widen the range or drop --since/--until)."
            )
        elif total:
            print("No vote counts yet: every voted turn had fewer than two answered columns.")
        else:
            print("No votes yet. Compare models, then: chatdesk vote ID A|B|tie|bad")
        return 0
    table = [("#", "model", "rating", "95% CI", "votes", "W/L/T", "TTFT ms", "tok/s")]
    for row in rows:
        ttft, speed = row["median_ttft_ms"], row["median_tokens_per_s"]
        table.append(
            (
                row["rank"] or "-",
                row["model"],
                f"{row['rating']:.0f}",
                f"{row['ci_low']:.0f}-{row['ci_high']:.0f}",
                str(row["votes"]),
                f"{row['wins']}/{row['losses']}/{row['ties']}",
                "-" if ttft is None else f"{ttft:.0f}",
                "-" if speed is None else f"{speed:.1f}",
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        cells = [
            cell.ljust(w) if i == 1 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(line, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
    unranked = sum(1 for row in rows if row["rank"] is None)
    if unranked:
        print(
            f"\n-: too few votes to rank (a model needs {MIN_VOTES}; "
            f"{unranked} of {len(rows)} have fewer)."
        )
    if any(row["rank"] and "-" in row["rank"] for row in rows):
        print("A rank like 1-3 is shared: the 95% intervals overlap, the votes cannot order them.")
    return 0


def comparison_ids(store: Store, conversation_ids: list[int]) -> set[int]:
    """Which of these conversations are comparisons (``history list`` marks them)."""
    return {c for c in conversation_ids if store.comparison_for_conversation(c) is not None}


def hidden_names(store: Store, conversation_id: int) -> dict[int, str] | None:
    """For a blind comparison nobody has voted on yet: each column reply's id ->
    "Model A"..., to show in place of its model. ``None`` when names may be shown."""
    from chatdesk.store.rows import COLUMN_LABELS

    comparison = store.comparison_for_conversation(conversation_id)
    if comparison is None or not comparison.blind or store.votes_for(comparison.id):
        return None
    out = {}
    for m in store.list_messages(conversation_id):
        column = m.meta.get("column") if isinstance(m.meta, dict) else None
        if m.role != "assistant":
            continue
        if isinstance(column, int) and 0 <= column < len(COLUMN_LABELS):
            out[m.id] = f"Model {COLUMN_LABELS[column]}"
        else:
            out[m.id] = "a hidden model"
    return out
