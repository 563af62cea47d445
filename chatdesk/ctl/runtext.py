"""How the run page words things: grid cells, the summary table, judge replies,
progress. Pure formatting of core's rows (translated through the owner's ``tr``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from chatdesk.core.errors import explain_category
from chatdesk.core.runs.runsummary import ModelSummary, PairVerdict, cell_speed
from chatdesk.ui.rungrid import PREVIEW_CHARS, CellState, GridCell

if TYPE_CHECKING:
    from chatdesk.core.runs.batch import BatchProgress
    from chatdesk.store.runs import CellRow, JudgementRow, RunPrompt, RunRow


def duration(seconds: float) -> str:
    whole = int(seconds)
    if whole >= 3600:
        return f"{whole // 3600}h{whole % 3600 // 60:02d}m"
    if whole >= 60:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole}s"


def money(costs: dict[str, float]) -> str:
    return ", ".join(f"{v:.4f} {c}".strip() for c, v in sorted(costs.items()))


def cell_figures(cell: CellRow) -> str:
    """ttft · tok/s · tokens out · cost: what fits on a cell's first line."""
    parts = []
    if cell.ttft_ms is not None:
        parts.append(f"{cell.ttft_ms:.0f} ms")
    speed = cell_speed(cell)
    if speed is not None:
        parts.append(f"{speed:.0f} tok/s")
    tokens = (cell.usage or {}).get("completion_tokens")
    if isinstance(tokens, int) and not isinstance(tokens, bool):
        parts.append(f"{tokens} tok")
    if cell.cost is not None:
        parts.append(f"{cell.cost:.4f} {cell.currency or ''}".strip())
    return " · ".join(parts)


def row_titles(prompts: Sequence[RunPrompt]) -> list[str]:
    """Row headers: the prompt's number (and id), then its start."""
    out = []
    for p in prompts:
        head = f"{p.index + 1}" + (f" [{p.id}]" if p.id else "")
        text = " ".join(p.prompt.split())
        out.append(f"{head}. {text[:60]}")
    return out


def summary_rows(summary: Sequence[ModelSummary]) -> list[list[str]]:
    rows = []
    for s in summary:
        rating = "–"
        if s.rating is not None:
            rating = f"{s.rating:.0f}"
            if s.ci_low is not None and s.ci_high is not None:
                rating += f" ({s.ci_low:.0f}–{s.ci_high:.0f})"
        rows.append(
            [
                s.model,
                str(s.ok),
                str(s.errors),
                "–" if s.median_ttft_ms is None else f"{s.median_ttft_ms:.0f} ms",
                "–" if s.median_tokens_per_s is None else f"{s.median_tokens_per_s:.1f}",
                str(s.tokens_out),
                "–" if s.cost is None else f"{s.cost:.4f} {s.currency}".strip(),
                f"{s.judge_wins}/{s.judge_losses}/{s.judge_ties}",
                rating,
            ]
        )
    return rows


class RunText(QObject):
    """The run page's words (``tr`` in this class's context, so lupdate finds them)."""

    def __init__(self, language: str = "en", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.language = language

    def grid_cell(self, cell: CellRow | None) -> GridCell | None:
        """A saved cell as the grid paints it (None: never asked)."""
        if cell is None:
            return None
        preview = cell.content[:PREVIEW_CHARS]
        if cell.status == "done":
            return GridCell(CellState.DONE, self.tr("Done"), cell_figures(cell), preview)
        if cell.status == "error":
            error = cell.error or {}
            message = str(error.get("message") or "")  # English, as the run stored it
            if self.language.startswith("zh"):
                meaning = explain_category(str(error.get("category") or ""), self.language)
                message = f"{meaning} {message}".strip()
            return GridCell(
                CellState.ERROR, self.tr("Failed"), cell_figures(cell), message or preview
            )
        return GridCell(CellState.STOPPED, self.tr("Stopped"), "", preview)

    def running_cell(self) -> GridCell:
        return GridCell(CellState.RUNNING, self.tr("Answering…"))

    def status_word(self, status: str) -> str:
        return {
            "pending": self.tr("not started"),
            "running": self.tr("running"),
            "stopped": self.tr("stopped"),
            "done": self.tr("done"),
            "failed": self.tr("some failed"),
        }.get(status, status)

    def run_item(self, run: RunRow) -> tuple[int, str, str]:
        """A line of the runs list: ``(id, text, tooltip)``."""
        text = f"{run.name} — {self.status_word(run.status)} {run.done_cells}/{run.total_cells}"
        tip = ", ".join(run.models)
        if run.judge:
            tip += " · " + self.tr("judge: %1").replace("%1", str(run.judge.get("model") or ""))
        return run.id, text, tip

    def progress_text(self, p: BatchProgress) -> str:
        parts = []
        if p.cells_failed:
            parts.append(self.tr("%1 failed").replace("%1", str(p.cells_failed)))
        if p.judge_total:
            parts.append(
                self.tr("judged %1/%2")
                .replace("%1", str(p.judge_done))
                .replace("%2", str(p.judge_total))
            )
        if p.cost:
            parts.append(self.tr("cost so far %1").replace("%1", money(p.cost)))
        if p.paused:
            wait = duration(max(p.paused.values()) + 1)
            parts.append(self.tr("rate limited, waiting %1").replace("%1", wait))
        if p.eta_s is not None:
            parts.append(self.tr("about %1 left").replace("%1", duration(p.eta_s)))
        return " · ".join(parts)

    def summary_headers(self) -> list[str]:
        return [
            self.tr("Model"),
            self.tr("Answered"),
            self.tr("Errors"),
            self.tr("Median first token"),
            self.tr("Median tok/s"),
            self.tr("Tokens out"),
            self.tr("Cost"),
            self.tr("Judge W/L/T"),
            self.tr("Rating (95% interval)"),
        ]

    def judge_text(
        self,
        names: Sequence[str],
        prompt_index: int,
        rows: Sequence[JudgementRow],
        verdicts: Sequence[PairVerdict],
    ) -> str:
        """Every judge reply for one prompt, pair by pair, with the pair's verdict."""
        mine = [r for r in rows if r.key.prompt_index == prompt_index]
        if not mine:
            return self.tr("No judge replies for prompt %1 yet.").replace(
                "%1", str(prompt_index + 1)
            )
        winners = {
            (v.a_index, v.b_index): v.winner for v in verdicts if v.prompt_index == prompt_index
        }
        out: list[str] = []
        pairs = sorted({(r.key.a_index, r.key.b_index) for r in mine})
        for a, b in pairs:
            if not (0 <= a < len(names) and 0 <= b < len(names)):
                continue
            head = self.tr("%1 vs %2").replace("%1", names[a]).replace("%2", names[b])
            winner = winners.get((a, b))
            if winner is not None:
                shown = {"tie": self.tr("tie"), "invalid": self.tr("no verdict")}.get(
                    winner, winner
                )
                head += " — " + self.tr("verdict: %1").replace("%1", shown)
            out.append(head)
            for r in mine:
                if (r.key.a_index, r.key.b_index) != (a, b):
                    continue
                first = names[a] if r.key.order == "AB" else names[b]
                label = self.tr("Answer A was %1").replace("%1", first)
                if r.status != "done":
                    message = str((r.error or {}).get("message") or "")
                    out.append(f"  [{label}] " + self.tr("failed: %1").replace("%1", message))
                else:
                    out.append(f"  [{label}]")
                    out.extend("    " + line for line in r.reply.strip().splitlines())
            out.append("")
        return "\n".join(out).rstrip()
