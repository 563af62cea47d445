"""The leaderboard fit on many votes (issue 16: 3,000 votes over 300 models took 24-28 s).

    python tests/benchmarks/bench_leaderboard.py [--models 300] [--seed 7]

Prints the time of :func:`chatdesk.core.leaderboard.fit` (ratings, intervals and
ranks) for 3,000 and 10,000 votes over ``--models`` models, best of three runs.
The votes are drawn from known strengths: 2 to 4 columns (half of them two), the
winner picked by the Bradley-Terry odds, one vote in ten a tie or "all bad".
Target: 10,000 votes over 300 models under 1 s.
"""

from __future__ import annotations

import argparse
import math
import random
import time
from dataclasses import dataclass

from chatdesk.core.leaderboard import fit


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for count in (3_000, 10_000):
        votes = make_votes(count, args.models, random.Random(args.seed))
        times = []
        for _ in range(3):
            start = time.perf_counter()
            ratings = fit(votes)
            times.append(time.perf_counter() - start)
        ranked = sum(1 for r in ratings if r.ranked)
        print(
            f"{count:>6} votes over {args.models} models: {min(times):.3f} s"
            f" (best of 3; {len(ratings)} rated, {ranked} ranked)"
        )


if __name__ == "__main__":
    main()
