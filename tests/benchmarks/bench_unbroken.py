"""Benchmark: one unbroken run of a letter streamed through a real message view (issue 16).

    python tests/benchmarks/bench_unbroken.py [sizes in KB, default 100 300 1000 3000]

A model stuck repeating one letter sends text with no space and no break point; Qt's
layout of such a run grew superlinearly (100 KB 0.4 s, 300 KB 3.5 s, 1 MB > 30 s). The
text arrives in 8 KB deltas on a 5 ms timer (a fast server) into an offscreen
:class:`MessageView`, then the answer is marked done; a 10 ms heartbeat timer records
the longest gap between two of its ticks, i.e. the longest stall of the event loop.
Target: under 300 ms for every size.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from chatdesk.store.rows import MessageRow  # noqa: E402
from chatdesk.ui.messagemodel import MessageListModel  # noqa: E402
from chatdesk.ui.messageview import MessageView  # noqa: E402

DELTA = 8192
TICK_MS = 10


def run(app: QApplication, size: int) -> tuple[float, float]:
    model = MessageListModel()
    view = MessageView(model)
    view.resize(800, 700)
    view.show()
    model.append_message(MessageRow(1, 1, None, "user", "go"))
    model.append_message(MessageRow(2, 1, 1, "assistant", "", status="streaming"))
    sent = [0]
    worst = [0.0]
    last = [time.perf_counter()]
    done = [False]
    settle = [0]

    def beat() -> None:
        now = time.perf_counter()
        worst[0] = max(worst[0], now - last[0])
        last[0] = now

    def feed() -> None:
        if sent[0] < size:
            n = min(DELTA, size - sent[0])
            model.append_delta(2, "a" * n)
            sent[0] += n
            return
        if settle[0] == 0:
            model.update_message(MessageRow(2, 1, 1, "assistant", "a" * size, status="done"))
        settle[0] += 1
        if settle[0] > 200:  # 1 s of idle turns after the end: the view finishes its work
            done[0] = True

    heart = QTimer(interval=TICK_MS)
    heart.timeout.connect(beat)
    pump = QTimer(interval=5)
    pump.timeout.connect(feed)
    heart.start()
    pump.start()
    t0 = time.perf_counter()
    while not done[0]:
        app.processEvents()
        time.sleep(0.001)
    total = time.perf_counter() - t0
    heart.stop()
    pump.stop()
    view.close()
    view.deleteLater()
    app.processEvents()
    return worst[0], total


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100, 300, 1000, 3000]
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    gc.disable()  # as in the app (chatdesk.app collects from a timer)
    print(f"{'size':>8s} {'longest stall':>14s} {'total':>8s}")
    for kb in sizes:
        worst, total = run(app, kb * 1000)
        print(f"{kb:6d}KB {worst * 1000:12.0f}ms {total:7.1f}s", flush=True)
        gc.collect()


if __name__ == "__main__":
    main()
