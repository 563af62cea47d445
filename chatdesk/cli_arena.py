"""``chatdesk vote`` and ``chatdesk leaderboard``: compare-mode votes from the terminal.

Kept apart from :mod:`chatdesk.cli` so the arena commands read as one piece; the
parser tree and the dispatch table there register them. Nothing here imports Qt or
httpx: both commands only read and write the local history.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chatdesk.store import ComparisonRow, MessageRow, Store


def _date_arg(end_of_day: bool) -> Any:
    """``YYYY-MM-DD`` (local day; the end of it for ``--until``) or a full ISO time."""

    def parse(text: str) -> float:
        try:
            if len(text.strip()) == 10:
                day = _dt.date.fromisoformat(text.strip())
                moment = _dt.datetime.combine(day, _dt.time.max if end_of_day else _dt.time.min)
            else:
                moment = _dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a date like 2026-01-31 or 2026-01-31T18:00, got {text!r}"
            ) from None
        return moment.timestamp()  # naive: local time, as the user means it

    return parse


def add_parsers(subparsers: Any) -> None:
    """Register ``vote`` and ``leaderboard`` on the ``chatdesk`` subcommand parser."""
    vote = subparsers.add_parser(
        "vote", help="vote on a comparison's latest turn: A, B, C, D, tie or bad"
    )
    vote.add_argument("comparison_id", metavar="COMPARISON_ID", type=int)
    # Checked by the handler, not argparse: a wrong label is one readable line.
    vote.add_argument("winner", metavar="A|B|C|D|tie|bad")

    board = subparsers.add_parser(
        "leaderboard", help="your own model ratings from your votes, with speeds"
    )
    board.add_argument("--json", action="store_true")
    board.add_argument(
        "--since", type=_date_arg(False), metavar="DATE", help="only votes from this day on"
    )
    board.add_argument(
        "--until", type=_date_arg(True), metavar="DATE", help="only votes up to this day"
    )


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


def cmd_vote(args: argparse.Namespace) -> int:
    from chatdesk.cli import UsageError
    from chatdesk.store.rows import COLUMN_LABELS, VOTE_WINNERS

    text = str(args.winner).strip()
    winner = text.upper() if text.upper() in COLUMN_LABELS else text.lower()
    if winner not in VOTE_WINNERS:
        raise UsageError(f"a vote is A, B, C, D, tie or bad, not {text!r}")
    store = _open()
    try:
        comparison = store.get_comparison(args.comparison_id)
        if comparison is None:
            raise UsageError(f"no comparison with id {args.comparison_id}")
        labels, models = label_order(comparison)
        if winner in COLUMN_LABELS and winner not in labels:
            raise UsageError(
                f"comparison {comparison.id} has columns {', '.join(labels)}; there is no {winner}"
            )
        turn = latest_turn(store, comparison.conversation_id)
        if turn is None:
            raise UsageError(f"comparison {comparison.id} has no answered turn to vote on yet")
        user, _ = turn
        previous = [v for v in store.votes_for(comparison.id) if v.user_message_id == user.id]
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
    verb = "changed to" if previous else "recorded:"
    print(f"comparison {comparison.id}: vote {verb} {what} ({names})")
    return 0


def _round(value: float | int | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def leaderboard_rows(
    store: Store, since: float | None, until: float | None
) -> list[dict[str, Any]]:
    """The ``--json`` rows: ratings from the votes in range, speeds from all history."""
    from chatdesk.core.leaderboard import fit

    ratings = fit(store.list_votes(since=since, until=until))
    speeds = store.model_speed_stats([r.model for r in ratings]) if ratings else {}
    rows = []
    for r in ratings:
        speed = speeds.get(r.model, {})
        rows.append(
            {
                "model": r.model,
                "rating": _round(r.rating, 1),
                "ci_low": _round(r.ci_low, 1),
                "ci_high": _round(r.ci_high, 1),
                "votes": r.votes,
                "wins": r.wins,
                "losses": r.losses,
                "ties": r.ties,
                "median_ttft_ms": _round(speed.get("median_ttft_ms"), 1),
                "median_tokens_per_s": _round(speed.get("median_tokens_per_s"), 2),
            }
        )
    return rows


def cmd_leaderboard(args: argparse.Namespace) -> int:
    from chatdesk.cli import UsageError

    if args.since is not None and args.until is not None and args.since > args.until:
        raise UsageError("--since is after --until")
    store = _open()
    try:
        rows = leaderboard_rows(store, args.since, args.until)
    finally:
        store.close()
    if args.json:
        sys.stdout.write(json.dumps({"models": rows}, ensure_ascii=False) + "\n")
        return 0
    if not rows:
        print("No votes yet. Compare models, then: chatdesk vote COMPARISON_ID A|B|tie|bad")
        return 0
    table = [("#", "model", "rating", "95% CI", "votes", "W/L/T", "TTFT ms", "tok/s")]
    for rank, row in enumerate(rows, 1):
        ttft, speed = row["median_ttft_ms"], row["median_tokens_per_s"]
        table.append(
            (
                str(rank),
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
    return 0
