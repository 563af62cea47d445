"""The figures of a compare column, and which column is best at each.

Live figures come from an :class:`~chatdesk.core.chat.exchange.Exchange`'s stats; a saved
comparison's from its stored answer rows (ttft, duration, usage), so a reopened
comparison shows the same numbers offline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from chatdesk.core.arena.prices import Price, cost
from chatdesk.core.chat.exchange import ExchangeStats
from chatdesk.core.chat.speed import generation_speed
from chatdesk.store.rows import MessageRow, MessageStatus

# In a stopped or failed answer's meta: the tokens that streamed before it ended (the
# server sends no usage then), so a reopened comparison shows what was seen live.
STREAMED_TOKENS = "streamed_tokens"

# For each figure: whether lower is better (True) or higher (False).
LOWER_IS_BETTER = {"ttft": True, "total": True, "speed": False, "cost": True}


@dataclass(slots=True)
class Figures:
    """One column's numbers (None: not known yet, or not applicable)."""

    ttft_ms: float | None = None
    total_ms: float | None = None
    tokens_in: int | None = None
    tokens_out: int | None = None
    tokens_per_s: float | None = None
    finish: str | None = None
    cost: float | None = None
    currency: str = ""
    failed: bool = False  # an error or a stop: its times say nothing about the model
    running: bool = False  # still answering: its figures are not final, nothing to rank

    def value(self, key: str) -> float | None:
        if self.failed or self.running:
            return None
        return {
            "ttft": self.ttft_ms,
            "total": self.total_ms,
            "speed": self.tokens_per_s,
            "cost": self.cost,
        }.get(key)


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and 0 <= value < 1e12 else None


def from_stats(
    stats: ExchangeStats, price: Price | None, now: float | None = None, *, failed: bool = False
) -> Figures:
    """Figures of a running or finished exchange (``failed``: it ended in an error or stop)."""
    out = Figures(
        ttft_ms=stats.ttft_ms,
        total_ms=stats.elapsed_ms(now),
        failed=failed,
        tokens_in=stats.prompt_tokens,
        tokens_out=stats.tokens_out if stats.tokens_out else None,
        tokens_per_s=stats.tokens_per_s(now),
        finish=stats.finish_reason,
    )
    if stats.duration_ms is not None and stats.completion_tokens is not None:
        out.cost = cost(price, stats.prompt_tokens, stats.completion_tokens)
        out.currency = price.currency if price else ""
    return out


def from_row(row: MessageRow, price: Price | None) -> Figures:
    """Figures of a saved answer (a reopened comparison, offline)."""
    usage = row.usage if isinstance(row.usage, dict) else {}
    prompt = _num(usage.get("prompt_tokens"))
    completion = _num(usage.get("completion_tokens"))
    if completion is None and isinstance(row.meta, dict):
        completion = _num(row.meta.get(STREAMED_TOKENS))  # a stop: the count streamed
    ttft = _num(row.ttft_ms)
    total = _num(row.duration_ms)
    speed = generation_speed(completion, ttft, total)
    out = Figures(
        ttft_ms=ttft,
        total_ms=total,
        tokens_in=int(prompt) if prompt is not None else None,
        tokens_out=int(completion) if completion is not None else None,
        tokens_per_s=speed,
        finish=row.finish_reason,
        failed=row.status != MessageStatus.DONE,
    )
    out.cost = cost(price, prompt, completion)
    out.currency = price.currency if price and out.cost is not None else ""
    return out


def best(columns: list[Figures], key: str) -> set[int]:
    """The columns holding the best value of ``key`` (all of them on a tie; none alone)."""
    values = [(i, f.value(key)) for i, f in enumerate(columns)]
    known = [(i, v) for i, v in values if v is not None]
    if len(known) < 2:
        return set()
    if key == "cost" and len({columns[i].currency for i, _ in known}) > 1:
        return set()  # 0.0060 USD and 0.0091 CNY are not comparable as plain numbers
    pick = min if LOWER_IS_BETTER[key] else max
    target = pick(v for _, v in known)
    return {i for i, v in known if v == target}
