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
relative to the mean. The fit works on the sparse graph of pairs that met, so its
time grows with the pairs and models, not with their product (see :func:`fit`).

The prior matters most when there are few votes: with the default ``prior_sd`` of
2 logits (about 350 points), 3 wins in 4 games put two models ~164 points apart
instead of the unregularised ``SCALE * ln 3 ≈ 191``; with hundreds of votes the
difference vanishes.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
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
#: A model needs this many votes before it gets a rank. Below it the interval is
#: mostly the prior's (after 2 votes a model's 95 % interval still spans ~800
#: points), so a rank would claim an order the votes do not show.
MIN_VOTES = 5

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
    #: Plausible ranks (1 is best) among models with enough votes: equal when the
    #: interval overlaps no other, a range ("1-3") where they overlap; ``None``
    #: while the model has fewer than :data:`MIN_VOTES` votes.
    rank_best: int | None = None
    rank_worst: int | None = None

    @property
    def ranked(self) -> bool:
        """Whether there are enough votes to rank this model."""
        return self.rank_best is not None

    def rank_text(self) -> str:
        """ "2", "1-3", or "" when too few votes to rank."""
        if self.rank_best is None or self.rank_worst is None:
            return ""
        if self.rank_best == self.rank_worst:
            return str(self.rank_best)
        return f"{self.rank_best}-{self.rank_worst}"


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


class _Graph:
    """The comparison graph: one edge per pair of models that met, with its games.

    Edges are parallel lists (``a``, ``b``, ``games``, ``score`` of ``a``); each model
    keeps the indices of its edges and of its neighbours, so a product with the
    Hessian is one C-level ``map`` per model instead of Python work per game.
    """

    def __init__(self, n: int, pairs: dict[tuple[int, int], tuple[float, float]]) -> None:
        self.n = n
        self.a = [i for i, _ in pairs]
        self.b = [j for _, j in pairs]
        self.games = [g for g, _ in pairs.values()]
        self.score = [s for _, s in pairs.values()]
        self.edges: list[list[int]] = [[] for _ in range(n)]
        self.nbrs: list[list[int]] = [[] for _ in range(n)]
        for e, (i, j) in enumerate(pairs):
            self.edges[i].append(e)
            self.nbrs[i].append(j)
            self.edges[j].append(e)
            self.nbrs[j].append(i)

    def evaluate(
        self, theta: list[float], prior_var: float
    ) -> tuple[float, list[float], list[float]]:
        """In one pass over the edges: the log-posterior, its gradient, and each edge's
        Fisher weight ``g p (1 - p)``."""
        total = -math.fsum(t * t for t in theta) / (2.0 * prior_var)
        grad = [-t / prior_var for t in theta]
        weights = []
        exp = math.exp
        for i, j, g, s in zip(self.a, self.b, self.games, self.score, strict=True):
            d = theta[i] - theta[j]
            # p = sigmoid(d); s*log p + (g - s)*log(1 - p), written stably.
            if d >= 0:
                e = exp(-d)
                p = 1.0 / (1.0 + e)
                log1pe = math.log1p(e)  # softplus(-d)
                total -= s * log1pe + (g - s) * (d + log1pe)
            else:
                e = exp(d)
                p = e / (1.0 + e)
                log1pe = math.log1p(e)  # softplus(d)
                total -= s * (log1pe - d) + (g - s) * log1pe
            r = s - g * p
            grad[i] += r
            grad[j] -= r
            weights.append(g * p * (1.0 - p))
        return total, grad, weights


