"""A row of a prompt-set run, opened as a blind comparison the user can vote on.

The run's answers are already saved in the run tables; opening a row copies its
prompt and each column's answer into an ordinary comparison (a conversation plus a
``comparisons`` row, as :class:`~chatdesk.core.arena.compare.Comparison` makes), blind, so
the user's own vote lands in the leaderboard like any other. The link is kept in
the run's options: the same row opens the same comparison (and its vote) next time.
No Qt.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from chatdesk.core.arena.compare import MIN_COLUMNS, ColumnSpec, CompareError, Comparison
from chatdesk.core.chat.turns import title_from_text
from chatdesk.store.rows import MessageStatus

if TYPE_CHECKING:
    from chatdesk.store import Store

__all__ = ["ROW_LINKS", "RowNotReady", "linked_rows", "row_comparison"]

#: The key of the run's options holding ``{prompt_index: conversation_id}``.
ROW_LINKS = "row_comparisons"


class RowNotReady(CompareError):
    """A row with a cell still to answer cannot be compared yet."""


def linked_rows(options: dict[str, Any]) -> dict[int, int]:
    """The rows already opened as comparisons: ``{prompt_index: conversation_id}``."""
    raw = options.get(ROW_LINKS)
    out: dict[int, int] = {}
    if isinstance(raw, dict):
        for key, value in raw.items():
            if isinstance(key, str) and key.isdigit() and isinstance(value, int):
                out[int(key)] = value
    return out


def row_comparison(
    store: Store, run_id: int, prompt_index: int, *, rng: random.Random | None = None
) -> int:
    """The conversation of the blind comparison showing this row (made on first use).

    Raises ``ValueError`` for an unknown run or row, :class:`RowNotReady` while a
    cell of the row is not answered (done or failed) yet.
    """
    runs = store.runs
    run = runs.get_run(run_id)
    if run is None:
        raise ValueError(f"no run with id {run_id}")
    if not 0 <= prompt_index < run.prompt_count:
        raise ValueError(f"run {run_id} has no prompt {prompt_index + 1}")
    links = linked_rows(run.options)
    known = links.get(prompt_index)
    if known is not None and store.comparison_for_conversation(known) is not None:
        return known
    if len(run.columns) < MIN_COLUMNS:
        raise CompareError("a comparison needs at least two models")
    cells = [runs.get_cell(run_id, prompt_index, m) for m in range(len(run.columns))]
    if any(c is None or c.status not in ("done", "error") for c in cells):
        raise RowNotReady("every model must answer this prompt first")
    prompt = runs.prompts(run_id)[prompt_index]
    specs = [
        ColumnSpec(
            str(c.get("model") or "?"),
            dict(c.get("params") or {}) if isinstance(c.get("params"), dict) else {},
            c.get("provider") if isinstance(c.get("provider"), str) else None,
        )
        for c in run.columns
    ]
    with store.transaction():  # all or nothing: no empty comparison is left behind
        comparison = Comparison.create(
            store,
            specs,
            title=title_from_text(prompt.prompt),
            system_prompt=prompt.system or "",
            blind=True,
            rng=rng,
        )
        order = comparison.state.get("column_order") or list(range(len(specs)))
        conv = comparison.conversation_id
        user = store.add_message(conv, "user", prompt.prompt, make_current=True)
        answers: dict[str, int] = {}
        for shown, original in enumerate(order):
            cell = cells[original]
            assert cell is not None
            model = specs[original].model
            failed = cell.status == "error"
            error = cell.error or {}
            answers[str(shown)] = store.add_message(
                conv,
                "assistant",
                cell.content,
                parent_id=user,
                model_requested=model,
                model=model,
                finish_reason=cell.finish_reason,
                usage=cell.usage,
                ttft_ms=cell.ttft_ms,
                duration_ms=cell.duration_ms,
                status=MessageStatus.ERROR if failed else MessageStatus.DONE,
                error=(str(error.get("message") or "") or None) if failed else None,
                error_category=(str(error.get("category") or "") or None) if failed else None,
                meta={"column": shown, "run": run_id, "prompt_index": prompt_index},
                make_current=shown == 0,
            )
        users = {str(i): user for i in range(len(order))}
        comparison.turns.append({"users": users, "answers": answers, "carry": None})
        comparison.save_state()
        links[prompt_index] = conv
        runs.set_option(run_id, ROW_LINKS, {str(k): v for k, v in sorted(links.items())})
    return conv
