"""What a prompt-set run shows per model, and what it will cost before it starts.

The summary reads only saved rows (cells, judge replies), so a resumed, reopened or
exported run shows the same figures as the live one. Judge outcomes count once per
prompt and pair of models (the two replies of a pair make one verdict, see
:func:`chatdesk.core.runs.judge.pair_result`), and the Bradley-Terry ratings come from the
leaderboard's own fit, with ties counted as it counts them (half a game each way).
No Qt.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chatdesk.core.arena.leaderboard import fit
from chatdesk.core.arena.prices import PriceTable, cost
from chatdesk.core.chat.exchange import generation_speed
from chatdesk.core.runs.judge import INVALID, judge_request_count, pair_result
from chatdesk.store.runs import CellRow, JudgementRow, PromptLike

__all__ = [
    "ASSUMED_JUDGE_OUTPUT_TOKENS",
    "ASSUMED_OUTPUT_TOKENS",
    "CHARS_PER_TOKEN",
    "Estimate",
    "ModelSummary",
    "PairVerdict",
    "cell_speed",
    "column_names",
    "estimate",
    "pair_verdicts",
    "summarize",
]

#: The estimate counts a prompt's tokens as its characters divided by this.
CHARS_PER_TOKEN = 4
#: The estimate's assumed length of each answer, in tokens (shown to the user).
ASSUMED_OUTPUT_TOKENS = 500
#: The estimate's assumed length of each judge reply (a short comparison + verdict).
ASSUMED_JUDGE_OUTPUT_TOKENS = 300
_MAX_FIGURE = 1e12


@dataclass(frozen=True, slots=True)
class PairVerdict:
    """One prompt and pair of columns judged in both orders.

    ``winner`` is a column name, ``"tie"`` or ``"invalid"``; ``raw`` holds the two
    judge replies (AB order first).
    """

    prompt_index: int
    a_index: int
    b_index: int
    a: str
    b: str
    winner: str
    raw: tuple[str, str]
    #: The winning column (``None`` for a tie or invalid: a model may be named "tie").
    winner_index: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "prompt_index": self.prompt_index,
            "a": self.a,
            "b": self.b,
            "winner": self.winner,
            "raw": list(self.raw),
        }


@dataclass(slots=True)
class ModelSummary:
    """One column's line in the summary table (``None``: not known)."""

    model: str
    ok: int = 0
    errors: int = 0
    median_ttft_ms: float | None = None
    median_tokens_per_s: float | None = None
    tokens_out: int = 0
    cost: float | None = None
    currency: str = ""
    judge_wins: int = 0
    judge_losses: int = 0
    judge_ties: int = 0
    judge_invalid: int = 0
    rating: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``summary`` entry of ``chatdesk batch --json``."""
        return {
            "model": self.model,
            "ok": self.ok,
            "errors": self.errors,
            "median_ttft_ms": self.median_ttft_ms,
            "median_tokens_per_s": self.median_tokens_per_s,
            "tokens_out": self.tokens_out,
            "cost": self.cost,
            "judge_wins": self.judge_wins,
            "judge_losses": self.judge_losses,
            "judge_ties": self.judge_ties,
            "rating": self.rating,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
        }


def column_names(columns: Sequence[Mapping[str, Any]]) -> list[str]:
    """A distinct name per column: its model, then "model @provider" when two columns
    share a model, then "#2", "#3" when they share the provider too (ratings and
    verdicts need to tell the columns apart)."""
    models = [str(c.get("model") or "?") for c in columns]
    names = []
    for col, model in zip(columns, models, strict=True):
        provider = str(col.get("provider") or "")
        names.append(f"{model} @{provider}" if models.count(model) > 1 and provider else model)
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if names.count(name) == 1 else f"{name} #{seen[name]}")
    return out


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and 0.0 <= number < _MAX_FIGURE else None


def _completion_tokens(cell: CellRow) -> float | None:
    usage = cell.usage if isinstance(cell.usage, dict) else {}
    return _num(usage.get("completion_tokens"))


def cell_speed(cell: CellRow) -> float | None:
    """Generation speed of a saved cell: from its token count and times (core's one
    definition), else the speed the run measured (a server that sent no usage)."""
    speed = generation_speed(_completion_tokens(cell), _num(cell.ttft_ms), _num(cell.duration_ms))
    return speed if speed is not None else _num(cell.tokens_per_s)


def pair_verdicts(names: Sequence[str], judgements: Iterable[JudgementRow]) -> list[PairVerdict]:
    """Each prompt and pair whose two judge replies are both saved ``done``, in order."""
    replies: dict[tuple[int, int, int], dict[str, str]] = {}
    for row in judgements:
        k = row.key
        if row.status != "done" or not 0 <= k.a_index < k.b_index < len(names):
            continue
        replies.setdefault((k.prompt_index, k.a_index, k.b_index), {})[k.order] = row.reply
    out = []
    for (p, a, b), by_order in sorted(replies.items()):
        if "AB" not in by_order or "BA" not in by_order:
            continue
        result = pair_result(names[a], names[b], by_order["AB"], by_order["BA"])
        won = a if result.verdicts == ("A", "B") else b if result.verdicts == ("B", "A") else None
        raw = (by_order["AB"], by_order["BA"])
        out.append(PairVerdict(p, a, b, names[a], names[b], result.winner, raw, won))
    return out


@dataclass(frozen=True, slots=True)
class _Vote:
    """A verdict as the leaderboard's fit reads a vote (labels A/B, or tie)."""

    winner: str
    models: tuple[str, str]