class _Hessian:
    """The negative Hessian ``L_w + I / prior_var`` (a weighted graph Laplacian plus the
    prior): sparse, symmetric, positive definite."""

    def __init__(self, graph: _Graph, weights: list[float], prior_var: float) -> None:
        self.nbrs = graph.nbrs
        get = weights.__getitem__
        self.w = [list(map(get, edges)) for edges in graph.edges]
        self.diag = [1.0 / prior_var + math.fsum(w) for w in self.w]

    def times(self, x: list[float]) -> list[float]:
        get = x.__getitem__
        return [
            d * xk - sum(map(operator.mul, w, map(get, nb)))
            for d, xk, w, nb in zip(self.diag, x, self.w, self.nbrs, strict=True)
        ]

    def solve(self, rhs: list[float], rel_tol: float, max_iter: int) -> list[float]:
        """Conjugate gradients with the diagonal as preconditioner (the prior bounds
        the condition number, so few iterations reach ``rel_tol``)."""
        x = [0.0] * len(rhs)
        r = list(rhs)
        z = [ri / d for ri, d in zip(r, self.diag, strict=True)]
        p = list(z)
        rz = math.fsum(map(operator.mul, r, z))
        stop = rel_tol * math.sqrt(math.fsum(v * v for v in rhs))
        for _ in range(max_iter):
            if math.sqrt(math.fsum(v * v for v in r)) <= stop:
                break
            hp = self.times(p)
            alpha = rz / math.fsum(map(operator.mul, p, hp))
            x = [xi + alpha * pi for xi, pi in zip(x, p, strict=True)]
            r = [ri - alpha * hi for ri, hi in zip(r, hp, strict=True)]
            z = [ri / d for ri, d in zip(r, self.diag, strict=True)]
            rz_new = math.fsum(map(operator.mul, r, z))
            beta = rz_new / rz
            rz = rz_new
            p = [zi + beta * pi for zi, pi in zip(z, p, strict=True)]
        return x

    def components(self) -> list[list[int]]:
        """Connected components of the comparison graph (the Hessian is block-diagonal
        over them, so each block is inverted on its own)."""
        seen = [False] * len(self.diag)
        out = []
        for start in range(len(self.diag)):
            if seen[start]:
                continue
            seen[start] = True
            stack, comp = [start], []
            while stack:
                k = stack.pop()
                comp.append(k)
                for j in self.nbrs[k]:
                    if not seen[j]:
                        seen[j] = True
                        stack.append(j)
            out.append(sorted(comp))
        return out


def _block_inverse_facts(h: _Hessian, comp: list[int]) -> tuple[list[float], list[float]]:
    """For one component: the diagonal of the inverse block and its row sums.

    Dense Cholesky of the block, then the columns of ``L^-1``; the inner products run
    in C (``map``), so 300 models in one block take a fraction of a second and the
    cost does not depend on the number of votes.
    """
    m = len(comp)
    pos = {k: i for i, k in enumerate(comp)}
    dense = [[0.0] * m for _ in range(m)]
    for i, k in enumerate(comp):
        dense[i][i] = h.diag[k]
        for j, w in zip(h.nbrs[k], h.w[k], strict=True):
            dense[i][pos[j]] -= w
    chol: list[list[float]] = []
    mul = operator.mul
    for i in range(m):
        row_h = dense[i]
        row: list[float] = []
        for j in range(i):
            lj = chol[j]
            row.append((row_h[j] - sum(map(mul, row, lj))) / lj[j])
        row.append(math.sqrt(max(row_h[i] - sum(map(mul, row, row)), 1e-300)))
        chol.append(row)
    # Columns of L^-1 by forward substitution: column j has entries j..m-1.
    columns: list[list[float]] = []
    ones_image = [0.0] * m  # L^-1 @ 1, accumulated column by column
    for j in range(m):
        col = [1.0 / chol[j][j]]
        for i in range(j + 1, m):
            li = chol[i]
            col.append(-sum(map(mul, li[j:i], col)) / li[i])
        for off, v in enumerate(col):
            ones_image[j + off] += v
        columns.append(col)
    diag = [math.fsum(v * v for v in col) for col in columns]
    rows = [sum(map(mul, col, ones_image[j:])) for j, col in enumerate(columns)]
    return diag, rows


#: Above this many models in one connected block, intervals use the diagonal of the
#: Fisher information (each model's own information) instead of the exact inverse,
#: whose dense factorisation grows with the cube of the block.
EXACT_INTERVAL_LIMIT = 600


