"""Bradley-Terry leaderboard maths on known sets of votes."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import pytest

from chatdesk.core.arena import leaderboard as lb
from chatdesk.store import Store, VoteRow
from tests.unit.core import leaderboard_reference as reference


@dataclass
class V:
    winner: str
    models: list[str]


def votes(spec: list[tuple[str, str, str]]) -> list[V]:
    """(winner, model A, model B) triples."""
    return [V(w, [a, b]) for w, a, b in spec]


def by_model(ratings: list[lb.Rating]) -> dict[str, lb.Rating]:
    return {r.model: r for r in ratings}


def solve_two_model_gap(wins: float, games: float, prior_sd: float) -> float:
    """Posterior mode of the gap d for two models, by bisection (independent of fit).

    theta = +-d/2, so d/dtheta of the log-posterior is wins - games*p(d) - (d/2)/prior_sd².
    """
    lo, hi = -50.0, 50.0
    for _ in range(200):
        mid = (lo + hi) / 2
        g = wins - games / (1 + math.exp(-mid)) - (mid / 2) / prior_sd**2
        lo, hi = (mid, hi) if g > 0 else (lo, mid)
    return (lo + hi) / 2 * lb.SCALE


# -- pairwise games -------------------------------------------------------------------


def test_pairwise_two_columns() -> None:
    assert lb.pairwise_from_vote("A", ["A", "B"]) == [("A", "B", 1.0)]
    assert lb.pairwise_from_vote("B", ["A", "B"]) == [("B", "A", 1.0)]
    assert lb.pairwise_from_vote("tie", ["A", "B"]) == [("A", "B", 0.5)]
    assert lb.pairwise_from_vote("bad", ["A", "B"]) == [("A", "B", 0.5)]  # bad = tie


def test_pairwise_best_of_four_says_nothing_among_the_rest() -> None:
    assert lb.pairwise_from_vote("C", ["A", "B", "C", "D"]) == [
        ("C", "A", 1.0),
        ("C", "B", 1.0),
        ("C", "D", 1.0),
    ]
    assert lb.pairwise_from_vote("tie", ["A", "B", "C"]) == [
        ("A", "B", 0.5),
        ("A", "C", 0.5),
        ("B", "C", 0.5),
    ]
    with pytest.raises(ValueError):
        lb.pairwise_from_vote("D", ["A", "B", "C"])


def test_same_model_in_two_columns_plays_no_game() -> None:
    games = lb.games_from_votes([V("A", ["m", "m", "x"]), V("tie", ["m", "m"])])
    assert games == [("m", "x", 1.0)]


# -- the fit --------------------------------------------------------------------------


def test_three_wins_in_four_gives_the_analytic_gap() -> None:
    data = votes([("A", "good", "ok")] * 3 + [("B", "good", "ok")])
    # Almost no prior: the maximum-likelihood gap, SCALE * ln 3 = 190.85 points.
    flat = by_model(lb.fit(data, prior_sd=1000.0))
    assert flat["good"].rating - flat["ok"].rating == pytest.approx(lb.SCALE * math.log(3), abs=0.1)
    assert lb.SCALE * math.log(3) == pytest.approx(190.85, abs=0.01)
    # The default prior shrinks it by a known amount.
    shrunk = by_model(lb.fit(data))
    expected = solve_two_model_gap(3, 4, lb.PRIOR_SD)
    assert shrunk["good"].rating - shrunk["ok"].rating == pytest.approx(expected, abs=0.01)
    assert 150 < expected < lb.SCALE * math.log(3)
    # Mean stays at 1000.
    assert (shrunk["good"].rating + shrunk["ok"].rating) / 2 == pytest.approx(1000.0, abs=1e-6)
    assert (shrunk["good"].wins, shrunk["good"].losses, shrunk["good"].ties) == (3, 1, 0)
    assert (shrunk["ok"].votes, shrunk["ok"].wins, shrunk["ok"].losses) == (4, 1, 3)


def test_symmetry_swapping_sides_mirrors_ratings() -> None:
    one = by_model(lb.fit(votes([("A", "x", "y"), ("A", "x", "y"), ("B", "x", "y")])))
    other = by_model(lb.fit(votes([("B", "y", "x"), ("B", "y", "x"), ("A", "y", "x")])))
    for name in ("x", "y"):
        assert one[name].rating == pytest.approx(other[name].rating, abs=1e-9)
        assert one[name].ci_low == pytest.approx(other[name].ci_low, abs=1e-9)
    assert one["x"].rating - 1000 == pytest.approx(1000 - one["y"].rating, abs=1e-9)
    # Interval is symmetric around the rating.
    r = one["x"]
    assert r.rating - r.ci_low == pytest.approx(r.ci_high - r.rating)


def test_ties_and_bad_leave_models_equal() -> None:
    ratings = lb.fit(votes([("tie", "p", "q"), ("bad", "p", "q"), ("tie", "q", "p")]))
    assert [r.rating for r in ratings] == pytest.approx([1000.0, 1000.0])
    assert all(r.ties == 3 and r.wins == r.losses == 0 for r in ratings)


def test_undefeated_model_stays_finite() -> None:
    ratings = by_model(lb.fit(votes([("A", "champ", "other")] * 50)))
    champ = ratings["champ"]
    assert math.isfinite(champ.rating) and math.isfinite(champ.ci_high)
    assert champ.rating > ratings["other"].rating + 400
    assert champ.ci_low < champ.rating < champ.ci_high


def test_interval_shrinks_with_more_votes() -> None:
    few = by_model(lb.fit(votes([("A", "x", "y")] * 3 + [("B", "x", "y")])))
    many = by_model(lb.fit(votes([("A", "x", "y")] * 300 + [("B", "x", "y")] * 100)))
    width = lambda r: r.ci_high - r.ci_low  # noqa: E731
    assert width(many["x"]) < width(few["x"]) / 5
    # With many votes the prior no longer matters: close to SCALE * ln 3.
    assert many["x"].rating - many["y"].rating == pytest.approx(190.85, abs=2.0)


def test_interval_matches_the_fisher_information_for_two_models() -> None:
    """Var(theta_x - mean) = Var(d)/4 where 1/Var(d) = n p(1-p) + 1/(2 prior_sd²)."""
    data = votes([("A", "x", "y")] * 30 + [("B", "x", "y")] * 10)
    x = by_model(lb.fit(data))["x"]
    d = (x.rating - 1000) * 2 / lb.SCALE
    p = 1 / (1 + math.exp(-d))
    var_d = 1 / (40 * p * (1 - p) + 1 / (2 * lb.PRIOR_SD**2))
    half = lb.Z95 * math.sqrt(var_d / 4) * lb.SCALE
    assert x.ci_high - x.rating == pytest.approx(half, rel=1e-6)


def test_transitive_ordering_and_sorting() -> None:
    data = votes(
        [("A", "alpha", "beta")] * 7
        + [("B", "alpha", "beta")] * 3
        + [("A", "beta", "gamma")] * 7
        + [("B", "beta", "gamma")] * 3
        + [("A", "gamma", "delta")] * 6
        + [("B", "gamma", "delta")] * 4
    )
    ratings = lb.fit(data)
    assert [r.model for r in ratings] == ["alpha", "beta", "gamma", "delta"]
    assert sum(r.rating for r in ratings) / 4 == pytest.approx(1000.0, abs=1e-6)
    # alpha and gamma never met, but alpha is inferred to be far stronger.
    rated = by_model(ratings)
    assert rated["alpha"].rating - rated["gamma"].rating > 150


def test_pick_best_of_three() -> None:
    data = [V("C", ["m1", "m2", "m3"])] * 5 + [V("A", ["m1", "m2", "m3"])] * 5
    rated = by_model(lb.fit(data))
    # m2 never won; m1 and m3 each won half and beat m2 every time.
    assert rated["m1"].rating == pytest.approx(rated["m3"].rating, abs=1e-6)
    assert rated["m2"].rating < rated["m1"].rating - 100
    assert (rated["m2"].votes, rated["m2"].losses, rated["m1"].wins, rated["m1"].losses) == (
        10,
        10,
        5,
        5,
    )


def test_empty_and_bad_input() -> None:
    assert lb.fit([]) == []
    with pytest.raises(ValueError):
        lb.fit([V("C", ["a", "b"])])
    with pytest.raises(ValueError):
        lb.fit(votes([("A", "a", "b")]), prior_sd=0.0)


def test_fit_reads_store_votes(tmp_path) -> None:
    with Store(tmp_path / "h.sqlite3") as store:
        cid = store.create_conversation()
        comp = store.create_comparison(cid, [{"model": "a"}, {"model": "b"}])
        for w in ("A", "A", "B"):
            store.add_vote(comp, w, models=["a", "b"], prompt="p", column_order=[0, 1])
        rows: list[VoteRow] = store.list_votes()
        rated = by_model(lb.fit(rows))
    assert rated["a"].rating > rated["b"].rating
    assert rated["a"].votes == 3


def test_reference_inverse_of_a_known_matrix() -> None:
    m = [[4.0, 7.0, 2.0], [3.0, 6.0, 1.0], [2.0, 5.0, 3.0]]
    inv = reference._solve_inverse(m)
    for r in range(3):
        for c in range(3):
            product = sum(m[r][k] * inv[k][c] for k in range(3))
            assert product == pytest.approx(1.0 if r == c else 0.0, abs=1e-12)
    with pytest.raises(ValueError):
        reference._solve_inverse([[1.0, 2.0], [2.0, 4.0]])


def random_votes(rng: random.Random, count: int, models: int) -> list[V]:
    names = [f"m{i}" for i in range(models)]
    out = []
    for _ in range(count):
        picked = rng.sample(names, min(models, rng.choice((2, 2, 3, 4))))
        winner = rng.choice(["tie", "bad", *"ABCD"[: len(picked)]])
        out.append(V(winner, picked))
    return out


@pytest.mark.parametrize("seed", range(8))
def test_fast_fit_equals_the_dense_reference(seed: int) -> None:
    """The sparse fit gives the first implementation's ratings and intervals."""
    rng = random.Random(seed)
    data = random_votes(rng, rng.randint(1, 80), rng.randint(2, 12))
    fast = by_model(lb.fit(data))
    slow = by_model(reference.reference_fit(data))
    assert fast.keys() == slow.keys()
    for name, want in slow.items():
        got = fast[name]
        assert got.rating == pytest.approx(want.rating, abs=1e-6)
        assert got.ci_low == pytest.approx(want.ci_low, abs=1e-6)
        assert got.ci_high == pytest.approx(want.ci_high, abs=1e-6)
        assert (got.votes, got.wins, got.losses, got.ties) == (
            want.votes,
            want.wins,
            want.losses,
            want.ties,
        )


def test_disconnected_groups_equal_the_reference() -> None:
    """Two groups that never met: each block is inverted on its own."""
    data = votes([("A", "a", "b")] * 4 + [("B", "a", "b")] + [("A", "c", "d")] * 2)
    data += [V("tie", ["e", "f", "g"])]
    fast = by_model(lb.fit(data))
    for name, want in by_model(reference.reference_fit(data)).items():
        assert fast[name].rating == pytest.approx(want.rating, abs=1e-6)
        assert fast[name].ci_high == pytest.approx(want.ci_high, abs=1e-6)
