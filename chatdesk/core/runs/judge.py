"""An LLM as judge of two answers, asked in both orders to cancel its position bias.

The judge reads a template (a default ships as ``resources/judge_prompt.txt``; a
``judge_prompt.txt`` in the user's config folder overrides it) with the question and
the two answers filled in, and ends its reply with ``[[A]]``, ``[[B]]`` or ``[[C]]``
(a tie), the convention of MT-Bench. Each pair of answers is judged twice, A/B and
B/A: a model wins only when both orders name it, so a judge that always prefers the
first answer produces ties, not a winner. No Qt, no requests: this module builds
the prompts and reads the replies; the run's scheduler sends them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Literal

from chatdesk import paths
from chatdesk.errors import ChatdeskError

# One judge request: prompt, columns a < b, order "AB"/"BA" (the store keys replies by it).
from chatdesk.store.runs import JudgementKey as JudgeJob

__all__ = [
    "INVALID",
    "MAX_TEMPLATE_CHARS",
    "ORDERS",
    "PLACEHOLDERS",
    "TEMPLATE_NAME",
    "TIE",
    "JudgeJob",
    "JudgeTemplateError",
    "PairResult",
    "default_template_path",
    "judge_jobs",
    "judge_request_count",
    "load_template",
    "pair_result",
    "render",
    "render_job",
    "user_template_path",
    "validate_template",
    "verdict",
]

Verdict = Literal["A", "B", "C"]
Order = Literal["AB", "BA"]

TEMPLATE_NAME = "judge_prompt.txt"
PLACEHOLDERS = ("{question}", "{answer_a}", "{answer_b}")
#: A template longer than this is not a prompt but a mistake (the answers come on top).
MAX_TEMPLATE_CHARS = 50_000
#: The two orders each pair is judged in: "AB" shows model a's answer as A.
ORDERS: tuple[Order, Order] = ("AB", "BA")
#: A pair's outcome when the orders disagree or the judge said [[C]].
TIE = "tie"
#: A pair's outcome when a reply carries no verdict (not counted anywhere).
INVALID = "invalid"

_VERDICT = re.compile(r"\[\[\s*([ABC])\s*\]\]")
_FIELD = re.compile(r"\{(question|answer_a|answer_b)\}")

_TEXT = {
    "missing": (
        "The judge prompt must contain {0} (where the question and answers go).",
        "评审提示词必须包含 {0}（用于填入问题和回答）。",
    ),
    "too_long": (
        "The judge prompt is too long (at most {0} characters).",
        "评审提示词过长（最多 {0} 个字符）。",
    ),
    "unreadable": ("The judge prompt cannot be read: {0}", "无法读取评审提示词：{0}"),
}


class JudgeTemplateError(ChatdeskError):
    """The judge prompt template cannot be used (shown before the run starts)."""

    kind = "judge_template"

    def __init__(self, reason: str, *args: object) -> None:
        self.reason = reason
        self.args_ = args
        super().__init__(self.explain("en"))

    def explain(self, lang: str = "en") -> str:
        en, zh = _TEXT[self.reason]
        return (zh if lang.startswith("zh") else en).format(*self.args_)


@dataclass(frozen=True, slots=True)
class PairResult:
    """The outcome of one prompt and pair: ``winner`` is a model, ``tie`` or
    ``invalid``; ``verdicts`` are the two orders' readings (AB, BA)."""

    model_a: str
    model_b: str
    winner: str
    verdicts: tuple[Verdict | None, Verdict | None]

    @property
    def counted(self) -> bool:
        """Whether this pair counts in wins, losses, ties and ratings."""
        return self.winner != INVALID


# --------------------------------------------------------------------------- template


def default_template_path() -> Path:
    """The shipped template, wherever the resources are (package, bundle, repository)."""
    return paths.resources_dir() / TEMPLATE_NAME


def user_template_path(config_dir: str | os.PathLike[str]) -> Path:
    """Where the user's own template lives (it wins over the shipped one)."""
    return Path(config_dir) / TEMPLATE_NAME


