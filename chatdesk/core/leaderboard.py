"""Your own model leaderboard: Bradley-Terry ratings from compare-mode votes (no Qt, no numpy).

Model: model ``i`` beats model ``j`` with probability ``1 / (1 + exp(theta_j - theta_i))``.
Each vote becomes pairwise games (:func:`pairwise_from_vote`); :func:`fit` finds the
``theta`` that maximise the likelihood times a Gaussian prior ``N(0, prior_sd²)`` on
each strength, by Newton's method (the log-posterior is strictly concave, so the
maximum is unique and finite even for a model that never lost). Ratings are on an
Elo-like scale: ``1000 + SCALE * theta`` with ``SCALE = 400 / ln 10`` (a 400-point gap
means 10:1 odds), and the strengths average exactly 1000 (the prior is symmetric, so
the fitted ``theta`` sum to zero). 95 % intervals come from the inverse of the
Fisher information (the negative Hessian at the maximum), for each model's rating
relative to the mean.

The prior matters most when there are few votes: with the default ``prior_sd`` of
2 logits (about 350 points), 3 wins in 4 games put two models ~164 points apart
instead of the unregularised ``SCALE * ln 3 ≈ 191``; with hundreds of votes the
difference vanishes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from chatdesk.store.rows import COLUMN_LABELS

#: Rating points per logit of strength (Elo's convention: 400 points = 10:1 odds).
SCALE = 400.0 / math.log(10.0)
#: The mean rating.
BASE = 1000.0
#: Standard deviation of the prior on each strength, in logits.
PRIOR_SD = 2.0
#: Two-sided 95 % normal quantile.
Z95 = 1.959963984540054

Game = tuple[str, str, float]
"""``(i, j, score)``: ``i`` scored ``score`` against ``j`` (1 win, 0.5 tie, 0 loss)."""


class VoteLike(Protocol):
    """What :func:`fit` reads from a vote (a :class:`~chatdesk.store.rows.VoteRow` fits)."""

    @property
    def winner(self) -> str: ...

    @property
    def models(self) -> Sequence[str]: ...


@dataclass(frozen=True, slots=True)
class Rating:
    """One model's place on the leaderboard."""

    model: str
    rating: float
    ci_low: float
    ci_high: float
    votes: int
    wins: int
    losses: int
    ties: int


def pairwise_from_vote(winner: str, labels: Sequence[str]) -> list[Game]:
    """The pairwise games a vote implies, between column ``labels``.

    A label ('A'..'D') names the best column: it beats each other column, and
    nothing is learned about the order of the rest (with two columns this is simply
    "A better"). 'tie' is a half-point game between every pair. 'bad' ("all
    answers are bad") is treated as a tie: it says the answers were equally
    unsatisfying, not that one was better. Raises ``ValueError`` for a winner that
    is not one of ``labels``, 'tie' or 'bad'.
    """
    labels = list(labels)
    if winner in ("tie", "bad"):
        return [(a, b, 0.5) for i, a in enumerate(labels) for b in labels[i + 1 :]]
    if winner not in labels:
        raise ValueError(f"winner {winner!r} is not one of {labels}, 'tie' or 'bad'")
    return [(winner, other, 1.0) for other in labels if other != winner]


def games_from_votes(votes: Iterable[VoteLike]) -> list[Game]:
    """Every vote's games between models (columns of the same model teach nothing)."""
    games: list[Game] = []
    for vote in votes:
        models = list(vote.models)
        by_label = dict(zip(COLUMN_LABELS, models, strict=False))
        for a, b, score in pairwise_from_vote(vote.winner, list(by_label)):
            if by_label[a] != by_label[b]:
                games.append((by_label[a], by_label[b], score))
    return games


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


def fit(
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
