"""A prompt-set run exported as CSV, JSON or a self-contained HTML report.

All three read the saved rows only (:class:`RunData`), so an export of a stopped run
shows what is saved. The JSON is also what ``chatdesk batch --json`` prints. CSV
cells that a spreadsheet would run as a formula are made plain text; the HTML escapes
every value and loads nothing from outside (no scripts, styles or images by URL).
No Qt.
"""

from __future__ import annotations

import csv
import html
import io
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chatdesk.core.runs.runsummary import (
    ModelSummary,
    PairVerdict,
    cell_speed,
    column_names,
    pair_verdicts,
    summarize,
)
from chatdesk.store.runs import CellRow, JudgementRow, RunPrompt, RunRow

if TYPE_CHECKING:
    from chatdesk.store import Store

__all__ = [
    "CSV_FIELDS",
    "FORMATS",
    "RunData",
    "load_run",
    "run_csv",
    "run_html",
    "run_json",
    "safe_cell",
]

FORMATS = ("csv", "json", "html")
CSV_FIELDS = (
    "run_id",
    "prompt_index",
    "prompt_id",
    "prompt",
    "system",
    "model",
    "status",
    "content",
    "finish_reason",
    "prompt_tokens",
    "completion_tokens",
    "ttft_ms",
    "duration_ms",
    "tokens_per_s",
    "cost",
    "currency",
    "error_category",
    "error_http_status",
    "error_message",
)
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(slots=True)
class RunData:
    """Everything an export reads of one run."""

    run: RunRow
    prompts: list[RunPrompt]
    cells: list[CellRow]
    judgements: list[JudgementRow]

    @property
    def names(self) -> list[str]:
        """The columns' distinct names (what cells, verdicts and summary call them)."""
        return column_names(self.run.columns)

    def summary(self) -> list[ModelSummary]:
        return summarize(self.run.columns, self.cells, self.judgements)

    def verdicts(self) -> list[PairVerdict]:
        return pair_verdicts(self.names, self.judgements)


def load_run(store: Store, run_id: int) -> RunData | None:
    """A run's rows from the store, or ``None`` when there is no such run."""
    run = store.runs.get_run(run_id)
    if run is None:
        return None
    return RunData(
        run, store.runs.prompts(run_id), store.runs.cells(run_id), store.runs.judgements(run_id)
    )


# --------------------------------------------------------------------------- JSON


def _error_json(cell: CellRow) -> dict[str, Any] | None:
    if cell.status != "error":
        return None
    err = cell.error or {}
    return {
        "category": err.get("category") or "unknown",
        "http_status": err.get("http_status"),
        "message": err.get("message") or "",
    }


def run_json(data: RunData) -> dict[str, Any]:
    """``{"run_id", "models", "judge", "cells", "verdicts", "summary"}``: one cell per
    saved answer (done or failed; a cell not yet run is left out), prompts 0-based."""
    names = data.names
    prompt_ids = {p.index: p.id for p in data.prompts}
    judge = data.run.judge.get("model") if data.run.judge else None
    cells = []
    for cell in data.cells:
        if cell.status not in ("done", "error") or not 0 <= cell.model_index < len(names):
            continue
        cells.append(
            {
                "prompt_index": cell.prompt_index,
                "prompt_id": prompt_ids.get(cell.prompt_index),
                "model": names[cell.model_index],
                "content": cell.content,
                "finish_reason": cell.finish_reason,
                "usage": cell.usage,
                "ttft_ms": cell.ttft_ms,
                "duration_ms": cell.duration_ms,
                "tokens_per_s": cell_speed(cell),
                "cost": cell.cost,
                "error": _error_json(cell),
            }
        )
    return {
        "run_id": data.run.id,
        "models": names,
        "judge": judge if isinstance(judge, str) else None,
        "cells": cells,
        "verdicts": [v.to_json() for v in data.verdicts()],
        "summary": [s.to_json() for s in data.summary()],
    }


# --------------------------------------------------------------------------- CSV


