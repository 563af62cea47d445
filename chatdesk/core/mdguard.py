"""Structural limits that keep Markdown from untrusted model output cheap to convert.

Why: Python-Markdown is recursive in list/quote nesting (600 levels raise RecursionError)
and quadratic in some inputs (each unmatched ``[`` or ``](`` scans to the end of the text;
thousands of header lines in one block are re-split again and again). A few KB of such
text froze the window for seconds (issue 8). :func:`screen` measures those shapes in one
linear pass and says when a block should be shown as plain text instead. The limits are
sizes and counts, not clocks, so the same text always renders the same way.

No Qt here: the message view (``chatdesk.ui.render``) and the exports both use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["EXPORT_LIMITS", "LIMITS", "Limits", "outside_fences", "screen", "unclosed_fence"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-block and per-message limits (measured with tests/benchmarks/bench_hostile.py)."""

    # Markdown outside code fences, per block (blocks are split at blank lines).
    max_chars: int = 32_000  # ~30-50 ms of Python-Markdown for dense inline markup
    max_lines: int = 400  # list items cost ~50 us a line, header lines grow quadratically
    max_depth: int = 16  # list/quote nesting (recursion in Python-Markdown)
    max_delim_run: int = 128  # a run of one of * _ ~ ` $
    max_bracket_run: int = 64  # a run of [ or (
    # Inline markup, weighted by its cost (see _MARK_WEIGHTS; a unit is ~3 us):
    # Python-Markdown stashes each element and re-scans the text.
    max_marks: int = 4_000
    max_cells: int = 1_200  # table pipes, ~25 us a cell
    # Sum over [ and ]( of the characters scanned to find their partner (or the end):
    # Python-Markdown costs about 0.2-0.3 us per such character.
    max_bracket_scan: int = 50_000
    # Code fences: longer ones are shown unhighlighted (Pygments ~120 us a line).
    max_highlight_lines: int = 800
    max_highlight_chars: int = 40_000
    # Fences in one block: each code block is a table, and Qt lays out ~2,000 tables of
    # a few KB of empty fences in 0.5-0.6 s (issue 16); 64 take ~20 ms.
    max_fences: int = 64
    # Math, per message; the rest is shown as TeX source (ziamath ~0.3 ms per character).
    max_math: int = 100
    max_math_chars: int = 2_000
    max_tex_chars: int = 300
    max_tex_cells: int = 100  # & and \\ of matrices/arrays (a 10x10 matrix)
    max_tex_depth: int = 24  # brace nesting
    # Math spans in one block: each costs ~15 us even as source, on every streaming update.
    max_block_math: int = 200


LIMITS = Limits()
# For exports, which convert a whole message at once and are not bound to a frame: only
# the shapes that recurse or grow quadratically are refused (sizes are linear there).
_NO_LIMIT = 1 << 62
EXPORT_LIMITS = Limits(
    max_chars=_NO_LIMIT,
    max_lines=_NO_LIMIT,
    max_marks=_NO_LIMIT,
    max_cells=_NO_LIMIT,
    max_bracket_scan=5_000_000,
)

_FENCE_RE = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
# One container marker (quote or list item) with the indentation before it.
_CONTAINER_RE = re.compile(r"([ \t]*)(?:>|[*+-](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]?")
_BRACKET_RE = re.compile(r"\\.|[\[\]()]")
# Characters of inline markup and what each costs, in units of ~3 us (measured).
_MARK_WEIGHTS = (("`", 4), ("*", 1), ("_", 1), ("[", 4), ("\\", 2), ("&", 4), ("](", 12))


def _delim_run_re(limit: int) -> re.Pattern[str]:
    return re.compile(r"([*_~`$])\1{" + str(limit) + ",}")


def _bracket_run_re(limit: int) -> re.Pattern[str]:
    return re.compile(r"([\[(])\1{" + str(limit) + ",}")


_run_res: dict[tuple[int, int], tuple[re.Pattern[str], re.Pattern[str]]] = {}