def summarize(
    columns: Sequence[Mapping[str, Any]],
    cells: Iterable[CellRow],
    judgements: Iterable[JudgementRow] = (),
) -> list[ModelSummary]:
    """The summary per column, in column order (see the module docstring)."""
    names = column_names(columns)
    out = [ModelSummary(name) for name in names]
    ttfts: list[list[float]] = [[] for _ in names]
    speeds: list[list[float]] = [[] for _ in names]
    for cell in cells:
        if not 0 <= cell.model_index < len(names):
            continue
        line = out[cell.model_index]
        cell_cost = _num(cell.cost)
        if cell_cost is not None:
            line.cost = (line.cost or 0.0) + cell_cost
            line.currency = line.currency or (cell.currency or "")
        if cell.status == "error":
            line.errors += 1
            continue
        if cell.status != "done":
            continue
        line.ok += 1
        tokens = _completion_tokens(cell)
        if tokens is not None:
            line.tokens_out += int(tokens)
        ttft = _num(cell.ttft_ms)
        if ttft is not None:
            ttfts[cell.model_index].append(ttft)
        speed = cell_speed(cell)
        if speed is not None:
            speeds[cell.model_index].append(speed)
    for i, line in enumerate(out):
        line.median_ttft_ms = statistics.median(ttfts[i]) if ttfts[i] else None
        line.median_tokens_per_s = statistics.median(speeds[i]) if speeds[i] else None

    votes = []
    index = {name: i for i, name in enumerate(names)}
    for v in pair_verdicts(names, judgements):
        a, b = out[v.a_index], out[v.b_index]
        if v.winner_index is None and v.winner == INVALID:
            a.judge_invalid += 1
            b.judge_invalid += 1
            continue
        if v.winner_index is None:
            a.judge_ties += 1
            b.judge_ties += 1
            votes.append(_Vote("tie", (v.a, v.b)))
            continue
        winner, loser = (a, b) if v.winner_index == v.a_index else (b, a)
        winner.judge_wins += 1
        loser.judge_losses += 1
        votes.append(_Vote("A" if winner is a else "B", (v.a, v.b)))
    for rating in fit(votes) if votes else []:
        line = out[index[rating.model]]
        line.rating, line.ci_low, line.ci_high = rating.rating, rating.ci_low, rating.ci_high
    return out