def safe_cell(value: Any) -> Any:
    """``value`` for a CSV cell: text a spreadsheet would run as a formula gets a
    leading ``'`` (numbers and ``None`` pass unchanged)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _usage(cell: CellRow | None, key: str) -> Any:
    usage = cell.usage if cell is not None and isinstance(cell.usage, dict) else {}
    value = usage.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def run_csv(data: RunData) -> str:
    """One row per cell of the grid (prompt x model), unsaved cells as ``pending``."""
    names = data.names
    by_key = {(c.prompt_index, c.model_index): c for c in data.cells}
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for prompt in data.prompts:
        for m, name in enumerate(names):
            cell = by_key.get((prompt.index, m))
            err = (cell.error or {}) if cell is not None and cell.status == "error" else {}
            row = [
                data.run.id,
                prompt.index,
                prompt.id,
                prompt.prompt,
                prompt.system,
                name,
                cell.status if cell is not None else "pending",
                cell.content if cell is not None else "",
                cell.finish_reason if cell is not None else None,
                _usage(cell, "prompt_tokens"),
                _usage(cell, "completion_tokens"),
                cell.ttft_ms if cell is not None else None,
                cell.duration_ms if cell is not None else None,
                cell_speed(cell) if cell is not None else None,
                cell.cost if cell is not None else None,
                cell.currency if cell is not None else None,
                err.get("category"),
                err.get("http_status"),
                err.get("message"),
            ]
            writer.writerow(["" if v is None else safe_cell(v) for v in row])
    return out.getvalue()


# --------------------------------------------------------------------------- HTML

_TEXT: dict[str, tuple[str, str]] = {
    "title": ("Prompt-set run", "提示词集运行"),
    "created": ("Created", "创建时间"),
    "status": ("Status", "状态"),
    "judge": ("Judge", "评审模型"),
    "none": ("none", "无"),
    "summary": ("Summary", "汇总"),
    "model": ("Model", "模型"),
    "ok": ("Answered", "已回答"),
    "errors": ("Errors", "错误"),
    "ttft": ("Median first token", "首 token 中位数"),
    "speed": ("Median tok/s", "tok/s 中位数"),
    "tokens": ("Tokens out", "输出 token"),
    "cost": ("Cost", "费用"),
    "wlt": ("Judge W / L / T", "评审 胜 / 负 / 平"),
    "rating": ("Rating (95% interval)", "评分（95% 区间）"),
    "grid": ("Answers", "回答"),
    "prompt": ("Prompt", "提示词"),
    "pending": ("not run yet", "尚未运行"),
    "verdicts": ("Judge verdicts", "评审结论"),
    "pair": ("Pair", "对比"),
    "winner": ("Winner", "胜者"),
    "tie": ("tie", "平局"),
    "invalid": ("invalid (no verdict)", "无效（无结论）"),
    "replies": ("Judge replies", "评审回复"),
}
_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin:1em 0}"
    "th,td{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}"
    "th{background:#f3f3f3}.num{text-align:right}"
    ".answer{white-space:pre-wrap;max-width:40em;font-size:90%}"
    ".error{color:#a00}.muted{color:#888}"
    "pre{white-space:pre-wrap;max-width:60em}"
)


def _t(key: str, lang: str) -> str:
    en, zh = _TEXT[key]
    return zh if lang.startswith("zh") else en


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _fmt(value: float | None, digits: int = 0) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def _summary_rows(summary: Sequence[ModelSummary]) -> list[str]:
    rows = []
    for s in summary:
        cost = "" if s.cost is None else f"{s.cost:.4f} {s.currency}".strip()
        rating = (
            ""
            if s.rating is None
            else f"{s.rating:.0f} ({_fmt(s.ci_low)} \u2013 {_fmt(s.ci_high)})"
        )
        cells = [
            f"<td>{_e(s.model)}</td>",
            f"<td class=num>{s.ok}</td>",
            f"<td class=num>{s.errors}</td>",
            f"<td class=num>{_e(_fmt(s.median_ttft_ms))}{' ms' if s.median_ttft_ms else ''}</td>",
            f"<td class=num>{_e(_fmt(s.median_tokens_per_s, 1))}</td>",
            f"<td class=num>{s.tokens_out}</td>",
            f"<td class=num>{_e(cost)}</td>",
            f"<td class=num>{s.judge_wins} / {s.judge_losses} / {s.judge_ties}</td>",
            f"<td class=num>{_e(rating)}</td>",
        ]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return rows


def _cell_html(cell: CellRow | None, lang: str) -> str:
    if cell is None:
        return f"<td class=muted>{_e(_t('pending', lang))}</td>"
    figures = [
        f"{cell.ttft_ms:.0f} ms" if cell.ttft_ms is not None else "",
        f"{speed:.1f} tok/s" if (speed := cell_speed(cell)) is not None else "",
        f"{cell.cost:.4f} {cell.currency or ''}".strip() if cell.cost is not None else "",
    ]
    head = " · ".join(f for f in figures if f)
    parts = [f"<div class=muted>{_e(cell.status)}{' · ' + _e(head) if head else ''}</div>"]
    if cell.status == "error":
        err = cell.error or {}
        status = err.get("http_status")
        parts.append(
            f"<div class=error>{_e(err.get('category') or 'unknown')}"
            f"{' (HTTP ' + _e(status) + ')' if status else ''}: {_e(err.get('message'))}</div>"
        )
    if cell.content:
        parts.append(f"<div class=answer>{_e(cell.content)}</div>")
    return "<td>" + "".join(parts) + "</td>"


def run_html(data: RunData, lang: str = "en") -> str:
    """A report in one HTML file: summary table, the answers grid, the verdicts."""
    names = data.names
    run = data.run
    judge = run.judge.get("model") if run.judge else None
    created = time.strftime("%Y-%m-%d %H:%M", time.localtime(run.created))
    title = f"{_t('title', lang)}: {run.name}" if run.name else _t("title", lang)
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh" if lang.startswith("zh") else "en"}"><head><meta charset="utf-8">',
        # No resource may load from anywhere, even if a value slipped through escaping.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\';'
        " style-src 'unsafe-inline'\">",
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p>{_e(_t('created', lang))}: {_e(created)} · {_e(_t('status', lang))}: "
        f"{_e(run.status)} · {_e(_t('judge', lang))}: {_e(judge or _t('none', lang))}</p>",
        f"<h2>{_e(_t('summary', lang))}</h2><table><tr>",
    ]
    heads = ("model", "ok", "errors", "ttft", "speed", "tokens", "cost", "wlt", "rating")
    out.append("".join(f"<th>{_e(_t(h, lang))}</th>" for h in heads) + "</tr>")
    out.extend(_summary_rows(data.summary()))
    out.append(f"</table><h2>{_e(_t('grid', lang))}</h2><table><tr>")
    out.append(f"<th>#</th><th>{_e(_t('prompt', lang))}</th>")
    out.append("".join(f"<th>{_e(n)}</th>" for n in names) + "</tr>")
    by_key = {(c.prompt_index, c.model_index): c for c in data.cells}
    for prompt in data.prompts:
        label = prompt.id if prompt.id else str(prompt.index + 1)
        system = f"<div class=muted>{_e(prompt.system)}</div>" if prompt.system else ""
        row = [
            f"<tr><td>{_e(label)}</td><td>{system}<div class=answer>{_e(prompt.prompt)}</div></td>"
        ]
        row.extend(_cell_html(by_key.get((prompt.index, m)), lang) for m in range(len(names)))
        out.append("".join(row) + "</tr>")
    out.append("</table>")
    verdicts = data.verdicts()
    if verdicts:
        out.append(f"<h2>{_e(_t('verdicts', lang))}</h2><table><tr><th>#</th>")
        out.append(
            f"<th>{_e(_t('pair', lang))}</th><th>{_e(_t('winner', lang))}</th>"
            f"<th>{_e(_t('replies', lang))}</th></tr>"
        )
        for v in verdicts:
            winner = v.winner if v.winner_index is not None else _t(v.winner, lang)
            replies = "".join(
                f"<details><summary>{order}</summary><pre>{_e(reply)}</pre></details>"
                for order, reply in zip(("A/B", "B/A"), v.raw, strict=True)
            )
            out.append(
                f"<tr><td>{v.prompt_index + 1}</td><td>{_e(v.a)} \u2194 {_e(v.b)}</td>"
                f"<td>{_e(winner)}</td><td>{replies}</td></tr>"
            )
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def run_text(data: RunData, fmt: str, lang: str = "en") -> str:
    """The run in ``fmt``: ``csv``, ``html`` (in ``lang``) or ``json`` (the CLI's shape)."""
    if fmt == "csv":
        return run_csv(data)
    if fmt == "html":
        return run_html(data, lang)
    return json.dumps(run_json(data), ensure_ascii=False, indent=2) + "\n"