def _is_fence_close(line: str, fence: str) -> bool:
    s = line.strip()
    return bool(s) and set(s) == {fence[0]} and len(s) >= len(fence)


def _split_fences(text: str) -> tuple[list[str], str | None]:
    """The lines of ``text`` outside code fences, and the fence left open at the end."""
    lines, fence, _ = _fences(text)
    return lines, fence


def _fences(text: str) -> tuple[list[str], str | None, int]:
    """:func:`_split_fences` and how many fences it opened."""
    if "```" not in text and "~~~" not in text:
        return text.split("\n"), None, 0
    out: list[str] = []
    fence: str | None = None
    opened = 0
    for line in text.split("\n"):
        if fence is not None:
            if _is_fence_close(line, fence):
                fence = None
            continue
        m = _FENCE_RE.match(line)
        if m and not (m.group(1)[0] == "`" and "`" in m.group(2)):
            fence = m.group(1)
            opened += 1
            continue
        out.append(line)
    return out, fence, opened


def outside_fences(text: str) -> str:
    """``text`` without its fenced code blocks (fence lines included)."""
    if "```" not in text and "~~~" not in text:
        return text
    return "\n".join(_split_fences(text)[0])


def unclosed_fence(text: str) -> str | None:
    """The fence (e.g. ``"```"``) that ``text`` opens and never closes, else None.

    An export appends it so that one unfinished answer does not swallow the rest of a file.
    """
    return _split_fences(text)[1]


def _depth(line: str, limit: int) -> int:
    """How many quote/list containers ``line`` opens (leading indentation counts 4 a level)."""
    depth = pos = 0
    n = len(line)
    while pos < n and depth <= limit:
        m = _CONTAINER_RE.match(line, pos)
        if m is None:
            break
        indent = m.group(1).expandtabs(4)
        depth += 1 + len(indent) // 4
        pos = m.end()
    return depth


def _bracket_scan(text: str) -> int:
    """Characters Python-Markdown scans for the partners of ``[`` and ``](``."""
    n = len(text)
    opens: list[int] = []  # positions of unmatched [
    parens: list[int] = []  # positions of unmatched ( (only those after ] matter)
    cost = 0
    for m in _BRACKET_RE.finditer(text):
        ch = m.group()
        pos = m.start()
        if ch == "[":
            opens.append(pos)
        elif ch == "]":
            if opens:
                cost += pos - opens.pop()
        elif ch == "(":
            parens.append(pos)
        elif ch == ")":
            if parens:
                start = parens.pop()
                if start and text[start - 1] == "]":
                    cost += pos - start
    cost += sum(n - p for p in opens)
    cost += sum(n - p for p in parens if p and text[p - 1] == "]")
    return cost


def screen(text: str, limits: Limits = LIMITS) -> str | None:
    """Why the Markdown ``text`` (one block) is too costly to convert, or None if it is not.

    Code fences are skipped: their content is never parsed as Markdown. The answer is a
    short reason for logs and tests (``"depth"``, ``"delimiters"``, ...), never shown.
    """
    lines, _, fences = _fences(text)
    if fences > limits.max_fences:
        return "fences"
    if len(lines) > limits.max_lines:
        return "lines"
    body = "\n".join(lines)
    if len(body) > limits.max_chars:
        return "size"
    res = _run_res.get((limits.max_delim_run, limits.max_bracket_run))
    if res is None:
        res = (
            _delim_run_re(limits.max_delim_run),
            _bracket_run_re(limits.max_bracket_run),
        )
        _run_res[(limits.max_delim_run, limits.max_bracket_run)] = res
    if sum(body.count(c) * w for c, w in _MARK_WEIGHTS) > limits.max_marks:
        return "marks"
    if body.count("|") > limits.max_cells:
        return "cells"
    if res[0].search(body):
        return "delimiters"
    if res[1].search(body):
        return "brackets"
    for line in lines:
        if _depth(line, limits.max_depth) > limits.max_depth:
            return "depth"
    if "[" in body and _bracket_scan(body) > limits.max_bracket_scan:
        return "brackets"
    return None
