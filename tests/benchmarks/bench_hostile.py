"""Benchmark of hostile model output (issue 8; a script, not collected by pytest).

    python tests/benchmarks/bench_hostile.py [--repeat 3] [--no-qt]

For each family of tests/unit/ui/test_render_hostile.py (deep nesting, delimiter and bracket
runs, thousands of formulas, a 60x60 matrix, an unclosed 5,000-line fence, mixed) it prints
the worst time of:

* ``message``: ``render_markdown`` of the whole message (what the view does for a complete
  message), with the math cache emptied first so formulas are typeset again;
* ``block``: one block through the renderer (the lazy view renders one block per call);
* ``stream``: one ``StreamRenderer.update`` while the text arrives in 64-character steps
  (the 4 ms slice of the view), i.e. the longest stall of the GUI thread while it streams;
* ``qt``: ``QTextDocument.setHtml`` + layout of the message's HTML at 800 px (``--no-qt``
  skips it), which the view pays on top.

Targets: every block call under 16 ms, a whole message under ~100 ms. Automatic garbage
collection is off while measuring, as in the app (chatdesk.app collects from a timer).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from chatdesk.ui import render  # noqa: E402
from chatdesk.ui.render import mathtex  # noqa: E402
from chatdesk.ui.render.convert import renderer  # noqa: E402
from tests.unit.ui.test_render_hostile import FAMILIES  # noqa: E402

# Hostile fenced code (issue 16): a few KB each, what an unclosed or odd fence can do.
FENCE_FAMILIES = {
    "fence: unclosed, 5 KB line": "```\n" + "x" * 5_000,
    "fence: unclosed, 50 KB line": "```python\n" + "x = 1; " * 7_000,
    "fence: 3000 backticks": "`" * 3_000 + "\ncode\n",
    "fence: 3000 backticks, closed": "`" * 3_000 + "\ncode\n" + "`" * 3_000,
    "fence: 5 KB info string": "```" + "a" * 5_000 + "\ncode",
    "fence: 1000 nested openers": "".join("`" * (3 + i % 50) + "\n" for i in range(1_000)),
    "fence: 2000 open/close": "```\nx\n```\n" * 2_000,
    "fence: 2000 empty fences": "```\n```\n" * 2_000,
    "fence: 2000 tilde lines": "~~~\n" * 2_000,
    "fence: 2000 in list items": "- ```\n  x\n" * 2_000,
    "fence: 2000 in quotes": "> ```\n> x\n" * 2_000,
    "fence: 2000 indented": "    ```\n" * 2_000,
    "fence: ticks in info": "```a`b\n" * 2_000,
    "fence: 5000 short lines": "```\n" + "a\n" * 5_000,
    "fence: 2000 backtick lines": "```\n" + "``\n" * 2_000,
    "fence: 1700 blocks of one fence": "```\n```\n\n" * 1_700,
    "fence: unclosed after text": "text\n\n```js\n" + "{" * 5_000,
}
FAMILIES = {**FAMILIES, **FENCE_FAMILIES}

STREAM_STEP = 64  # characters per update: a fast stream's burst between two view flushes
STREAM_SLICE_S = 0.004  # the view's Markdown time per event-loop turn (BlockRenderer.SLICE_S)


def _clear_math() -> None:
    render.MATH_SVGS.clear()
    render.MATH_SIZES.clear()


def bench_message(text: str, repeat: int) -> tuple[float, str | None]:
    worst = 0.0
    fallback: str | None = None
    for _ in range(repeat):
        _clear_math()
        t0 = time.perf_counter()
        res = render.render_markdown(text)
        worst = max(worst, time.perf_counter() - t0)
        fallback = res.fallback
    return worst, fallback


def bench_blocks(text: str, repeat: int) -> tuple[float, int]:
    r = renderer(False)
    blocks = [b for b in render.split_blocks(text) if b.strip()]
    worst = 0.0
    for _ in range(repeat):
        _clear_math()
        used = (0, 0)
        for block in blocks:
            t0 = time.perf_counter()
            res = r.render(block, 0, math_offset=used)
            worst = max(worst, time.perf_counter() - t0)
            used = (used[0] + res.math_spans, used[1] + res.math_chars)
    return worst, len(blocks)


def bench_stream(text: str) -> tuple[float, int]:
    """Worst single update while streaming (lazy, as the view does), then finish()."""
    _clear_math()
    sr = render.StreamRenderer(lazy=True)
    worst = 0.0
    calls = 0
    for end in range(STREAM_STEP, len(text) + STREAM_STEP, STREAM_STEP):
        t0 = time.perf_counter()
        sr.update(text[:end], STREAM_SLICE_S)
        worst = max(worst, time.perf_counter() - t0)
        calls += 1
    while sr.behind:
        t0 = time.perf_counter()
        sr.update(text, STREAM_SLICE_S)
        worst = max(worst, time.perf_counter() - t0)
        calls += 1
    t0 = time.perf_counter()
    sr.finish()
    worst = max(worst, time.perf_counter() - t0)
    for k in range(len(sr.sources)):  # the view renders finished blocks one per turn
        t0 = time.perf_counter()
        sr.render_block(k)
        worst = max(worst, time.perf_counter() - t0)
    return worst, calls


def bench_qt(html: str) -> float:
    from PySide6.QtGui import QTextDocument

    t0 = time.perf_counter()
    doc = QTextDocument()
    doc.setTextWidth(800)
    doc.setHtml(html)
    doc.size()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-qt", action="store_true")
    ap.add_argument("--only", default="", help="families whose name contains this text")
    args = ap.parse_args()
    app = None
    if not args.no_qt:
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication([])
    mathtex.background_math = False  # typeset on this thread: its cost is what we measure
    render.warm_up(math=True)
    gc.collect()
    gc.disable()
    ms = 1000.0
    print(
        f"{'family':28s} {'chars':>7s} {'blocks':>6s} {'message':>9s} {'block':>8s} "
        f"{'stream':>8s} {'qt':>8s}  fallback"
    )
    for name, text in FAMILIES.items():
        if args.only not in name:
            continue
        msg_s, fallback = bench_message(text, args.repeat)
        block_s, nblocks = bench_blocks(text, args.repeat)
        stream_s, _calls = bench_stream(text)
        qt = "-" if app is None else f"{bench_qt(render.render_markdown(text).html) * ms:.1f}"
        print(
            f"{name:28s} {len(text):7d} {nblocks:6d} {msg_s * ms:7.1f}ms {block_s * ms:6.1f}ms "
            f"{stream_s * ms:6.1f}ms {qt:>6s}ms  {fallback or ''}",
            flush=True,
        )
        gc.collect()


if __name__ == "__main__":
    main()
