"""Comparisons in the history database: a conversation shown as 2-4 model columns,
the votes cast on its turns, and the speed figures of the board.

Compare mode (issue 7): the columns' answers are ordinary messages (sibling replies
with ``meta.column``); these tables add the column set and the votes. Reach it as
``store.comparisons`` (or through the :class:`~chatdesk.store.Store` methods of the
same names).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from chatdesk.store.common import Repository, as_time, dumps, model_columns, row_id
from chatdesk.store.errors import guarded
from chatdesk.store.rows import COLUMN_LABELS, VOTE_WINNERS, ComparisonRow, VoteRow

_COMPARISON_SELECT = "SELECT id, conversation_id, created, blind, columns, state FROM comparisons"
_VOTE_SELECT = (
    "SELECT id, comparison_id, user_message_id, created, winner, models, prompt, column_order"
    " FROM votes"
)
# Speed figures outside these bounds are clock glitches or corrupt rows, not speeds.
_MAX_TTFT_MS = 600_000.0  # ten minutes
_MAX_DURATION_MS = 6 * 3_600_000.0  # six hours
_MAX_COMPLETION_TOKENS = 10_000_000
_MAX_TOKENS_PER_S = 100_000.0


def _comparison(row: tuple[Any, ...]) -> ComparisonRow:
    id_, conversation_id, created, blind, columns, state = row
    return ComparisonRow(
        id=id_,
        conversation_id=conversation_id,
        created=as_time(created),
        blind=bool(blind),
        columns=json.loads(columns),
        state=json.loads(state) if state else {},
    )


def _vote(row: tuple[Any, ...]) -> VoteRow:
    id_, comparison_id, user_message_id, created, winner, models, prompt, column_order = row
    return VoteRow(
        id=id_,
        comparison_id=comparison_id,
        winner=winner,
        models=json.loads(models),
        prompt=prompt,
        column_order=json.loads(column_order),
        created=as_time(created),
        user_message_id=user_message_id,
    )


def _check_columns(columns: Any) -> list[dict[str, Any]]:
    """Two to four columns, each a JSON object naming its model."""
    n = len(COLUMN_LABELS)
    return model_columns(columns, 2, n, f"a comparison has 2 to {n} columns")


def _check_vote(winner: Any, columns: int, models: Any, column_order: Any) -> None:
    """A winner that names one of the ``columns`` (or tie/bad) and matching lists."""
    if winner not in VOTE_WINNERS:
        raise ValueError(f"winner must be one of {VOTE_WINNERS}, not {winner!r}")
    if winner in COLUMN_LABELS and COLUMN_LABELS.index(winner) >= columns:
        raise ValueError(
            f"winner {winner!r} needs at least {COLUMN_LABELS.index(winner) + 1} "
            f"columns; this comparison has {columns}"
        )
    if not isinstance(models, list | tuple) or len(models) != columns:
        raise ValueError(f"models must list the {columns} compared models in label order")
    if not all(isinstance(m, str) for m in models):
        raise ValueError("models must be strings")
    if (
        not isinstance(column_order, list | tuple)
        or sorted(column_order) != list(range(columns))
        or any(isinstance(i, bool) for i in column_order)
    ):
        raise ValueError(f"column_order must be a permutation of 0..{columns - 1}")


def _finite(value: Any, low: float, high: float) -> float | None:
    """``value`` as a float if it is a real number within [low, high], else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    if not math.isfinite(value) or not low <= value <= high:
        return None
    return value


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    values.sort()
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


