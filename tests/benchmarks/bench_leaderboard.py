"""The leaderboard fit on many votes (issue 16: 3,000 votes over 300 models took 24-28 s).

    python tests/benchmarks/bench_leaderboard.py [--models 300] [--seed 7]

Prints the time of :func:`chatdesk.core.arena.leaderboard.fit` (ratings, intervals and
ranks) for 3,000 and 10,000 votes over ``--models`` models, best of three runs, as
wall time and as this process's CPU time (on a shared machine the wall time also
counts the other processes' turns).
The votes are drawn from known strengths: 2 to 4 columns (half of them two), the
winner picked by the Bradley-Terry odds, one vote in ten a tie or "all bad".
Target: 10,000 votes over 300 models under 1 s.

``--window`` also opens the real leaderboard window on a SQLite history holding the
10,000 votes and records, with a 1 ms QTimer, the longest gap of the event loop from
opening until the rows are shown (the fit runs on a worker thread; before, the
window was blocked for the whole fit: 25.8 s with 3,000 votes).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from chatdesk.core.arena.leaderboard import fit


@dataclass(frozen=True, slots=True)
class Vote:
    winner: str
    models: list[str]


def make_votes(count: int, models: int, rng: random.Random) -> list[Vote]:
    names = [f"model-{i:03d}" for i in range(models)]
    strength = {name: rng.gauss(0.0, 1.0) for name in names}
    out = []
    for _ in range(count):
        columns = rng.choice((2, 2, 3, 4))
        picked = rng.sample(names, columns)
        if rng.random() < 0.1:
            out.append(Vote(rng.choice(("tie", "bad")), picked))
            continue
        odds = [math.exp(strength[m]) for m in picked]
        winner = rng.choices(range(columns), weights=odds)[0]
        out.append(Vote("ABCD"[winner], picked))
    return out


def window_stall(votes: list[Vote]) -> None:
    """Open the leaderboard window on these votes; print the event loop's longest gap."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from chatdesk.ctl.arena import ArenaController
    from chatdesk.store import Store

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "h.sqlite3") as store:
        with store.transaction():
            comps: dict[int, int] = {}
            for vote in votes:
                n = len(vote.models)
                if n not in comps:
                    conv = store.create_conversation("c")
                    comps[n] = store.create_comparison(conv, [{"model": "x"}] * n)
                order = list(range(n))
                store.add_vote(
                    comps[n], vote.winner, models=vote.models, prompt="q", column_order=order
                )
        arena = ArenaController(lambda: store)
        gaps: list[float] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        timer = QTimer()
        timer.setInterval(1)
        timer.timeout.connect(tick)
        timer.start()
        start = time.perf_counter()
        window = arena.open_leaderboard()
        opened = time.perf_counter() - start
        while window.is_waiting():
            app.processEvents()
            time.sleep(0.0005)
        shown = time.perf_counter() - start
        timer.stop()
        arena.shutdown()
        window.close()
        gaps.sort()
        print(
            f"window, {len(votes)} votes: open returned in {opened * 1000:.0f} ms, rows shown"
            f" after {shown:.2f} s; event-loop gaps max {max(gaps, default=0) * 1000:.0f} ms,"
            f" p99 {gaps[int(len(gaps) * 0.99)] * 1000 if gaps else 0:.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--window", action="store_true", help="also time the real window")
    args = parser.parse_args()
    for count in (3_000, 10_000):
        votes = make_votes(count, args.models, random.Random(args.seed))
        times, cpu = [], []
        for _ in range(3):
            start, start_cpu = time.perf_counter(), time.process_time()
            ratings = fit(votes)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        ranked = sum(1 for r in ratings if r.ranked)
        print(
            f"{count:>6} votes over {args.models} models: {min(times):.3f} s wall,"
            f" {min(cpu):.3f} s CPU (best of 3; {len(ratings)} rated, {ranked} ranked)"
        )
    if args.window:
        window_stall(make_votes(10_000, args.models, random.Random(args.seed)))


if __name__ == "__main__":
    main()
