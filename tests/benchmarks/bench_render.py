"""Benchmark of the message view (a script, not collected by pytest).

    python tests/benchmarks/bench_render.py [--tokens 20000] [--messages 2000]

(a) streams a long Markdown reply into the model as fast as the event loop allows, while a
    1 ms timer records the gaps between its ticks (UI stalls);
(b) opens a conversation of 2,000 messages and scrolls through all of it.
Targets: streaming p99 gap <= 16 ms, max <= 50 ms; opening 2,000 messages <= 150 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from chatdesk.store.rows import MessageRow  # noqa: E402
from chatdesk.ui import render  # noqa: E402
from chatdesk.ui.messagemodel import MessageListModel  # noqa: E402
from chatdesk.ui.messageview import MessageView  # noqa: E402


def markdown_reply(tokens: int) -> str:
    """The fake server's Markdown generator when present, else a local equivalent."""
    try:
        from tests.fakeserver import markdown_reply as mr

        return mr(tokens)
    except Exception:
        part = (
            "## Part\n\nSome **bold** text and `code` with $x^2$.\n\n"
            "```python\ndef f(x):\n    return x + 1\n```\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two 中文 😀\n\n"
        )
        return part * max(1, tokens * 4 // len(part))


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else 0.0


def make_view(app: QApplication) -> tuple[MessageListModel, MessageView]:
    model = MessageListModel()
    view = MessageView(model)
    view.resize(900, 800)
    view.show()
    app.processEvents()
    return model, view


def bench_stream(app: QApplication, tokens: int, history: int) -> dict[str, float]:
    """Feed ~4-char chunks, 20 per event-loop tick, measuring the 1 ms timer's gaps."""
    model, view = make_view(app)
    rows = history_rows(history)
    model.set_messages(rows, {})
    app.processEvents()
    text = markdown_reply(tokens)
    chunks = [text[i : i + 4] for i in range(0, len(text), 4)]
    mid = 10_000_000
    model.append_message(MessageRow(mid - 1, 1, None, "user", "Write a long answer"))
    model.append_message(MessageRow(mid, 1, mid - 1, "assistant", "", status="streaming"))
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0]) * 1000)
        last[0] = now

    probe = QTimer()
    probe.setInterval(1)
    probe.timeout.connect(tick)
    pos = [0]
    done = [False]

    def feed() -> None:
        end = min(len(chunks), pos[0] + 20)
        for c in chunks[pos[0] : end]:
            model.append_delta(mid, c)
        pos[0] = end
        if end >= len(chunks):
            feeder.stop()
            final = MessageRow(mid, 1, mid - 1, "assistant", text, status="done")
            model.update_message(final)
            done[0] = True

    feeder = QTimer()
    feeder.setInterval(0)
    feeder.timeout.connect(feed)
    flushes = [0]
    model.dataChanged.connect(lambda *a: flushes.__setitem__(0, flushes[0] + 1))
    t0 = time.perf_counter()
    probe.start()
    feeder.start()

    def rendered() -> bool:
        item = view._items.get(mid)  # noqa: SLF001 (benchmark looks inside)
        if item is None or item.content != text:
            return False
        return item.stream is None or not item.stream.behind

    while not (done[0] and rendered()):
        app.processEvents()
    app.processEvents()  # the last paint
    total = (time.perf_counter() - t0) * 1000
    end = time.perf_counter() + 0.1
    while time.perf_counter() < end:
        app.processEvents()
    probe.stop()
    gaps = gaps[1:]
    rendered = view.code_blocks(mid)
    view.close()
    return {
        "chars": len(text),
        "chunks": len(chunks),
        "p50": pct(gaps, 0.5),
        "p99": pct(gaps, 0.99),
        "max": max(gaps) if gaps else 0.0,
        "total_ms": total,
        "code_blocks": len(rendered),
        "flushes": flushes[0],
    }


def history_rows(n: int) -> list[MessageRow]:
    rnd = random.Random(7)
    rows: list[MessageRow] = []
    replies = [markdown_reply(t) for t in (60, 150, 300, 600, 1200)]
    for i in range(n):
        if i % 2 == 0:
            rows.append(MessageRow(i + 1, 1, i or None, "user", f"Question {i}: 你好 😀 how?"))
        else:
            rows.append(
                MessageRow(
                    i + 1,
                    1,
                    i,
                    "assistant",
                    rnd.choice(replies),
                    model="gpt-4o",
                    usage={"prompt_tokens": 100, "completion_tokens": 300},
                    ttft_ms=300.0,
                    duration_ms=4000.0,
                )
            )
    return rows


def bench_open_scroll(app: QApplication, n: int) -> dict[str, float]:
    model, view = make_view(app)
    rows = history_rows(n)
    t0 = time.perf_counter()
    model.set_messages(rows, {})
    view.viewport().repaint()
    open_ms = (time.perf_counter() - t0) * 1000
    app.processEvents()
    sb = view.verticalScrollBar()
    frames: list[float] = []
    step = 240
    t1 = time.perf_counter()
    while sb.value() > 0:
        t = time.perf_counter()
        sb.setValue(sb.value() - step)
        view.viewport().repaint()
        frames.append((time.perf_counter() - t) * 1000)
    scroll_total = (time.perf_counter() - t1) * 1000
    view.close()
    return {
        "open_ms": open_ms,
        "frames": len(frames),
        "frame_p50": pct(frames, 0.5),
        "frame_p99": pct(frames, 0.99),
        "frame_max": max(frames) if frames else 0.0,
        "scroll_total_ms": scroll_total,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=20_000)
    ap.add_argument("--messages", type=int, default=2_000)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication(sys.argv)
    t = time.perf_counter()
    render.warm_up(math=True)
    print(f"warm_up: {(time.perf_counter() - t) * 1000:.0f} ms")
    for history in (0, args.messages):
        r = bench_stream(app, args.tokens, history)
        print(
            f"stream {args.tokens} tokens ({r['chars']} chars, {r['chunks']} chunks, "
            f"{r['code_blocks']} code blocks) with {history} earlier messages: "
            f"gap p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, max {r['max']:.1f} ms, "
            f"total {r['total_ms']:.0f} ms, {r['flushes']} view updates"
        )
    r = bench_open_scroll(app, args.messages)
    print(
        f"open {args.messages} messages: {r['open_ms']:.0f} ms to newest painted; scroll "
        f"{r['frames']} frames: p50 {r['frame_p50']:.1f} ms, p99 {r['frame_p99']:.1f} ms, "
        f"max {r['frame_max']:.1f} ms, total {r['scroll_total_ms']:.0f} ms"
    )


if __name__ == "__main__":
    main()