def _variances(h: _Hessian) -> list[float]:
    """Variance of each ``theta_k - mean(theta)`` under the inverse Fisher information."""
    n = len(h.diag)
    cov_diag = [0.0] * n
    row_sum = [0.0] * n
    for comp in h.components():
        if len(comp) <= EXACT_INTERVAL_LIMIT:
            diag, rows = _block_inverse_facts(h, comp)
        else:
            diag = [1.0 / h.diag[k] for k in comp]
            rows = diag
        for k, d, r in zip(comp, diag, rows, strict=True):
            cov_diag[k] = d
            row_sum[k] = r
    total = math.fsum(row_sum)
    return [c - 2.0 * r / n + total / (n * n) for c, r in zip(cov_diag, row_sum, strict=True)]


def fit(
    votes: Iterable[VoteLike],
    *,
    prior_sd: float = PRIOR_SD,
    max_iter: int = 100,
    tol: float = 1e-9,
) -> list[Rating]:
    """Bradley-Terry ratings with 95 % intervals, best first (ties by model name).

    Every model named in a vote is rated, even one with no informative game (it
    then sits at the mean with the prior's wide interval). Counts per model and
    vote: a win when its column was picked, a loss when another column was, a tie
    for 'tie' and 'bad'.

    Newton's method on the sparse comparison graph: each step solves with conjugate
    gradients (work proportional to the pairs of models that met), and the
    intervals take one factorisation per connected block at the end, so 10,000
    votes over 300 models fit in well under a second (``tests/benchmarks/
    bench_leaderboard.py``). Ranks (:attr:`Rating.rank_best`, :attr:`Rating.rank_worst`)
    are given only to models with at least :data:`MIN_VOTES` votes.
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
    graph = _Graph(n, pairs)
    theta = [0.0] * n
    current, grad, weights = graph.evaluate(theta, prior_var)
    for _ in range(max_iter):
        step = _Hessian(graph, weights, prior_var).solve(grad, 1e-10, 4 * n + 50)
        # Newton step with halving: never let the posterior go down.
        t = 1.0
        while True:
            trial = [th + t * s for th, s in zip(theta, step, strict=True)]
            value, trial_grad, trial_weights = graph.evaluate(trial, prior_var)
            if value >= current - 1e-12 or t < 1e-8:
                break
            t /= 2.0
        theta, current, grad, weights = trial, value, trial_grad, trial_weights
        if max(abs(t * s) for s in step) < tol:
            break

    variances = _variances(_Hessian(graph, weights, prior_var))
    mean = math.fsum(theta) / n
    ratings: list[Rating] = []
    for k, name in enumerate(names):
        half = Z95 * math.sqrt(max(variances[k], 0.0)) * SCALE
        rating = BASE + SCALE * (theta[k] - mean)
        v, w, lo, ti = counts[name]
        ratings.append(Rating(name, rating, rating - half, rating + half, v, w, lo, ti))
    ratings.sort(key=lambda r: (-r.rating, r.model))
    return rank(ratings)


def rank(ratings: list[Rating]) -> list[Rating]:
    """Give each model with enough votes its range of plausible ranks.

    Among the ranked models, ``rank_best`` is 1 + the number of models whose whole
    interval lies above this one's, ``rank_worst`` the count of models that are not
    clearly below it: where intervals overlap the rank is shared ("1-3"), not
    invented. Models with fewer than :data:`MIN_VOTES` votes get no rank.
    """
    ranked = [r for r in ratings if r.votes >= MIN_VOTES]
    out = []
    for r in ratings:
        if r.votes < MIN_VOTES:
            out.append(replace(r, rank_best=None, rank_worst=None))
            continue
        above = sum(1 for o in ranked if o.ci_low > r.ci_high)
        below = sum(1 for o in ranked if o.ci_high < r.ci_low)
        out.append(replace(r, rank_best=above + 1, rank_worst=len(ranked) - below))
    return out