# --------------------------------------------------------------------------- estimate

_HOW = (
    "Estimated: prompt tokens as characters / {chars}; each answer {out} tokens; "
    "each judge reply {judge} tokens. Only models with a price are counted.",
    "估算方法：提示词 token 数按字符数 / {chars} 计；每个回答按 {out} 个 token 计；"
    "每次评审回复按 {judge} 个 token 计。只计算已设置价格的模型。",
)


@dataclass(slots=True)
class Estimate:
    """What a run will ask before it starts: request counts and, where prices exist,
    a cost per currency (``priced_requests`` of ``requests`` could be priced)."""

    cells: int
    judge_requests: int
    cost: dict[str, float] = field(default_factory=dict)
    priced_requests: int = 0
    unpriced: list[str] = field(default_factory=list)
    output_tokens: int = ASSUMED_OUTPUT_TOKENS
    judge_output_tokens: int = ASSUMED_JUDGE_OUTPUT_TOKENS

    @property
    def requests(self) -> int:
        return self.cells + self.judge_requests

    def explain(self, lang: str = "en") -> str:
        """How the cost was estimated, in the user's language (show it with the figure)."""
        en, zh = _HOW
        return (zh if lang.startswith("zh") else en).format(
            chars=CHARS_PER_TOKEN, out=self.output_tokens, judge=self.judge_output_tokens
        )


def _tokens(chars: int) -> float:
    return math.ceil(chars / CHARS_PER_TOKEN)


def estimate(
    prompts: Sequence[PromptLike],
    columns: Sequence[Mapping[str, Any]],
    *,
    judge: Mapping[str, Any] | None = None,
    prices: PriceTable | None = None,
    template_chars: int = 0,
    output_tokens: int = ASSUMED_OUTPUT_TOKENS,
    judge_output_tokens: int = ASSUMED_JUDGE_OUTPUT_TOKENS,
) -> Estimate:
    """Requests (cells + 2 x prompts x pairs when judged) and the estimated cost.

    A cell's input is its prompt and system prompt at :data:`CHARS_PER_TOKEN`
    characters a token, its output ``output_tokens``; a judge request reads the
    template (``template_chars``), the question and two answers of ``output_tokens``
    and writes ``judge_output_tokens``. Models without a price add no cost and are
    listed in ``unpriced``.
    """
    names = column_names(columns)
    prompt_chars = [len(p.prompt) + len(p.system or "") for p in prompts]
    result = Estimate(
        cells=len(prompts) * len(columns),
        judge_requests=judge_request_count(len(prompts), len(columns)) if judge else 0,
        output_tokens=output_tokens,
        judge_output_tokens=judge_output_tokens,
    )
    table = prices or PriceTable()

    def add(price_cost: float | None, currency: str, requests: int) -> None:
        if price_cost is not None:
            result.cost[currency] = result.cost.get(currency, 0.0) + price_cost
            result.priced_requests += requests

    input_tokens = sum(_tokens(c) for c in prompt_chars)
    for name, col in zip(names, columns, strict=True):
        price = table.get(col.get("provider"), str(col.get("model") or ""))
        if price is None:
            result.unpriced.append(name)
            continue
        add(
            cost(price, input_tokens, float(output_tokens) * len(prompts)),
            price.currency,
            len(prompts),
        )
    if judge and result.judge_requests:
        judge_name = str(judge.get("model") or "")
        price = table.get(judge.get("provider"), judge_name)
        if price is None:
            result.unpriced.append(judge_name)
        else:
            per_prompt = len(names) * (len(names) - 1)  # two requests per pair
            judge_in = sum(
                per_prompt * (_tokens(template_chars + len(p.prompt)) + 2 * output_tokens)
                for p in prompts
            )
            add(
                cost(price, judge_in, float(judge_output_tokens) * result.judge_requests),
                price.currency,
                result.judge_requests,
            )
    return result