class ComparisonRepository(Repository):
    """The comparisons and votes tables, and the answers' speeds per model."""

    __slots__ = ()

    @guarded
    def create_comparison(
        self,
        conversation_id: int,
        columns: list[dict[str, Any]],
        *,
        blind: bool = False,
        state: Mapping[str, Any] | None = None,
        created: float | None = None,
    ) -> int:
        """Make a conversation a comparison of 2-4 ``columns`` (display order); its id.

        One comparison per conversation (``sqlite3.IntegrityError`` for a second);
        a missing conversation is a ``ValueError``.
        """
        cols = _check_columns(columns)
        now = time.time() if created is None else created
        with self.transaction():
            if (
                self.conn.execute(
                    "SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)
                ).fetchone()
                is None
            ):
                raise ValueError(f"no conversation with id {conversation_id}")
            cur = self.conn.execute(
                "INSERT INTO comparisons (conversation_id, created, blind, columns, state)"
                " VALUES (?, ?, ?, ?, ?)",
                (conversation_id, now, int(bool(blind)), dumps(cols), dumps(dict(state or {}))),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    @guarded
    def get_comparison(self, id: int) -> ComparisonRow | None:
        """One comparison, or ``None``."""
        if not row_id(id):
            return None
        row = self.conn.execute(f"{_COMPARISON_SELECT} WHERE id = ?", (id,)).fetchone()
        return None if row is None else _comparison(row)

    @guarded
    def comparison_for_conversation(self, conversation_id: int) -> ComparisonRow | None:
        """The comparison shown by a conversation, or ``None`` for an ordinary chat."""
        if not row_id(conversation_id):
            return None
        row = self.conn.execute(
            f"{_COMPARISON_SELECT} WHERE conversation_id = ?", (conversation_id,)
        ).fetchone()
        return None if row is None else _comparison(row)

    @guarded
    def update_comparison(
        self,
        id: int,
        *,
        columns: list[dict[str, Any]] | None = None,
        blind: bool | None = None,
        state: Mapping[str, Any] | None = None,
    ) -> None:
        """Change the columns (added, removed, reordered), blind mode or UI state.

        ``state`` replaces the whole state object. Votes already cast keep their own
        models and order, so editing columns never rewrites history.
        """
        sets: list[str] = []
        values: list[Any] = []
        if columns is not None:
            sets.append("columns = ?")
            values.append(dumps(_check_columns(columns)))
        if blind is not None:
            sets.append("blind = ?")
            values.append(int(bool(blind)))
        if state is not None:
            sets.append("state = ?")
            values.append(dumps(dict(state)))
        if not sets:
            return
        with self.transaction():
            self.conn.execute(
                f"UPDATE comparisons SET {', '.join(sets)} WHERE id = ?", (*values, id)
            )

    @guarded
    def comparison_states(self, comparison_ids: list[int]) -> dict[int, dict[str, Any]]:
        """The ``state`` of each of these comparisons (its turns: which user message
        each column answered), read in a few queries for thousands of votes. A state
        that is not a JSON object reads as ``{}``."""
        out: dict[int, dict[str, Any]] = {}
        ids = sorted({i for i in comparison_ids if row_id(i)})
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.conn.execute(
                "SELECT id, CASE WHEN json_valid(state) THEN state END FROM comparisons"
                f" WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
            for id_, state in rows:
                value = json.loads(state) if state else {}
                out[id_] = value if isinstance(value, dict) else {}
        return out

    @guarded
    def unvoted_blind_conversations(self) -> set[int]:
        """The conversations of blind comparisons that have no vote yet."""
        rows = self.conn.execute(
            "SELECT conversation_id FROM comparisons k WHERE blind = 1"
            " AND NOT EXISTS (SELECT 1 FROM votes v WHERE v.comparison_id = k.id)"
        )
        return {int(r[0]) for r in rows}

    @guarded
    def list_comparisons(self, limit: int = 100, offset: int = 0) -> list[ComparisonRow]:
        """A page of comparisons, newest first."""
        rows = self.conn.execute(
            f"{_COMPARISON_SELECT} ORDER BY created DESC, id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [_comparison(r) for r in rows]

    @guarded
    def add_vote(
        self,
        comparison_id: int,
        winner: str,
        *,
        models: list[str],
        prompt: str,
        column_order: list[int],
        user_message_id: int | None = None,
        created: float | None = None,
        strict: bool = True,
    ) -> int:
        """Record a vote: ``winner`` is a column label ('A'..'D'), 'tie' or 'bad'.

        ``models`` in label order and ``column_order`` (display position -> original
        column index) are copied into the vote. The winner must name an existing
        column: 'C' needs three columns (``ValueError`` otherwise). ``strict=False``
        (import) checks the vote against its own ``models`` only, since the
        comparison's columns may have changed after the vote was cast.
        """
        now = time.time() if created is None else created
        with self.transaction():
            row = self.conn.execute(
                "SELECT conversation_id, columns FROM comparisons WHERE id = ?", (comparison_id,)
            ).fetchone()
            if row is None:
                raise ValueError(f"no comparison with id {comparison_id}")
            count = len(json.loads(row[1])) if strict else len(models)
            if not strict and not 2 <= count <= len(COLUMN_LABELS):
                raise ValueError(f"a vote compares 2 to {len(COLUMN_LABELS)} models")
            _check_vote(winner, count, models, column_order)
            if user_message_id is not None:
                msg = self.conn.execute(
                    "SELECT conversation_id FROM messages WHERE id = ?", (user_message_id,)
                ).fetchone()
                if msg is None or msg[0] != row[0]:
                    raise ValueError(
                        f"message {user_message_id} is not in comparison {comparison_id}'s"
                        " conversation"
                    )
            cur = self.conn.execute(
                "INSERT INTO votes (comparison_id, user_message_id, created, winner, models,"
                " prompt, column_order) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    comparison_id,
                    user_message_id,
                    now,
                    winner,
                    dumps(list(models)),
                    prompt,
                    dumps([int(i) for i in column_order]),
                ),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    @guarded
    def votes_for(self, comparison_id: int) -> list[VoteRow]:
        """A comparison's votes, oldest first."""
        if not row_id(comparison_id):
            return []
        rows = self.conn.execute(
            f"{_VOTE_SELECT} WHERE comparison_id = ? ORDER BY created, id", (comparison_id,)
        )
        return [_vote(r) for r in rows]

    @guarded
    def delete_vote(self, id: int) -> bool:
        """Withdraw a vote (the user changed their mind); ``True`` if it existed."""
        if not row_id(id):
            return False
        with self.transaction():
            cur = self.conn.execute("DELETE FROM votes WHERE id = ?", (id,))
        return cur.rowcount > 0

    @guarded
    def list_votes(
        self, since: float | datetime | None = None, until: float | datetime | None = None
    ) -> list[VoteRow]:
        """Every vote cast in ``[since, until]`` (epoch seconds, inclusive), oldest first."""
        where, params = [], []
        if since is not None:
            where.append("created >= ?")
            params.append(since.timestamp() if isinstance(since, datetime) else since)
        if until is not None:
            where.append("created <= ?")
            params.append(until.timestamp() if isinstance(until, datetime) else until)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = self.conn.execute(f"{_VOTE_SELECT}{clause} ORDER BY created, id", params)
        return [_vote(r) for r in rows]

    @guarded
    def column_replies(self, user_message_ids: list[int]) -> dict[int, dict[int, list[str]]]:
        """For each user message: its compare columns' replies as ``column -> [status]``,
        with ``"empty"`` in place of the status of a reply that has no text.

        What a vote needs to know which columns answered, read for thousands of votes
        in a few queries instead of one conversation at a time.
        """
        out: dict[int, dict[int, list[str]]] = {}
        ids = sorted({i for i in user_message_ids if isinstance(i, int)})
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.conn.execute(
                "SELECT parent_id, json_extract(meta, '$.column'), status,"
                " length(trim(content)) > 0 FROM messages"
                f" WHERE role = 'assistant' AND parent_id IN ({','.join('?' * len(chunk))})"
                " AND json_valid(meta)",
                chunk,
            )
            for parent, column, status, has_text in rows:
                if isinstance(column, int) and 0 <= column < len(COLUMN_LABELS):
                    shown = status if has_text else "empty"
                    out.setdefault(parent, {}).setdefault(column, []).append(shown)
        return out

    @guarded
    def model_speed_stats(
        self,
        models: list[str] | None,
        speed: Callable[[float, float, float], float | None],
    ) -> dict[str, dict[str, float | int | None]]:
        """Per model: ``median_ttft_ms``, ``median_tokens_per_s`` and ``answers``.

        Over finished (``done``) assistant answers, keyed by the model asked for (the
        one a comparison column names), else the one reported. ``speed(tokens,
        ttft_ms, duration_ms)`` gives an answer's tokens per second: core passes its
        one definition of generation speed (the store has none of its own), so the
        board, the columns and the message footers agree. Values that are not
        finite, negative or absurd (clock jumps, corrupt rows) are skipped, and a
        median with no valid value is ``None``. ``models`` restricts the result to
        those models (``None``: all). Reads every assistant row once (no index
        helps): call it for a window or a command, not per repaint.
        """
        wanted = None if models is None else set(models)
        rows = self.conn.execute(
            "SELECT coalesce(nullif(model_requested, ''), model), ttft_ms, duration_ms,"
            " CASE WHEN json_valid(usage) THEN json_extract(usage, '$.completion_tokens') END"
            " FROM messages WHERE role = 'assistant' AND status = 'done'"
            " AND coalesce(nullif(model_requested, ''), model) IS NOT NULL"
        )
        ttfts: dict[str, list[float]] = {}
        speeds: dict[str, list[float]] = {}
        answers: dict[str, int] = {}
        for model, ttft_raw, duration_raw, tokens_raw in rows:
            if wanted is not None and model not in wanted:
                continue
            answers[model] = answers.get(model, 0) + 1
            ttft = _finite(ttft_raw, 0.0, _MAX_TTFT_MS)
            duration = _finite(duration_raw, 0.0, _MAX_DURATION_MS)
            tokens = _finite(tokens_raw, 1.0, _MAX_COMPLETION_TOKENS)
            if ttft is not None:
                ttfts.setdefault(model, []).append(ttft)
            if ttft is not None and duration is not None and tokens is not None:
                value = speed(tokens, ttft, duration)
                if value is not None and 0 < value <= _MAX_TOKENS_PER_S:
                    speeds.setdefault(model, []).append(value)
        return {
            model: {
                "median_ttft_ms": _median(ttfts.get(model, [])),
                "median_tokens_per_s": _median(speeds.get(model, [])),
                "answers": count,
            }
            for model, count in sorted(answers.items())
        }