def validate_template(text: str) -> str:
    """``text`` if it can serve as a judge prompt, else :class:`JudgeTemplateError`."""
    if len(text) > MAX_TEMPLATE_CHARS:
        raise JudgeTemplateError("too_long", MAX_TEMPLATE_CHARS)
    missing = [p for p in PLACEHOLDERS if p not in text]
    if missing:
        raise JudgeTemplateError("missing", ", ".join(missing))
    return text


def load_template(
    path: str | os.PathLike[str] | None = None,
    *,
    config_dir: str | os.PathLike[str] | None = None,
) -> str:
    """The judge template: ``path`` if given, else the user's file in ``config_dir``
    when there is one, else the shipped default. Checked by :func:`validate_template`."""
    if path is None:
        own = user_template_path(config_dir) if config_dir is not None else None
        path = own if own is not None and own.is_file() else default_template_path()
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_TEMPLATE_CHARS * 4 + 1)
        text = data.decode("utf-8-sig")
    except OSError as exc:
        raise JudgeTemplateError("unreadable", exc.strerror or str(exc)) from exc
    except UnicodeDecodeError as exc:
        raise JudgeTemplateError("unreadable", "not UTF-8 text") from exc
    return validate_template(text.replace("\r\n", "\n"))


def render(template: str, question: str, answer_a: str, answer_b: str) -> str:
    """The judge's prompt: each placeholder replaced in one pass, so an answer that
    itself contains ``{answer_b}`` is not filled in again (nor any other brace)."""
    values = {"question": question, "answer_a": answer_a, "answer_b": answer_b}
    return _FIELD.sub(lambda m: values[m.group(1)], template)


def render_job(template: str, job: JudgeJob, question: str, answers: list[str]) -> str:
    """The prompt for ``job``, with the column answers ``answers`` (by column index)."""
    first, second = answers[job.a_index], answers[job.b_index]
    if job.order == "BA":
        first, second = second, first
    return render(template, question, first, second)


# --------------------------------------------------------------------------- verdicts


def verdict(reply: str | None) -> Verdict | None:
    """The LAST ``[[A]]``, ``[[B]]`` or ``[[C]]`` in the reply (a judge may quote the
    format while reasoning and decide at the end); ``None`` when there is none."""
    if not reply:
        return None
    found: str | None = None
    for match in _VERDICT.finditer(reply):
        found = match.group(1)
    if found == "A":
        return "A"
    if found == "B":
        return "B"
    if found == "C":
        return "C"
    return None


def pair_result(
    model_a: str, model_b: str, reply_ab: str | None, reply_ba: str | None
) -> PairResult:
    """The pair's outcome from the two judge replies.

    ``reply_ab`` saw model a's answer first (as A), ``reply_ba`` saw model b's first.
    The winner is the model both orders name; orders that disagree or a ``[[C]]``
    make a tie; a reply without a verdict (or missing) makes it ``invalid``.
    """
    v_ab, v_ba = verdict(reply_ab), verdict(reply_ba)
    if v_ab is None or v_ba is None:
        winner = INVALID
    elif v_ab == "A" and v_ba == "B":
        winner = model_a
    elif v_ab == "B" and v_ba == "A":
        winner = model_b
    else:
        winner = TIE
    return PairResult(model_a, model_b, winner, (v_ab, v_ba))


def judge_jobs(prompts: int, columns: int) -> list[JudgeJob]:
    """Every judge request of a run: per prompt and unordered pair of columns, AB and BA."""
    return [
        JudgeJob(p, a, b, order)
        for p in range(prompts)
        for a, b in combinations(range(columns), 2)
        for order in ORDERS
    ]


def judge_request_count(prompts: int, columns: int) -> int:
    """How many judge requests :func:`judge_jobs` lists (without building them)."""
    return 2 * prompts * (columns * (columns - 1) // 2)
