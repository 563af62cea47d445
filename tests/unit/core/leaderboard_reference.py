"""The leaderboard's first fit, kept as a reference: dense Newton with a Gauss-Jordan
inverse at every step (cubic in models). Slow but simple, so the fast fit in
:mod:`chatdesk.core.arena.leaderboard` is checked against it on small cases.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from chatdesk.core.arena.leaderboard import (
    BASE,
    PRIOR_SD,
    SCALE,
    Z95,
    Rating,
    VoteLike,
    games_from_votes,
)
from chatdesk.store.rows import COLUMN_LABELS


def _solve_inverse(matrix: list[list[float]]) -> list[list[float]]:
    """Inverse of a square matrix by Gauss-Jordan elimination with partial pivoting.

    Raises ``ValueError`` if the matrix is singular (cannot happen for the
    regularised information matrix, which is positive definite).
    """
    n = len(matrix)
    a = [list(row) + [1.0 if i == j else 0.0 for j in range(n)] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-300:
            raise ValueError("singular matrix")
        a[col], a[pivot] = a[pivot], a[col]
        scale = a[col][col]
        a[col] = [v / scale for v in a[col]]
        for r in range(n):
            factor = a[r][col]
            if r != col and factor != 0.0:
                row_c = a[col]
                a[r] = [v - factor * w for v, w in zip(a[r], row_c, strict=True)]
    return [row[n:] for row in a]


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _log_posterior(
    theta: list[float], pairs: dict[tuple[int, int], tuple[float, float]], prior_var: float
) -> float:
    total = -sum(t * t for t in theta) / (2.0 * prior_var)
    for (i, j), (games, score) in pairs.items():
        d = theta[i] - theta[j]
        # score*log p + (games - score)*log(1 - p), written stably.
        total -= score * math.log1p(math.exp(-d)) if d > -30 else score * -d
        total -= (games - score) * (math.log1p(math.exp(d)) if d < 30 else d)
    return total


def reference_fit(
    votes: Iterable[VoteLike],
    *,
    prior_sd: float = PRIOR_SD,
    max_iter: int = 100,
    tol: float = 1e-10,
) -> list[Rating]:
    """Bradley-Terry ratings with 95 % intervals, best first (ties by model name).

    Every model named in a vote is rated, even one with no informative game (it
    then sits at the mean with the prior's wide interval). Counts per model and
    vote: a win when its column was picked, a loss when another column was, a tie
    for 'tie' and 'bad'.
    """
    if not prior_sd > 0 or not math.isfinite(prior_sd):
        raise ValueError("prior_sd must be a positive number")
    votes = list(votes)
    counts: dict[str, list[int]] = {}  # model -> [votes, wins, losses, ties]
    for vote in votes:
        models = list(vote.models)
        by_label = dict(zip(COLUMN_LABELS, models, strict=False))
        picked = by_label.get(vote.winner)
        if vote.winner not in ("tie", "bad") and picked is None:
            raise ValueError(f"winner {vote.winner!r} is not one of the vote's columns")
        for model in dict.fromkeys(models):
            c = counts.setdefault(model, [0, 0, 0, 0])
            c[0] += 1
            if picked is None:
                c[3] += 1
            elif model == picked:
                c[1] += 1
            else:
                c[2] += 1
    names = sorted(counts)
    index = {name: i for i, name in enumerate(names)}
    n = len(names)
    if n == 0:
        return []
    # Aggregate games per unordered pair (i < j): (games, score of i).
    pairs: dict[tuple[int, int], tuple[float, float]] = {}
    for a, b, score in games_from_votes(votes):
        i, j = index[a], index[b]
        if i > j:
            i, j, score = j, i, 1.0 - score
        games, total = pairs.get((i, j), (0.0, 0.0))
        pairs[(i, j)] = (games + 1.0, total + score)

    prior_var = prior_sd * prior_sd
    theta = [0.0] * n

    def information(th: list[float]) -> tuple[list[float], list[list[float]]]:
        """Gradient of the log-posterior and the (positive definite) negative Hessian."""
        grad = [-t / prior_var for t in th]
        info = [[(1.0 / prior_var if r == c else 0.0) for c in range(n)] for r in range(n)]
        for (i, j), (games, score) in pairs.items():
            p = _sigmoid(th[i] - th[j])
            g = score - games * p
            grad[i] += g
            grad[j] -= g
            w = games * p * (1.0 - p)
            info[i][i] += w
            info[j][j] += w
            info[i][j] -= w
            info[j][i] -= w
        return grad, info

    current = _log_posterior(theta, pairs, prior_var)
    for _ in range(max_iter):
        grad, info = information(theta)
        inv = _solve_inverse(info)
        step = [sum(inv[r][c] * grad[c] for c in range(n)) for r in range(n)]
        # Newton step with halving: never let the posterior go down.
        t = 1.0
        while True:
            trial = [th + t * s for th, s in zip(theta, step, strict=True)]
            value = _log_posterior(trial, pairs, prior_var)
            if value >= current - 1e-12 or t < 1e-8:
                break
            t /= 2.0
        theta, current = trial, value
        if max(abs(t * s) for s in step) < tol:
            break

    _, info = information(theta)
    cov = _solve_inverse(info)
    mean = sum(theta) / n
    ratings: list[Rating] = []
    for k, name in enumerate(names):
        # Variance of theta_k - mean(theta): c^T cov c with c = e_k - 1/n.
        row_sum = sum(cov[k])
        total = sum(sum(r) for r in cov)
        var = cov[k][k] - 2.0 * row_sum / n + total / (n * n)
        half = Z95 * math.sqrt(max(var, 0.0)) * SCALE
        rating = BASE + SCALE * (theta[k] - mean)
        v, w, lo, ti = counts[name]
        ratings.append(Rating(name, rating, rating - half, rating + half, v, w, lo, ti))
    ratings.sort(key=lambda r: (-r.rating, r.model))
    return ratings
